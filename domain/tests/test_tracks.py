"""The 3-month rule at its edges: days 89-92, month ends, 29 February, success, idempotence."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.calendar_months import CalendarError, add_calendar_months
from domain.tracks import (
    Actor,
    CourseEvent,
    CourseFacts,
    CourseFactsError,
    CourseGoal,
    CourseStatus,
    GoalKind,
    OmeqRecord,
    RuleAction,
    RuleOutcome,
    RuleSettings,
    RuleSettingsError,
    Success,
    SuccessDefinition,
    SuccessReason,
    course_deadline,
    default_rule_settings,
    evaluate_course,
    transition,
)

D = Decimal
SETTINGS = default_rule_settings()


def course(
    start: date,
    *records: tuple[date, str],
    goal: CourseGoal | None = None,
    status: CourseStatus = CourseStatus.ACTIVE,
) -> CourseFacts:
    return CourseFacts(
        start=start,
        goal=goal or CourseGoal.stop(),
        baseline_mg_per_day=D(90),
        omeq_records=tuple(OmeqRecord(on, D(mg)) for on, mg in records),
        status=status,
    )


def on_day(facts: CourseFacts, day: int) -> RuleOutcome:
    return evaluate_course(facts, facts.start + timedelta(days=day), SETTINGS)


# --- settings ---------------------------------------------------------------------------------


def test_the_defaults_are_the_seeds_3_calendar_months_stopped_or_target_and_14_days() -> None:
    assert RuleSettings(3, SuccessDefinition.STOPPED_OR_TARGET, 14) == SETTINGS


@pytest.mark.parametrize(
    ("months", "days"), [(0, 14), (25, 14), (3, -1), (3, 400), (True, 14), (3, False)]
)
def test_settings_refuse_out_of_range_values(months: int, days: int) -> None:
    with pytest.raises(RuleSettingsError) as raised:
        RuleSettings(months, SuccessDefinition.STOPPED_OR_TARGET, days)
    assert raised.value.code == "invalid_rule_settings"


# --- the deadline: calendar months, not days --------------------------------------------------


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        pytest.param(date(2027, 1, 31), date(2027, 4, 30), id="31-jan-to-30-apr"),
        pytest.param(date(2026, 11, 30), date(2027, 2, 28), id="30-nov-to-28-feb"),
        pytest.param(date(2027, 11, 30), date(2028, 2, 29), id="30-nov-to-29-feb-leap"),
        pytest.param(date(2027, 8, 31), date(2027, 11, 30), id="31-aug-to-30-nov"),
        pytest.param(date(2027, 12, 31), date(2028, 3, 31), id="31-dec-to-31-mar"),
        pytest.param(date(2028, 2, 29), date(2028, 5, 29), id="29-feb-start"),
        pytest.param(date(2027, 10, 15), date(2028, 1, 15), id="over-new-year"),
    ],
)
def test_the_deadline_is_three_calendar_months_later_clamped_to_month_end(
    start: date, deadline: date
) -> None:
    assert course_deadline(start, SETTINGS) == deadline


def test_a_course_spanning_29_february_gets_one_day_more_than_in_a_common_year() -> None:
    leap = course_deadline(date(2027, 12, 15), SETTINGS) - date(2027, 12, 15)
    common = course_deadline(date(2026, 12, 15), SETTINGS) - date(2026, 12, 15)
    assert (leap.days, common.days) == (91, 90)


def test_29_february_plus_a_year_is_28_february() -> None:
    assert add_calendar_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_calendar_months(date(2028, 2, 29), 48) == date(2032, 2, 29)


def test_months_are_added_at_once_not_one_at_a_time() -> None:
    one_at_a_time = add_calendar_months(add_calendar_months(date(2027, 1, 31), 1), 1)
    assert one_at_a_time == date(2027, 3, 28)
    assert add_calendar_months(date(2027, 1, 31), 2) == date(2027, 3, 31)


def test_months_can_be_subtracted_and_the_calendar_edge_is_refused() -> None:
    assert add_calendar_months(date(2027, 5, 31), -3) == date(2027, 2, 28)
    with pytest.raises(CalendarError):
        add_calendar_months(date(9999, 11, 1), 3)


# --- day 89 vs day 92 -------------------------------------------------------------------------

SHORT = course(date(2027, 2, 1))  # 1 Feb -> 1 May 2027: 89 days
LONG = course(date(2027, 7, 1))  # 1 Jul -> 1 Oct 2027: 92 days


def test_the_short_and_long_courses_are_89_and_92_days() -> None:
    assert on_day(SHORT, 0).days_left == 89
    assert on_day(LONG, 0).days_left == 92


@pytest.mark.parametrize(
    ("day", "action", "days_left"),
    [
        (74, RuleAction.NOTHING_DUE, 15),
        (75, RuleAction.FLAG_APPROACHING, 14),
        (89, RuleAction.FLAG_APPROACHING, 0),
        (90, RuleAction.PROPOSE_HANDOVER, -1),
        (92, RuleAction.PROPOSE_HANDOVER, -3),
    ],
)
def test_an_89_day_course_is_due_on_day_89_and_handed_over_from_day_90(
    day: int, action: RuleAction, days_left: int
) -> None:
    outcome = on_day(SHORT, day)
    assert (outcome.action, outcome.days_left) == (action, days_left)


@pytest.mark.parametrize(
    ("day", "action", "days_left"),
    [
        (77, RuleAction.NOTHING_DUE, 15),
        (78, RuleAction.FLAG_APPROACHING, 14),
        (89, RuleAction.FLAG_APPROACHING, 3),
        (90, RuleAction.FLAG_APPROACHING, 2),
        (92, RuleAction.FLAG_APPROACHING, 0),
        (93, RuleAction.PROPOSE_HANDOVER, -1),
    ],
)
def test_a_92_day_course_is_not_handed_over_until_day_93(
    day: int, action: RuleAction, days_left: int
) -> None:
    outcome = on_day(LONG, day)
    assert (outcome.action, outcome.days_left) == (action, days_left)
    assert outcome.deadline == date(2027, 10, 1)


def test_the_outcome_shows_its_working() -> None:
    outcome = on_day(LONG, 93)
    assert outcome == RuleOutcome(
        RuleAction.PROPOSE_HANDOVER,
        date(2027, 10, 1),
        -1,
        3,
        SuccessDefinition.STOPPED_OR_TARGET,
    )
    assert outcome.event is CourseEvent.PROPOSE_HANDOVER
    assert outcome.is_deadline_passed


def test_a_31_january_course_is_handed_over_on_1_may() -> None:
    facts = course(date(2027, 1, 31))
    assert evaluate_course(facts, date(2027, 4, 30), SETTINGS).action is RuleAction.FLAG_APPROACHING
    assert evaluate_course(facts, date(2027, 5, 1), SETTINGS).action is RuleAction.PROPOSE_HANDOVER


def test_a_30_november_course_is_handed_over_on_1_march_in_a_leap_year() -> None:
    facts = course(date(2027, 11, 30))
    assert evaluate_course(facts, date(2028, 2, 28), SETTINGS).days_left == 1
    assert evaluate_course(facts, date(2028, 2, 29), SETTINGS).days_left == 0
    assert evaluate_course(facts, date(2028, 3, 1), SETTINGS).action is RuleAction.PROPOSE_HANDOVER


def test_a_29_february_course_is_handed_over_on_30_may() -> None:
    facts = course(date(2028, 2, 29))
    assert evaluate_course(facts, date(2028, 5, 29), SETTINGS).days_left == 0
    assert evaluate_course(facts, date(2028, 5, 30), SETTINGS).action is RuleAction.PROPOSE_HANDOVER


def test_a_longer_period_and_a_zero_day_window_are_settings() -> None:
    settings = RuleSettings(6, SuccessDefinition.STOPPED_OR_TARGET, 0)
    facts = course(date(2027, 8, 31))
    assert evaluate_course(facts, date(2028, 2, 28), settings).action is RuleAction.NOTHING_DUE
    assert evaluate_course(facts, date(2028, 2, 29), settings).action is (
        RuleAction.FLAG_APPROACHING
    )
    assert evaluate_course(facts, date(2028, 3, 1), settings).action is (
        RuleAction.PROPOSE_HANDOVER
    )


def test_a_course_starting_in_the_future_has_nothing_due() -> None:
    outcome = evaluate_course(course(date(2027, 7, 1)), date(2027, 6, 1), SETTINGS)
    assert (outcome.action, outcome.days_left) == (RuleAction.NOTHING_DUE, 122)


# --- success ----------------------------------------------------------------------------------


def test_a_course_that_stopped_in_time_succeeded_on_the_day_it_stopped() -> None:
    facts = course(LONG.start, (date(2027, 8, 1), "45"), (date(2027, 9, 20), "0"))
    outcome = evaluate_course(facts, date(2027, 9, 21), SETTINGS)
    assert outcome.action is RuleAction.RECORD_SUCCESS
    assert outcome.success == Success(date(2027, 9, 20), SuccessReason.STOPPED, D(0))
    assert outcome.event is CourseEvent.RECORD_SUCCESS


def test_stopping_on_the_deadline_day_is_in_time_but_the_next_day_is_not() -> None:
    on_deadline = course(LONG.start, (date(2027, 10, 1), "0"))
    late = course(LONG.start, (date(2027, 10, 2), "0"))
    assert evaluate_course(on_deadline, date(2027, 10, 5), SETTINGS).action is (
        RuleAction.RECORD_SUCCESS
    )
    assert evaluate_course(late, date(2027, 10, 5), SETTINGS).action is (
        RuleAction.PROPOSE_HANDOVER
    )


def test_reaching_the_agreed_target_is_success_by_default() -> None:
    facts = course(LONG.start, (date(2027, 9, 1), "30"), goal=CourseGoal.target(D(30)))
    outcome = evaluate_course(facts, date(2027, 9, 1), SETTINGS)
    assert outcome.success == Success(date(2027, 9, 1), SuccessReason.TARGET_REACHED, D(30))


def test_just_above_the_target_is_not_success() -> None:
    facts = course(LONG.start, (date(2027, 9, 1), "30.5"), goal=CourseGoal.target(D(30)))
    assert evaluate_course(facts, date(2027, 9, 1), SETTINGS).success is None


def test_with_the_stopped_only_definition_a_reached_target_is_not_success() -> None:
    settings = replace(SETTINGS, success_definition=SuccessDefinition.STOPPED_ONLY)
    facts = course(LONG.start, (date(2027, 9, 1), "30"), goal=CourseGoal.target(D(30)))
    assert evaluate_course(facts, date(2027, 10, 2), settings).action is (
        RuleAction.PROPOSE_HANDOVER
    )
    stopped = course(LONG.start, (date(2027, 9, 1), "0"), goal=CourseGoal.target(D(30)))
    assert evaluate_course(stopped, date(2027, 10, 2), settings).action is (
        RuleAction.RECORD_SUCCESS
    )


def test_the_first_success_counts_even_if_the_dose_rose_again() -> None:
    facts = course(LONG.start, (date(2027, 8, 1), "0"), (date(2027, 9, 1), "20"))
    outcome = evaluate_course(facts, date(2027, 9, 2), SETTINGS)
    assert outcome.success == Success(date(2027, 8, 1), SuccessReason.STOPPED, D(0))


# --- courses the rule leaves alone ------------------------------------------------------------


@pytest.mark.parametrize("status", [s for s in CourseStatus if s is not CourseStatus.ACTIVE])
def test_a_course_not_active_in_the_practice_track_gets_nothing_new(
    status: CourseStatus,
) -> None:
    facts = course(LONG.start, (date(2027, 8, 1), "0"), status=status)
    outcome = evaluate_course(facts, date(2027, 12, 1), SETTINGS)
    assert outcome.action is RuleAction.NOT_APPLICABLE
    assert outcome.event is None
    assert outcome.deadline == date(2027, 10, 1)


# --- idempotence and downtime -----------------------------------------------------------------


def run_job(
    facts: CourseFacts, days: list[date]
) -> tuple[CourseFacts, list[tuple[date, CourseEvent]]]:
    """Run the rule on each of `days`, applying its event as the daily job does."""
    applied = []
    for today in days:
        seen = replace(facts, omeq_records=tuple(r for r in facts.omeq_records if r.on <= today))
        event = evaluate_course(seen, today, SETTINGS).event
        if event is not None:
            facts = replace(facts, status=transition(facts.status, event, by=Actor.SYSTEM))
            applied.append((today, event))
    return facts, applied


def every_day(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def test_evaluating_twice_gives_the_same_outcome() -> None:
    assert on_day(LONG, 93) == on_day(LONG, 93)


def test_after_the_handover_is_applied_a_second_run_the_same_day_does_nothing() -> None:
    final, applied = run_job(LONG, [date(2027, 10, 2), date(2027, 10, 2)])
    assert applied == [(date(2027, 10, 2), CourseEvent.PROPOSE_HANDOVER)]
    assert final.status is CourseStatus.HANDOVER_PROPOSED


def test_running_every_day_proposes_the_handover_once_the_day_after_the_deadline() -> None:
    final, applied = run_job(LONG, every_day(LONG.start, date(2027, 12, 31)))
    assert applied == [(date(2027, 10, 2), CourseEvent.PROPOSE_HANDOVER)]
    assert final.status is CourseStatus.HANDOVER_PROPOSED


def test_a_week_without_the_job_still_gives_one_proposal() -> None:
    days = [*every_day(LONG.start, date(2027, 9, 28)), date(2027, 10, 8), date(2027, 10, 9)]
    final, applied = run_job(LONG, days)
    assert applied == [(date(2027, 10, 8), CourseEvent.PROPOSE_HANDOVER)]
    assert final.status is CourseStatus.HANDOVER_PROPOSED


def test_a_week_without_the_job_still_finds_a_success_before_the_deadline() -> None:
    facts = replace(LONG, omeq_records=(OmeqRecord(date(2027, 9, 30), D(0)),))
    final, applied = run_job(facts, [date(2027, 9, 20), date(2027, 10, 8)])
    assert applied == [(date(2027, 10, 8), CourseEvent.RECORD_SUCCESS)]
    assert final.status is CourseStatus.SUCCEEDED
    outcome = evaluate_course(facts, date(2027, 10, 8), SETTINGS)
    assert outcome.success == Success(date(2027, 9, 30), SuccessReason.STOPPED, D(0))


# --- bad facts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(
            lambda: course(date(2027, 7, 1), (date(2027, 6, 30), "10")),
            "omeq_record_before_start",
            id="record-before-start",
        ),
        pytest.param(
            lambda: course(date(2027, 7, 1), (date(2027, 7, 2), "-1")),
            "omeq_not_a_dose",
            id="negative-dose",
        ),
        pytest.param(
            lambda: course(date(2027, 7, 1), (date(2027, 7, 2), "NaN")),
            "omeq_not_a_dose",
            id="nan-dose",
        ),
        pytest.param(
            lambda: CourseFacts(date(2027, 7, 1), CourseGoal.stop(), D(0)),
            "baseline_not_above_zero",
            id="zero-baseline",
        ),
        pytest.param(
            lambda: CourseFacts(date(2027, 7, 1), CourseGoal.target(D(90)), D(90)),
            "target_not_below_baseline",
            id="target-at-baseline",
        ),
        pytest.param(lambda: CourseGoal.target(D(0)), "target_not_above_zero", id="zero-target"),
        pytest.param(
            lambda: CourseGoal(GoalKind.TARGET), "target_not_above_zero", id="missing-target"
        ),
        pytest.param(
            lambda: CourseGoal(GoalKind.STOP, D(10)), "stop_has_no_target", id="stop-with-target"
        ),
    ],
)
def test_bad_course_facts_are_refused_with_a_code(make: object, code: str) -> None:
    assert callable(make)
    with pytest.raises(CourseFactsError) as raised:
        make()
    assert raised.value.code == code


def test_a_record_dated_after_today_is_refused_not_ignored() -> None:
    facts = course(date(2027, 7, 1), (date(2027, 8, 2), "0"))
    with pytest.raises(CourseFactsError) as raised:
        evaluate_course(facts, date(2027, 8, 1), SETTINGS)
    assert raised.value.code == "omeq_record_in_future"
