"""The two tracks: the practice track's 3-month rule, and (re-exported) the course states.

    outcome = evaluate_course(facts, today, default_rule_settings())
    if outcome.event is not None:
        course.status = transition(course.status, outcome.event, by=Actor.SYSTEM)

The rule proposes, the GP decides. For a practice-track course in status `active` (and
nothing else):

- The deadline is the start plus `period_months` calendar months (default 3; 30 Nov 2027 ->
  29 Feb 2028, 31 Aug -> 30 Nov), which is 89 to 92 days; never a fixed number of days. A
  course kept in the practice track after a deadline (`review_from`) is reviewed again
  `review_months` calendar months after the day it was kept (default 1).
- Until the deadline the rule acts on nothing: within `approaching_days` (default 14) of it,
  inclusive, it says `flag_approaching`, earlier `nothing_due`. The deadline day itself is
  still in time; from the next day the course is judged as it stood on the deadline, on its
  records dated up to and including it (later records never count).
- Judging: no visit, or the next visit overdue at the deadline, is `no_follow_up`; a latest
  visit on substitution treatment is `substitution_treatment` (never success: its OMEQ leaves
  the substitution opioid out). Otherwise, when the latest visit meets the success definition
  (`stopped`: 0 mg/day; `target_reached`: at or below the agreed target, when the definition
  is `stopped_or_target`), the rule says `record_success`: the goal must hold at the latest
  visit, one low reading in between is not enough. Without success the course is compared
  with its taper plan (`check_progress`): `on_plan` when the latest OMEQ is at or below the
  plan's dose for that visit's date plus the tolerance, else `behind_plan`; `no_plan` when it
  has none.
- `on_plan` says `keep_in_practice_track` (no transition: the course stays active and is
  reviewed again). `behind_plan`, `no_plan`, `no_follow_up` and `substitution_treatment` say
  `propose_handover`: the course waits for the GP (`handover_review`), who confirms the
  handover or keeps the course. The rule never hands a patient to the clinic by itself.
- Any other status (awaiting the GP, handed over, returned, succeeded, ended, a hospital-track
  course) gives `not_applicable`: the rule never acts twice on a course.

The outcome depends only on the facts, `today` and the settings, so evaluating twice, or once
after a week of downtime, gives the same answer; applying its event moves the course out of
`active` (keeping it moves its deadline on), after which it has nothing more to do that day.
Dates are the Danish calendar date (Europe/Copenhagen); the caller passes `today`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
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
from domain.follow_up import next_follow_up_on
from domain.taper_schedule import PlannedStep, TaperSchedule, TaperScheduleError
from domain.track_settings import (
    RuleSettings,
    RuleSettingsError,
    SuccessDefinition,
    default_rule_settings,
)

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
    "PlannedStep",
    "Progress",
    "ProgressCheck",
    "RuleAction",
    "RuleOutcome",
    "RuleSettings",
    "RuleSettingsError",
    "SecondOpenCourseError",
    "Success",
    "SuccessDefinition",
    "SuccessReason",
    "TaperSchedule",
    "TaperScheduleError",
    "Track",
    "Transition",
    "TransitionError",
    "add_calendar_months",
    "allowed_events",
    "check_progress",
    "course_deadline",
    "default_rule_settings",
    "ensure_no_open_course",
    "evaluate_course",
    "find_transition",
    "initial_status",
    "is_open",
    "review_deadline",
    "transition",
]


class CourseFactsError(DomainError):
    code = "invalid_course_facts"


class SuccessReason(StrEnum):
    STOPPED = "stopped"
    TARGET_REACHED = "target_reached"


class GoalKind(StrEnum):
    STOP = "stop"
    TARGET = "target"


class RuleAction(StrEnum):
    RECORD_SUCCESS = "record_success"
    PROPOSE_HANDOVER = "propose_handover"
    KEEP_IN_PRACTICE_TRACK = "keep_in_practice_track"
    FLAG_APPROACHING = "flag_approaching"
    NOTHING_DUE = "nothing_due"
    NOT_APPLICABLE = "not_applicable"


class Progress(StrEnum):
    """How a course stands against its plan at a deadline (without success)."""

    ON_PLAN = "on_plan"
    BEHIND_PLAN = "behind_plan"
    NO_PLAN = "no_plan"
    NO_FOLLOW_UP = "no_follow_up"
    SUBSTITUTION_TREATMENT = "substitution_treatment"


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
    """The OMEQ (mg/day) recorded at a follow-up on `on`; whether the patient was then on
    substitution treatment (which OMEQ leaves out); the next visit agreed, if any."""

    on: date
    mg_per_day: Decimal
    on_substitution_treatment: bool = False
    next_visit_on: date | None = None

    def __post_init__(self) -> None:
        if not (_is_finite(self.mg_per_day) and self.mg_per_day >= 0):
            raise CourseFactsError(
                f"The OMEQ on {self.on.isoformat()} must be a number of 0 mg/day or more.",
                code="omeq_not_a_dose",
            )


@dataclass(frozen=True)
class CourseFacts:
    """What the rule needs to know about one course, as plain data: records in the order
    they were made (by date); the plan, when the patient has one; the planned follow-up
    interval (None: only an agreed next visit can be overdue); `review_from`, the day the
    course was last kept in the practice track after a deadline."""

    start: date
    goal: CourseGoal
    baseline_mg_per_day: Decimal
    omeq_records: tuple[OmeqRecord, ...] = ()
    status: CourseStatus = CourseStatus.ACTIVE
    plan: TaperSchedule | None = None
    follow_up_interval_days: int | None = None
    review_from: date | None = None

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
        if self.review_from is not None and self.review_from < self.start:
            raise CourseFactsError(
                "A course is kept in the practice track after it starts.",
                code="review_before_start",
            )

    def latest_on_or_before(self, day: date) -> OmeqRecord | None:
        """The latest record dated on or before `day` (the last made, on a tie)."""
        latest = None
        for record in self.omeq_records:
            if record.on <= day and (latest is None or record.on >= latest.on):
                latest = record
        return latest


@dataclass(frozen=True)
class Success:
    on: date
    reason: SuccessReason
    mg_per_day: Decimal


@dataclass(frozen=True)
class ProgressCheck:
    """How a course stood on `judged_on`, with the working: its latest visit by then, when the
    next visit was due, and what the plan expected and allowed for that visit's date."""

    progress: Progress
    judged_on: date
    latest: OmeqRecord | None = None
    follow_up_due_on: date | None = None
    expected_mg_per_day: Decimal | None = None
    allowed_mg_per_day: Decimal | None = None
    tolerance_percent: Decimal | None = None
    plan_reference: str = ""


@dataclass(frozen=True)
class RuleOutcome:
    """What the rule says today, with its working: deadline, days left, settings used, and at
    a passed deadline the success or the progress it judged."""

    action: RuleAction
    deadline: date
    days_left: int  # negative once the deadline has passed
    period_months: int
    success_definition: SuccessDefinition
    success: Success | None = None
    check: ProgressCheck | None = None
    review_from: date | None = None  # the deadline is a review after the course was kept

    @property
    def event(self) -> CourseEvent | None:
        """The transition to apply (by `Actor.SYSTEM`), or None when the rule changes no
        status (keeping a course moves its deadline on instead)."""
        return _EVENTS.get(self.action)

    @property
    def is_deadline_passed(self) -> bool:
        return self.days_left < 0


_EVENTS = {
    RuleAction.RECORD_SUCCESS: CourseEvent.RECORD_SUCCESS,
    RuleAction.PROPOSE_HANDOVER: CourseEvent.PROPOSE_HANDOVER,
}


def course_deadline(start: date, settings: RuleSettings) -> date:
    """The 3-month mark: the last day on which a practice-track course is still in time."""
    return add_calendar_months(start, settings.period_months)


def review_deadline(facts: CourseFacts, settings: RuleSettings) -> date:
    """The course's next deadline: the 3-month mark, or the review after it was kept."""
    if facts.review_from is None:
        return course_deadline(facts.start, settings)
    return add_calendar_months(facts.review_from, settings.review_months)


def evaluate_course(facts: CourseFacts, today: date, settings: RuleSettings) -> RuleOutcome:
    """The 3-month rule for one course on `today` (see the module docstring)."""
    late = [r for r in facts.omeq_records if r.on > today]
    if late:
        raise CourseFactsError(
            f"An OMEQ record ({late[0].on.isoformat()}) is dated after today "
            f"({today.isoformat()}).",
            code="omeq_record_in_future",
        )
    deadline = review_deadline(facts, settings)
    days_left = (deadline - today).days
    months = settings.period_months if facts.review_from is None else settings.review_months

    def outcome(
        action: RuleAction, success: Success | None = None, check: ProgressCheck | None = None
    ) -> RuleOutcome:
        return RuleOutcome(
            action,
            deadline,
            days_left,
            months,
            settings.success_definition,
            success,
            check,
            facts.review_from,
        )

    if facts.status is not CourseStatus.ACTIVE:
        return outcome(RuleAction.NOT_APPLICABLE)
    if days_left > settings.approaching_days:
        return outcome(RuleAction.NOTHING_DUE)
    if days_left >= 0:
        return outcome(RuleAction.FLAG_APPROACHING)
    check = check_progress(facts, deadline, settings)
    success = held_success(facts, check, settings.success_definition)
    if success is not None:
        return outcome(RuleAction.RECORD_SUCCESS, success, check)
    if check.progress is Progress.ON_PLAN and settings.on_plan_keeps_course:
        return outcome(RuleAction.KEEP_IN_PRACTICE_TRACK, check=check)
    return outcome(RuleAction.PROPOSE_HANDOVER, check=check)


def check_progress(facts: CourseFacts, judged_on: date, settings: RuleSettings) -> ProgressCheck:
    """How the course stands on `judged_on` (a deadline, or today for the course page), on its
    records dated up to then; see the module docstring."""
    latest = facts.latest_on_or_before(judged_on)
    if latest is None:
        return ProgressCheck(Progress.NO_FOLLOW_UP, judged_on)
    due = _next_visit_due(facts, latest)
    if due is not None and due < judged_on:
        return ProgressCheck(Progress.NO_FOLLOW_UP, judged_on, latest, due)
    if latest.on_substitution_treatment:
        return ProgressCheck(Progress.SUBSTITUTION_TREATMENT, judged_on, latest, due)
    plan = facts.plan
    if plan is None:
        return ProgressCheck(Progress.NO_PLAN, judged_on, latest, due)
    tolerance = settings.on_plan_tolerance_percent
    allowed = plan.allowed_on(latest.on, tolerance)
    return ProgressCheck(
        Progress.ON_PLAN if latest.mg_per_day <= allowed else Progress.BEHIND_PLAN,
        judged_on,
        latest,
        due,
        plan.expected_on(latest.on),
        allowed,
        tolerance,
        plan.reference,
    )


def held_success(
    facts: CourseFacts, check: ProgressCheck, definition: SuccessDefinition
) -> Success | None:
    """Success when the latest visit judged in `check` meets `definition` and the follow-up
    is kept: the goal held at the latest visit, not once. Substitution treatment never
    counts (its OMEQ leaves the substitution opioid out)."""
    latest = check.latest
    if latest is None or check.progress in (
        Progress.NO_FOLLOW_UP,
        Progress.SUBSTITUTION_TREATMENT,
    ):
        return None
    reason = _success_reason(latest.mg_per_day, facts.goal, definition)
    return Success(latest.on, reason, latest.mg_per_day) if reason is not None else None


def _next_visit_due(facts: CourseFacts, latest: OmeqRecord) -> date | None:
    interval = facts.follow_up_interval_days
    if interval is None:
        return latest.next_visit_on
    return next_follow_up_on(
        course_start=facts.start,
        interval_days=interval,
        last_visit_on=latest.on,
        last_next_visit_on=latest.next_visit_on,
    )


def _success_reason(
    mg_per_day: Decimal, goal: CourseGoal, definition: SuccessDefinition
) -> SuccessReason | None:
    if mg_per_day == 0:
        return SuccessReason.STOPPED
    target = goal.target_mg_per_day
    if definition is SuccessDefinition.STOPPED_OR_TARGET and target is not None:
        return SuccessReason.TARGET_REACHED if mg_per_day <= target else None
    return None


def _is_finite(value: object) -> TypeGuard[Decimal]:
    return isinstance(value, Decimal) and value.is_finite()
