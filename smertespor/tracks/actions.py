"""Each operation on a course, once: load it through its patient, check the rule, call the
service. The pages, the API and any command call these, so every door answers alike: out of
scope 404, a role or side that may not act 403 (audited), a state or input the service
refuses 422, a stale version 409 (`CourseConflict`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import Http404

from smertespor.accounts.models import User
from smertespor.entry.rules import require
from smertespor.patients.access import patient_for_change
from smertespor.tracks import decisions, follow_ups, hospital_services, proposals, services
from smertespor.tracks.access import check_hospital_course, course_for_change, refuse_unless
from smertespor.tracks.follow_ups import RegimenUpdate
from smertespor.tracks.models import (
    Alert,
    Appointment,
    Course,
    DischargeSummary,
    FollowUp,
    Handover,
    NeedsAssessment,
    TeamMember,
)
from smertespor.tracks.permissions import (
    can_decide,
    can_decide_proposal,
    can_discharge,
    can_enrol,
    can_follow_up,
    can_record_follow_up,
    can_work_hospital_track,
    can_write_handover_letter,
)
from smertespor.tracks.selectors import alert_of, latest_handover
from smertespor.versions import ExpectedVersion


def enrol_in_practice_track(
    *,
    user: User,
    patient_id: object,
    clinic_id: int | None,
    start_date: date,
    baseline_peg: tuple[int, int, int],
    baseline_nrs: int,
    goal_kind: str,
    follow_up_interval_days: int,
    goal_target_mg_per_day: Decimal | None = None,
    baseline_omeq_mg_per_day: Decimal | None = None,
    plan_note: str = "",
) -> Course:
    """A GP of the practice enrols the patient in the practice track."""
    require(user, can_enrol, object_type="course")
    patient = patient_for_change(user, patient_id, object_type="course")
    return services.enrol_in_practice_track(
        patient=patient,
        by=user,
        clinic_id=clinic_id,
        start_date=start_date,
        baseline_peg=baseline_peg,
        baseline_nrs=baseline_nrs,
        goal_kind=goal_kind,
        follow_up_interval_days=follow_up_interval_days,
        goal_target_mg_per_day=goal_target_mg_per_day,
        baseline_omeq_mg_per_day=baseline_omeq_mg_per_day,
        plan_note=plan_note,
    )


def record_follow_up(
    *,
    user: User,
    patient_id: object,
    course_id: object,
    version: ExpectedVersion,
    visit_on: date,
    peg: tuple[int, int, int] | None = None,
    nrs: int | None = None,
    sows_total: int | None = None,
    sows_items: Sequence[int] | None = None,
    cows_total: int | None = None,
    cows_items: Sequence[int] | None = None,
    note: str = "",
    next_visit_on: date | None = None,
    omeq_mg_per_day: Decimal | None = None,
    regimen: RegimenUpdate | None = None,
) -> FollowUp:
    """The side running the course records a visit (see `can_record_follow_up`)."""
    course = course_for_change(user, patient_id, course_id, object_type="follow_up")
    refuse_unless(user, can_record_follow_up(user, course), course, object_type="follow_up")
    return follow_ups.record_follow_up(
        course=course,
        by=user,
        expected_version=version,
        visit_on=visit_on,
        peg=peg,
        nrs=nrs,
        sows_total=sows_total,
        sows_items=sows_items,
        cows_total=cows_total,
        cows_items=cows_items,
        note=note,
        next_visit_on=next_visit_on,
        omeq_mg_per_day=omeq_mg_per_day,
        regimen=regimen,
    )


def acknowledge_alert(*, user: User, patient_id: object, course_id: object, alert_id: int) -> Alert:
    """Someone doing the course's follow-up work has seen an alert."""
    course = course_for_change(user, patient_id, course_id, object_type="alert")
    alert = alert_of(course, alert_id)
    refuse_unless(user, can_follow_up(user, course), course, object_type="alert")
    return follow_ups.acknowledge_alert(alert=alert, by=user)


def take_decision(
    *,
    user: User,
    patient_id: object,
    course_id: object,
    event: str,
    version: ExpectedVersion,
    reason: str = "",
    gp_comment: str = "",
    expected_duration: str = "",
    planned_follow_up: str = "",
) -> Course:
    """Hand over early, record success, end (the practice); accept or return to the practice
    (the clinic). The course to show afterwards: accepting opens the hospital-track course."""
    course = course_for_change(user, patient_id, course_id, object_type="course_decision")
    refuse_unless(user, can_decide(user, course), course, object_type="course_decision")
    return decisions.take_decision(
        course=course,
        by=user,
        event=event,
        expected_version=version,
        reason=reason,
        gp_comment=gp_comment,
        expected_duration=expected_duration,
        planned_follow_up=planned_follow_up,
    )


def confirm_handover_proposal(
    *,
    user: User,
    patient_id: object,
    course_id: object,
    version: ExpectedVersion,
    note: str = "",
    gp_comment: str = "",
    expected_duration: str = "",
    planned_follow_up: str = "",
) -> Handover:
    """The GP hands the patient over to the pain clinic as the 3-month rule proposed."""
    course = course_for_change(user, patient_id, course_id, object_type="handover_proposal")
    refuse_unless(user, can_decide_proposal(user, course), course, object_type="handover_proposal")
    return proposals.confirm_handover_proposal(
        course=course,
        by=user,
        expected_version=version,
        note=note,
        gp_comment=gp_comment,
        expected_duration=expected_duration,
        planned_follow_up=planned_follow_up,
    )


def dismiss_handover_proposal(
    *, user: User, patient_id: object, course_id: object, version: ExpectedVersion, reason: str
) -> Course:
    """The GP keeps the course in the practice track despite the proposal, with a reason."""
    course = course_for_change(user, patient_id, course_id, object_type="handover_proposal")
    refuse_unless(user, can_decide_proposal(user, course), course, object_type="handover_proposal")
    return proposals.dismiss_handover_proposal(
        course=course, by=user, expected_version=version, reason=reason
    )


def update_handover_letter(
    *,
    user: User,
    patient_id: object,
    course_id: object,
    version: ExpectedVersion,
    gp_comment: str,
    expected_duration: str,
    planned_follow_up: str,
) -> Handover:
    """The GP's comment, expected duration and planned follow-up, until the clinic triages."""
    course = course_for_change(user, patient_id, course_id, object_type="handover")
    handover = latest_handover(course)
    if handover is None:
        raise Http404
    handover.course = course
    refuse_unless(user, can_write_handover_letter(user, course), course, object_type="handover")
    return services.update_handover_letter(
        handover=handover,
        by=user,
        expected_version=version,
        gp_comment=gp_comment,
        expected_duration=expected_duration,
        planned_follow_up=planned_follow_up,
    )


def _hospital_course(
    user: User, patient_id: object, course_id: object, *, object_type: str
) -> Course:
    require(user, can_work_hospital_track, object_type=object_type)
    course = course_for_change(user, patient_id, course_id, object_type=object_type)
    check_hospital_course(user, course, object_type=object_type)
    return course


def assess_needs(
    *,
    user: User,
    patient_id: object,
    course_id: object,
    version: ExpectedVersion,
    disciplines: Iterable[str],
    interventions: Iterable[str],
    summary: str = "",
) -> NeedsAssessment:
    course = _hospital_course(user, patient_id, course_id, object_type="needs_assessment")
    return hospital_services.assess_needs(
        course=course,
        by=user,
        expected_version=version,
        disciplines=disciplines,
        interventions=interventions,
        summary=summary,
    )


def add_team_member(
    *, user: User, patient_id: object, course_id: object, user_id: int, discipline: str
) -> TeamMember:
    course = _hospital_course(user, patient_id, course_id, object_type="course_team")
    return hospital_services.add_team_member(
        course=course, by=user, user_id=user_id, discipline=discipline
    )


def book_appointment(
    *,
    user: User,
    patient_id: object,
    course_id: object,
    starts_at: datetime,
    duration_minutes: int,
    discipline: str,
    clinician_id: int | None = None,
    purpose: str = "",
) -> Appointment:
    course = _hospital_course(user, patient_id, course_id, object_type="appointment")
    return hospital_services.book_appointment(
        course=course,
        by=user,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        discipline=discipline,
        clinician_id=clinician_id,
        purpose=purpose,
    )


def cancel_appointment(
    *, user: User, patient_id: object, course_id: object, appointment_id: object, reason: str
) -> Appointment:
    """Cancel a booked appointment of the course plan, with the reason (kept, shown)."""
    course = _hospital_course(user, patient_id, course_id, object_type="appointment")
    appointment = course.appointments.filter(pk=_pk(appointment_id)).first()
    if appointment is None:
        raise Http404
    appointment.course = course
    return hospital_services.cancel_appointment(appointment=appointment, by=user, reason=reason)


def remove_team_member(
    *, user: User, patient_id: object, course_id: object, member_id: object, reason: str = ""
) -> TeamMember:
    """Take a clinician off the course team (the team's history keeps them)."""
    course = _hospital_course(user, patient_id, course_id, object_type="course_team")
    member = course.team.select_related("user").filter(pk=_pk(member_id)).first()
    if member is None:
        raise Http404
    member.course = course
    return hospital_services.remove_team_member(member=member, by=user, reason=reason)


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def activate_plan(
    *, user: User, patient_id: object, course_id: object, version: ExpectedVersion, plan_note: str
) -> Course:
    course = _hospital_course(user, patient_id, course_id, object_type="course_plan")
    return hospital_services.activate_plan(
        course=course, by=user, expected_version=version, plan_note=plan_note
    )


def complete_course(
    *,
    user: User,
    patient_id: object,
    course_id: object,
    version: ExpectedVersion,
    summary: str,
    recommendations: str,
    medication_at_discharge: str = "",
    regimen: RegimenUpdate | None = None,
    omeq_mg_per_day: Decimal | None = None,
) -> DischargeSummary:
    """The clinic doctor completes the course; the discharge summary goes to the GP, with
    the medication list as changed at discharge (`regimen`)."""
    course = _hospital_course(user, patient_id, course_id, object_type="discharge_summary")
    refuse_unless(user, can_discharge(user), course, object_type="discharge_summary")
    return hospital_services.complete_course(
        course=course,
        by=user,
        expected_version=version,
        summary=summary,
        recommendations=recommendations,
        medication_at_discharge=medication_at_discharge,
        regimen=regimen,
        omeq_mg_per_day=omeq_mg_per_day,
    )
