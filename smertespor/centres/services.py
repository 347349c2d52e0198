"""The pain centre's course: plan it on the centre's open care relation, name the team, plan
the modules (the taper module follows the patient's taper plan), book and record
appointments, record outcome measures, and discharge with the summary to the GP.

Every change is one transaction with its audit row and its course event; a refused change
leaves nothing behind. The state machine is the domain's (`domain.centre_course`); a change of
the course's status claims its version (`smertespor.versions.claim_version`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from domain.appointments import Slot
from domain.centre_course import (
    AppointmentEvent,
    AppointmentStatus,
    CentreCourseEvent,
    CentreCourseStatus,
    CentreTransitionError,
    ModuleError,
    appointment_transition,
    default_modules,
    find_transition,
)
from domain.outcomes import OutcomeError, Timepoint, instrument, score
from smertespor import versions
from smertespor.accounts.models import Organisation, User
from smertespor.accounts.permissions import PRACTICE_ROLES
from smertespor.audit.services import AuditAction, record_event
from smertespor.centres.labels import validation_error
from smertespor.centres.models import (
    Appointment,
    CentreCourse,
    CourseEvent,
    DischargeSummary,
    OutcomeMeasurement,
    PlannedModule,
    Status,
    TeamDiscipline,
    TeamMember,
)
from smertespor.centres.permissions import (
    DISCIPLINE_ROLES,
    can_send_discharge_summaries,
    can_work_centre_courses,
    runs,
)
from smertespor.entry.appointment_times import check_opening_hours_of, local_slot, refuse_clash
from smertespor.entry.numbers import for_json
from smertespor.entry.team_removal import TeamRules, remove_from_team
from smertespor.medication.services import record_omeq_snapshot
from smertespor.notifications.services import notify
from smertespor.patients.models import CareRelation, Patient
from smertespor.referrals.models import Referral
from smertespor.referrals.models import Status as ReferralStatus
from smertespor.referrals.selectors import accepted_referral_to_centre
from smertespor.referrals.services import record_discharge
from smertespor.tapering.selectors import plans_of
from smertespor.tracks.discharge import discharge_medication
from smertespor.tracks.omeq import list_omeq
from smertespor.versions import ExpectedVersion, StaleVersion

# A sanity bound on back-dated entries (a plan, an appointment), not a clinical rule.
_MAX_BACKDATING = timedelta(days=366)


class CourseConflict(StaleVersion):
    """Someone changed the course since the user read it: nothing was saved (409)."""

    default_message = gettext_lazy(
        "Someone else changed this course while you were working on it, so your change was "
        "not saved. Reload the course, check what changed and try again."
    )


# --- helpers ----------------------------------------------------------------------------------


def _event(
    course: CentreCourse,
    kind: str,
    by: User | None,
    *,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    CourseEvent.objects.create(
        course=course,
        kind=kind,
        by=by,
        occurred_at=timezone.now(),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        detail=detail or {},
    )


def _audit(
    by: User | None,
    action: str,
    course: CentreCourse,
    object_type: str = "centre_course",
    **detail: Any,
) -> None:
    record_event(
        user=by,
        action=action,
        object_type=object_type,
        object_id=str(course.pk),
        patient=course.patient,
        detail=detail,
    )


def _worker(by: User, course: CentreCourse) -> None:
    """The services' own check: a clinician of the centre running the course."""
    if not (can_work_centre_courses(by) and runs(by, course)):
        raise PermissionDenied


def _open(course: CentreCourse) -> None:
    if not course.is_open:
        raise ValidationError(
            _("The course is %(status)s: its plan can no longer change.")
            % {"status": Status(course.status).label},
            code="course_closed",
        )


def _clean(text: str) -> str:
    return (text or "").strip()


# --- the course -------------------------------------------------------------------------------


def open_centre_relation(patient: Patient, centre: Organisation) -> CareRelation | None:
    """The centre's open care relation with the patient (a referral's, as a rule)."""
    return (
        CareRelation.objects.filter(patient=patient, organisation=centre, closed_at__isnull=True)
        .order_by("-opened_at", "-pk")
        .first()
    )


def plan_course(*, patient: Patient, by: User, goals: str, planned_start: date) -> CentreCourse:
    """Plan a course at the user's centre for a patient whose referral the centre accepted
    (`referrals.selectors.accepted_referral_to_centre`): the course answers that referral."""
    centre = by.organisation
    if centre is None or not can_work_centre_courses(by):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not _clean(goals):
        errors["goals"] = [_("Describe the goals of the course.")]
    if planned_start < timezone.localdate() - _MAX_BACKDATING:
        errors["planned_start"] = [_("The planned start is more than a year ago.")]
    if errors:
        raise ValidationError(errors)
    referral = accepted_referral_to_centre(patient, centre)
    if referral is None:
        raise ValidationError(
            _(
                "A course is planned for a patient whose referral the centre has accepted; "
                "this patient has no accepted referral to the centre."
            ),
            code="no_accepted_referral",
        )
    if CentreCourse.objects.filter(referral=referral).exclude(status=Status.CANCELLED).exists():
        raise ValidationError(
            _("The referral already has a course at this centre."), code="referral_has_course"
        )
    relation = open_centre_relation(patient, centre)
    if relation is None:
        raise ValidationError(
            _("The centre has no open care relation with this patient (no referral)."),
            code="no_care_relation",
        )
    now = timezone.now()
    course = CentreCourse(
        patient=patient,
        centre=centre,
        care_relation=relation,
        referral=referral,
        status=CentreCourseStatus.PLANNED.value,
        goals=_clean(goals),
        planned_start=planned_start,
        module_catalogue_version=default_modules().version,
        created_by=by,
        created_at=now,
        status_changed_at=now,
    )
    course.full_clean(exclude=["patient", "centre", "care_relation", "referral", "created_by"])
    try:
        with transaction.atomic():
            course.save(force_insert=True)
            _event(course, "created", by, to_status=course.status)
            _audit(by, AuditAction.CREATE, course)
    except IntegrityError:
        raise ValidationError(
            _("The patient already has an open course at this centre."), code="second_open_course"
        ) from None
    return course


def _move(
    course: CentreCourse,
    event: CentreCourseEvent,
    by: User,
    expected_version: ExpectedVersion,
    *,
    reason: str = "",
    updates: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Apply `event` to `course` (inside the caller's transaction)."""
    versions.check_version(course, expected_version, error=CourseConflict)
    try:
        found = find_transition(CentreCourseStatus(course.status), event, reason=reason)
    except CentreTransitionError as error:
        raise validation_error(error) from None
    fields: dict[str, Any] = {"status": found.target.value, "status_changed_at": timezone.now()}
    if found.target in (CentreCourseStatus.DISCHARGED, CentreCourseStatus.CANCELLED):
        fields["closed_on"] = timezone.localdate()
    fields.update(updates or {})
    previous = course.status
    versions.claim_version(
        course, expected_version, error=CourseConflict, filters={"status": previous}, **fields
    )
    _event(
        course,
        event.value,
        by,
        from_status=previous,
        to_status=found.target.value,
        reason=_clean(reason),
        detail=detail,
    )
    _audit(by, AuditAction.UPDATE, course, event=event.value, status=found.target.value)


def start_course(*, course: CentreCourse, by: User, expected_version: ExpectedVersion) -> None:
    """Start a planned course: it needs a team member and a planned module."""
    _worker(by, course)
    errors: dict[str, list[str]] = {}
    if not course.team.filter(removed_at__isnull=True).exists():
        errors["team"] = [_("Name at least one team member first.")]
    if not course.modules.exists():
        errors["modules"] = [_("Plan at least one module first.")]
    if errors and course.status == Status.PLANNED:
        raise ValidationError(errors)
    with transaction.atomic():
        _move(
            course,
            CentreCourseEvent.START,
            by,
            expected_version,
            updates={"started_on": timezone.localdate()},
        )


def cancel_course(
    *, course: CentreCourse, by: User, expected_version: ExpectedVersion, reason: str
) -> None:
    """Cancel a planned or active course, with the reason."""
    _worker(by, course)
    with transaction.atomic():
        _move(
            course,
            CentreCourseEvent.CANCEL,
            by,
            expected_version,
            reason=reason,
            updates={"cancel_reason": _clean(reason)},
        )


def step(
    *, course: CentreCourse, by: User, expected_version: ExpectedVersion, event: str, reason: str
) -> None:
    """Start or cancel (discharging is `send_discharge_summary`)."""
    if event == CentreCourseEvent.START:
        start_course(course=course, by=by, expected_version=expected_version)
    elif event == CentreCourseEvent.CANCEL:
        cancel_course(course=course, by=by, expected_version=expected_version, reason=reason)
    elif event == CentreCourseEvent.DISCHARGE:
        raise ValidationError(
            {"event": [_("A course is discharged by sending its discharge summary.")]}
        )
    else:
        raise ValidationError({"event": [_("Choose start or cancel.")]})


# --- the team and the plan --------------------------------------------------------------------


def add_team_member(*, course: CentreCourse, by: User, user_id: int, discipline: str) -> TeamMember:
    """Name a clinician of the centre, in the discipline their role is, on the course team."""
    _worker(by, course)
    _open(course)
    if discipline not in TeamDiscipline.values:
        raise ValidationError({"discipline": [_("Choose a discipline.")]})
    role = DISCIPLINE_ROLES[TeamDiscipline(discipline)]
    member_user = User.objects.filter(
        pk=user_id, organisation_id=course.centre_id, role=role, is_active=True
    ).first()
    if member_user is None:
        raise ValidationError(
            {
                "user_id": [
                    _("Choose a %(discipline)s of the centre.")
                    % {"discipline": TeamDiscipline(discipline).label.lower()}
                ]
            }
        )
    if course.team.filter(user=member_user, removed_at__isnull=True).exists():
        raise ValidationError(
            {"user_id": [_("%(user)s is already on the team.") % {"user": member_user}]}
        )
    with transaction.atomic():
        member = TeamMember.objects.create(
            course=course,
            user=member_user,
            discipline=discipline,
            added_by=by,
            added_at=timezone.now(),
        )
        _event(
            course,
            "team_member_added",
            by,
            detail={"user": str(member_user), "discipline": discipline},
        )
        _audit(by, AuditAction.UPDATE, course, object_type="centre_course_team")
    return member


def remove_team_member(*, member: TeamMember, by: User, reason: str = "") -> TeamMember:
    """Take a clinician off the course team: the row stays as the team's history. Refused
    while they have booked appointments ahead, and for the last member of a started course
    (`entry/team_removal.py`, shared with the clinic's course)."""
    course = member.course
    _worker(by, course)
    _open(course)

    def record(locked: CentreCourse, reason: str) -> None:
        _event(
            locked,
            "team_member_removed",
            by,
            reason=reason,
            detail={"user": str(member.user), "discipline": member.discipline},
        )
        _audit(by, AuditAction.UPDATE, locked, object_type="centre_course_team")

    remove_from_team(member, by=by, reason=reason, rules=_team_rules(), record=record)
    return member


def _team_rules() -> TeamRules:
    return TeamRules(
        course_model=CentreCourse,
        member_model=TeamMember,
        booked_ahead=lambda member: Appointment.objects.filter(
            course_id=member.course_id,
            clinician_id=member.user_id,
            status=AppointmentStatus.BOOKED.value,
        ),
        needs_team=lambda course: course.status == Status.ACTIVE,
        needs_team_message=_("The active course needs at least one team member."),
    )


def add_module(*, course: CentreCourse, by: User, code: str, note: str = "") -> PlannedModule:
    """Plan a module of the catalogue (`domain/data/centre_modules.toml`)."""
    _worker(by, course)
    _open(course)
    try:
        module = default_modules().get(code)
    except ModuleError as error:
        raise validation_error(error) from None
    if course.modules.filter(code=module.code).exists():
        raise ValidationError({"code": [_("This module is already in the plan.")]})
    planned = PlannedModule(
        course=course, code=module.code, note=_clean(note), added_by=by, added_at=timezone.now()
    )
    planned.full_clean(exclude=["course", "added_by", "taper_plan"])
    with transaction.atomic():
        planned.save(force_insert=True)
        _event(course, "module_added", by, detail={"module": module.code})
        _audit(by, AuditAction.UPDATE, course, object_type="centre_course_module")
    return planned


def link_taper_plan(
    *, course: CentreCourse, by: User, module_id: int, taper_plan_id: int
) -> PlannedModule:
    """The medication review and taper module follows one of the patient's taper plans (made
    in the tapering app: never a second copy here)."""
    _worker(by, course)
    if not can_send_discharge_summaries(by):
        raise PermissionDenied
    _open(course)
    planned = course.modules.filter(pk=module_id).first()
    if planned is None:
        raise ValidationError({"module_id": [_("Choose a module of this course.")]})
    if not default_modules().get(planned.code).uses_taper_plan:
        raise ValidationError({"module_id": [_("Only the taper module follows a taper plan.")]})
    plan = plans_of(course.patient).filter(pk=taper_plan_id).first()
    if plan is None:
        raise ValidationError({"taper_plan_id": [_("Choose one of the patient's taper plans.")]})
    with transaction.atomic():
        PlannedModule.objects.filter(pk=planned.pk).update(taper_plan=plan)
        planned.taper_plan = plan
        _event(course, "taper_plan_linked", by, detail={"taper_plan": plan.pk})
        _audit(by, AuditAction.UPDATE, course, object_type="centre_course_module")
    return planned


# --- appointments -----------------------------------------------------------------------------


def book_appointment(
    *,
    course: CentreCourse,
    by: User,
    starts_at: datetime,
    duration_minutes: int,
    clinician_id: int,
    module_id: int | None = None,
) -> Appointment:
    """Book an appointment with a team member, for a planned module if named."""
    _worker(by, course)
    _open(course)
    errors: dict[str, list[str]] = {}
    if timezone.is_naive(starts_at):
        errors["starts_at"] = [_("Give the time with its time zone.")]
    elif starts_at < timezone.now() - _MAX_BACKDATING:
        errors["starts_at"] = [_("The time is more than a year ago.")]
    else:
        try:
            check_opening_hours_of(starts_at, duration_minutes)
        except ValidationError as error:
            errors.update(error.message_dict)
    member = (
        course.team.filter(user_id=clinician_id, removed_at__isnull=True)
        .select_related("user")
        .first()
    )
    if member is None:
        errors["clinician_id"] = [_("Choose a member of the course's team.")]
    module = None
    if module_id is not None:
        module = course.modules.filter(pk=module_id).first()
        if module is None:
            errors["module_id"] = [_("Choose a module of this course.")]
    if errors:
        raise ValidationError(errors)
    assert member is not None  # noqa: S101 - refused above
    appointment = Appointment(
        course=course,
        module=module,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        clinician=member.user,
        created_by=by,
        created_at=timezone.now(),
    )
    appointment.full_clean(exclude=["course", "module", "clinician", "created_by", "recorded_by"])
    with transaction.atomic():
        _refuse_double_booking(course, appointment)
        appointment.save(force_insert=True)
        _event(
            course,
            "appointment_booked",
            by,
            detail={"starts_at": starts_at.isoformat(), "module": module.code if module else ""},
        )
        _audit(by, AuditAction.UPDATE, course, object_type="centre_appointment")
    return appointment


# The longest appointment (the model's bound): an earlier start cannot reach a new one.
_LONGEST = timedelta(minutes=480)


def _booked_slots(appointments: QuerySet[Appointment], new: Appointment) -> list[Slot]:
    ends_at = new.starts_at + timedelta(minutes=new.duration_minutes)
    near = appointments.exclude(status=AppointmentStatus.CANCELLED.value).filter(
        starts_at__gt=new.starts_at - _LONGEST, starts_at__lt=ends_at
    )
    return [local_slot(a.starts_at, a.duration_minutes, a.pk) for a in near]


def _refuse_double_booking(course: CentreCourse, new: Appointment) -> None:
    """No two appointments (not cancelled) of the same clinician or the same patient overlap.
    Inside the booking's transaction, with the patient's and the clinician's rows locked
    (`select_for_update`, on PostgreSQL) so two bookings for one person wait for each other."""
    Patient.objects.select_for_update().filter(pk=course.patient_id).first()
    User.objects.select_for_update().filter(pk=new.clinician_id).first()
    slot = local_slot(new.starts_at, new.duration_minutes)
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


def record_appointment(
    *,
    appointment: Appointment,
    by: User,
    expected_version: ExpectedVersion,
    outcome: str,
    note: str = "",
) -> Appointment:
    """Record a booked appointment as attended or cancelled (once)."""
    course = appointment.course
    _worker(by, course)
    try:
        event = AppointmentEvent(outcome)
    except ValueError:
        raise ValidationError({"outcome": [_("Choose attended or cancelled.")]}) from None
    if event is AppointmentEvent.ATTEND and appointment.starts_at > timezone.now():
        raise ValidationError(
            {"outcome": [_("An appointment is attended at its time, not before.")]}
        )
    try:
        target = appointment_transition(AppointmentStatus(appointment.status), event)
    except CentreTransitionError as error:
        raise validation_error(error) from None
    with transaction.atomic():
        versions.claim_version(
            appointment,
            expected_version,
            filters={"status": appointment.status},
            status=target.value,
            status_note=_clean(note)[:500],
            recorded_by=by,
            recorded_at=timezone.now(),
        )
        _event(
            course,
            "appointment_recorded",
            by,
            detail={"appointment": appointment.pk, "status": target.value},
        )
        _audit(by, AuditAction.UPDATE, course, object_type="centre_appointment")
    return appointment


# --- outcome measures -------------------------------------------------------------------------

# When each timepoint may be recorded: at the start while planned or running, at the end
# while running (before the summary is sent), at follow-up after discharge.
_TIMEPOINT_STATUSES = {
    Timepoint.START: {Status.PLANNED, Status.ACTIVE},
    Timepoint.END: {Status.ACTIVE},
    Timepoint.FOLLOW_UP: {Status.DISCHARGED},
}


def record_outcome(
    *,
    course: CentreCourse,
    by: User,
    instrument_code: str,
    timepoint: str,
    answers: Mapping[str, object],
    measured_on: date,
) -> OutcomeMeasurement:
    """Score and store one instrument at one timepoint (once per timepoint)."""
    _worker(by, course)
    try:
        found = instrument(instrument_code)
    except OutcomeError as error:
        raise validation_error(error) from None
    try:
        when = Timepoint(timepoint)
    except ValueError:
        raise ValidationError({"timepoint": [_("Choose start, end or follow-up.")]}) from None
    if course.status not in _TIMEPOINT_STATUSES[when]:
        raise ValidationError(
            {
                "timepoint": [
                    {
                        Timepoint.START: _("The start is measured before the course ends."),
                        Timepoint.END: _("The end is measured while the course is active."),
                        Timepoint.FOLLOW_UP: _("The follow-up is measured after discharge."),
                    }[when]
                ]
            }
        )
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": [_("The date is in the future.")]})
    try:
        value = score(found, answers)
    except OutcomeError as error:
        raise validation_error(error) from None
    if course.measurements.filter(instrument=found.code, timepoint=when.value).exists():
        raise ValidationError(
            {"timepoint": [_("This measure is already recorded at this timepoint.")]}
        )
    measurement = OutcomeMeasurement(
        course=course,
        instrument=found.code,
        instrument_version=found.version,
        timepoint=when.value,
        answers={item.code: answers[item.code] for item in found.items},
        score=value,
        measured_on=measured_on,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            measurement.save(force_insert=True)
            _event(
                course,
                "outcome_recorded",
                by,
                detail={"instrument": found.code, "timepoint": when.value, "score": str(value)},
            )
            _audit(by, AuditAction.UPDATE, course, object_type="centre_outcome")
    except IntegrityError:
        raise ValidationError(
            {"timepoint": [_("This measure is already recorded at this timepoint.")]}
        ) from None
    return measurement


# --- discharge ------------------------------------------------------------------------------


def outcomes_snapshot(course: CentreCourse) -> list[dict[str, Any]]:
    """The course's measurements as plain JSON, for the summary as sent."""
    return [
        {
            "instrument": m.instrument,
            "instrument_version": m.instrument_version,
            "timepoint": m.timepoint,
            "score": for_json(m.score),
            "measured_on": m.measured_on.isoformat(),
        }
        for m in course.measurements.order_by("instrument", "measured_on", "pk")
    ]


def send_discharge_summary(
    *,
    course: CentreCourse,
    by: User,
    expected_version: ExpectedVersion,
    course_summary: str,
    plan_after: str,
    municipality_continues: str = "",
    physiotherapy_continues: str = "",
) -> DischargeSummary:
    """Discharge the course with the summary to the patient's GP practice, who takes over.

    The medication at discharge is the patient's medication list as it is now, each line with
    its OMEQ working under the region's table (`tracks.discharge.discharge_medication`), and
    the outcome measures as recorded; nothing is typed again. The practice's GPs and nurses
    are notified. All of it is one transaction.
    """
    _worker(by, course)
    if not can_send_discharge_summaries(by):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not _clean(course_summary):
        errors["course_summary"] = [_("Summarise the course and the treatment given.")]
    if not _clean(plan_after):
        errors["plan_after"] = [_("Tell the GP how to go on: the GP takes over.")]
    if errors:
        raise ValidationError(errors)
    patient = course.patient
    sent_to = patient.listed_practice
    has_list = patient.medication_lines.exists()
    omeq = list_omeq(patient)
    with transaction.atomic():
        _move(
            course,
            CentreCourseEvent.DISCHARGE,
            by,
            expected_version,
            detail={"sent_to": sent_to.name},
        )
        summary = DischargeSummary(
            course=course,
            sent_to=sent_to,
            course_summary=_clean(course_summary),
            plan_after=_clean(plan_after),
            municipality_continues=_clean(municipality_continues),
            physiotherapy_continues=_clean(physiotherapy_continues),
            medication=discharge_medication(patient) if has_list else {},
            omeq_at_discharge_mg_per_day=omeq.mg_per_day,
            omeq_table=omeq.table,
            omeq_snapshot=record_omeq_snapshot(patient=patient, by=by) if has_list else None,
            outcomes=outcomes_snapshot(course),
            written_by=by,
            sent_at=timezone.now(),
        )
        summary.full_clean(
            exclude=["course", "sent_to", "written_by", "omeq_snapshot", "acknowledged_by"]
        )
        summary.save(force_insert=True)
        _audit(by, AuditAction.CREATE, course, object_type="centre_discharge_summary")
        notify(
            _practice_staff(sent_to),
            kind="centre_discharge_summary",
            text=gettext_noop("Discharge summary from %(centre)s: a patient is back with you."),
            params={"centre": course.centre.name},
            url=reverse("centres:summary", args=[patient.pk, course.pk]),
        )
        _on_discharged(course, by)
    return summary


def _practice_staff(practice: Organisation) -> QuerySet[User]:
    return practice.users.filter(role__in=PRACTICE_ROLES, is_active=True).exclude(role="secretary")


def _on_discharged(course: CentreCourse, by: User) -> None:
    """The referral the course answers is discharged too, so the GP's referral shows it
    (and the pathway's pain-centre stage ends, `referrals.services.record_discharge`).
    Runs inside the discharge transaction: a refusal there undoes the discharge. The
    centre's care relation is left open so the follow-up can be measured."""
    if course.referral_id is None:
        return  # a course made before the referrals app was joined
    referral = Referral.objects.select_related("recipient", "practice", "referred_by").get(
        pk=course.referral_id
    )
    referral.patient = course.patient
    if referral.status == ReferralStatus.DISCHARGED:
        return
    record_discharge(
        referral=referral,
        by=by,
        note=_("The course at %(centre)s is discharged; the discharge summary is sent.")
        % {"centre": course.centre.name},
    )


def acknowledge_summary(*, summary: DischargeSummary, by: User) -> DischargeSummary:
    """The GP's practice has read the summary: it leaves their list of new summaries."""
    if by.organisation_id != summary.sent_to_id:
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        claimed = DischargeSummary.objects.filter(
            pk=summary.pk, acknowledged_at__isnull=True
        ).update(acknowledged_at=now, acknowledged_by=by)
        if claimed != 1:
            raise ValidationError(
                _("The discharge summary is already marked as received."),
                code="already_acknowledged",
            )
        summary.acknowledged_at, summary.acknowledged_by = now, by
        _audit(by, AuditAction.UPDATE, summary.course, object_type="centre_discharge_summary")
    return summary
