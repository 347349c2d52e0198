"""Courses as the domain core sees them: the one seam from the tracks models to `domain.tracks`.

Models in, domain objects out (`CourseFacts`, `CourseGoal`, `Peg`, the region's `RuleSettings`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_UP, Decimal

from django.conf import settings

from domain.scores import Peg
from domain.tracks import (
    CourseFacts,
    CourseGoal,
    CourseStatus,
    GoalKind,
    OmeqRecord,
    RuleSettings,
    SuccessDefinition,
)
from smertespor.tracks.models import Course

_OMEQ_PLACES = Decimal("0.0001")


def rule_settings() -> RuleSettings:
    """The region's rule (settings TRACKS_*, defaults from domain/data/track_rule.toml)."""
    return RuleSettings(
        period_months=settings.TRACKS_RULE_PERIOD_MONTHS,
        success_definition=SuccessDefinition(settings.TRACKS_SUCCESS_DEFINITION),
        approaching_days=settings.TRACKS_APPROACHING_DAYS,
    )


def stored_omeq(value: Decimal) -> Decimal:
    """OMEQ as stored: rounded up to 4 decimals, so a dose never looks lower than it is."""
    return value.quantize(_OMEQ_PLACES, rounding=ROUND_UP)


def course_goal(kind: str, target: Decimal | None) -> CourseGoal:
    if kind == GoalKind.TARGET:
        return CourseGoal(GoalKind.TARGET, target)
    return CourseGoal(GoalKind(kind), target)


def course_facts(course: Course, omeq_records: Iterable[tuple[date, Decimal]]) -> CourseFacts:
    """What the 3-month rule needs: the course and the OMEQ recorded at its visits."""
    return CourseFacts(
        start=course.start_date,
        goal=course_goal(course.goal_kind, course.goal_target_mg_per_day),
        baseline_mg_per_day=course.baseline_omeq_mg_per_day,
        omeq_records=tuple(OmeqRecord(on, mg) for on, mg in omeq_records),
        status=CourseStatus(course.status),
    )


def baseline_peg(course: Course) -> Peg:
    return Peg(*course.baseline_peg_items)
