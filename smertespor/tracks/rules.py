"""The 3-month rule applied to stored courses: one service for the daily job and the pages.

`apply_track_rule(course)` evaluates the domain rule (`domain.tracks.evaluate_course`) for
one course on the Danish calendar date and, when it says so, applies its event as the system:
`record_success`, or `propose_handover` with the referral to the clinic. It locks the course
and evaluates again inside the transaction, and the status change is a conditional UPDATE, so
a course viewed by two users while the job runs still changes once.

`run_daily_rules(today)` finds the courses the rule can act on with indexed queries (a
deadline before today, or a visit that may meet the goal) and calls `apply_track_rule` on
each; the other courses are left alone. Running it twice, or once after a week of downtime,
gives the same result as running it every day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from domain.errors import DomainError
from domain.tracks import (
    CourseEvent,
    RuleAction,
    RuleOutcome,
    RuleSettings,
    SuccessDefinition,
    course_deadline,
    evaluate_course,
)
from smertespor.entry.numbers import json_number
from smertespor.tracks.facts import course_facts, rule_settings
from smertespor.tracks.handover import create_handover
from smertespor.tracks.labels import domain_message
from smertespor.tracks.models import Actor, Course, FollowUp, Handover, Status, Track
from smertespor.tracks.transitions import CourseConflict, apply_transition


@dataclass(frozen=True)
class RuleResult:
    """What the rule said about a course today, and which event (if any) this call applied."""

    course: Course
    outcome: RuleOutcome | None
    applied: CourseEvent | None = None
    error: str = ""


def _omeq_records(course: Course) -> list[tuple[date, Decimal]]:
    return list(
        course.follow_ups.order_by("visit_on", "pk").values_list("visit_on", "omeq_mg_per_day")
    )


def _evaluate(course: Course, today: date, settings: RuleSettings) -> RuleOutcome:
    return evaluate_course(course_facts(course, _omeq_records(course)), today, settings)


def apply_track_rule(course: Course, *, today: date | None = None) -> RuleResult:
    """Evaluate the rule for `course` and apply its event by the system (see the module)."""
    if course.track != Track.PRACTICE:
        return RuleResult(course, None)
    today = today or timezone.localdate()
    settings = rule_settings()
    try:
        outcome = _evaluate(course, today, settings)
    except DomainError as error:
        return RuleResult(course, None, error=domain_message(error))
    if course.status == Status.ACTIVE and course.deadline != outcome.deadline:
        # The settings changed since the deadline was stored: keep the worklists right.
        Course.objects.filter(pk=course.pk, status=Status.ACTIVE).update(deadline=outcome.deadline)
        course.deadline = outcome.deadline
    if outcome.event is None:
        return RuleResult(course, outcome)
    try:
        with transaction.atomic():
            locked = Course.objects.select_for_update().select_related("patient").get(pk=course.pk)
            if locked.status != Status.ACTIVE:
                course.refresh_from_db()
                return RuleResult(course, outcome)
            outcome = _evaluate(locked, today, settings)
            if outcome.event is None:
                return RuleResult(course, outcome)
            _apply(locked, outcome)
    except CourseConflict:
        course.refresh_from_db()
        return RuleResult(course, outcome)
    except DomainError as error:
        return RuleResult(course, None, error=domain_message(error))
    course.refresh_from_db()
    return RuleResult(course, outcome, applied=outcome.event)


def _apply(course: Course, outcome: RuleOutcome) -> None:
    event = outcome.event
    assert event is not None  # noqa: S101 - the caller checked
    detail: dict[str, object] = {
        "deadline": outcome.deadline.isoformat(),
        "period_months": outcome.period_months,
        "success_definition": outcome.success_definition.value,
    }
    if outcome.action is RuleAction.RECORD_SUCCESS and outcome.success is not None:
        detail |= {
            "success_on": outcome.success.on.isoformat(),
            "success_reason": outcome.success.reason.value,
            "omeq_mg_per_day": json_number(outcome.success.mg_per_day),
        }
    apply_transition(
        course=course,
        event=event,
        actor=Actor.SYSTEM,
        by=None,
        expected_version=None,
        detail=detail,
    )
    if event is CourseEvent.PROPOSE_HANDOVER:
        create_handover(course=course, by=None, kind=Handover.Kind.RULE)


def rule_candidates(today: date, settings: RuleSettings | None = None) -> QuerySet[Course]:
    """Active practice-track courses the rule may act on today: the deadline has passed, or a
    visit on or before the deadline may meet the goal. A superset; the domain decides."""
    settings = settings or rule_settings()
    meets_goal = Q(omeq_mg_per_day=0)
    if settings.success_definition is SuccessDefinition.STOPPED_OR_TARGET:
        meets_goal |= Q(omeq_mg_per_day__lte=OuterRef("goal_target_mg_per_day"))
    may_succeed = FollowUp.objects.filter(
        meets_goal, course_id=OuterRef("pk"), visit_on__lte=OuterRef("deadline")
    )
    return (
        Course.objects.filter(status=Status.ACTIVE, track=Track.PRACTICE)
        .filter(Q(deadline__lt=today) | Q(Exists(may_succeed)))
        .order_by("deadline", "pk")
    )


def refresh_deadlines(settings: RuleSettings) -> int:
    """Store each active course's deadline under the current settings; the number changed."""
    changed = 0
    active = Course.objects.filter(status=Status.ACTIVE, track=Track.PRACTICE)
    pairs = active.order_by().values_list("start_date", "deadline").distinct()
    for start, stored in list(pairs):
        expected = course_deadline(start, settings)
        if stored != expected:
            changed += (
                active.filter(start_date=start).exclude(deadline=expected).update(deadline=expected)
            )
    return changed


_BATCH = 500  # courses loaded at a time (SQLite's limit on query parameters)


@dataclass
class DailySummary:
    today: date
    deadlines_updated: int = 0
    evaluated: int = 0
    handovers_proposed: int = 0
    successes_recorded: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def run_daily_rules(*, today: date | None = None) -> DailySummary:
    """The daily job: apply the rule to every course it can act on (idempotent)."""
    today = today or timezone.localdate()
    settings = rule_settings()
    summary = DailySummary(today=today, deadlines_updated=refresh_deadlines(settings))
    ids = list(rule_candidates(today, settings).values_list("pk", flat=True))
    for start in range(0, len(ids), _BATCH):
        batch = Course.objects.filter(pk__in=ids[start : start + _BATCH]).select_related(
            "patient", "responsible_organisation", "clinic"
        )
        for course in batch.order_by("deadline", "pk"):
            summary.evaluated += 1
            result = apply_track_rule(course, today=today)
            if result.error:
                summary.errors.append(f"course {course.pk}: {result.error}")
            elif result.applied is CourseEvent.PROPOSE_HANDOVER:
                summary.handovers_proposed += 1
            elif result.applied is CourseEvent.RECORD_SUCCESS:
                summary.successes_recorded += 1
            else:
                summary.unchanged += 1
    return summary
