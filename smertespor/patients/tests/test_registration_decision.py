"""Issue 12, "No oracle": a registration sent for review is decided by the patient's current
practice (who sees the patient anyway): the patient has moved there (the listing is
transferred) or not (declined). Nobody else may decide it or learn about it."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from smertespor.accounts.models import Role
from smertespor.audit.models import AuditEvent
from smertespor.notifications.models import Notification
from smertespor.patients.models import Patient, RegistrationRequest
from smertespor.patients.services import register_patient
from tests.factories import UserFactory

API = "/api/patients/registration-requests"


@pytest.fixture
def pending(patient, other_gp):
    """The other practice registered the CPR number of the GP's own patient (twice)."""
    assert register_patient(by=other_gp, cpr=patient.cpr, name="Birthe Flyttet") is None
    assert register_patient(by=other_gp, cpr=patient.cpr, name="Birthe Flyttet") is None
    return RegistrationRequest.objects.get(patient=patient)


@pytest.fixture
def other_nurse(other_practice):
    return UserFactory(
        username="other-nurse", role=Role.PRACTICE_NURSE, organisation=other_practice
    )


def _decide(http, pending, decision, reason="Flyttet til Andenby", version="1"):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return http.post(
        f"{API}/{pending.pk}/{decision}",
        json.dumps({"reason": reason}),
        "application/json",
        headers=headers,
    )


def test_the_patients_practice_sees_the_pending_request(
    pending, patient, gp, practice_nurse, other_practice, client_for
):
    [item] = client_for(practice_nurse).get(API).json()
    assert item["patient_id"] == str(patient.pk)
    assert item["requesting_practice_name"] == other_practice.name
    assert item["attempts"] == 2
    assert item["status"] == "pending"
    # Seeing the patient in the list shows in their access log, labelled as the request.
    assert AuditEvent.objects.filter(
        patient=patient, user=practice_nurse, action="listed", object_type="registration_request"
    ).exists()
    page = client_for(gp).get(reverse("patients:registration_requests"))
    assert page.status_code == 200
    assert patient.name in page.content.decode()
    assert other_practice.name in page.content.decode()
    detail = client_for(gp).get(reverse("patients:detail", args=[patient.pk]))
    assert reverse("patients:registration_requests") in detail.content.decode()
    assert (
        "Anmodninger om registrering"
        in client_for(gp).get(reverse("patients:list")).content.decode()
    )


def test_the_requesting_practice_cannot_see_the_patient_or_the_request_before_approval(
    pending, patient, other_gp, client_for
):
    http = client_for(other_gp)
    assert http.get(f"/api/patients/{patient.pk}").status_code == 404
    assert http.get(API).json() == []
    page = http.get(reverse("patients:registration_request", args=[pending.pk]))
    assert page.status_code == 404
    assert patient.name.encode() not in page.content
    # Nor may it decide its own request.
    response = _decide(http, pending, "transfer")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    patient.refresh_from_db()
    assert patient.listed_practice_id == pending.patient.listed_practice_id
    assert RegistrationRequest.objects.get(pk=pending.pk).status == "pending"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_gp", 404),
        ("clinic_doctor", 403),
        ("clinic_secretary", 403),
        ("planner", 403),
        ("admin_user", 403),
    ],
)
@pytest.mark.parametrize("decision", ["transfer", "decline"])
def test_only_the_patients_practice_may_decide(
    request, pending, patient, persona, status, decision, client_for
):
    user = request.getfixturevalue(persona)
    response = _decide(client_for(user), pending, decision)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    assert patient.name.encode() not in response.content
    page = client_for(user).post(
        reverse(f"patients:registration_request_{decision}", args=[pending.pk]),
        {f"{decision}-reason": "Nej", f"{decision}-version": "1"},
    )
    assert page.status_code == status
    assert RegistrationRequest.objects.get(pk=pending.pk).status == "pending"
    assert Patient.objects.get(pk=patient.pk).listed_practice_id == patient.listed_practice_id
    assert not Notification.objects.filter(kind__startswith="registration_").exists()
    assert AuditEvent.objects.filter(user=user, action="refused").exists()


def test_approval_moves_the_listing_and_the_requester_then_sees_the_patient(
    pending, patient, gp, other_gp, other_nurse, other_practice, client_for
):
    response = _decide(client_for(gp), pending, "transfer")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "transferred"
    assert response["ETag"] == '"2"'
    patient.refresh_from_db()
    assert patient.listed_practice_id == other_practice.pk
    assert patient.version == 2
    assert patient.history.first().listed_practice_id == other_practice.pk
    assert patient.history.first().history_user_id == gp.pk
    decided = RegistrationRequest.objects.get(pk=pending.pk)
    assert (decided.status, decided.decided_by_id) == ("transferred", gp.pk)
    assert decided.decision_reason == "Flyttet til Andenby"
    # The requester now sees the patient; the former practice no longer does.
    assert client_for(other_gp).get(f"/api/patients/{patient.pk}").status_code == 200
    assert client_for(gp).get(f"/api/patients/{patient.pk}").status_code == 404
    # Both of the requesting practice's staff are told, with a link to the patient.
    notes = Notification.objects.filter(kind="registration_transferred")
    assert {n.recipient_id for n in notes} == {other_gp.pk, other_nurse.pk}
    assert all(n.url == reverse("patients:detail", args=[patient.pk]) for n in notes)
    event = AuditEvent.objects.get(
        patient=patient, user=gp, object_type="registration_request", action="update"
    )
    assert event.detail["decision"] == "transferred"
    assert event.detail["practice_id"] == other_practice.pk


def test_decline_changes_nothing_else_and_notifies_without_identifiers(
    pending, patient, gp, other_gp, client_for
):
    response = client_for(gp).post(
        reverse("patients:registration_request_decline", args=[pending.pk]),
        {"decline-reason": "Patienten er ikke flyttet", "decline-version": "1"},
    )
    assert response.status_code == 302
    decided = RegistrationRequest.objects.get(pk=pending.pk)
    assert decided.status == "declined"
    assert Patient.objects.get(pk=patient.pk).listed_practice_id == patient.listed_practice_id
    assert Patient.objects.get(pk=patient.pk).version == patient.version
    assert client_for(other_gp).get(f"/api/patients/{patient.pk}").status_code == 404
    [note] = Notification.objects.filter(recipient=other_gp)
    with translation.override("da"):
        text = note.message
    assert "afvist" in text
    # The date the practice sees is the Danish one (late evening UTC is already tomorrow).
    assert timezone.localtime(pending.requested_at).strftime("%d.%m.%Y") in text
    for identifier in (patient.name, "Birthe", patient.cpr[:6], str(patient.pk), "ikke flyttet"):
        assert identifier not in text
        assert identifier not in json.dumps(note.params)
    assert note.url == ""
    event = AuditEvent.objects.get(
        patient=patient, user=gp, object_type="registration_request", action="update"
    )
    assert event.detail["decision"] == "declined"
    # Declined, the practice may ask again: a new pending request.
    assert register_patient(by=other_gp, cpr=patient.cpr, name="Birthe Flyttet") is None
    assert RegistrationRequest.objects.filter(patient=patient, status="pending").count() == 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, "a\x00b"])
def test_a_decision_without_a_valid_reason_is_refused_and_changes_nothing(
    pending, patient, gp, reason, client_for
):
    response = _decide(client_for(gp), pending, "transfer", reason=reason)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    page = client_for(gp).post(
        reverse("patients:registration_request_transfer", args=[pending.pk]),
        {"transfer-reason": reason, "transfer-version": "1"},
    )
    assert page.status_code == 422
    assert RegistrationRequest.objects.get(pk=pending.pk).status == "pending"
    assert Patient.objects.get(pk=patient.pk).listed_practice_id == patient.listed_practice_id


def test_a_stale_or_missing_if_match_changes_nothing(pending, patient, gp, client_for):
    http = client_for(gp)
    assert _decide(http, pending, "decline", version="7").status_code == 409
    assert _decide(http, pending, "decline", version=None).status_code == 428
    assert RegistrationRequest.objects.get(pk=pending.pk).status == "pending"


def test_a_decided_request_cannot_be_decided_again(
    pending, patient, gp, practice_nurse, client_for
):
    assert _decide(client_for(gp), pending, "decline").status_code == 200
    again = _decide(client_for(practice_nurse), pending, "transfer", version="2")
    assert again.status_code == 409
    assert Patient.objects.get(pk=patient.pk).listed_practice_id == patient.listed_practice_id
    page = client_for(practice_nurse).post(
        reverse("patients:registration_request_transfer", args=[pending.pk]),
        {"transfer-reason": "Flyttet", "transfer-version": "1"},
    )
    assert page.status_code == 409
    assert RegistrationRequest.objects.get(pk=pending.pk).status == "declined"
