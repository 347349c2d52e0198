"""Who sees and does what with a course: the patient page's rules hold on every course page."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from smertespor.audit.models import AuditEvent
from smertespor.tracks.services import hand_over_early
from smertespor.tracks.tests.helpers import enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(gp, patient, clinic):
    return enrol(gp, patient, clinic, timezone.localdate() - timedelta(days=10))


def _course_url(course, name="tracks:course_detail"):
    return reverse(name, args=[course.patient_id, course.pk])


def _assert_refused_without_patient_data(response, patient, statuses=(403, 404)):
    assert response.status_code in statuses
    body = response.content.decode()
    assert patient.name not in body
    assert patient.cpr[:6] not in body


def test_the_gp_and_the_practice_nurse_see_their_practice_s_course(
    gp, practice_nurse, patient, started, client_for
):
    for user in (gp, practice_nurse):
        response = client_for(user).get(_course_url(started))
        assert response.status_code == 200
        assert patient.name in response.content.decode()
    assert (
        AuditEvent.objects.filter(action="view", object_type="course", patient=patient).count() == 2
    )


def test_a_gp_of_another_practice_is_refused_without_patient_data(
    other_gp, patient, started, client_for
):
    client = client_for(other_gp)
    for name in ("tracks:course_detail", "tracks:follow_up_create", "tracks:handover"):
        _assert_refused_without_patient_data(
            client.get(_course_url(started, name)), patient, (404,)
        )
    _assert_refused_without_patient_data(
        client.get(reverse("tracks:patient_courses", args=[patient.pk])), patient, (404,)
    )
    assert AuditEvent.objects.filter(action="refused", user=other_gp, patient=patient).count() == 4


def test_the_clinic_sees_the_course_only_once_it_is_handed_over(
    gp, clinic_nurse, patient, started, client_for
):
    client = client_for(clinic_nurse)
    _assert_refused_without_patient_data(client.get(_course_url(started)), patient, (404,))
    hand_over_early(
        course=started, by=gp, expected_version=started.version, reason="Needs the clinic"
    )
    response = client.get(_course_url(started))
    assert response.status_code == 200
    assert b'data-testid="decision-accept"' in response.content


def test_a_planner_sees_no_course_and_no_worklist(planner, patient, started, client_for):
    client = client_for(planner)
    _assert_refused_without_patient_data(client.get(_course_url(started)), patient, (404,))
    _assert_refused_without_patient_data(
        client.get(reverse("tracks:practice_worklist")), patient, (403,)
    )
    _assert_refused_without_patient_data(client.get(reverse("tracks:worklist")), patient, (403,))
    api = client.get(f"/api/tracks/patients/{patient.pk}/courses/{started.pk}")
    _assert_refused_without_patient_data(api, patient, (404,))


def test_a_practice_nurse_cannot_hand_over_or_end_a_course(
    practice_nurse, patient, started, client_for
):
    response = client_for(practice_nurse).post(
        _course_url(started, "tracks:course_step"), {"event": "end", "reason": "x", "version": "1"}
    )
    _assert_refused_without_patient_data(response, patient, (403,))
    started.refresh_from_db()
    assert started.status == "active"


def test_a_psychologist_of_the_clinic_reads_but_does_not_triage(
    gp, psychologist, patient, started, client_for
):
    hand_over_early(
        course=started, by=gp, expected_version=started.version, reason="Needs the clinic"
    )
    client = client_for(psychologist)
    assert client.get(_course_url(started)).status_code == 200
    response = client.post(
        _course_url(started, "tracks:course_step"), {"event": "accept", "version": "2"}
    )
    _assert_refused_without_patient_data(response, patient, (403,))


def test_the_gp_cannot_open_the_clinic_s_pages_of_a_hospital_course(
    gp, patient, started, client_for
):
    for name in ("tracks:needs_assessment", "tracks:course_plan", "tracks:course_complete"):
        _assert_refused_without_patient_data(
            client_for(gp).get(_course_url(started, name)), patient, (403,)
        )


def test_a_course_id_of_another_patient_is_not_found(
    gp, patient, other_patient, started, client_for
):
    url = reverse("tracks:course_detail", args=[other_patient.pk, started.pk])
    _assert_refused_without_patient_data(client_for(gp).get(url), patient, (404,))
    url = reverse("tracks:course_detail", args=[patient.pk, started.pk + 1000])
    assert client_for(gp).get(url).status_code == 404


def test_the_api_refuses_a_wrong_role_with_no_patient_data(
    practice_nurse, other_gp, patient, started, client_for
):
    url = f"/api/tracks/patients/{patient.pk}/courses/{started.pk}/decisions"
    body = json.dumps({"event": "end", "reason": "x"})
    read = {"If-Match": '"1"'}
    nurse = client_for(practice_nurse).post(
        url, body, content_type="application/json", headers=read
    )
    stranger = client_for(other_gp).post(url, body, content_type="application/json", headers=read)
    _assert_refused_without_patient_data(nurse, patient, (403,))
    _assert_refused_without_patient_data(stranger, patient, (404,))
