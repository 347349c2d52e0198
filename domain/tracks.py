"""The two tracks: the practice track's 3-month rule, and (re-exported) the course states.

    outcome = evaluate_course(facts, today, default_rule_settings())
    if outcome.event is not None:
        course.status = transition(course.status, outcome.event, by=Actor.SYSTEM)

The rule, for a practice-track course in status `active` (and nothing else):

- The deadline is the start plus `period_months` calendar months (default 3; 30 Nov 2027 ->
  29 Feb 2028, 31 Aug -> 30 Nov), which is 89 to 92 days; never a fixed number of days.
- Success is judged on the course's OMEQ records dated from the start up to and including the
  deadline: the first record that meets the success definition gives `record_success` with its
  date and reason (`stopped`: 0 mg/day; `target_reached`: at or below the agreed target, when
  the definition is `stopped_or_target`). Records after the deadline never count.
- Without success, the course is due on its deadline day (`days_left == 0`, still
  `flag_approaching`) and from the next day the rule says `propose_handover`.
- Within `approaching_days` (default 14) of the deadline, inclusive, it says
  `flag_approaching`; earlier, `nothing_due`.
- Any other status (handed over, returned, succeeded, ended, a hospital-track course) gives
  `not_applicable`: the rule never acts twice on a course.

The outcome depends only on the facts, `today` and the settings, so evaluating twice, or once
after a week of downtime, gives the same answer; applying its event moves the course out of
`active`, after which it gives `not_applicable`. A later `today` never un-expires a deadline.
Dates are the Danish calendar date (Europe/Copenhagen); the caller passes `today`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TypeGuard

from domain.calendar_months import CalendarError, add_calendar_months
from domain.course_states import (
    CLOSED_STATUSES,
    HOSPITAL_STATUSES,
    OPEN_STATUSES,
    PRACTICE_STATUSES,
    TRANSITIONS,
    Actor,
    CourseEvent,
    CourseStatus,
    SecondOpenCourseError,
    Track,
    Transition,
    TransitionError,
    allowed_events,
    ensure_no_open_course,
    find_transition,
    initial_status,
    is_open,
    transition,
)
from domain.errors import DomainError

__all__ = [
    "CLOSED_STATUSES",
    "HOSPITAL_STATUSES",
    "OPEN_STATUSES",
    "PRACTICE_STATUSES",
    "TRANSITIONS",
    "Actor",
    "CalendarError",
    "CourseEvent",
    "CourseFacts",
    "CourseFactsError",
    "CourseGoal",
    "CourseStatus",
    "GoalKind",
    "OmeqRecord",
    "RuleAction",
    "RuleOutcome",
    "RuleSettings",
    "RuleSettingsError",
    "SecondOpenCourseError",
    "Success",
    "SuccessDefinition",
    "SuccessReason",
    "Track",
    "Transition",
    "TransitionError",
    "add_calendar_months",
    "allowed_events",
    "course_deadline",
    "default_rule_settings",
    "ensure_no_open_course",
    "evaluate_course",
    "find_transition",
    "first_success",
    "initial_status",
    "is_open",
    "transition",
]

_MAX_PERIOD_MONTHS = 24  # a guard against typing days for months, not a clinical limit


class RuleSettingsError(DomainError):
    code = "invalid_rule_settings"


class CourseFactsError(DomainError):
    code = "invalid_course_facts"


class SuccessDefinition(StrEnum):
    STOPPED_OR_TARGET = "stopped_or_target"
    STOPPED_ONLY = "stopped_only"


class SuccessReason(StrEnum):
    STOPPED = "stopped"
    TARGET_REACHED = "target_reached"


class GoalKind(StrEnum):
    STOP = "stop"
    TARGET = "target"


class RuleAction(StrEnum):
    RECORD_SUCCESS = "record_success"
    PROPOSE_HANDOVER = "propose_handover"
    FLAG_APPROACHING = "flag_approaching"
    NOTHING_DUE = "nothing_due"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class RuleSettings:
    """A region's rule: period in calendar months, what counts as success, worklist window."""

    period_months: int
    success_definition: SuccessDefinition
    approaching_days: int

    def __post_init__(self) -> None:
        months, days = self.period_months, self.approaching_days
        if not _is_int(months) or not 1 <= months <= _MAX_PERIOD_MONTHS:
            raise RuleSettingsError(
                f"The period must be 1 to {_MAX_PERIOD_MONTHS} whole months, not {months!r}."
            )
        if not _is_int(days) or not 0 <= days <= 366:
            raise RuleSettingsError(f"The worklist window must be 0 to 366 days, not {days!r}.")
        if not isinstance(self.success_definition, SuccessDefinition):
            raise RuleSettingsError(f"Unknown success definition {self.success_definition!r}.")


@cache
def default_rule_settings() -> RuleSettings:
    """The seed's defaults from `domain/data/track_rule.toml` (3 months, stopped or target, 14)."""
    text = (resources.files("domain") / "data" / "track_rule.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    try:
        definition = SuccessDefinition(data["rule"]["success_definition"])
    except ValueError as error:
        raise RuleSettingsError(str(error)) from error
    return RuleSettings(
        period_months=data["rule"]["period_months"],
        success_definition=definition,
        approaching_days=data["worklist"]["approaching_days"],
    )


@dataclass(frozen=True)
class CourseGoal:
    """The goal agreed with the patient: stop, or a target OMEQ in mg/day above 0."""

    kind: GoalKind
    target_mg_per_day: Decimal | None = None

    @classmethod
    def stop(cls) -> CourseGoal:
        return cls(GoalKind.STOP)

    @classmethod
    def target(cls, mg_per_day: Decimal) -> CourseGoal:
        return cls(GoalKind.TARGET, mg_per_day)

    def __post_init__(self) -> None:
        target = self.target_mg_per_day
        if not isinstance(self.kind, GoalKind):
            raise CourseFactsError(f"Unknown goal kind {self.kind!r}.", code="unknown_goal")
        if self.kind is GoalKind.STOP and target is not None:
            raise CourseFactsError("A stop goal has no target dose.", code="stop_has_no_target")
        if self.kind is GoalKind.TARGET and not (_is_finite(target) and target > 0):
            raise CourseFactsError(
                "A target goal needs a target dose above 0 mg/day (to stop, choose stop).",
                code="target_not_above_zero",
            )


@dataclass(frozen=True)
class OmeqRecord:
    """The OMEQ (mg/day) recorded at a follow-up on `on`."""

    on: date
    mg_per_day: Decimal

    def __post_init__(self) -> None:
        if not (_is_finite(self.mg_per_day) and self.mg_per_day >= 0):
            raise CourseFactsError(
                f"The OMEQ on {self.on.isoformat()} must be a number of 0 mg/day or more.",
                code="omeq_not_a_dose",
            )


@dataclass(frozen=True)
class CourseFacts:
    """What the rule needs to know about one course, as plain data."""

    start: date
    goal: CourseGoal
    baseline_mg_per_day: Decimal
    omeq_records: tuple[OmeqRecord, ...] = ()
    status: CourseStatus = CourseStatus.ACTIVE

    def __post_init__(self) -> None:
        if not isinstance(self.status, CourseStatus):
            raise CourseFactsError(f"Unknown course status {self.status!r}.", code="unknown_status")
        baseline = self.baseline_mg_per_day
        if not (_is_finite(baseline) and baseline > 0):
            raise CourseFactsError(
                "The baseline OMEQ must be above 0 mg/day.", code="baseline_not_above_zero"
            )
        target = self.goal.target_mg_per_day
        if target is not None and target >= baseline:
            raise CourseFactsError(
                f"The target ({target} mg/day) must be below the baseline ({baseline} mg/day).",
                code="target_not_below_baseline",
            )
        early = [r for r in self.omeq_records if r.on < self.start]
        if early:
            raise CourseFactsError(
                f"An OMEQ record ({early[0].on.isoformat()}) is dated before the course start "
                f"({self.start.isoformat()}).",
                code="omeq_record_before_start",
            )


@dataclass(frozen=True)
class Success:
    on: date
    reason: SuccessReason
    mg_per_day: Decimal


@dataclass(frozen=True)
class RuleOutcome:
    """What the rule says today, with its working: deadline, days left, settings used."""

    action: RuleAction
    deadline: date
    days_left: int  # negative once the deadline has passed
    period_months: int
    success_definition: SuccessDefinition
    success: Success | None = None

    @property
    def event(self) -> CourseEvent | None:
        """The transition to apply (by `Actor.SYSTEM`), or None when the rule changes nothing."""
        return _EVENTS.get(self.action)

    @property
    def is_deadline_passed(self) -> bool:
        return self.days_left < 0


_EVENTS = {
    RuleAction.RECORD_SUCCESS: CourseEvent.RECORD_SUCCESS,
    RuleAction.PROPOSE_HANDOVER: CourseEvent.PROPOSE_HANDOVER,
}


def course_deadline(start: date, settings: RuleSettings) -> date:
    """The last day on which a practice-track course can succeed before handover."""
    return add_calendar_months(start, settings.period_months)


def evaluate_course(facts: CourseFacts, today: date, settings: RuleSettings) -> RuleOutcome:
    """The 3-month rule for one course on `today` (see the module docstring)."""
    late = [r for r in facts.omeq_records if r.on > today]
    if late:
        raise CourseFactsError(
            f"An OMEQ record ({late[0].on.isoformat()}) is dated after today "
            f"({today.isoformat()}).",
            code="omeq_record_in_future",
        )
    deadline = course_deadline(facts.start, settings)
    days_left = (deadline - today).days

    def outcome(action: RuleAction, success: Success | None = None) -> RuleOutcome:
        return RuleOutcome(
            action,
            deadline,
            days_left,
            settings.period_months,
            settings.success_definition,
            success,
        )

    if facts.status is not CourseStatus.ACTIVE:
        return outcome(RuleAction.NOT_APPLICABLE)
    success = first_success(facts, deadline, settings.success_definition)
    if success is not None:
        return outcome(RuleAction.RECORD_SUCCESS, success)
    if days_left < 0:
        return outcome(RuleAction.PROPOSE_HANDOVER)
    if days_left <= settings.approaching_days:
        return outcome(RuleAction.FLAG_APPROACHING)
    return outcome(RuleAction.NOTHING_DUE)


def first_success(
    facts: CourseFacts, deadline: date, definition: SuccessDefinition
) -> Success | None:
    """The earliest record on or before `deadline` that meets `definition`, if any."""
    in_time = sorted((r for r in facts.omeq_records if r.on <= deadline), key=lambda r: r.on)
    for record in in_time:
        reason = _success_reason(record.mg_per_day, facts.goal, definition)
        if reason is not None:
            return Success(record.on, reason, record.mg_per_day)
    return None


def _success_reason(
    mg_per_day: Decimal, goal: CourseGoal, definition: SuccessDefinition
) -> SuccessReason | None:
    if mg_per_day == 0:
        return SuccessReason.STOPPED
    target = goal.target_mg_per_day
    if definition is SuccessDefinition.STOPPED_OR_TARGET and target is not None:
        return SuccessReason.TARGET_REACHED if mg_per_day <= target else None
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_finite(value: object) -> TypeGuard[Decimal]:
    return isinstance(value, Decimal) and value.is_finite()
