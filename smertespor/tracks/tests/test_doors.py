"""Each course operation is one action: the page and the API answer the same refusal alike
(another role or side 403, a state the service refuses 422, a stale version 409)."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from smertespor.audit.models import AuditEvent
from smertespor.tracks.hospital_services import accept_handover
from smertespor.tracks.models import Alert, Course, TimelineEvent
from smertespor.tracks.services import hand_over_early
from smertespor.tracks.tests.factories import CourseFactory
from smertespor.tracks.tests.helpers import enrol
from tests.factories import ClinicFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(gp, patient, clinic):
    return enrol(gp, patient, clinic, timezone.localdate() - timedelta(days=10))


@pytest.fixture
def handed_over(gp, started):
    hand_over_early(course=started, by=gp, expected_version=started.version, reason="Stalled")
    return Course.objects.get(pk=started.pk)


def _api(client, method, url, body):
    """Send `body` as JSON; its `version`, if any, goes in `If-Match` (the course's ETag)."""
    body = dict(body)
    headers = {"If-Match": f'"{body.pop("version")}"'} if "version" in body else {}
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", headers=headers
    )


def _page(course, name):
    return reverse(name, args=[course.patient_id, course.pk])


def _endpoint(course, tail=""):
    return f"/api/tracks/patients/{course.patient_id}/courses/{course.pk}{tail}"


def _has_no_patient_data(response, patient):
    body = response.content.decode()
    return patient.name not in body and patient.cpr[:6] not in body


def test_the_clinic_s_work_on_a_practice_track_course_is_422_on_both_doors(
    handed_over, clinic_doctor, client_for, english
):
    client = client_for(clinic_doctor)
    page = client.get(_page(handed_over, "tracks:needs_assessment"))
    body = {
        "version": handed_over.version,
        "disciplines": ["doctor"],
        "interventions": ["cbt_group"],
    }
    api = _api(client, "post", _endpoint(handed_over, "/needs-assessment"), body)
    assert (page.status_code, api.status_code) == (422, 422)
    assert "hospital-track course" in page.content.decode()
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["errors"][0]["code"] == "not_hospital_track"


def test_a_gp_on_the_clinic_s_pages_and_endpoints_is_403_without_patient_data(
    gp, patient, handed_over, client_for
):
    client = client_for(gp)
    page = client.get(_page(handed_over, "tracks:course_plan"))
    api = _api(client, "post", _endpoint(handed_over, "/plan"), {"version": 2, "plan_note": "x"})
    assert (page.status_code, api.status_code) == (403, 403)
    assert _has_no_patient_data(page, patient)
    assert _has_no_patient_data(api, patient)
    assert api.json()["status"] == 403


def test_a_triaged_handover_letter_is_422_on_both_doors(
    gp, handed_over, clinic_doctor, client_for, english
):
    accept_handover(course=handed_over, by=clinic_doctor, expected_version=handed_over.version)
    course = Course.objects.get(pk=handed_over.pk)
    client = client_for(gp)
    letter = {"version": course.version, "gp_comment": "Late"}
    page = client.post(_page(course, "tracks:handover"), letter)
    api = _api(client, "put", _endpoint(course, "/handover"), letter)
    assert (page.status_code, api.status_code) == (422, 422)
    assert "already triaged" in page.content.decode()
    assert "already triaged" in api.json()["detail"]


def test_a_practice_nurse_writing_the_handover_letter_is_403_on_both_doors(
    practice_nurse, patient, handed_over, client_for
):
    client = client_for(practice_nurse)
    letter = {"version": handed_over.version, "gp_comment": "Mine"}
    page = client.post(_page(handed_over, "tracks:handover"), letter)
    api = _api(client, "put", _endpoint(handed_over, "/handover"), letter)
    assert (page.status_code, api.status_code) == (403, 403)
    assert _has_no_patient_data(api, patient)
    refused = AuditEvent.objects.filter(action="refused", user=practice_nurse, patient=patient)
    assert set(refused.values_list("object_type", flat=True)) == {"handover"}
    assert refused.count() == 2


def test_a_stale_decision_is_409_on_both_doors_and_changes_nothing(
    gp, started, client_for, english
):
    client = client_for(gp)
    decision = {"event": "end", "reason": "Moved away", "version": started.version + 1}
    page = client.post(_page(started, "tracks:course_step"), decision)
    api = _api(client, "post", _endpoint(started, "/decisions"), decision)
    assert (page.status_code, api.status_code) == (409, 409)
    assert "Someone else changed this course" in page.content.decode()
    assert api.json()["errors"][0]["code"] == "conflict"
    assert Course.objects.get(pk=started.pk).status == "active"


def test_an_alert_is_acknowledged_once_through_either_door(gp, practice_nurse, started, client_for):
    alert = Alert.objects.create(course=started, code="peg_worsened", raised_on=started.start_date)
    page = client_for(practice_nurse).post(
        reverse("tracks:alert_acknowledge", args=[started.patient_id, started.pk, alert.pk])
    )
    api = _api(client_for(gp), "post", _endpoint(started, f"/alerts/{alert.pk}/acknowledge"), {})
    assert (page.status_code, api.status_code) == (302, 200)
    assert api.json()["acknowledged_at"] is not None
    alert.refresh_from_db()
    assert alert.acknowledged_by == practice_nurse
    assert TimelineEvent.objects.filter(kind="alert_acknowledged").count() == 1


def test_an_alert_of_another_course_is_not_found(gp, started, client_for):
    other = CourseFactory(patient=started.patient, clinic=started.clinic, status="ended")
    alert = Alert.objects.create(course=started, code="peg_worsened", raised_on=started.start_date)
    response = _api(client_for(gp), "post", _endpoint(other, f"/alerts/{alert.pk}/acknowledge"), {})
    assert response.status_code == 404


def _enrol_body(**overrides):
    body = {
        "baseline_peg": [6, 6, 6],
        "baseline_nrs": 6,
        "goal_kind": "stop",
        "follow_up_interval_days": 28,
        "baseline_omeq_mg_per_day": 60,
    }
    return {**body, **overrides}


def test_with_two_clinics_in_the_region_the_gp_chooses_one(gp, patient, clinic, client_for):
    second = ClinicFactory.create(region=clinic.region, name="Smerteklinikken Nord")
    client = client_for(gp)
    form = client.get(reverse("tracks:course_create", args=[patient.pk])).context["form"]
    assert form.initial["clinic"] is None
    assert set(form.fields["clinic"].queryset) == {clinic, second}
    url = f"/api/tracks/patients/{patient.pk}/courses"
    unchosen = _api(client, "post", url, _enrol_body())
    assert unchosen.status_code == 422
    assert [e["field"] for e in unchosen.json()["errors"]] == ["clinic_id"]
    chosen = _api(client, "post", url, _enrol_body(clinic_id=second.pk))
    assert chosen.status_code == 201
    assert chosen.json()["clinic_id"] == second.pk


def test_a_clinic_of_another_region_is_refused_on_both_doors(gp, patient, clinic, client_for):
    far = ClinicFactory.create(region=RegionFactory.create(name="Region Syddanmark", code="1083"))
    client = client_for(gp)
    api = _api(
        client, "post", f"/api/tracks/patients/{patient.pk}/courses", _enrol_body(clinic_id=far.pk)
    )
    page = client.post(
        reverse("tracks:course_create", args=[patient.pk]),
        {
            "start_date": timezone.localdate().isoformat(),
            "clinic": far.pk,
            "baseline_omeq_mg_per_day": "60",
            "baseline_peg_pain": "6",
            "baseline_peg_enjoyment": "6",
            "baseline_peg_activity": "6",
            "baseline_nrs": "6",
            "goal_kind": "stop",
            "follow_up_interval_days": "28",
        },
    )
    assert (api.status_code, page.status_code) == (422, 422)
    assert [e["field"] for e in api.json()["errors"]] == ["clinic_id"]
    assert "clinic" in page.context["form"].errors
    assert not Course.objects.exists()
