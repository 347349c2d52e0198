"""The referral pages: the GP refers from the patient's record, the centre triages, each
side sees the status; wrong roles are refused without patient data."""

import pytest
from django.urls import reverse

from smertespor.medication.models import MedicationLine
from smertespor.referrals.models import Referral, Status
from smertespor.referrals.tests.factories import COMPLETE_CONTENT, draft, sent
from smertespor.referrals.tests.factories import accepted as accepted_referral

pytestmark = pytest.mark.django_db


def form_data(centre, **overrides):
    data = {
        key: (value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in COMPLETE_CONTENT.items()
    }
    data.update(
        {
            "recipient": str(centre.pk),
            "crit_complex__psychological": "yes",
            "crit_worked_up__somatic_examination": "yes",
            "crit_worked_up__blood_tests": "yes",
            "crit_worked_up__imaging_if_indicated": "yes",
            "crit_worked_up__specialist_assessment": "yes",
            "crit_primary_treatment_tried__physiotherapy": "yes",
            "crit_motivated": "unknown",
            "crit_gp_takes_back": "yes",
            "crit_gp_takes_back__evidence": "Jeg følger op bagefter",
        }
    )
    data.update(overrides)
    return data


def test_the_gp_refers_from_the_record_with_the_medication_prefilled(
    client_for, gp, patient, centre
):
    MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=30,
        units_per_dose=1,
        doses_per_day=2,
        start_date="2024-01-01",
    )
    http = client_for(gp)
    page = http.get(reverse("patients:detail", args=[patient.pk]))
    assert b'data-testid="refer-patient"' in page.content
    form = http.get(reverse("referrals:create", args=[patient.pk]))
    assert form.status_code == 200
    assert b'data-testid="prefill-omeq"' in form.content
    assert "Færdigudredt".encode() in form.content  # the criteria's wording from the data
    response = http.post(reverse("referrals:create", args=[patient.pk]), form_data(centre))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.is_draft
    assert referral.criteria_answers["motivated"]["answer"] == "unknown"
    assert referral.criteria_answers["gp_takes_back"]["evidence"] == "Jeg følger op bagefter"
    detail = http.get(reverse("referrals:detail", args=[referral.pk]))
    assert b'data-testid="missing-criteria"' in detail.content
    assert b'data-testid="criterion-status-motivated"' in detail.content


def test_sending_with_an_unknown_criterion_asks_for_a_reason_then_flags(
    client_for, gp, patient, centre, centre_doctor
):
    referral = draft(gp, patient, centre, criteria={"motivated": {"answer": "unknown"}})
    http = client_for(gp)
    url = reverse("referrals:send", args=[referral.pk])
    refused = http.post(url, {"version": referral.version, "exception_reason": ""})
    assert refused.status_code == 422
    assert Referral.objects.get(pk=referral.pk).status == Status.DRAFT
    sent_page = http.post(url, {"version": referral.version, "exception_reason": "Se notat"})
    assert sent_page.status_code == 302
    worklist = client_for(centre_doctor).get(reverse("referrals:list"))
    assert patient.name.encode() in worklist.content
    assert b'data-testid="referral-flagged"' in worklist.content


def test_missing_content_is_listed_before_sending(client_for, gp, patient, centre):
    referral = draft(gp, patient, centre, content={"diagnosis_code": "DM545"})
    page = client_for(gp).get(reverse("referrals:detail", args=[referral.pk]))
    assert b'data-testid="missing-content"' in page.content
    response = client_for(gp).post(
        reverse("referrals:send", args=[referral.pk]),
        {"version": referral.version, "exception_reason": "x"},
    )
    assert response.status_code == 422
    assert Referral.objects.get(pk=referral.pk).is_draft


def test_the_centre_asks_the_gp_answers_the_centre_accepts_and_the_gp_sees_it(
    client_for, gp, patient, centre, centre_doctor
):
    referral = sent(gp, patient, centre)
    centre_http, gp_http = client_for(centre_doctor), client_for(gp)
    detail = reverse("referrals:detail", args=[referral.pk])
    asked = centre_http.post(
        reverse("referrals:request_information", args=[referral.pk]),
        {"version": referral.version, "question": "Hvilken fysioterapi?"},
    )
    assert asked.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.AWAITING_INFORMATION
    assert b"Afventer oplysninger" in gp_http.get(detail).content
    answered = gp_http.post(
        reverse("referrals:message", args=[referral.pk]),
        {"version": referral.version, "body": "12 gange i 2024."},
    )
    assert answered.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.IN_TRIAGE
    accepted = centre_http.post(
        reverse("referrals:accept", args=[referral.pk]),
        {"version": referral.version, "priority": "routine", "expected_wait_weeks": "8"},
    )
    assert accepted.status_code == 302
    record = gp_http.get(reverse("patients:detail", args=[patient.pk]))
    assert b"Accepteret" in record.content
    assert b"ventetid 8 uger" in record.content


def test_a_stale_step_is_a_409_and_changes_nothing(client_for, gp, patient, centre, centre_doctor):
    referral = sent(gp, patient, centre)
    response = client_for(centre_doctor).post(
        reverse("referrals:accept", args=[referral.pk]),
        {"version": referral.version + 5, "priority": "routine", "expected_wait_weeks": "8"},
    )
    assert response.status_code == 409
    assert Referral.objects.get(pk=referral.pk).status == Status.RECEIVED


@pytest.mark.parametrize(
    "persona", ["other_gp", "other_centre_doctor", "clinic_doctor", "planner", "practice_nurse"]
)
def test_wrong_roles_cannot_triage_and_see_no_patient(
    request, client_for, gp, patient, centre, persona
):
    referral = sent(gp, patient, centre)
    http = client_for(request.getfixturevalue(persona))
    response = http.post(
        reverse("referrals:accept", args=[referral.pk]),
        {"version": referral.version, "priority": "routine", "expected_wait_weeks": "8"},
    )
    assert response.status_code in (403, 404)
    assert patient.name.encode() not in response.content
    assert Referral.objects.get(pk=referral.pk).status == Status.RECEIVED


@pytest.mark.parametrize("persona", ["other_gp", "other_centre_doctor", "clinic_doctor", "planner"])
def test_outsiders_cannot_read_a_referral(request, client_for, gp, patient, centre, persona):
    referral = sent(gp, patient, centre)
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("referrals:detail", args=[referral.pk])
    )
    assert response.status_code in (403, 404)
    assert patient.name.encode() not in response.content


def test_planners_see_counts_only(client_for, gp, patient, centre, planner):
    sent(gp, patient, centre)
    response = client_for(planner).get(reverse("referrals:counts"))
    assert response.status_code == 200
    assert patient.name.encode() not in response.content
    assert b'data-testid="referral-total"' in response.content


def test_a_rejected_referral_takes_no_answer(client_for, gp, patient, centre, centre_doctor):
    referral = sent(gp, patient, centre)
    client_for(centre_doctor).post(
        reverse("referrals:reject", args=[referral.pk]),
        {"version": referral.version, "rejection_reason": "indication", "advice_to_gp": "Prøv X"},
    )
    referral.refresh_from_db()
    assert referral.status == Status.REJECTED
    page = client_for(gp).get(reverse("referrals:detail", args=[referral.pk]))
    assert b'data-testid="referral-message-form"' not in page.content
    assert "Prøv X".encode() in page.content
    response = client_for(gp).post(
        reverse("referrals:message", args=[referral.pk]),
        {"version": referral.version, "body": "Hvorfor?"},
    )
    assert response.status_code == 422
    assert not referral.communications.exists()


def test_the_booking_form_states_the_opening_hours_and_refuses_a_time_outside(
    client_for, gp, patient, centre, centre_doctor
):
    referral = accepted_referral(gp, patient, centre, centre_doctor)
    http = client_for(centre_doctor)
    page = http.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Hverdage fra 07:00 til 17:00" in page
    assert "En første samtale regnes som en time." in page
    refused = http.post(
        reverse("referrals:appointment", args=[referral.pk]),
        {"version": referral.version, "appointment_at": "2099-01-05T18:00"},
    )
    assert refused.status_code == 422
    assert "åbningstiden" in refused.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.first_appointment_at) == (Status.ACCEPTED, None)
