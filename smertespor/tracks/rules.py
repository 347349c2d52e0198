"""The 3-month rule applied to stored courses: the daily job and the services that change a
course call it; a page or an API read never does (reading writes no clinical state).

`apply_track_rule(course)` evaluates the domain rule (`domain.tracks.evaluate_course`) for one
course on the Danish calendar date and, when it says so, acts as the system: records the
success, keeps the course in the practice track (on plan: it is reviewed again a period
later), or proposes a handover to the GP (`tracks.proposals`). It never hands a patient to the
clinic: only the GP's confirmation does. It locks the course and evaluates again inside the
transaction; the status change is a conditional UPDATE and each deadline is judged once (a
unique review per deadline), so a course changed by two callers at once changes once.

`run_daily_rules(today)` finds the courses whose deadline has passed with one indexed query
and calls `apply_track_rule` on each; the other courses are left alone. Running it twice, or
once after a week of downtime, gives the same result as running it every day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from domain.errors import DomainError
from domain.tracks import (
    ProgressCheck,
    RuleAction,
    RuleOutcome,
    RuleSettings,
    add_calendar_months,
    check_progress,
    course_deadline,
    evaluate_course,
)
from smertespor.tracks.facts import course_facts, rule_settings, taper_schedule
from smertespor.tracks.labels import domain_message
from smertespor.tracks.models import Course, Status, Track
from smertespor.tracks.proposals import keep_on_plan, propose_handover, record_rule_success
from smertespor.tracks.transitions import CourseConflict

# A course kept on plan month after month is judged once per passed review; this bounds a
# catch-up after a long downtime (ten years of monthly reviews), it is not a clinical limit.
_MAX_REVIEWS_AT_ONCE = 120
_ACTS = (
    RuleAction.RECORD_SUCCESS,
    RuleAction.PROPOSE_HANDOVER,
    RuleAction.KEEP_IN_PRACTICE_TRACK,
)


@dataclass(frozen=True)
class RuleResult:
    """What the rule said about a course today, and what this call did (the last action
    applied, and how many deadlines it kept the course on plan)."""

    course: Course
    outcome: RuleOutcome | None
    applied: RuleAction | None = None
    kept: int = 0
    error: str = ""


def evaluate(course: Course, today: date, settings: RuleSettings | None = None) -> RuleOutcome:
    """What the rule says about `course` on `today`, without changing anything."""
    facts = course_facts(course, plan=taper_schedule(course))
    return evaluate_course(facts, today, settings or rule_settings())


@dataclass(frozen=True)
class RuleStanding:
    """The rule as a page shows it, read only: what it says today (`outcome`; the daily job
    acts on it) and how the open course stands against its plan today (`now`)."""

    outcome: RuleOutcome | None
    now: ProgressCheck | None = None
    error: str = ""


def rule_standing(course: Course, *, today: date | None = None) -> RuleStanding:
    """What the rule says about `course` today and how it stands, changing nothing."""
    if course.track != Track.PRACTICE:
        return RuleStanding(None)
    today = today or timezone.localdate()
    settings = rule_settings()
    try:
        facts = course_facts(course, plan=taper_schedule(course))
        outcome = evaluate_course(facts, today, settings)
        now = check_progress(facts, today, settings) if course.is_open else None
    except DomainError as error:
        return RuleStanding(None, error=domain_message(error))
    return RuleStanding(outcome, now)


def apply_track_rule(course: Course, *, today: date | None = None) -> RuleResult:
    """Evaluate the rule for `course` and act on it as the system (see the module)."""
    if course.track != Track.PRACTICE:
        return RuleResult(course, None)
    today = today or timezone.localdate()
    settings = rule_settings()
    kept, applied = 0, None
    try:
        outcome = evaluate(course, today, settings)
        _store_deadline(course, outcome)
        while outcome.action in _ACTS and kept < _MAX_REVIEWS_AT_ONCE:
            with transaction.atomic():
                locked = (
                    Course.objects.select_for_update()
                    .select_related("patient", "responsible_organisation", "clinic")
                    .get(pk=course.pk)
                )
                outcome = evaluate(locked, today, settings)
                if outcome.action not in _ACTS:
                    break
                _act(locked, outcome)
            applied = outcome.action
            if outcome.action is not RuleAction.KEEP_IN_PRACTICE_TRACK:
                break
            kept += 1
            course.refresh_from_db()
            outcome = evaluate(course, today, settings)
    except (CourseConflict, IntegrityError):
        # Another caller changed the course (or judged this deadline) a moment ago.
        course.refresh_from_db()
        return RuleResult(course, None, applied, kept)
    except DomainError as error:
        return RuleResult(course, None, applied, kept, error=domain_message(error))
    course.refresh_from_db()
    return RuleResult(course, outcome, applied, kept)


def _store_deadline(course: Course, outcome: RuleOutcome) -> None:
    """Keep the stored deadline (for the worklists) in step with the settings."""
    if course.status == Status.ACTIVE and course.deadline != outcome.deadline:
        Course.objects.filter(pk=course.pk, status=Status.ACTIVE).update(deadline=outcome.deadline)
        course.deadline = outcome.deadline


def _act(course: Course, outcome: RuleOutcome) -> None:
    if outcome.action is RuleAction.RECORD_SUCCESS:
        record_rule_success(course=course, outcome=outcome)
    elif outcome.action is RuleAction.KEEP_IN_PRACTICE_TRACK:
        keep_on_plan(course=course, outcome=outcome)
    else:
        propose_handover(course=course, outcome=outcome)


def rule_candidates(today: date) -> QuerySet[Course]:
    """Active practice-track courses whose stored deadline has passed: the only ones the rule
    acts on (`refresh_deadlines` keeps the stored deadlines right first)."""
    return Course.objects.filter(
        status=Status.ACTIVE, track=Track.PRACTICE, deadline__lt=today
    ).order_by("deadline", "pk")


def refresh_deadlines(settings: RuleSettings) -> int:
    """Store each active course's deadline under the current settings; the number changed."""
    changed = 0
    active = Course.objects.filter(status=Status.ACTIVE, track=Track.PRACTICE)
    groups = active.order_by().values_list("start_date", "review_from", "deadline").distinct()
    for start, review_from, stored in list(groups):
        expected = (
            course_deadline(start, settings)
            if review_from is None
            else add_calendar_months(review_from, settings.review_months)
        )
        if stored != expected:
            changed += (
                active.filter(start_date=start, review_from=review_from)
                .exclude(deadline=expected)
                .update(deadline=expected)
            )
    return changed


_BATCH = 500  # courses loaded at a time (SQLite's limit on query parameters)


@dataclass
class DailySummary:
    today: date
    deadlines_updated: int = 0
    evaluated: int = 0
    proposals_made: int = 0
    successes_recorded: int = 0
    kept_on_plan: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def run_daily_rules(*, today: date | None = None) -> DailySummary:
    """The daily job: apply the rule to every course it can act on (idempotent). `today`
    may be a past day (to simulate); a future one is refused: the rule must not judge a
    deadline early."""
    real_today = timezone.localdate()
    today = today or real_today
    if today > real_today:
        raise ValueError(
            f"{today.isoformat()} is in the future (today is {real_today.isoformat()})."
        )
    settings = rule_settings()
    summary = DailySummary(today=today, deadlines_updated=refresh_deadlines(settings))
    ids = list(rule_candidates(today).values_list("pk", flat=True))
    for start in range(0, len(ids), _BATCH):
        batch = Course.objects.filter(pk__in=ids[start : start + _BATCH]).select_related(
            "patient", "responsible_organisation", "clinic"
        )
        for course in batch.order_by("deadline", "pk"):
            summary.evaluated += 1
            result = apply_track_rule(course, today=today)
            summary.kept_on_plan += result.kept
            if result.error:
                summary.errors.append(f"course {course.pk}: {result.error}")
            elif result.applied is RuleAction.PROPOSE_HANDOVER:
                summary.proposals_made += 1
            elif result.applied is RuleAction.RECORD_SUCCESS:
                summary.successes_recorded += 1
            elif result.applied is None:
                summary.unchanged += 1
    return summary
