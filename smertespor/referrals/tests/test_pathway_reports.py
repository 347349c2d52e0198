"""The referral reports the pain centre's stage to the patient's pathway: accepted starts
it, the first appointment is its plan, the discharge (from the centre's discharge summary)
ends it; the GP's withdrawal after acceptance ends it too. Nothing happens for a patient who is not
enrolled. Every report is in the referral step's transaction."""

import pytest
from django.utils import timezone

from smertespor.centres.tests.helpers import discharged_course
from smertespor.entry.appointment_times import next_bookable
from smertespor.notifications.models import Notification
from smertespor.pathways.models import Event, Part
from smertespor.pathways.selectors import current_enrolment
from smertespor.pathways.tests.factories import enrolled
from smertespor.referrals import services
from smertespor.referrals.models import Status
from smertespor.referrals.tests.factories import sent

pytestmark = pytest.mark.django_db


def _accept(referral, doctor):
    return services.accept_referral(
        referral=referral, by=doctor, priority="routine", expected_wait_weeks=6
    )


def _part(patient, centre):
    return Part.objects.get(enrolment__patient=patient, stage="pain_centre", organisation=centre)


def test_accepting_starts_the_pain_centre_stage_and_tells_the_gp(
    gp, patient, centre, centre_doctor
):
    enrolled(patient, gp)
    referral = _accept(sent(gp, patient, centre), centre_doctor)
    part = _part(patient, centre)
    assert part.status == Part.Status.ACTIVE
    assert part.started_on == timezone.localdate()
    assert centre.name in part.plan and str(referral.pk) in part.plan
    assert Event.objects.filter(part=part, kind=Event.Kind.STARTED).exists()
    assert Notification.objects.filter(recipient=gp, kind__startswith="pathway").exists()


def test_the_first_appointment_becomes_the_stages_plan(gp, patient, centre, centre_doctor):
    enrolled(patient, gp)
    referral = _accept(sent(gp, patient, centre), centre_doctor)
    services.book_first_appointment(
        referral=referral, by=centre_doctor, at=next_bookable(timezone.now(), days=20)
    )
    part = _part(patient, centre)
    assert part.status == Part.Status.ACTIVE
    assert centre.name in part.plan
    assert Event.objects.filter(part=part, kind=Event.Kind.PLANNED).exists()


def test_the_centres_discharge_summary_discharges_the_referral_and_ends_the_stage(
    gp, patient, centre, centre_doctor
):
    enrolled(patient, gp)
    referral = _accept(sent(gp, patient, centre), centre_doctor)
    course = discharged_course(patient, centre_doctor)
    referral.refresh_from_db()
    assert course.referral == referral
    assert referral.status == Status.DISCHARGED
    assert referral.tasks.filter(event="discharge", by=centre_doctor).exists()
    part = _part(patient, centre)
    assert part.status == Part.Status.ENDED
    assert part.ended_on == timezone.localdate()
    assert part.outcome
    # The pathway goes on with the GP: the enrolment is still active.
    assert current_enrolment(patient) is not None


def test_a_discharge_without_an_enrolment_only_discharges_the_referral(
    gp, patient, centre, centre_doctor
):
    referral = _accept(sent(gp, patient, centre), centre_doctor)
    discharged_course(patient, centre_doctor)
    referral.refresh_from_db()
    assert referral.status == Status.DISCHARGED
    assert not Part.objects.exists()


def test_withdrawing_an_accepted_referral_ends_the_stage(gp, patient, centre, centre_doctor):
    enrolled(patient, gp)
    referral = _accept(sent(gp, patient, centre), centre_doctor)
    services.withdraw_referral(referral=referral, by=gp, reason="Patienten er flyttet.")
    part = _part(patient, centre)
    assert part.status == Part.Status.ENDED
    assert part.outcome == "Patienten er flyttet."


def test_rejecting_in_triage_reports_nothing(gp, patient, centre, centre_doctor):
    enrolled(patient, gp)
    referral = services.start_triage(referral=sent(gp, patient, centre), by=centre_doctor)
    services.reject_referral(
        referral=referral,
        by=centre_doctor,
        rejection_reason="capacity",
        advice_to_gp="Henvis til smerteklinikken.",
    )
    assert not Part.objects.filter(stage="pain_centre").exists()
