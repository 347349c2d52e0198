"""Finding: registering with an empty name answered "already registered" for a CPR in any
practice, so 200 probes found every known CPR and nothing was logged."""

import json

from django.urls import reverse

from smertespor.audit.models import AuditEvent
from tests.factories import next_cpr


def test_an_invalid_registration_answers_the_same_for_a_cpr_of_another_practice_and_a_fresh_one(
    gp, other_patient, client_for
):
    http = client_for(gp)
    known = http.post(
        "/api/patients", json.dumps({"cpr": other_patient.cpr, "name": ""}), "application/json"
    )
    fresh = http.post(
        "/api/patients", json.dumps({"cpr": next_cpr(), "name": ""}), "application/json"
    )
    assert known.status_code == fresh.status_code == 422
    assert known.json()["errors"] == fresh.json()["errors"]
    assert b"already" not in known.content


def test_the_registration_form_answers_the_same_for_a_cpr_of_another_practice_and_a_fresh_one(
    gp, other_patient, client_for
):
    http = client_for(gp)
    url = reverse("patients:create")
    known = http.post(url, {"cpr": other_patient.cpr, "name": ""})
    fresh = http.post(url, {"cpr": next_cpr(), "name": ""})
    assert known.status_code == fresh.status_code == 422
    assert "allerede" not in known.content.decode()
    assert other_patient.name.encode() not in known.content


def test_registering_a_cpr_of_another_practice_is_audited_against_that_patient(
    gp, other_patient, client_for
):
    before = AuditEvent.objects.filter(patient=other_patient).count()
    client_for(gp).post(
        "/api/patients",
        json.dumps({"cpr": other_patient.cpr, "name": "Ole Andenbysen"}),
        "application/json",
    )
    assert AuditEvent.objects.filter(patient=other_patient, user=gp).count() == before + 1


def test_a_cpr_of_another_practice_is_sent_for_review_without_data_about_it(
    gp, other_patient, client_for
):
    response = client_for(gp).post(
        "/api/patients",
        json.dumps({"cpr": other_patient.cpr, "name": "Ny Navnesen"}),
        "application/json",
    )
    assert response.status_code == 202
    assert response.json()["status"] == "sent_for_review"
    assert other_patient.name.encode() not in response.content
    assert other_patient.listed_practice.name.encode() not in response.content
    other_patient.refresh_from_db()
    assert other_patient.name == "Ole Andenbysen"
    assert other_patient.listed_practice_id != gp.organisation_id


def test_the_registration_form_sends_a_cpr_of_another_practice_for_review(
    gp, other_patient, client_for
):
    response = client_for(gp).post(
        reverse("patients:create"), {"cpr": other_patient.cpr, "name": "Ny Navnesen"}, follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "sendt til kontrol" in text
    assert other_patient.name not in text
    assert other_patient.listed_practice.name not in text


def test_a_cpr_on_the_users_own_list_is_said_to_be_there(gp, patient, client_for):
    response = client_for(gp).post(
        "/api/patients", json.dumps({"cpr": patient.cpr, "name": "X"}), "application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "duplicate_cpr"


def test_registrations_are_limited_per_user_and_hour(gp, settings, client_for):
    settings.PATIENT_REGISTRATIONS_PER_HOUR = 2
    http = client_for(gp)
    answers = [
        http.post(
            "/api/patients", json.dumps({"cpr": next_cpr(), "name": "N N"}), "application/json"
        )
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2]["Content-Type"].startswith("application/problem+json")
    form = http.post(reverse("patients:create"), {"cpr": next_cpr(), "name": "N N"})
    assert form.status_code == 429


def test_the_attempt_shows_in_the_patients_access_log(gp, other_gp, other_patient, client_for):
    client_for(gp).post(
        "/api/patients",
        json.dumps({"cpr": other_patient.cpr, "name": "Ny Navnesen"}),
        "application/json",
    )
    page = client_for(other_gp).get(
        reverse("patients:access_log", kwargs={"patient_id": other_patient.pk})
    )
    text = page.content.decode()
    assert "anmodning om registrering" in text
    assert gp.username in text


def test_a_review_request_is_kept_once_per_practice_and_patient(gp, other_patient, client_for):
    from smertespor.patients.models import RegistrationRequest

    http = client_for(gp)
    for _ in range(2):
        http.post(
            "/api/patients",
            json.dumps({"cpr": other_patient.cpr, "name": "Ny Navnesen"}),
            "application/json",
        )
    [request] = RegistrationRequest.objects.all()
    assert request.patient == other_patient
    assert request.practice == gp.organisation
    assert request.requested_by == gp
    assert request.attempts == 2
    assert request.status == "pending"
