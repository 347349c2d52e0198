"""The clinic's steps: triage of a handover (accept, or return with advice), the needs
assessment, the course plan (team and appointments) and completion with a discharge summary.

Accepting closes the practice-track course and opens the hospital-track course in one
transaction, so the one-open-course rule holds at every moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from domain.appointments import Slot
from domain.tracks import CourseEvent, Track, initial_status
from smertespor.accounts.models import Role, User
from smertespor.accounts.permissions import can_see_patient_data
from smertespor.audit.services import AuditAction
from smertespor.entry.appointment_times import check_opening_hours_of, local_slot, refuse_clash
from smertespor.entry.numbers import for_json
from smertespor.entry.team_removal import TeamRules, remove_from_team
from smertespor.medication.services import record_omeq_snapshot
from smertespor.notifications.services import notify
from smertespor.patients.models import CareRelation, Patient
from smertespor.patients.services import open_care_relation
from smertespor.tracks.discharge import discharge_medication
from smertespor.tracks.follow_ups import RegimenUpdate, apply_regimen
from smertespor.tracks.handover import pending_handover
from smertespor.tracks.models import (
    Actor,
    Appointment,
    Course,
    DischargeSummary,
    Discipline,
    FollowUp,
    Handover,
    Intervention,
    NeedsAssessment,
    Status,
    TeamMember,
    TimelineEvent,
)
from smertespor.tracks.omeq import recorded_omeq
from smertespor.tracks.permissions import DISCIPLINE_ROLES, can_discharge, require_actor
from smertespor.tracks.proposals import deciding_gps
from smertespor.tracks.transitions import CourseConflict, apply_transition, audit, record_timeline
from smertespor.versions import ExpectedVersion

PLANNING_STATUSES = frozenset({Status.NEEDS_ASSESSED, Status.PLAN_ACTIVE})


def _clinic_actor(by: User, course: Course) -> str:
    actor = require_actor(by, course, decision=True)
    if actor != Actor.CLINIC:
        raise PermissionDenied
    return actor


def _pending(course: Course) -> Handover:
    handover = pending_handover(course)
    if handover is None:
        raise ValidationError(_("There is no handover awaiting triage on this course."))
    return handover


def accept_handover(
    *, course: Course, by: User, expected_version: ExpectedVersion, note: str = ""
) -> Course:
    """Accept a handed-over course: it closes, and the hospital-track course opens."""
    actor = _clinic_actor(by, course)
    handover = _pending(course)
    now = timezone.now()
    with transaction.atomic():
        found = apply_transition(
            course=course,
            event=CourseEvent.ACCEPT,
            actor=actor,
            by=by,
            reason=note,
            expected_version=expected_version,
        )
        if not found.opens_hospital_course:  # pragma: no cover - the table says it does
            raise ValidationError(_("Accepting this course does not open a hospital course."))
        latest = course.follow_ups.order_by("-visit_on", "-pk").first()
        hospital = Course(
            patient=course.patient,
            track=Track.HOSPITAL.value,
            status=initial_status(Track.HOSPITAL).value,
            responsible_organisation=course.clinic,
            clinic=course.clinic,
            previous_course=course,
            start_date=timezone.localdate(),
            baseline_omeq_mg_per_day=latest.omeq_mg_per_day
            if latest
            else course.baseline_omeq_mg_per_day,
            baseline_omeq_source=latest.omeq_source if latest else course.baseline_omeq_source,
            baseline_omeq_table=latest.omeq_table if latest else course.baseline_omeq_table,
            baseline_peg_pain=_latest(latest, "peg_pain", course.baseline_peg_pain),
            baseline_peg_enjoyment=_latest(latest, "peg_enjoyment", course.baseline_peg_enjoyment),
            baseline_peg_activity=_latest(latest, "peg_activity", course.baseline_peg_activity),
            baseline_nrs=_latest(latest, "nrs", course.baseline_nrs),
            baseline_atc_codes=latest.atc_codes if latest else course.baseline_atc_codes,
            goal_kind=course.goal_kind,
            goal_target_mg_per_day=course.goal_target_mg_per_day,
            follow_up_interval_days=course.follow_up_interval_days,
            status_changed_at=now,
            created_at=now,
            created_by=by,
        )
        try:
            with transaction.atomic():
                hospital.save(force_insert=True)
        except IntegrityError:
            raise CourseConflict from None
        claimed = Handover.objects.filter(
            pk=handover.pk, decision=Handover.Decision.PENDING
        ).update(
            decision=Handover.Decision.ACCEPTED,
            decided_at=now,
            decided_by=by,
            hospital_course=hospital,
        )
        if claimed != 1:
            raise CourseConflict
        open_care_relation(
            patient=course.patient,
            organisation=course.clinic,
            reason=CareRelation.Reason.COURSE,
            by=by,
        )
        record_timeline(
            course=hospital,
            kind=TimelineEvent.Kind.CREATED,
            actor=actor,
            by=by,
            to_status=hospital.status,
            detail={"previous_course": course.pk, "handover": handover.pk},
        )
        audit(by=by, action=AuditAction.CREATE, course=hospital, track=hospital.track)
    return hospital


def _latest(follow_up: FollowUp | None, field: str, fallback: int) -> int:
    value = getattr(follow_up, field, None) if follow_up is not None else None
    return fallback if value is None else int(value)


def return_to_practice(
    *, course: Course, by: User, expected_version: ExpectedVersion, advice: str
) -> Handover:
    """Send a handed-over course back to the GP, with advice for going on in the practice."""
    actor = _clinic_actor(by, course)
    handover = _pending(course)
    with transaction.atomic():
        apply_transition(
            course=course,
            event=CourseEvent.RETURN_TO_PRACTICE,
            actor=actor,
            by=by,
            reason=advice,
            expected_version=expected_version,
        )
        claimed = Handover.objects.filter(
            pk=handover.pk, decision=Handover.Decision.PENDING
        ).update(
            decision=Handover.Decision.RETURNED,
            decided_at=timezone.now(),
            decided_by=by,
            advice=advice.strip(),
        )
        if claimed != 1:
            raise CourseConflict
        notify(
            deciding_gps(course),
            kind="tracks_handover_returned",
            text=gettext_noop(
                "%(clinic)s has answered a handover: the course continues in your practice, "
                "with the clinic's advice."
            ),
            params={"clinic": handover.clinic.name},
            url=reverse("tracks:course_detail", args=[course.patient_id, course.pk]),
        )
    handover.refresh_from_db()
    return handover


def _choices(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    chosen = list(dict.fromkeys(values))
    if not chosen:
        raise ValidationError({field: _("Choose at least one.")})
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        raise ValidationError({field: _("Unknown: %(values)s.") % {"values": ", ".join(unknown)}})
    return chosen


def assess_needs(
    *,
    course: Course,
    by: User,
    expected_version: ExpectedVersion,
    disciplines: Iterable[str],
    interventions: Iterable[str],
    summary: str = "",
) -> NeedsAssessment:
    """The clinic's needs assessment: which disciplines and interventions the patient needs."""
    actor = _clinic_actor(by, course)
    errors: dict[str, list[str]] = {}
    chosen: dict[str, list[str]] = {}
    for field, values, allowed in (
        ("disciplines", disciplines, Discipline.values),
        ("interventions", interventions, Intervention.values),
    ):
        try:
            chosen[field] = _choices(values, allowed, field)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        apply_transition(
            course=course,
            event=CourseEvent.ASSESS_NEEDS,
            actor=actor,
            by=by,
            expected_version=expected_version,
            detail=chosen,
        )
        assessment = NeedsAssessment(
            course=course,
            disciplines=chosen["disciplines"],
            interventions=chosen["interventions"],
            summary=summary.strip(),
            assessed_by=by,
            assessed_at=timezone.now(),
        )
        assessment.full_clean(exclude=["course", "assessed_by"])
        assessment.save(force_insert=True)
    return assessment


def _planning(course: Course) -> None:
    if course.status not in PLANNING_STATUSES:
        raise ValidationError(
            _("The course plan is made after the needs assessment, while the course is open.")
        )


def _discipline_refusal(user: User, discipline: str) -> str | None:
    """Why `user` cannot be on the team as `discipline` (their profession is another), or None."""
    if user.role in DISCIPLINE_ROLES[Discipline(discipline)]:
        return None
    return _(
        "%(user)s is registered as %(role)s and cannot be on the team as %(discipline)s. "
        "Choose the discipline that matches the person's profession."
    ) % {
        "user": user,
        "role": str(Role(user.role).label).lower() if user.role in Role.values else user.role,
        "discipline": str(Discipline(discipline).label).lower(),
    }


def add_team_member(*, course: Course, by: User, user_id: int, discipline: str) -> TeamMember:
    """Name a clinician of the clinic on the course plan, in the discipline of their
    profession (a secretary is never the team's doctor)."""
    actor = _clinic_actor(by, course)
    _planning(course)
    if discipline not in Discipline.values:
        raise ValidationError({"discipline": _("Choose a discipline.")})
    user = User.objects.filter(
        pk=user_id, organisation_id=course.responsible_organisation_id
    ).first()
    if user is None or not can_see_patient_data(user):
        raise ValidationError(
            {"user_id": _("Choose a clinician of the clinic running the course.")}
        )
    refusal = _discipline_refusal(user, discipline)
    if refusal:
        raise ValidationError({"discipline": [refusal]})
    with transaction.atomic():
        if course.team.filter(user=user, removed_at__isnull=True).exists():
            raise ValidationError(
                {"user_id": _("%(user)s is already on the team.") % {"user": user}}
            )
        member = TeamMember.objects.create(
            course=course,
            user=user,
            discipline=discipline,
            added_by=by,
            added_at=timezone.now(),
        )
        record_timeline(
            course=course,
            kind=TimelineEvent.Kind.TEAM_MEMBER_ADDED,
            actor=actor,
            by=by,
            detail={"user": str(user), "discipline": discipline},
        )
        audit(by=by, action=AuditAction.UPDATE, course=course, object_type="course_team")
    return member


def book_appointment(
    *,
    course: Course,
    by: User,
    starts_at: datetime,
    duration_minutes: int,
    discipline: str,
    clinician_id: int | None = None,
    purpose: str = "",
) -> Appointment:
    """Book an appointment in the course plan (with a team member, if named)."""
    actor = _clinic_actor(by, course)
    _planning(course)
    errors: dict[str, list[str]] = {}
    if timezone.is_naive(starts_at) or starts_at < timezone.now():
        errors["starts_at"] = [_("Book an appointment for a time from now on.")]
    else:
        try:
            check_opening_hours_of(starts_at, duration_minutes)
        except ValidationError as error:
            errors.update(error.message_dict)
    if discipline not in Discipline.values:
        errors["discipline"] = [_("Choose a discipline.")]
    member = None
    if clinician_id is not None:
        member = (
            course.team.filter(user_id=clinician_id, removed_at__isnull=True)
            .select_related("user")
            .first()
        )
        if member is None:
            errors["clinician_id"] = [_("Choose a member of the course's team.")]
    if errors:
        raise ValidationError(errors)
    appointment = Appointment(
        course=course,
        organisation_id=course.responsible_organisation_id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        discipline=discipline,
        clinician=member.user if member else None,
        purpose=purpose.strip(),
        created_by=by,
        created_at=timezone.now(),
    )
    appointment.full_clean(
        exclude=["course", "organisation", "clinician", "created_by", "cancelled_by"]
    )
    with transaction.atomic():
        _refuse_double_booking(course, appointment)
        appointment.save(force_insert=True)
        record_timeline(
            course=course,
            kind=TimelineEvent.Kind.APPOINTMENT_ADDED,
            actor=actor,
            by=by,
            detail={"starts_at": starts_at.isoformat(), "discipline": discipline},
        )
        audit(by=by, action=AuditAction.UPDATE, course=course, object_type="appointment")
    return appointment


# The longest appointment (the model's bound): an earlier start cannot reach a new one.
_LONGEST = timedelta(minutes=480)


def _booked_slots(appointments: QuerySet[Appointment], new: Appointment) -> list[Slot]:
    ends_at = new.starts_at + timedelta(minutes=new.duration_minutes)
    near = appointments.filter(
        cancelled_at__isnull=True, starts_at__gt=new.starts_at - _LONGEST, starts_at__lt=ends_at
    )
    return [local_slot(a.starts_at, a.duration_minutes, a.pk) for a in near]


def _refuse_double_booking(course: Course, new: Appointment) -> None:
    """No two booked appointments of the same clinician or the same patient overlap.

    Runs inside the booking's transaction: the patient's row (and the clinician's) is locked
    first (`select_for_update`, on PostgreSQL), so two bookings for the same person wait for
    each other and the second sees the first.
    """
    Patient.objects.select_for_update().filter(pk=course.patient_id).first()
    slot = local_slot(new.starts_at, new.duration_minutes)
    if new.clinician_id is not None:
        User.objects.select_for_update().filter(pk=new.clinician_id).first()
        refuse_clash(
            slot,
            _booked_slots(Appointment.objects.filter(clinician_id=new.clinician_id), new),
            field="clinician_id",
            message=_(
                "The clinician already has an appointment at %(time)s that overlaps this "
                "time. Choose another time."
            ),
        )
    refuse_clash(
        slot,
        _booked_slots(Appointment.objects.filter(course__patient_id=course.patient_id), new),
        field="starts_at",
        message=_(
            "The patient already has an appointment at %(time)s that overlaps this time. "
            "Choose another time."
        ),
    )


def cancel_appointment(*, appointment: Appointment, by: User, reason: str) -> Appointment:
    """Cancel a booked appointment with a reason: it stays in the plan, shown as cancelled,
    and its time is free again."""
    course = appointment.course
    actor = _clinic_actor(by, course)
    _planning(course)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for cancelling the appointment.")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("Keep the reason to 500 characters.")]})
    now = timezone.now()
    with transaction.atomic():
        claimed = Appointment.objects.filter(pk=appointment.pk, cancelled_at__isnull=True).update(
            cancelled_at=now, cancelled_by=by, cancel_reason=reason
        )
        if claimed != 1:
            raise ValidationError(
                {"reason": [_("The appointment is already cancelled.")]}, code="already_cancelled"
            )
        appointment.cancelled_at, appointment.cancelled_by = now, by
        appointment.cancel_reason = reason
        record_timeline(
            course=course,
            kind=TimelineEvent.Kind.APPOINTMENT_CANCELLED,
            actor=actor,
            by=by,
            reason=reason,
            detail={"appointment": appointment.pk, "starts_at": appointment.starts_at.isoformat()},
        )
        audit(by=by, action=AuditAction.UPDATE, course=course, object_type="appointment")
    return appointment


def remove_team_member(*, member: TeamMember, by: User, reason: str = "") -> TeamMember:
    """Take a clinician off the team: the row stays as the team's history. Refused while
    they have booked appointments ahead, and for the last member of an active plan
    (`entry/team_removal.py`, shared with the pain centre's course)."""
    course = member.course
    actor = _clinic_actor(by, course)
    _planning(course)

    def record(locked: Course, reason: str) -> None:
        record_timeline(
            course=locked,
            kind=TimelineEvent.Kind.TEAM_MEMBER_REMOVED,
            actor=actor,
            by=by,
            reason=reason,
            detail={"user": str(member.user), "discipline": member.discipline},
        )
        audit(by=by, action=AuditAction.UPDATE, course=locked, object_type="course_team")

    remove_from_team(member, by=by, reason=reason, rules=_team_rules(), record=record)
    return member


def _team_rules() -> TeamRules:
    return TeamRules(
        course_model=Course,
        member_model=TeamMember,
        booked_ahead=lambda member: Appointment.objects.filter(
            course_id=member.course_id, clinician_id=member.user_id, cancelled_at__isnull=True
        ),
        needs_team=lambda course: course.status == Status.PLAN_ACTIVE,
        needs_team_message=_("The active course plan needs at least one team member."),
    )


def activate_plan(
    *, course: Course, by: User, expected_version: ExpectedVersion, plan_note: str
) -> Course:
    """Put the course plan into effect: it needs its text and at least one team member."""
    actor = _clinic_actor(by, course)
    errors: dict[str, list[str]] = {}
    if not plan_note.strip():
        errors["plan_note"] = [_("Describe the course plan.")]
    if not course.team.filter(removed_at__isnull=True).exists():
        errors["team"] = [_("Name at least one team member first.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        apply_transition(
            course=course,
            event=CourseEvent.ACTIVATE_PLAN,
            actor=actor,
            by=by,
            expected_version=expected_version,
            updates={"plan_note": plan_note.strip()},
        )
    return course


def complete_course(
    *,
    course: Course,
    by: User,
    expected_version: ExpectedVersion,
    summary: str,
    recommendations: str,
    medication_at_discharge: str = "",
    regimen: RegimenUpdate | None = None,
    omeq_mg_per_day: Decimal | None = None,
) -> DischargeSummary:
    """Complete the hospital course with the discharge summary (epikrise) to the GP, who
    continues the follow-up.

    `regimen` changes the medication list as the patient leaves the clinic (through the
    medication services, with history and audit); OMEQ at discharge is then the list's, and
    `omeq_mg_per_day` is only for a list that cannot give it (as at a visit). All of it is
    one transaction: anything refused leaves the course, the list and its history unchanged.
    """
    actor = _clinic_actor(by, course)
    if not can_discharge(by):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not summary.strip():
        errors["summary"] = [_("Summarise the course and the treatment given.")]
    if not recommendations.strip():
        errors["recommendations"] = [_("Tell the GP how to continue the follow-up.")]
    if errors:
        raise ValidationError(errors)
    previous = course.previous_course
    sent_to = previous.responsible_organisation if previous else course.patient.listed_practice
    patient = course.patient
    with transaction.atomic():
        apply_transition(
            course=course,
            event=CourseEvent.COMPLETE,
            actor=actor,
            by=by,
            expected_version=expected_version,
            detail={"sent_to": sent_to.name},
        )
        changes = apply_regimen(
            course,
            by,
            regimen or RegimenUpdate(),
            timezone.localdate(),
            stop_reason=_("Stopped at discharge from the pain clinic."),
        )
        omeq = recorded_omeq(patient, omeq_mg_per_day, field="omeq_mg_per_day")
        has_list = patient.medication_lines.exists()
        discharge = DischargeSummary(
            course=course,
            sent_to=sent_to,
            summary=summary.strip(),
            recommendations=recommendations.strip(),
            medication_at_discharge=medication_at_discharge.strip(),
            medication=discharge_medication(patient) if has_list else {},
            medication_changes=changes,
            omeq_at_discharge_mg_per_day=omeq.mg_per_day,
            omeq_source=omeq.source,
            omeq_table=omeq.table,
            omeq_snapshot=record_omeq_snapshot(patient=patient, by=by) if has_list else None,
            written_by=by,
            written_at=timezone.now(),
        )
        discharge.full_clean(exclude=["course", "sent_to", "written_by", "omeq_snapshot"])
        discharge.save(force_insert=True)
        notify(
            sent_to.users.filter(role__in=[Role.GP, Role.PRACTICE_NURSE], is_active=True),
            kind="tracks_discharge_summary",
            text=gettext_noop("Discharge summary from %(clinic)s: a patient is back with you."),
            params={"clinic": course.responsible_organisation.name},
            url=reverse("tracks:course_detail", args=[patient.pk, course.pk]),
        )
        open_care_relation(
            patient=patient, organisation=sent_to, reason=CareRelation.Reason.COURSE, by=by
        )
        record_timeline(
            course=course,
            kind=TimelineEvent.Kind.DISCHARGE_SUMMARY,
            actor=actor,
            by=by,
            detail={
                "sent_to": sent_to.name,
                "omeq_mg_per_day": for_json(discharge.omeq_at_discharge_mg_per_day),
                "omeq_table": omeq.table,
                "medication_changes": len(changes),
            },
        )
        audit(by=by, action=AuditAction.CREATE, course=course, object_type="discharge_summary")
    return discharge
