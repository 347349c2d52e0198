"""Courses as the domain core sees them: the one seam from the tracks models to `domain.tracks`.

Models in, domain objects out (`CourseFacts`, `CourseGoal`, `OmeqRecord`, `TaperSchedule`,
`Peg`, the region's `RuleSettings`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_UP, Decimal

from django.conf import settings

from domain.scores import Peg
from domain.tracks import (
    CourseFacts,
    CourseGoal,
    CourseStatus,
    GoalKind,
    OmeqRecord,
    PlannedStep,
    RuleSettings,
    SuccessDefinition,
    TaperSchedule,
)
from smertespor.tapering.selectors import planned_doses
from smertespor.tracks.models import Course, FollowUp

_OMEQ_PLACES = Decimal("0.0001")
# What the rule reads of each visit, in the order the visits were made.
RECORD_FIELDS = ("visit_on", "omeq_mg_per_day", "on_substitution_treatment", "next_visit_on")


def rule_settings() -> RuleSettings:
    """The region's rule from the TRACKS_* settings (checked at start-up; defaults from
    domain/data/track_rule.toml)."""
    return RuleSettings(
        period_months=settings.TRACKS_RULE_PERIOD_MONTHS,
        success_definition=SuccessDefinition(settings.TRACKS_SUCCESS_DEFINITION),
        approaching_days=settings.TRACKS_APPROACHING_DAYS,
        review_months=settings.TRACKS_REVIEW_MONTHS,
        on_plan_tolerance_percent=Decimal(settings.TRACKS_ON_PLAN_TOLERANCE_PERCENT),
        on_plan_keeps_course=settings.TRACKS_ON_PLAN_KEEPS_COURSE,
    )


def stored_omeq(value: Decimal) -> Decimal:
    """OMEQ as stored: rounded up to 4 decimals, so a dose never looks lower than it is."""
    return value.quantize(_OMEQ_PLACES, rounding=ROUND_UP)


def course_goal(kind: str, target: Decimal | None) -> CourseGoal:
    if kind == GoalKind.TARGET:
        return CourseGoal(GoalKind.TARGET, target)
    return CourseGoal(GoalKind(kind), target)


def omeq_records(course: Course) -> tuple[OmeqRecord, ...]:
    """The OMEQ recorded at the course's visits, in the order they were made."""
    rows = FollowUp.objects.filter(course=course).order_by("visit_on", "pk")
    return tuple(
        OmeqRecord(on, mg, on_substitution_treatment=substitution, next_visit_on=next_on)
        for on, mg, substitution, next_on in rows.values_list(*RECORD_FIELDS)
    )


def taper_schedule(course: Course) -> TaperSchedule | None:
    """The doses the patient's taper plan expects (tapering's `planned_doses`), if any."""
    doses = planned_doses(course.patient, since=course.start_date)
    if doses is None:
        return None
    return TaperSchedule(
        doses.start_mg_per_day,
        tuple(PlannedStep(on, mg) for on, mg in doses.steps),
        held_from=doses.held_from,
        reference=doses.label,
    )


def course_facts(
    course: Course,
    records: Iterable[OmeqRecord] | None = None,
    plan: TaperSchedule | None = None,
) -> CourseFacts:
    """What the 3-month rule needs: the course, the OMEQ at its visits (read here unless
    given) and the patient's taper plan (None: no plan)."""
    return CourseFacts(
        start=course.start_date,
        goal=course_goal(course.goal_kind, course.goal_target_mg_per_day),
        baseline_mg_per_day=course.baseline_omeq_mg_per_day,
        omeq_records=tuple(records) if records is not None else omeq_records(course),
        status=CourseStatus(course.status),
        plan=plan,
        follow_up_interval_days=course.follow_up_interval_days,
        review_from=course.review_from,
    )


def baseline_peg(course: Course) -> Peg:
    return Peg(*course.baseline_peg_items)
