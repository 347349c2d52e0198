"""The pain centre course's services: planning on the centre's care relation, the team, the
modules and the taper plan, appointments, outcome measures and the discharge summary.
Bad input is refused with a clear error and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smertespor.audit.models import AuditEvent
from smertespor.centres import services
from smertespor.centres.models import (
    Appointment,
    CentreCourse,
    DischargeSummary,
    OutcomeMeasurement,
    TeamMember,
)
from smertespor.centres.tests.helpers import (
    active_course,
    an_hour_ago,
    discharged_course,
    planned_course,
)
from smertespor.entry.appointment_times import next_bookable
from smertespor.medication.models import MedicationLine
from smertespor.notifications.models import Notification
from smertespor.tapering.services import create_taper_plan, default_pace
from smertespor.versions import StaleVersion

pytestmark = pytest.mark.django_db


def test_a_course_is_planned_on_the_centres_open_care_relation(referred, centre_doctor):
    course = planned_course(referred, centre_doctor)
    assert course.status == "planned"
    assert course.care_relation.organisation == centre_doctor.organisation
    assert course.module_catalogue_version
    assert course.events.get().kind == "created"
    assert AuditEvent.objects.filter(object_type="centre_course", action="create").exists()


def test_no_course_without_an_accepted_referral(patient, centre_doctor):
    with pytest.raises(ValidationError) as refused:
        planned_course(patient, centre_doctor)
    assert refused.value.code == "no_accepted_referral"
    assert not CentreCourse.objects.exists()


def test_a_referral_in_triage_is_no_accepted_referral(patient, gp, centre, centre_doctor):
    from smertespor.referrals.tests.factories import sent

    sent(gp, patient, centre)  # the care relation is open, the referral not yet accepted
    with pytest.raises(ValidationError) as refused:
        planned_course(patient, centre_doctor)
    assert refused.value.code == "no_accepted_referral"
    assert not CentreCourse.objects.exists()


def test_the_course_answers_the_accepted_referral(referred, centre_doctor):
    referral = referred.referrals.get()
    course = planned_course(referred, centre_doctor)
    assert course.referral == referral


def test_a_closed_care_relation_is_no_referral(referred, centre_doctor):
    referred.care_relations.update(closed_at=timezone.now())
    with pytest.raises(ValidationError):
        planned_course(referred, centre_doctor)


def test_one_open_course_per_patient_and_centre(referred, centre_doctor):
    planned_course(referred, centre_doctor)
    with pytest.raises(ValidationError) as refused:
        planned_course(referred, centre_doctor)
    assert refused.value.code == "referral_has_course"
    assert CentreCourse.objects.count() == 1


@pytest.mark.parametrize(
    ("goals", "days", "field"), [("  ", 0, "goals"), ("Mål", -400, "planned_start")]
)
def test_planning_refuses_bad_input(referred, centre_doctor, goals, days, field):
    with pytest.raises(ValidationError) as refused:
        services.plan_course(
            patient=referred,
            by=centre_doctor,
            goals=goals,
            planned_start=timezone.localdate() + timedelta(days=days),
        )
    assert field in refused.value.message_dict
    assert not CentreCourse.objects.exists()


def test_starting_needs_a_team_member_and_a_module(referred, centre_doctor):
    course = planned_course(referred, centre_doctor)
    with pytest.raises(ValidationError) as refused:
        services.start_course(course=course, by=centre_doctor, expected_version=course.version)
    assert set(refused.value.message_dict) == {"team", "modules"}
    course.refresh_from_db()
    assert course.status == "planned"


def test_a_started_course_is_active_with_its_start_date(referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    course.refresh_from_db()
    assert (course.status, course.started_on) == ("active", timezone.localdate())
    assert course.version == 2


def test_a_stale_start_is_refused(referred, centre_doctor):
    course = planned_course(referred, centre_doctor)
    services.add_team_member(
        course=course, by=centre_doctor, user_id=centre_doctor.pk, discipline="doctor"
    )
    services.add_module(course=course, by=centre_doctor, code="cbt_group")
    with pytest.raises(StaleVersion):
        services.start_course(course=course, by=centre_doctor, expected_version=course.version + 1)
    course.refresh_from_db()
    assert course.status == "planned"


@pytest.mark.parametrize("reason", ["", "  "])
def test_cancelling_needs_a_reason(referred, centre_doctor, reason):
    course = planned_course(referred, centre_doctor)
    with pytest.raises(ValidationError) as refused:
        services.cancel_course(
            course=course, by=centre_doctor, expected_version=course.version, reason=reason
        )
    assert "reason" in refused.value.message_dict
    course.refresh_from_db()
    assert course.status == "planned"


def test_a_cancelled_course_is_closed_with_its_reason(referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    services.cancel_course(
        course=course, by=centre_doctor, expected_version=course.version, reason="Flyttet"
    )
    course.refresh_from_db()
    assert (course.status, course.cancel_reason, course.closed_on) == (
        "cancelled",
        "Flyttet",
        timezone.localdate(),
    )
    with pytest.raises(ValidationError):
        services.add_module(course=course, by=centre_doctor, code="pain_education")


def test_discharge_is_only_by_the_summary(referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    with pytest.raises(ValidationError) as refused:
        services.step(
            course=course,
            by=centre_doctor,
            expected_version=course.version,
            event="discharge",
            reason="",
        )
    assert "event" in refused.value.message_dict


def test_a_team_member_is_a_clinician_of_the_centre_in_their_discipline(
    referred, centre_doctor, centre_psychologist, other_centre_doctor, clinic_doctor
):
    course = planned_course(referred, centre_doctor)
    member = services.add_team_member(
        course=course, by=centre_doctor, user_id=centre_psychologist.pk, discipline="psychologist"
    )
    assert member.discipline == "psychologist"
    for user, discipline in [
        (centre_psychologist, "physiotherapist"),  # not their discipline
        (other_centre_doctor, "doctor"),  # another centre
        (clinic_doctor, "doctor"),  # the clinic
    ]:
        with pytest.raises(ValidationError) as refused:
            services.add_team_member(
                course=course, by=centre_doctor, user_id=user.pk, discipline=discipline
            )
        assert "user_id" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.add_team_member(
            course=course,
            by=centre_doctor,
            user_id=centre_psychologist.pk,
            discipline="psychologist",
        )
    with pytest.raises(ValidationError):
        services.add_team_member(
            course=course, by=centre_doctor, user_id=centre_doctor.pk, discipline="priest"
        )
    assert TeamMember.objects.count() == 1


def test_modules_come_from_the_catalogue_once_each(referred, centre_doctor):
    course = planned_course(referred, centre_doctor)
    services.add_module(course=course, by=centre_doctor, code="graded_activity", note="2 x uge")
    for code in ("graded_activity", "yoga"):
        with pytest.raises(ValidationError) as refused:
            services.add_module(course=course, by=centre_doctor, code=code)
        assert "code" in refused.value.message_dict
    assert course.modules.count() == 1


def test_the_taper_module_follows_one_of_the_patients_taper_plans(
    referred, other_patient, centre_doctor, gp, other_gp
):
    MedicationLine.objects.create(
        patient=referred,
        product_id="morphine-depot-tablet",
        strength=30,
        units_per_dose=1,
        doses_per_day=2,
        start_date="2024-01-01",
    )
    plan = create_taper_plan(
        patient=referred, by=gp, pace=default_pace(timezone.localdate()), activate=True
    )
    course = planned_course(referred, centre_doctor)
    taper = services.add_module(course=course, by=centre_doctor, code="medication_review_taper")
    cbt = services.add_module(course=course, by=centre_doctor, code="cbt_group")
    linked = services.link_taper_plan(
        course=course, by=centre_doctor, module_id=taper.pk, taper_plan_id=plan.pk
    )
    assert linked.taper_plan == plan
    with pytest.raises(ValidationError) as refused:
        services.link_taper_plan(
            course=course, by=centre_doctor, module_id=cbt.pk, taper_plan_id=plan.pk
        )
    assert "module_id" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.link_taper_plan(
            course=course, by=centre_doctor, module_id=taper.pk, taper_plan_id=plan.pk + 999
        )
    assert "taper_plan_id" in refused.value.message_dict


def test_the_taper_plan_is_the_doctors(referred, centre_doctor, centre_nurse):
    course = planned_course(referred, centre_doctor)
    taper = services.add_module(course=course, by=centre_nurse, code="medication_review_taper")
    with pytest.raises(PermissionDenied):
        services.link_taper_plan(
            course=course, by=centre_nurse, module_id=taper.pk, taper_plan_id=1
        )


def test_appointments_are_with_the_team_and_recorded_once(
    referred, centre_doctor, centre_psychologist
):
    course = active_course(referred, centre_doctor, psychologist=centre_psychologist)
    module = course.modules.get(code="cbt_group")
    appointment = services.book_appointment(
        course=course,
        by=centre_doctor,
        starts_at=an_hour_ago(),
        duration_minutes=90,
        clinician_id=centre_psychologist.pk,
        module_id=module.pk,
    )
    services.record_appointment(
        appointment=appointment, by=centre_psychologist, expected_version=1, outcome="attend"
    )
    appointment.refresh_from_db()
    assert (appointment.status, appointment.recorded_by, appointment.version) == (
        "attended",
        centre_psychologist,
        2,
    )
    with pytest.raises(ValidationError):
        services.record_appointment(
            appointment=appointment, by=centre_doctor, expected_version=2, outcome="cancel"
        )


def test_a_stale_appointment_record_is_refused(referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    appointment = services.book_appointment(
        course=course,
        by=centre_doctor,
        starts_at=next_bookable(timezone.now(), days=3),
        duration_minutes=60,
        clinician_id=centre_doctor.pk,
    )
    with pytest.raises(StaleVersion):
        services.record_appointment(
            appointment=appointment, by=centre_doctor, expected_version=5, outcome="cancel"
        )
    with pytest.raises(ValidationError) as refused:
        services.record_appointment(
            appointment=appointment, by=centre_doctor, expected_version=1, outcome="attend"
        )
    assert "outcome" in refused.value.message_dict  # not before its time
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_booking_refuses_bad_input(referred, centre_doctor, centre_psychologist):
    course = active_course(referred, centre_doctor)
    with pytest.raises(ValidationError) as refused:
        services.book_appointment(
            course=course,
            by=centre_doctor,
            starts_at=timezone.now() - timedelta(days=400),
            duration_minutes=3,
            clinician_id=centre_psychologist.pk,  # not on the team
            module_id=99999,
        )
    assert {"starts_at", "clinician_id", "module_id"} <= set(refused.value.message_dict)
    assert not Appointment.objects.exists()


def test_outcomes_are_scored_by_the_domain_once_per_timepoint(referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    peg = course.measurements.get(instrument="peg", timepoint="start")
    assert peg.score == Decimal("7.33")  # (8 + 7 + 7) / 3, Krebs 2009
    pseq = services.record_outcome(
        course=course,
        by=centre_doctor,
        instrument_code="pseq2",
        timepoint="start",
        answers={"work": 2, "lifestyle": 3},
        measured_on=timezone.localdate(),
    )
    assert pseq.score == 5
    with pytest.raises(ValidationError) as refused:
        services.record_outcome(
            course=course,
            by=centre_doctor,
            instrument_code="peg",
            timepoint="start",
            answers={"pain": 1, "enjoyment": 1, "activity": 1},
            measured_on=timezone.localdate(),
        )
    assert "timepoint" in refused.value.message_dict


@pytest.mark.parametrize(
    ("instrument", "timepoint", "answers", "days", "field"),
    [
        ("peg", "end", {"pain": 11, "enjoyment": 1, "activity": 1}, 0, "answers.pain"),
        ("peg", "end", {"pain": 1, "enjoyment": 1}, 0, "answers.activity"),
        ("nrs", "end", {"nrs": 5}, 1, "measured_on"),
        ("nrs", "follow_up", {"nrs": 5}, 0, "timepoint"),
        ("nrs", "later", {"nrs": 5}, 0, "timepoint"),
        ("sf36", "end", {}, 0, "instrument"),
    ],
)
def test_bad_outcome_input_is_refused(
    referred, centre_doctor, instrument, timepoint, answers, days, field
):
    course = active_course(referred, centre_doctor)
    before = OutcomeMeasurement.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.record_outcome(
            course=course,
            by=centre_doctor,
            instrument_code=instrument,
            timepoint=timepoint,
            answers=answers,
            measured_on=timezone.localdate() + timedelta(days=days),
        )
    assert field in refused.value.message_dict
    assert OutcomeMeasurement.objects.count() == before


def test_the_discharge_summary_carries_the_list_and_notifies_the_gp(
    referred, centre_doctor, gp, practice_nurse
):
    MedicationLine.objects.create(
        patient=referred,
        product_id="morphine-depot-tablet",
        strength=30,
        units_per_dose=1,
        doses_per_day=2,
        start_date="2024-01-01",
    )
    course = discharged_course(referred, centre_doctor)
    course.refresh_from_db()
    summary = DischargeSummary.objects.get(course=course)
    assert course.status == "discharged"
    assert summary.sent_to == referred.listed_practice
    assert summary.omeq_at_discharge_mg_per_day == Decimal(60)  # 2 x 30 mg oral morphine
    assert summary.medication["lines"][0]["contribution_mg_per_day"] == "60"
    assert summary.omeq_snapshot is not None
    assert [o["timepoint"] for o in summary.outcomes] == ["start", "end"]
    notified = Notification.objects.filter(kind="centre_discharge_summary")
    assert {n.recipient for n in notified} == {gp, practice_nurse}
    # The follow-up is measured after discharge.
    services.record_outcome(
        course=course,
        by=centre_doctor,
        instrument_code="peg",
        timepoint="follow_up",
        answers={"pain": 5, "enjoyment": 5, "activity": 4},
        measured_on=timezone.localdate(),
    )


def test_the_discharge_summary_is_the_doctors_and_needs_its_text(
    referred, centre_doctor, centre_nurse
):
    course = active_course(referred, centre_doctor)
    with pytest.raises(PermissionDenied):
        services.send_discharge_summary(
            course=course,
            by=centre_nurse,
            expected_version=course.version,
            course_summary="S",
            plan_after="P",
        )
    with pytest.raises(ValidationError) as refused:
        services.send_discharge_summary(
            course=course,
            by=centre_doctor,
            expected_version=course.version,
            course_summary=" ",
            plan_after="",
        )
    assert set(refused.value.message_dict) == {"course_summary", "plan_after"}
    course.refresh_from_db()
    assert course.status == "active"
    assert not DischargeSummary.objects.exists()


def test_a_planned_course_cannot_be_discharged(referred, centre_doctor):
    course = planned_course(referred, centre_doctor)
    Notification.objects.all().delete()  # the referral's own (accepted)
    with pytest.raises(ValidationError):
        services.send_discharge_summary(
            course=course,
            by=centre_doctor,
            expected_version=course.version,
            course_summary="S",
            plan_after="P",
        )
    assert not DischargeSummary.objects.exists()
    assert not Notification.objects.exists()


def test_the_gp_marks_the_summary_received_once(referred, centre_doctor, gp):
    course = discharged_course(referred, centre_doctor)
    summary = course.discharge_summary
    services.acknowledge_summary(summary=summary, by=gp)
    summary.refresh_from_db()
    assert summary.acknowledged_by == gp
    with pytest.raises(ValidationError):
        services.acknowledge_summary(summary=summary, by=gp)


def test_only_the_receiving_practice_marks_it(referred, centre_doctor, other_gp):
    course = discharged_course(referred, centre_doctor)
    with pytest.raises(PermissionDenied):
        services.acknowledge_summary(summary=course.discharge_summary, by=other_gp)


def test_a_centre_appointment_at_night_or_on_top_of_another_is_refused(
    referred, centre_doctor, centre_psychologist
):
    from django.utils import translation

    course = active_course(referred, centre_doctor, psychologist=centre_psychologist)
    ten = next_bookable(timezone.now(), days=2)

    def book(starts_at, clinician):
        return services.book_appointment(
            course=course,
            by=centre_doctor,
            starts_at=starts_at,
            duration_minutes=60,
            clinician_id=clinician.pk,
        )

    with translation.override("da"):
        with pytest.raises(ValidationError) as refused:
            book(ten.replace(hour=3), centre_psychologist)
        assert "åbningstiden" in refused.value.message_dict["starts_at"][0]
        book(ten, centre_psychologist)
        with pytest.raises(ValidationError) as refused:
            book(ten + timedelta(minutes=30), centre_psychologist)
        assert refused.value.message_dict["clinician_id"][0].startswith("Behandleren har")
        with pytest.raises(ValidationError) as refused:
            book(ten + timedelta(minutes=30), centre_doctor)  # same patient, other clinician
        assert refused.value.message_dict["starts_at"][0].startswith("Patienten har")
    assert Appointment.objects.filter(course=course).count() == 1
