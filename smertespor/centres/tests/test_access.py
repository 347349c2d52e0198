"""Who reaches a pain centre course: the centre's staff for patients with the centre's open
care relation; the patient's GP practice reads the discharge summary; another centre, the
pain clinic, planners and another practice are refused (and the refusal is audited)."""

import json

import pytest
from django.urls import reverse

from smertespor.audit.models import AuditEvent
from smertespor.centres.tests.conftest import refer
from smertespor.centres.tests.helpers import active_course, discharged_course

pytestmark = pytest.mark.django_db


def _api(course, tail=""):
    return f"/api/centres/patients/{course.patient_id}/courses/{course.pk}{tail}"


@pytest.fixture
def course(referred, centre_doctor):
    return active_course(referred, centre_doctor)


@pytest.fixture
def discharged(referred, centre_doctor):
    return discharged_course(referred, centre_doctor)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("centre_doctor", 200),
        ("centre_psychologist", 200),
        ("centre_secretary", 200),
        ("other_centre_doctor", 404),  # no care relation with the patient
        ("clinic_doctor", 403),  # the pain clinic is not a centre
        ("gp", 403),  # the GP reads the summary, not the course
        ("other_gp", 403),
        ("planner", 403),
        ("admin_user", 403),
    ],
)
def test_the_course_is_the_centres(request, client_for, course, persona, status):
    user = request.getfixturevalue(persona)
    http = client_for(user)
    assert http.get(_api(course)).status_code == status
    page = http.get(reverse("centres:course_detail", args=[course.patient_id, course.pk]))
    assert page.status_code == status
    if status != 200:
        assert course.patient.name.encode() not in page.content
        assert AuditEvent.objects.filter(user=user, action="refused").exists()


def test_another_centre_with_its_own_referral_still_cannot_open_this_course(
    client_for, course, other_centre, other_centre_doctor
):
    refer(course.patient, other_centre)
    http = client_for(other_centre_doctor)
    assert http.get(_api(course)).status_code == 404
    assert http.get(f"/api/centres/patients/{course.patient_id}/courses").json() == []


def test_a_closed_care_relation_shuts_the_centre_out(client_for, course, centre_doctor):
    from django.utils import timezone

    course.patient.care_relations.update(closed_at=timezone.now())
    assert client_for(centre_doctor).get(_api(course)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("centre_doctor", 201),
        ("centre_psychologist", 403),  # the summary is the doctor's
        ("centre_secretary", 403),
        ("other_centre_doctor", 404),
        ("clinic_doctor", 403),
        ("gp", 403),
        ("planner", 403),
    ],
)
def test_only_the_centres_doctor_sends_the_summary(request, client_for, course, persona, status):
    http = client_for(request.getfixturevalue(persona))
    response = http.post(
        _api(course, "/discharge-summary"),
        json.dumps({"course_summary": "S", "plan_after": "P"}),
        content_type="application/json",
        headers={"If-Match": f'"{course.version}"'},
    )
    assert response.status_code == status, response.content
    if status != 201:
        assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("centre_doctor", 201),
        ("centre_psychologist", 201),
        ("centre_secretary", 403),  # works beside the clinicians, plans nothing
        ("other_centre_doctor", 404),
        ("clinic_doctor", 403),
        ("gp", 403),
        ("planner", 403),
    ],
)
def test_the_centres_clinicians_plan_the_modules(request, client_for, course, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(
        _api(course, "/modules"),
        json.dumps({"code": "pain_education"}),
        content_type="application/json",
    )
    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("gp", 200),
        ("practice_nurse", 200),
        ("centre_doctor", 200),
        ("other_gp", 404),  # another practice
        ("other_centre_doctor", 404),
        ("clinic_doctor", 403),  # the pain clinic neither sent nor receives it
        ("planner", 403),
        ("admin_user", 403),
    ],
)
def test_the_summary_is_read_by_the_gps_practice_and_the_centre(
    request, client_for, discharged, persona, status
):
    http = client_for(request.getfixturevalue(persona))
    assert http.get(_api(discharged, "/discharge-summary")).status_code == status
    page = http.get(reverse("centres:summary", args=[discharged.patient_id, discharged.pk]))
    assert page.status_code == status
    if status != 200:
        assert discharged.patient.name.encode() not in page.content


def test_the_clinic_with_its_own_care_relation_still_cannot_read_the_summary(
    client_for, discharged, clinic, clinic_doctor
):
    refer(discharged.patient, clinic)
    http = client_for(clinic_doctor)
    assert http.get(_api(discharged, "/discharge-summary")).status_code == 403
    assert (
        discharged.patient.name.encode()
        not in http.get(
            reverse("centres:summary", args=[discharged.patient_id, discharged.pk])
        ).content
    )


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("planner", True),
        ("admin_user", True),
        ("centre_doctor", True),
        ("gp", False),
        ("clinic_doctor", False),
    ],
)
def test_planners_see_counts_and_no_patient(request, client_for, discharged, persona, allowed):
    response = client_for(request.getfixturevalue(persona)).get("/api/centres/counts")
    assert (response.status_code == 200) is allowed
    if allowed:
        body = response.json()
        assert discharged.patient.name not in response.content.decode()
        [row] = [r for r in body if r["centre_id"] == discharged.centre_id]
        assert row["discharged"] == 1


def test_the_worklist_is_for_centre_staff_only(client_for, course, centre_secretary, gp, planner):
    assert client_for(centre_secretary).get(reverse("centres:worklist")).status_code == 200
    for user in (gp, planner):
        assert client_for(user).get(reverse("centres:worklist")).status_code == 403
        assert client_for(user).get("/api/centres/worklist").status_code == 403


def test_every_read_of_the_course_is_audited(client_for, course, centre_doctor):
    before = AuditEvent.objects.filter(patient=course.patient, action="view").count()
    client_for(centre_doctor).get(_api(course))
    assert AuditEvent.objects.filter(patient=course.patient, action="view").count() == before + 1


def test_the_summary_links_the_patients_medication_list(client_for, discharged, gp):
    page = client_for(gp).get(
        reverse("centres:summary", args=[discharged.patient_id, discharged.pk])
    )

    link = reverse("medication:patient", args=[discharged.patient_id])
    assert f'href="{link}"' in page.content.decode()
    assert "Åbn patientens medicinliste" in page.content.decode()


def test_the_patients_timeline_shows_the_summary_to_its_readers_only(
    discharged, gp, centre_secretary, clinic_doctor
):
    from smertespor.patients.timeline import patient_timeline

    summary_url = reverse("centres:summary", args=[discharged.patient_id, discharged.pk])
    course_url = reverse("centres:course_detail", args=[discharged.patient_id, discharged.pk])

    def urls(user):
        return {entry.url for entry in patient_timeline(user, discharged.patient)}

    assert summary_url in urls(gp) and course_url not in urls(gp)
    assert {summary_url, course_url} <= urls(centre_secretary)
    assert not {summary_url, course_url} & urls(clinic_doctor)


def test_a_practice_with_no_summary_waiting_is_answered_by_one_query(
    gp, other_gp, discharged, django_assert_num_queries
):
    from smertespor.centres.selectors import new_summaries_for

    # The GP's worklist asks on every look; with nothing waiting it costs one probe of the
    # summaries alone, not the scoped read joined to courses, patients and centres.
    with django_assert_num_queries(1) as queries:
        assert new_summaries_for(other_gp) == []
    assert "JOIN" not in queries.captured_queries[0]["sql"]
    # One waiting for the GP's practice is shown (and its patient logged as listed).
    assert [s.course_id for s in new_summaries_for(gp)] == [discharged.pk]
    assert AuditEvent.objects.filter(
        user=gp, action="listed", object_type="centre_summaries", patient=discharged.patient
    ).exists()
