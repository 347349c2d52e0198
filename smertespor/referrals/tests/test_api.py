"""The referral API: the same rules as the pages, If-Match on writes, problem details."""

import json

import pytest

from smertespor.referrals.models import Referral, Status
from smertespor.referrals.tests.factories import ALL_MET, COMPLETE_CONTENT, sent
from smertespor.referrals.tests.factories import accepted as accepted_referral

pytestmark = pytest.mark.django_db
JSON = "application/json"


def body(**values):
    return json.dumps(values, default=str)


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    return response.json()


def test_the_whole_referral_through_the_api(client_for, gp, patient, centre, centre_doctor):
    gp_api, centre_api = client_for(gp), client_for(centre_doctor)
    criteria = {**ALL_MET, "motivated": {"answer": "unknown", "evidence": "Ikke afklaret"}}
    created = gp_api.post(
        "/api/referrals",
        body(patient_id=patient.pk, recipient_id=centre.pk, **COMPLETE_CONTENT, criteria=criteria),
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    referral = created.json()
    assert referral["status"] == "draft"
    assert referral["missing_criteria"] == ["motivated"]
    assert referral["missing_content"] == []
    url = f"/api/referrals/{referral['id']}"
    etag = created["ETag"]

    refused = gp_api.post(f"{url}/send", "{}", content_type=JSON, headers={"If-Match": etag})
    problem = assert_problem(refused, 422)
    assert problem["errors"][0]["field"] == "exception_reason"

    sent_answer = gp_api.post(
        f"{url}/send",
        body(exception_reason="Vil gerne tale med jer"),
        content_type=JSON,
        headers={"If-Match": etag},
    )
    assert sent_answer.status_code == 200, sent_answer.content
    assert sent_answer.json()["flagged"] is True
    assert sent_answer.json()["snapshot"]["medication"]["omeq"]

    worklist = centre_api.get("/api/referrals?show=triage").json()
    assert [item["id"] for item in worklist["items"]] == [referral["id"]]
    assert worklist["items"][0]["patient_name"] == patient.name

    etag = centre_api.get(url)["ETag"]
    asked = centre_api.post(
        f"{url}/information-request",
        body(question="Hvilken fysioterapi?"),
        content_type=JSON,
        headers={"If-Match": etag},
    )
    assert asked.json()["status"] == "awaiting_information"
    answer = gp_api.post(
        f"{url}/messages",
        body(body="12 gange."),
        content_type=JSON,
        headers={"If-Match": asked["ETag"]},
    )
    assert answer.status_code == 201
    assert answer.json()["kind"] == "supplement"
    accepted = centre_api.post(
        f"{url}/accept",
        body(priority="routine", expected_wait_weeks=8),
        content_type=JSON,
        headers={"If-Match": answer["ETag"]},
    )
    assert accepted.json()["status"] == "accepted"
    detail = gp_api.get(url).json()
    assert [task["event"] for task in detail["tasks"]] == [
        "send",
        "request_information",
        "supplement",
        "accept",
    ]
    assert all(task["by"] and task["at"] for task in detail["tasks"])
    assert [m["kind"] for m in gp_api.get(f"{url}/messages").json()] == [
        "information_request",
        "supplement",
    ]


def test_a_write_without_if_match_is_428_and_a_stale_one_409(
    client_for, gp, patient, centre, centre_doctor
):
    referral = sent(gp, patient, centre)
    http = client_for(centre_doctor)
    url = f"/api/referrals/{referral.pk}/triage"
    assert_problem(http.post(url, content_type=JSON), 428)
    assert_problem(http.post(url, content_type=JSON, headers={"If-Match": '"99"'}), 409)
    assert Referral.objects.get(pk=referral.pk).status == Status.RECEIVED


def test_missing_content_names_every_field(client_for, gp, patient, centre):
    http = client_for(gp)
    created = http.post(
        "/api/referrals",
        body(patient_id=patient.pk, recipient_id=centre.pk, diagnosis_code="DM545"),
        content_type=JSON,
    ).json()
    refused = http.post(
        f"/api/referrals/{created['id']}/send",
        body(exception_reason="x"),
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    problem = assert_problem(refused, 422)
    assert {"history", "question", "work_status"} <= {e["field"] for e in problem["errors"]}
    assert Referral.objects.get().is_draft


def test_a_patient_outside_the_practice_is_404_and_nothing_saved(
    client_for, gp, other_patient, centre
):
    response = client_for(gp).post(
        "/api/referrals",
        body(patient_id=other_patient.pk, recipient_id=centre.pk),
        content_type=JSON,
    )
    assert_problem(response, 404)
    assert other_patient.name.encode() not in response.content
    assert not Referral.objects.exists()


@pytest.mark.parametrize("persona", ["other_centre_doctor", "clinic_doctor", "other_gp"])
def test_outsiders_get_404_problems(request, client_for, gp, patient, centre, persona):
    referral = sent(gp, patient, centre)
    http = client_for(request.getfixturevalue(persona))
    for response in (
        http.get(f"/api/referrals/{referral.pk}"),
        http.post(
            f"/api/referrals/{referral.pk}/accept",
            body(priority="routine", expected_wait_weeks=2),
            content_type=JSON,
            headers={"If-Match": '"2"'},
        ),
    ):
        assert response.status_code in (403, 404)
        assert_problem(response, response.status_code)
        assert patient.name.encode() not in response.content
    assert Referral.objects.get(pk=referral.pk).status == Status.RECEIVED


def test_a_planner_gets_counts_and_nothing_else(client_for, gp, patient, centre, planner):
    referral = sent(gp, patient, centre)
    http = client_for(planner)
    counts = http.get("/api/referrals/counts")
    assert counts.status_code == 200
    assert counts.json()["total_sent"] == 1
    assert patient.name.encode() not in counts.content
    assert_problem(http.get("/api/referrals"), 403)
    assert_problem(http.get(f"/api/referrals/{referral.pk}"), 403)


def test_the_criteria_come_from_data_in_the_readers_language(client_for, gp):
    answer = client_for(gp).get("/api/referrals/criteria", headers={"Accept-Language": "da"})
    data = answer.json()
    assert data["version"] and data["minimum_pain_months"] == 6
    worked_up = next(c for c in data["criteria"] if c["code"] == "worked_up")
    assert worked_up["text"] == "Færdigudredt"
    assert len(worked_up["options"]) == 4


def test_bad_criteria_in_the_api_are_a_422(client_for, gp, patient, centre):
    response = client_for(gp).post(
        "/api/referrals",
        body(
            patient_id=patient.pk,
            recipient_id=centre.pk,
            criteria={"worked_up": {"options": {"mri": "yes"}}},
        ),
        content_type=JSON,
    )
    assert_problem(response, 422)
    assert not Referral.objects.exists()


def test_forwarding_through_the_api_moves_the_worklist(
    client_for, gp, patient, centre, other_centre, centre_doctor, other_centre_doctor
):
    referral = sent(gp, patient, centre)
    moved = client_for(centre_doctor).post(
        f"/api/referrals/{referral.pk}/forward",
        body(to_id=other_centre.pk, reason="Kortere ventetid"),
        content_type=JSON,
        headers={"If-Match": f'"{referral.version}"'},
    )
    assert moved.status_code == 200, moved.content
    assert client_for(centre_doctor).get("/api/referrals?show=all").json()["count"] == 0
    assert client_for(other_centre_doctor).get("/api/referrals").json()["count"] == 1


def test_a_first_appointment_at_night_is_a_422_and_changes_nothing(
    client_for, gp, patient, centre, centre_doctor
):
    referral = accepted_referral(gp, patient, centre, centre_doctor)
    refused = client_for(centre_doctor).post(
        f"/api/referrals/{referral.pk}/first-appointment",
        body(at="2099-01-05T03:00:00"),  # a Monday, at three in the night
        content_type=JSON,
        headers={"If-Match": f'"{referral.version}"'},
    )
    problem = assert_problem(refused, 422)
    assert problem["errors"][0]["field"] == "appointment_at"
    assert "07:00" in problem["errors"][0]["message"]
    referral.refresh_from_db()
    assert (referral.status, referral.first_appointment_at) == (Status.ACCEPTED, None)
