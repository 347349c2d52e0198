"""Writes to practice-track courses: enrolment, early handover, the handover letter, success
and ending. Each runs in one transaction, checks the role and organisation, lets the domain
decide, records who/when/why on the timeline and writes its audit row.

Follow-up visits are in `tracks.follow_ups`; the clinic's steps in `tracks.hospital_services`;
the 3-month rule in `tracks.rules` and the GP's decision on its proposal in
`tracks.proposals`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domain.errors import DomainError
from domain.scores import Peg, validate_nrs
from domain.tracks import (
    CourseEvent,
    CourseFacts,
    CourseStatus,
    SecondOpenCourseError,
    Track,
    course_deadline,
    ensure_no_open_course,
    initial_status,
)
from smertespor.accounts.models import User
from smertespor.accounts.selectors import chosen_pain_clinic
from smertespor.audit.services import AuditAction
from smertespor.entry.numbers import for_json, json_number
from smertespor.patients.models import CareRelation, Patient
from smertespor.patients.services import open_care_relation
from smertespor.tracks.facts import course_goal, rule_settings
from smertespor.tracks.handover import create_handover
from smertespor.tracks.labels import Refusals, validation_error
from smertespor.tracks.models import Actor, Course, GoalKind, Handover, TimelineEvent
from smertespor.tracks.models.courses import MAX_INTERVAL_DAYS
from smertespor.tracks.omeq import recorded_omeq
from smertespor.tracks.permissions import can_enrol, require_actor
from smertespor.tracks.proposals import close_pending_review
from smertespor.tracks.transitions import (
    CourseConflict,
    apply_transition,
    audit,
    claim_version,
    record_timeline,
)
from smertespor.versions import ExpectedVersion

# An enrolment may be recorded up to a month after the visit where it was agreed.
MAX_BACKDATED_START_DAYS = 31


def enrol_in_practice_track(
    *,
    patient: Patient,
    by: User,
    start_date: date,
    clinic_id: int | None,
    baseline_peg: tuple[int, int, int],
    baseline_nrs: int,
    goal_kind: str,
    follow_up_interval_days: int,
    goal_target_mg_per_day: Decimal | None = None,
    baseline_omeq_mg_per_day: Decimal | None = None,
    plan_note: str = "",
) -> Course:
    """Start a practice-track course for `patient`, run by the GP's practice and supported by
    the pain clinic `clinic_id` of the region (None: the region's only one); the practice's
    care relation opens with it."""
    if not can_enrol(by):
        raise PermissionDenied
    errors = Refusals()
    today = timezone.localdate()
    if start_date > today:
        errors.add(ValidationError({"start_date": _("A course cannot start in the future.")}))
    elif start_date < today - timedelta(days=MAX_BACKDATED_START_DAYS):
        errors.add(
            ValidationError(
                {
                    "start_date": _(
                        "A course can be recorded at most %(days)s days after it started."
                    )
                    % {"days": MAX_BACKDATED_START_DAYS}
                }
            )
        )
    try:
        Peg(*baseline_peg)
    except DomainError as error:
        errors.add_domain(error)
    try:
        validate_nrs(baseline_nrs)
    except DomainError as error:
        errors.add_domain(error, field="baseline_nrs")
    if not 1 <= follow_up_interval_days <= MAX_INTERVAL_DAYS:
        errors.add(
            ValidationError(
                {
                    "follow_up_interval_days": _("The interval is 1 to %(days)s days.")
                    % {"days": MAX_INTERVAL_DAYS}
                }
            )
        )
    clinic = None
    try:
        clinic = chosen_pain_clinic(by, clinic_id)
    except ValidationError as error:
        errors.add(error)
    if goal_kind == GoalKind.STOP:
        goal_target_mg_per_day = None
    try:
        goal = course_goal(goal_kind, goal_target_mg_per_day)
    except (DomainError, ValueError) as error:
        if isinstance(error, DomainError):
            errors.add_domain(error, field="goal_target_mg_per_day")
        else:
            errors.add(ValidationError({"goal_kind": _("Choose stop or a target dose.")}))
        goal = None
    omeq = None
    try:
        omeq = recorded_omeq(patient, baseline_omeq_mg_per_day, field="baseline_omeq_mg_per_day")
    except ValidationError as error:
        errors.add(error)
    if omeq is not None and goal is not None:
        try:
            CourseFacts(start=start_date, goal=goal, baseline_mg_per_day=omeq.mg_per_day)
        except DomainError as error:
            errors.add_domain(error)
    errors.raise_any()
    practice = by.organisation  # a GP's practice: can_enrol above
    assert omeq is not None and clinic is not None  # noqa: S101 - refused above otherwise
    assert practice is not None  # noqa: S101 - can_enrol holds only for a practice's GP
    now = timezone.now()
    course = Course(
        patient=patient,
        track=Track.PRACTICE.value,
        status=initial_status(Track.PRACTICE).value,
        responsible_organisation=practice,
        clinic=clinic,
        start_date=start_date,
        baseline_omeq_mg_per_day=omeq.mg_per_day,
        baseline_omeq_source=omeq.source,
        baseline_omeq_table=omeq.table,
        baseline_peg_pain=baseline_peg[0],
        baseline_peg_enjoyment=baseline_peg[1],
        baseline_peg_activity=baseline_peg[2],
        baseline_nrs=baseline_nrs,
        baseline_atc_codes=list(omeq.atc_codes),
        goal_kind=goal_kind,
        goal_target_mg_per_day=goal_target_mg_per_day,
        follow_up_interval_days=follow_up_interval_days,
        plan_note=plan_note.strip(),
        deadline=course_deadline(start_date, rule_settings()),
        next_follow_up_on=start_date + timedelta(days=follow_up_interval_days),
        status_changed_at=now,
        created_at=now,
        created_by=by,
    )
    with transaction.atomic():
        _refuse_second_open_course(patient)
        course.full_clean(exclude=["patient", "responsible_organisation", "clinic", "created_by"])
        try:
            with transaction.atomic():
                course.save(force_insert=True)
        except IntegrityError:
            # Another user enrolled the patient a moment ago: the partial unique index held.
            raise validation_error(SecondOpenCourseError("open course")) from None
        open_care_relation(
            patient=patient, organisation=practice, reason=CareRelation.Reason.COURSE, by=by
        )
        record_timeline(
            course=course,
            kind=TimelineEvent.Kind.CREATED,
            actor=Actor.PRACTICE,
            by=by,
            to_status=course.status,
            detail={
                "baseline_omeq_mg_per_day": json_number(course.baseline_omeq_mg_per_day),
                "goal": goal_kind,
                "target_mg_per_day": for_json(goal_target_mg_per_day),
                "deadline": course.deadline.isoformat() if course.deadline else None,
            },
        )
        audit(by=by, action=AuditAction.CREATE, course=course, track=course.track)
    return course


def _refuse_second_open_course(patient: Patient) -> None:
    statuses = Course.objects.filter(patient=patient).values_list("status", flat=True)
    try:
        ensure_no_open_course(CourseStatus(s) for s in statuses)
    except DomainError as error:
        raise validation_error(error) from None


def hand_over_early(
    *,
    course: Course,
    by: User,
    expected_version: ExpectedVersion,
    reason: str,
    gp_comment: str = "",
    expected_duration: str = "",
    planned_follow_up: str = "",
) -> Handover:
    """The GP hands the course over to the clinic before the deadline, with a reason."""
    actor = require_actor(by, course, decision=True)
    with transaction.atomic():
        apply_transition(
            course=course,
            event=CourseEvent.HAND_OVER_EARLY,
            actor=actor,
            by=by,
            reason=reason,
            expected_version=expected_version,
        )
        return create_handover(
            course=course,
            by=by,
            kind=Handover.Kind.EARLY,
            reason=reason,
            gp_comment=gp_comment,
            expected_duration=expected_duration,
            planned_follow_up=planned_follow_up,
        )


def update_handover_letter(
    *,
    handover: Handover,
    by: User,
    expected_version: ExpectedVersion,
    gp_comment: str,
    expected_duration: str,
    planned_follow_up: str,
) -> Handover:
    """The GP's comment, expected duration and planned follow-up, until the clinic triages."""
    course = handover.course
    if require_actor(by, course, decision=True) != Actor.PRACTICE:
        raise PermissionDenied
    if not handover.is_pending:
        raise ValidationError(
            _("The clinic has already triaged this handover; the letter can no longer change."),
            code="handover_triaged",
        )
    handover.gp_comment = gp_comment.strip()
    handover.expected_duration = expected_duration.strip()
    handover.planned_follow_up = planned_follow_up.strip()
    handover.comment_updated_at = timezone.now()
    handover.full_clean(exclude=["course", "clinic", "proposed_by", "hospital_course", "snapshot"])
    with transaction.atomic():
        claim_version(course, expected_version)
        updated = Handover.objects.filter(
            pk=handover.pk, decision=Handover.Decision.PENDING
        ).update(
            gp_comment=handover.gp_comment,
            expected_duration=handover.expected_duration,
            planned_follow_up=handover.planned_follow_up,
            comment_updated_at=handover.comment_updated_at,
        )
        if updated != 1:
            raise CourseConflict
        record_timeline(
            course=course, kind=TimelineEvent.Kind.HANDOVER_UPDATED, actor=Actor.PRACTICE, by=by
        )
        audit(by=by, action=AuditAction.UPDATE, course=course, object_type="handover")
    return handover


def record_success(
    *, course: Course, by: User, expected_version: ExpectedVersion, reason: str = ""
) -> Course:
    """The GP records that the course succeeded (the rule records it from the visits too,
    at the deadline); a proposal waiting for the GP is closed."""
    actor = require_actor(by, course, decision=True)
    with transaction.atomic():
        apply_transition(
            course=course,
            event=CourseEvent.RECORD_SUCCESS,
            actor=actor,
            by=by,
            reason=reason,
            expected_version=expected_version,
        )
        close_pending_review(course, by)
    return course


def end_course(
    *, course: Course, by: User, expected_version: ExpectedVersion, reason: str
) -> Course:
    """End a course (either track) with a reason; a handover awaiting triage is withdrawn."""
    actor = require_actor(by, course, decision=True)
    with transaction.atomic():
        apply_transition(
            course=course,
            event=CourseEvent.END,
            actor=actor,
            by=by,
            reason=reason,
            expected_version=expected_version,
        )
        Handover.objects.filter(course=course, decision=Handover.Decision.PENDING).update(
            decision=Handover.Decision.WITHDRAWN,
            decided_at=timezone.now(),
            decided_by=by,
        )
        close_pending_review(course, by)
    return course
