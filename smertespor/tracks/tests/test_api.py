"""The course API: the same services as the pages, with 201/409/422 and exact decimals."""

import json

import pytest
from django.utils import timezone

from smertespor.entry.appointment_times import next_bookable
from smertespor.tracks.models import Course, FollowUp

pytestmark = pytest.mark.django_db


def _post(client, url, body, method="post"):
    """Send `body` as JSON; its `version`, if any, goes in `If-Match` (the course's ETag)."""
    body = dict(body)
    headers = {"If-Match": f'"{body.pop("version")}"'} if "version" in body else {}
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.fixture
def api(gp, client_for):
    client = client_for(gp)
    client.cookies["django_language"] = "en"
    return client


def _enrol(api, patient, **overrides):
    body = {
        "baseline_peg": [6, 5, 4],
        "baseline_nrs": 6,
        "goal_kind": "target",
        "goal_target_mg_per_day": "22.5",
        "follow_up_interval_days": 14,
        "baseline_omeq_mg_per_day": 45,
        "plan_note": "Oxycodone 5 mg less every 2 weeks",
    }
    body.update(overrides)
    return _post(api, f"/api/tracks/patients/{patient.pk}/courses", body)


def test_a_gp_enrols_a_patient_through_the_api(api, patient, clinic):
    response = _enrol(api, patient)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["clinic_id"] == clinic.pk
    assert body["goal_target_mg_per_day"] == "22.5"
    assert body["baseline_omeq_mg_per_day"] == "45"
    assert body["baseline_peg_score"] == "5.00"
    assert body["version"] == 1
    assert body["allowed_decisions"] == ["record_success", "hand_over_early", "end"]


def test_refused_enrolment_answers_422_with_the_reason_on_its_field(api, patient, clinic):
    response = _enrol(api, patient, baseline_peg=[6, 5, 14], goal_target_mg_per_day="50")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields["peg_activity"] == "A PEG item is a whole number from 0 to 10."
    assert "below the baseline" in fields["goal_target_mg_per_day"]
    assert not Course.objects.exists()


def test_a_second_open_course_answers_422(api, patient, clinic):
    _enrol(api, patient)
    response = _enrol(api, patient)
    assert response.status_code == 422
    assert "already has an open course" in response.json()["errors"][0]["message"]


def test_a_visit_through_the_api_raises_its_alerts(api, patient, clinic):
    course = _enrol(api, patient).json()
    url = f"/api/tracks/patients/{patient.pk}/courses/{course['id']}/follow-ups"
    response = _post(
        api, url, {"version": 1, "omeq_mg_per_day": "40.5", "peg": [8, 7, 6], "sows_total": 25}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["omeq_mg_per_day"] == "40.5"
    assert [a["code"] for a in body["alerts"]] == ["peg_worsened", "withdrawal_moderate_or_above"]
    assert "SOWS 25" in body["alerts"][1]["message"]
    listed = api.get(url).json()
    assert [v["id"] for v in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"visit_on": "2999-01-01"}, "visit_on", id="future"),
        pytest.param({"visit_on": "2000-01-01"}, "visit_on", id="before-start"),
        pytest.param({"nrs": 11}, "nrs", id="nrs-out-of-range"),
        pytest.param({"cows_total": 3}, "cows_total", id="cows-in-practice"),
        pytest.param({"sows_items": [4] * 15}, "sows_items", id="sows-items-missing"),
    ],
)
def test_bad_visits_answer_422_and_save_nothing(api, patient, clinic, body, field):
    course = _enrol(api, patient).json()
    url = f"/api/tracks/patients/{patient.pk}/courses/{course['id']}/follow-ups"
    response = _post(api, url, {"version": 1, "omeq_mg_per_day": 40, **body})
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not FollowUp.objects.exists()


def test_a_decision_not_allowed_now_answers_422_and_changes_nothing(api, patient, clinic):
    course = _enrol(api, patient).json()
    url = f"/api/tracks/patients/{patient.pk}/courses/{course['id']}/decisions"
    assert (
        _post(api, url, {"event": "end", "version": 1, "reason": "Moved away"}).status_code == 200
    )
    response = _post(api, url, {"event": "hand_over_early", "version": 2, "reason": "Late"})
    assert response.status_code == 422
    assert "not possible now" in response.json()["errors"][0]["message"]
    assert Course.objects.get().status == "ended"


def test_a_gp_trying_to_accept_a_handover_is_refused_for_their_role(api, patient, clinic):
    course = _enrol(api, patient).json()
    url = f"/api/tracks/patients/{patient.pk}/courses/{course['id']}/decisions"
    _post(api, url, {"event": "hand_over_early", "version": 1, "reason": "Needs it"})
    assert _post(api, url, {"event": "accept", "version": 2}).status_code == 403


def test_the_course_the_timeline_and_the_handover_read_back(api, patient, clinic):
    course = _enrol(api, patient).json()
    base = f"/api/tracks/patients/{patient.pk}/courses/{course['id']}"
    assert api.get(base + "/handover").json() is None
    step = _post(
        api,
        base + "/decisions",
        {
            "event": "hand_over_early",
            "version": 1,
            "reason": "Wants the clinic",
            "expected_duration": "3 months",
        },
    )
    assert step.status_code == 200
    assert step.json()["status"] == "handover_proposed"
    handover = api.get(base + "/handover").json()
    assert handover["kind"] == "early"
    assert handover["snapshot"]["goal"]["target_mg_per_day"] == "22.5"
    letter = _post(
        api, base + "/handover", {"version": 2, "gp_comment": "Over to you"}, method="put"
    )
    assert letter.status_code == 200
    assert letter.json()["gp_comment"] == "Over to you"
    timeline = api.get(base + "/timeline").json()
    assert [e["kind"] for e in timeline] == ["handover_updated", "hand_over_early", "created"]
    assert timeline[1]["why"] == "Wants the clinic"
    detail = api.get(base).json()
    assert detail["rule"] is None or detail["rule"]["action"] == "not_applicable"
    assert api.get(f"/api/tracks/patients/{patient.pk}/timeline").status_code == 200


def test_the_clinic_runs_the_hospital_track_through_the_api(
    gp, patient, clinic, clinic_doctor, psychologist, client_for
):
    gp_api = client_for(gp)
    course = _enrol(gp_api, patient).json()
    base = f"/api/tracks/patients/{patient.pk}/courses/{course['id']}"
    _post(
        gp_api,
        base + "/decisions",
        {"event": "hand_over_early", "version": 1, "reason": "Needs it"},
    )
    clinic_api = client_for(clinic_doctor)
    accepted = _post(clinic_api, base + "/decisions", {"event": "accept", "version": 2})
    assert accepted.status_code == 200
    hospital = accepted.json()
    assert (hospital["track"], hospital["status"], hospital["previous_course_id"]) == (
        "hospital",
        "accepted",
        course["id"],
    )
    hbase = f"/api/tracks/patients/{patient.pk}/courses/{hospital['id']}"
    assert (
        _post(
            clinic_api,
            hbase + "/needs-assessment",
            {"version": 1, "disciplines": ["psychologist"], "interventions": ["cbt_group"]},
        ).status_code
        == 201
    )
    assert (
        _post(
            clinic_api, hbase + "/team", {"user_id": psychologist.pk, "discipline": "psychologist"}
        ).status_code
        == 201
    )
    starts = next_bookable(timezone.now(), days=3).isoformat()
    booked = _post(
        clinic_api,
        hbase + "/appointments",
        {
            "starts_at": starts,
            "duration_minutes": 60,
            "discipline": "psychologist",
            "clinician_id": psychologist.pk,
        },
    )
    assert booked.status_code == 201, booked.content
    assert (
        _post(
            clinic_api, hbase + "/plan", {"version": 2, "plan_note": "CBT group, taper"}
        ).status_code
        == 200
    )
    done = _post(
        clinic_api,
        hbase + "/discharge-summary",
        {
            "version": 3,
            "summary": "Done",
            "recommendations": "Follow up monthly",
            "omeq_mg_per_day": "20",
        },
    )
    assert done.status_code == 201, done.content
    assert Course.objects.get(pk=hospital["id"]).status == "completed"


def test_the_hospital_endpoints_refuse_a_practice_track_course(
    patient, clinic, clinic_doctor, gp, client_for
):
    course = _enrol(client_for(gp), patient).json()
    base = f"/api/tracks/patients/{patient.pk}/courses/{course['id']}"
    _post(
        client_for(gp),
        base + "/decisions",
        {"event": "hand_over_early", "version": 1, "reason": "Needs it"},
    )
    response = _post(
        client_for(clinic_doctor),
        base + "/needs-assessment",
        {"version": 2, "disciplines": ["doctor"], "interventions": ["cbt_group"]},
    )
    assert response.status_code == 422


@pytest.mark.parametrize("omeq", [10**30, "1e30", 1e308])
def test_a_huge_omeq_is_refused_with_422_and_saves_nothing(api, patient, clinic, omeq):
    # Issue 12 (make fuzz): a 10^30 baseline OMEQ, compared with the medication list's,
    # failed the rounding with InvalidOperation.
    from datetime import date
    from decimal import Decimal

    from smertespor.medication.models import MedicationLine

    MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=Decimal(30),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(2),
        start_date=date(2025, 6, 1),
    )
    response = _enrol(api, patient, baseline_omeq_mg_per_day=omeq)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "baseline_omeq_mg_per_day"
    assert not Course.objects.exists()
