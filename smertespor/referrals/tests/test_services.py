"""Referral services and actions: sending, criteria, care relations, triage, the thread."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smertespor.entry.appointment_times import next_bookable
from smertespor.medication.models import MedicationLine
from smertespor.notifications.models import Notification
from smertespor.patients.access import PatientNotFound
from smertespor.patients.models import CareRelation
from smertespor.referrals import actions, services
from smertespor.referrals.access import ReferralNotFound
from smertespor.referrals.models import Referral, ReferralCommunication, Status, TriageTask
from smertespor.referrals.selectors import accepted_referral_to_centre, referral_counts
from smertespor.referrals.tests.factories import ALL_MET, COMPLETE_CONTENT, draft, sent
from smertespor.referrals.tests.factories import accepted as accepted_referral
from smertespor.tracks.tests.factories import CourseFactory
from smertespor.versions import StaleVersion

pytestmark = pytest.mark.django_db


def relation_open(patient, organisation):
    return CareRelation.objects.filter(
        patient=patient, organisation=organisation, reason="referral", closed_at__isnull=True
    ).exists()


def test_sending_freezes_medication_omeq_and_course_and_opens_a_relation_for_the_centre_only(
    gp, patient, centre, other_centre, centre_doctor, clinic
):
    MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=30,
        units_per_dose=1,
        doses_per_day=2,
        start_date="2024-01-01",
    )
    CourseFactory.create(patient=patient, clinic=clinic)
    referral = sent(gp, patient, centre)
    assert referral.status == Status.RECEIVED
    assert referral.sent_at is not None
    medication = referral.snapshot["medication"]
    assert medication["lines"][0]["product"]
    assert medication["omeq"]["scheduled_mg_per_day"] == "60"
    assert referral.snapshot["course"]["baseline_nrs"] is not None
    assert relation_open(patient, centre)
    assert not relation_open(patient, other_centre)
    assert not relation_open(patient, clinic)
    assert referral.criteria_missing == []
    assert not referral.is_flagged
    [task] = TriageTask.objects.filter(referral=referral)
    assert (task.event, task.by, task.to_status) == ("send", gp, "received")
    assert Notification.objects.filter(recipient=centre_doctor, kind="referral").exists()
    # The notification names the referral, never the patient.
    assert patient.name not in Notification.objects.get(recipient=centre_doctor).text


def test_missing_mandatory_content_is_named_and_nothing_is_sent(gp, patient, centre):
    referral = draft(gp, patient, centre, content={"diagnosis_code": "DM545"})
    with pytest.raises(ValidationError) as error:
        services.send_referral(referral=referral, by=gp)
    assert {"history", "question", "work_status"} <= set(error.value.message_dict)
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    assert not relation_open(patient, centre)
    assert not TriageTask.objects.exists()


def test_criteria_unknown_need_a_written_reason_which_flags_the_referral(gp, patient, centre):
    criteria = {**ALL_MET, "motivated": {"answer": "unknown"}}
    referral = draft(gp, patient, centre, criteria=criteria)
    with pytest.raises(ValidationError) as error:
        services.send_referral(referral=referral, by=gp, exception_reason="  ")
    assert error.value.error_dict["exception_reason"][0].code == "criteria_missing"
    assert Referral.objects.get(pk=referral.pk).status == Status.DRAFT
    sent_referral = services.send_referral(
        referral=referral, by=gp, exception_reason="Patienten er i tvivl; vil gerne tale med jer."
    )
    assert sent_referral.criteria_missing == ["motivated"]
    assert sent_referral.is_flagged
    assert sent_referral.criteria_exception_reason.startswith("Patienten")


def test_pain_shorter_than_six_months_is_not_met(gp, patient, centre):
    content = {**COMPLETE_CONTENT, "pain_since": timezone.localdate() - timedelta(days=30)}
    referral = draft(gp, patient, centre, content=content)
    with pytest.raises(ValidationError):
        services.send_referral(referral=referral, by=gp)
    referral = services.send_referral(referral=referral, by=gp, exception_reason="Akut forværring")
    assert referral.criteria_missing == ["chronic_pain"]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ({"diagnosis_code": "rygsmerter"}, "diagnosis_code"),
        ({"pain_since": timezone.localdate() + timedelta(days=1)}, "pain_since"),
        ({"priority": "asap"}, "priority"),
        ({"work_status": "astronaut"}, "work_status"),
        ({"history": "x" * 5000}, "history"),
        ({"history": "nul\x00byte"}, "history"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_content_is_refused_and_nothing_saved(gp, patient, centre, content, field):
    with pytest.raises(ValidationError) as error:
        draft(gp, patient, centre, content=content)
    assert field in error.value.message_dict
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "criteria",
    [
        {"astrology": {"answer": "yes"}},
        {"motivated": {"answer": "maybe"}},
        {"worked_up": {"options": {"mri": "yes"}}},
        {"gp_referral": {"answer": "yes"}},  # the system answers this one
        "yes",
    ],
)
def test_bad_criteria_answers_are_refused(gp, patient, centre, criteria):
    with pytest.raises(ValidationError) as error:
        draft(gp, patient, centre, criteria=criteria)
    assert "criteria" in error.value.message_dict
    assert not Referral.objects.exists()


def test_a_recipient_must_be_a_centre_or_clinic(gp, patient, other_practice):
    with pytest.raises(ValidationError) as error:
        draft(gp, patient, other_practice)
    assert "recipient_id" in error.value.message_dict


def test_a_gp_cannot_refer_a_patient_outside_the_practice(gp, other_patient, centre):
    with pytest.raises(PatientNotFound):
        actions.draft_referral(
            user=gp, patient_id=other_patient.pk, recipient_id=centre.pk, content={}
        )
    assert not Referral.objects.exists()


def test_a_practice_nurse_cannot_refer(practice_nurse, patient, centre):
    with pytest.raises(PermissionDenied):
        actions.draft_referral(
            user=practice_nurse, patient_id=patient.pk, recipient_id=centre.pk, content={}
        )


def test_a_sent_referral_cannot_be_changed(gp, patient, centre):
    referral = sent(gp, patient, centre)
    with pytest.raises(ValidationError) as error:
        actions.change_referral_draft(
            user=gp,
            referral_id=referral.pk,
            recipient_id=centre.pk,
            content={"history": "Ny"},
            expected_version=referral.version,
        )
    assert error.value.code == "sent"


def test_a_stale_draft_change_is_refused(gp, patient, centre):
    referral = draft(gp, patient, centre)
    with pytest.raises(StaleVersion):
        actions.change_referral_draft(
            user=gp,
            referral_id=referral.pk,
            recipient_id=centre.pk,
            content={"history": "Ny"},
            expected_version=referral.version + 1,
        )


def test_the_whole_triage_with_a_supplement(gp, patient, centre, centre_doctor, centre_secretary):
    referral = sent(gp, patient, centre)
    referral = actions.start_triage(
        user=centre_doctor, referral_id=referral.pk, expected_version=referral.version
    )
    assert referral.status == Status.IN_TRIAGE
    referral = actions.request_information(
        user=centre_doctor,
        referral_id=referral.pk,
        question="Har patienten været hos psykolog?",
        expected_version=referral.version,
    )
    assert referral.status == Status.AWAITING_INFORMATION
    message = actions.write_referral_message(
        user=gp,
        referral_id=referral.pk,
        body="Ja, seks samtaler i 2024.",
        expected_version=referral.version,
    )
    assert message.kind == ReferralCommunication.Kind.SUPPLEMENT
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == Status.IN_TRIAGE
    referral = actions.accept_referral(
        user=centre_doctor,
        referral_id=referral.pk,
        priority="urgent",
        expected_wait_weeks=6,
        expected_version=referral.version,
    )
    assert (referral.status, referral.triage_priority, referral.expected_wait_weeks) == (
        Status.ACCEPTED,
        "urgent",
        6,
    )
    assert accepted_referral_to_centre(patient, centre) == referral
    referral = actions.book_first_appointment(
        user=centre_secretary,
        referral_id=referral.pk,
        at=next_bookable(timezone.now(), days=30),
        expected_version=referral.version,
    )
    assert referral.status == Status.APPOINTMENT_BOOKED
    referral = services.record_discharge(referral=referral, by=centre_doctor, note="Epikrise sendt")
    assert referral.status == Status.DISCHARGED
    assert referral.closed_at is not None
    assert accepted_referral_to_centre(patient, centre) is None
    events = list(TriageTask.objects.filter(referral=referral).values_list("event", flat=True))
    assert events == [
        "send",
        "start_triage",
        "request_information",
        "supplement",
        "accept",
        "book_first_appointment",
        "discharge",
    ]
    assert all(TriageTask.objects.values_list("by", flat=True))
    with pytest.raises(ValidationError) as error:
        actions.write_referral_message(
            user=gp, referral_id=referral.pk, body="Tak", expected_version=referral.version
        )
    assert error.value.code == "closed"


def test_rejecting_closes_the_centres_relation_and_the_thread(gp, patient, centre, centre_doctor):
    referral = sent(gp, patient, centre)
    referral = actions.reject_referral(
        user=centre_doctor,
        referral_id=referral.pk,
        rejection_reason="wrong_track",
        advice_to_gp="Henvis til rygcentret.",
        expected_version=referral.version,
    )
    assert referral.status == Status.REJECTED
    assert not relation_open(patient, centre)
    with pytest.raises(ValidationError) as error:
        actions.write_referral_message(
            user=gp, referral_id=referral.pk, body="Hvorfor?", expected_version=referral.version
        )
    assert error.value.code == "closed"
    assert not ReferralCommunication.objects.exists()


def test_rejecting_needs_advice_and_a_known_reason(gp, patient, centre, centre_doctor):
    referral = sent(gp, patient, centre)
    for reason, advice in [("capacity", ""), ("mood", "Råd")]:
        with pytest.raises(ValidationError):
            actions.reject_referral(
                user=centre_doctor,
                referral_id=referral.pk,
                rejection_reason=reason,
                advice_to_gp=advice,
                expected_version=referral.version,
            )
    assert Referral.objects.get(pk=referral.pk).status == Status.RECEIVED
    assert relation_open(patient, centre)


def test_forwarding_moves_the_relation_to_the_new_recipient(
    gp, patient, centre, other_centre, centre_doctor, other_centre_doctor
):
    referral = sent(gp, patient, centre)
    referral = actions.forward_referral(
        user=centre_doctor,
        referral_id=referral.pk,
        to_id=other_centre.pk,
        reason="Kortere ventetid",
        expected_version=referral.version,
    )
    assert referral.recipient == other_centre
    assert referral.status == Status.RECEIVED
    assert not relation_open(patient, centre)
    assert relation_open(patient, other_centre)
    with pytest.raises(ReferralNotFound):
        actions.start_triage(
            user=centre_doctor, referral_id=referral.pk, expected_version=referral.version
        )
    referral = actions.start_triage(
        user=other_centre_doctor, referral_id=referral.pk, expected_version=referral.version
    )
    assert referral.status == Status.IN_TRIAGE


def test_forwarding_to_itself_or_a_practice_is_refused(
    gp, patient, centre, centre_doctor, other_practice
):
    referral = sent(gp, patient, centre)
    for target in (centre, other_practice):
        with pytest.raises(ValidationError) as error:
            actions.forward_referral(
                user=centre_doctor,
                referral_id=referral.pk,
                to_id=target.pk,
                reason="Test",
                expected_version=referral.version,
            )
        assert "forward_to" in error.value.message_dict
    assert relation_open(patient, centre)


def test_triage_by_someone_outside_the_centre_is_refused(
    gp, patient, centre, other_centre_doctor, clinic_doctor, planner, centre_secretary
):
    referral = sent(gp, patient, centre)
    for user in (other_centre_doctor, clinic_doctor):
        with pytest.raises(ReferralNotFound):
            actions.start_triage(user=user, referral_id=referral.pk, expected_version=1)
    for user in (gp, planner, centre_secretary):
        with pytest.raises(PermissionDenied):
            actions.accept_referral(
                user=user,
                referral_id=referral.pk,
                priority="routine",
                expected_wait_weeks=4,
                expected_version=referral.version,
            )
    assert Referral.objects.get(pk=referral.pk).status == Status.RECEIVED


def test_the_centre_does_not_see_drafts(gp, patient, centre, centre_doctor):
    referral = draft(gp, patient, centre)
    with pytest.raises(ReferralNotFound):
        actions.start_triage(user=centre_doctor, referral_id=referral.pk, expected_version=1)


def test_accepting_refuses_a_silly_wait(gp, patient, centre, centre_doctor):
    referral = sent(gp, patient, centre)
    with pytest.raises(ValidationError) as error:
        actions.accept_referral(
            user=centre_doctor,
            referral_id=referral.pk,
            priority="routine",
            expected_wait_weeks=500,
            expected_version=referral.version,
        )
    assert "expected_wait_weeks" in error.value.message_dict


def test_a_forbidden_step_is_a_clear_error(gp, patient, centre, centre_doctor):
    referral = sent(gp, patient, centre)
    with pytest.raises(ValidationError) as error:
        actions.book_first_appointment(
            user=centre_doctor,
            referral_id=referral.pk,
            at=next_bookable(timezone.now(), days=3),
            expected_version=referral.version,
        )
    assert error.value.code == "transition_not_allowed"


def test_the_gp_withdraws_and_the_relation_closes(gp, patient, centre):
    referral = sent(gp, patient, centre)
    referral = actions.withdraw_referral(
        user=gp,
        referral_id=referral.pk,
        reason="Patienten ønsker det ikke",
        expected_version=referral.version,
    )
    assert referral.status == Status.WITHDRAWN
    assert not relation_open(patient, centre)


def test_counts_hold_no_patient(gp, patient, centre, centre_doctor):
    sent(
        gp, patient, centre, criteria={**ALL_MET, "motivated": {"answer": "no"}}, reason="Alligevel"
    )
    draft(gp, patient, centre)
    figures = referral_counts()
    assert figures.total_sent == 1
    assert figures.flagged == 1
    assert {code: n for code, _, n in figures.by_status}["received"] == 1


def test_the_first_appointment_is_held_to_the_opening_hours(gp, patient, centre, centre_doctor):
    from django.utils import translation

    accepted = accepted_referral(gp, patient, centre, centre_doctor)
    ten = next_bookable(timezone.now(), days=7)  # 10:00 on a working day
    saturday = ten + timedelta(days=(5 - ten.weekday()) % 7)

    def book(at):
        return actions.book_first_appointment(
            user=centre_doctor, referral_id=accepted.pk, at=at, expected_version=accepted.version
        )

    with translation.override("da"):
        for refused_at in (ten.replace(hour=3), ten.replace(hour=16, minute=30)):
            with pytest.raises(ValidationError) as refused:
                book(refused_at)  # at night; and too late for an hour before 17:00
            assert "åbningstiden" in refused.value.message_dict["appointment_at"][0]
        with pytest.raises(ValidationError) as refused:
            book(saturday)
        assert "lukket" in refused.value.message_dict["appointment_at"][0]
    assert Referral.objects.get(pk=accepted.pk).status == Status.ACCEPTED

    booked = book(ten.replace(hour=16, minute=0))  # ends at closing time
    assert booked.status == Status.APPOINTMENT_BOOKED
    assert timezone.localtime(booked.first_appointment_at).hour == 16
