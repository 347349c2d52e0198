"""What a signed-in user sees carries patient data: no browser or proxy may store it."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_patient_page_is_never_stored(client_for, gp, patient):
    response = client_for(gp).get(f"/patients/{patient.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_api_answer_is_never_stored_and_neither_is_a_refusal(client_for, gp, patient):
    answer = client_for(gp).get(f"/api/patients/{patient.pk}")
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    refused = Client().get(f"/api/patients/{patient.pk}")
    assert refused.status_code == 401
    assert "no-store" in refused["Cache-Control"]
