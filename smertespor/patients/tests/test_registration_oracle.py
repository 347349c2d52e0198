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
