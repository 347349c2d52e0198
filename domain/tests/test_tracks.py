"""The 3-month rule at its edges: days 89-92, month ends, 29 February, success held at the
latest visit, progress against the plan, reviews after a course is kept, idempotence."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

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
    PlannedStep,
    Progress,
    ProgressCheck,
    RuleAction,
    RuleOutcome,
    RuleSettings,
    RuleSettingsError,
    Success,
    SuccessDefinition,
    SuccessReason,
    TaperSchedule,
    TaperScheduleError,
    course_deadline,
    default_rule_settings,
    evaluate_course,
    review_deadline,
    transition,
)

D = Decimal
SETTINGS = default_rule_settings()


def course(
    start: date,
    *records: tuple[date, str],
    goal: CourseGoal | None = None,
    status: CourseStatus = CourseStatus.ACTIVE,
    plan: TaperSchedule | None = None,
    interval: int | None = 28,
) -> CourseFacts:
    """A course from 90 mg/day with visits every `interval` days planned."""
    return CourseFacts(
        start=start,
        goal=goal or CourseGoal.stop(),
        baseline_mg_per_day=D(90),
        omeq_records=tuple(OmeqRecord(on, D(mg)) for on, mg in records),
        status=status,
        plan=plan,
        follow_up_interval_days=interval,
    )


def on_day(facts: CourseFacts, day: int) -> RuleOutcome:
    return evaluate_course(facts, facts.start + timedelta(days=day), SETTINGS)


# --- settings ---------------------------------------------------------------------------------


def test_the_defaults_are_the_seeds_3_calendar_months_stopped_or_target_and_14_days() -> None:
    assert RuleSettings(3, SuccessDefinition.STOPPED_OR_TARGET, 14) == SETTINGS
    # track_rule.toml: one paused step at 10 % a month (CDC 2022, HHS 2019) is on plan; on
    # plan keeps the course; reviewed again monthly (CDC 2022: follow up at least monthly).
    assert (SETTINGS.on_plan_tolerance_percent, SETTINGS.on_plan_keeps_course) == (D(10), True)
    assert SETTINGS.review_months == 1


@pytest.mark.parametrize(
    ("months", "days"), [(0, 14), (25, 14), (3, -1), (3, 400), (True, 14), (3, False)]
)
def test_settings_refuse_out_of_range_values(months: int, days: int) -> None:
    with pytest.raises(RuleSettingsError) as raised:
        RuleSettings(months, SuccessDefinition.STOPPED_OR_TARGET, days)
    assert raised.value.code == "invalid_rule_settings"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"review_months": 0}, id="no-review-period"),
        pytest.param({"review_months": 30}, id="review-days-for-months"),
        pytest.param({"on_plan_tolerance_percent": D(-1)}, id="negative-tolerance"),
        pytest.param({"on_plan_tolerance_percent": D(101)}, id="tolerance-above-100"),
        pytest.param({"on_plan_tolerance_percent": D("NaN")}, id="nan-tolerance"),
        pytest.param({"on_plan_tolerance_percent": 10}, id="tolerance-not-decimal"),
        pytest.param({"on_plan_keeps_course": "yes"}, id="keeps-not-bool"),
    ],
)
def test_settings_refuse_a_bad_review_or_progress_setting(change: dict[str, Any]) -> None:
    with pytest.raises(RuleSettingsError):
        replace(SETTINGS, **change)


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
        check=ProgressCheck(Progress.NO_FOLLOW_UP, date(2027, 10, 1)),
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


# --- success: the goal held at the latest visit ---------------------------------------------


def test_a_course_stopped_at_its_latest_visit_succeeds_the_day_after_the_deadline() -> None:
    facts = course(LONG.start, (date(2027, 8, 1), "45"), (date(2027, 9, 20), "0"))
    assert evaluate_course(facts, date(2027, 9, 21), SETTINGS).action is (
        RuleAction.FLAG_APPROACHING
    )
    outcome = evaluate_course(facts, date(2027, 10, 2), SETTINGS)
    assert outcome.action is RuleAction.RECORD_SUCCESS
    assert outcome.success == Success(date(2027, 9, 20), SuccessReason.STOPPED, D(0))
    assert outcome.event is CourseEvent.RECORD_SUCCESS


def test_a_visit_meeting_the_goal_before_the_deadline_decides_nothing_yet() -> None:
    facts = course(LONG.start, (date(2027, 7, 15), "0"))
    for day in (date(2027, 7, 15), date(2027, 8, 1), date(2027, 10, 1)):
        assert evaluate_course(facts, day, SETTINGS).success is None


def test_one_low_reading_in_week_2_is_not_success_when_the_dose_rose_again() -> None:
    facts = course(
        LONG.start,
        (date(2027, 7, 15), "30"),
        (date(2027, 8, 12), "60"),
        (date(2027, 9, 9), "55"),
        goal=CourseGoal.target(D(30)),
    )
    outcome = evaluate_course(facts, date(2027, 10, 2), SETTINGS)
    assert outcome.success is None
    assert outcome.action is RuleAction.PROPOSE_HANDOVER


def test_one_low_reading_in_week_2_and_no_visit_since_is_no_follow_up() -> None:
    facts = course(LONG.start, (date(2027, 7, 15), "30"), goal=CourseGoal.target(D(30)))
    outcome = evaluate_course(facts, date(2027, 10, 2), SETTINGS)
    assert (outcome.action, outcome.success) == (RuleAction.PROPOSE_HANDOVER, None)
    assert outcome.check is not None
    assert outcome.check.progress is Progress.NO_FOLLOW_UP
    assert outcome.check.follow_up_due_on == date(2027, 8, 12)


def test_stopping_on_the_deadline_day_is_in_time_but_the_next_day_is_not() -> None:
    on_deadline = course(LONG.start, (date(2027, 9, 10), "20"), (date(2027, 10, 1), "0"))
    late = course(LONG.start, (date(2027, 9, 10), "20"), (date(2027, 10, 2), "0"))
    assert evaluate_course(on_deadline, date(2027, 10, 5), SETTINGS).action is (
        RuleAction.RECORD_SUCCESS
    )
    outcome = evaluate_course(late, date(2027, 10, 5), SETTINGS)
    assert outcome.action is RuleAction.PROPOSE_HANDOVER
    assert outcome.check is not None
    assert outcome.check.latest == OmeqRecord(date(2027, 9, 10), D(20))


def test_reaching_the_agreed_target_is_success_by_default() -> None:
    facts = course(LONG.start, (date(2027, 9, 15), "30"), goal=CourseGoal.target(D(30)))
    outcome = evaluate_course(facts, date(2027, 10, 2), SETTINGS)
    assert outcome.success == Success(date(2027, 9, 15), SuccessReason.TARGET_REACHED, D(30))


def test_just_above_the_target_is_not_success() -> None:
    facts = course(LONG.start, (date(2027, 9, 15), "30.5"), goal=CourseGoal.target(D(30)))
    assert evaluate_course(facts, date(2027, 10, 2), SETTINGS).success is None


def test_with_the_stopped_only_definition_a_reached_target_is_not_success() -> None:
    settings = replace(SETTINGS, success_definition=SuccessDefinition.STOPPED_ONLY)
    facts = course(LONG.start, (date(2027, 9, 15), "30"), goal=CourseGoal.target(D(30)))
    assert evaluate_course(facts, date(2027, 10, 2), settings).action is (
        RuleAction.PROPOSE_HANDOVER
    )
    stopped = course(LONG.start, (date(2027, 9, 15), "0"), goal=CourseGoal.target(D(30)))
    assert evaluate_course(stopped, date(2027, 10, 2), settings).action is (
        RuleAction.RECORD_SUCCESS
    )


def test_substitution_treatment_never_counts_as_stopped() -> None:
    switched = replace(
        course(LONG.start, (date(2027, 8, 1), "45")),
        omeq_records=(
            OmeqRecord(date(2027, 8, 1), D(45)),
            OmeqRecord(date(2027, 9, 20), D(0), on_substitution_treatment=True),
        ),
    )
    outcome = evaluate_course(switched, date(2027, 10, 2), SETTINGS)
    assert (outcome.action, outcome.success) == (RuleAction.PROPOSE_HANDOVER, None)
    assert outcome.check is not None
    assert outcome.check.progress is Progress.SUBSTITUTION_TREATMENT


def test_a_later_visit_off_substitution_treatment_counts_again() -> None:
    facts = replace(
        LONG,
        follow_up_interval_days=28,
        omeq_records=(
            OmeqRecord(date(2027, 8, 1), D(0), on_substitution_treatment=True),
            OmeqRecord(date(2027, 9, 20), D(0)),
        ),
    )
    assert evaluate_course(facts, date(2027, 10, 2), SETTINGS).action is (RuleAction.RECORD_SUCCESS)


# --- progress against the plan --------------------------------------------------------------

# 90 mg/day, 9 mg less every 4 weeks from 1 July 2027 (10 % of the start a month).
PLAN = TaperSchedule(
    D(90),
    tuple(PlannedStep(LONG.start + timedelta(days=28 * n), D(90 - 9 * n)) for n in range(1, 11)),
    reference="plan 7 v1",
)
LAST_VISIT = date(2027, 9, 23)  # the plan expects 63 from 23 September (step 3)


def at_last_visit(mg: str, plan: TaperSchedule | None = PLAN) -> RuleOutcome:
    facts = course(LONG.start, (date(2027, 8, 26), "81"), (LAST_VISIT, mg), plan=plan)
    return evaluate_course(facts, date(2027, 10, 2), SETTINGS)


@pytest.mark.parametrize(
    ("mg", "action", "progress"),
    [
        pytest.param("63", RuleAction.KEEP_IN_PRACTICE_TRACK, Progress.ON_PLAN, id="on-plan"),
        pytest.param("50", RuleAction.KEEP_IN_PRACTICE_TRACK, Progress.ON_PLAN, id="ahead"),
        pytest.param("72", RuleAction.KEEP_IN_PRACTICE_TRACK, Progress.ON_PLAN, id="one-step"),
        pytest.param("72.01", RuleAction.PROPOSE_HANDOVER, Progress.BEHIND_PLAN, id="behind"),
        pytest.param("81", RuleAction.PROPOSE_HANDOVER, Progress.BEHIND_PLAN, id="two-steps"),
    ],
)
def test_at_the_deadline_the_course_is_judged_against_the_plan_with_a_tolerance(
    mg: str, action: RuleAction, progress: Progress
) -> None:
    outcome = at_last_visit(mg)
    assert outcome.action is action
    assert outcome.check is not None
    assert outcome.check.progress is progress
    assert outcome.check.expected_mg_per_day == D(63)
    assert outcome.check.allowed_mg_per_day == D(72)  # 63 + 10 % of the plan's start of 90
    assert outcome.check.plan_reference == "plan 7 v1"


def test_without_a_plan_the_rule_proposes_and_says_so() -> None:
    outcome = at_last_visit("40", plan=None)
    assert outcome.action is RuleAction.PROPOSE_HANDOVER
    assert outcome.check is not None
    assert outcome.check.progress is Progress.NO_PLAN


def test_a_region_may_let_only_success_keep_a_course() -> None:
    strict = replace(SETTINGS, on_plan_keeps_course=False)
    facts = course(LONG.start, (date(2027, 8, 26), "81"), (LAST_VISIT, "72"), plan=PLAN)
    outcome = evaluate_course(facts, date(2027, 10, 2), strict)
    assert outcome.action is RuleAction.PROPOSE_HANDOVER
    assert outcome.check is not None
    assert outcome.check.progress is Progress.ON_PLAN


def test_a_paused_plan_holds_the_dose_of_the_day_it_was_paused() -> None:
    paused = replace(PLAN, held_from=date(2027, 8, 1))  # at step 1: 81 mg/day
    assert paused.expected_on(LAST_VISIT) == D(81)
    assert at_last_visit("88", plan=paused).action is RuleAction.KEEP_IN_PRACTICE_TRACK


@pytest.mark.parametrize("baseline", [30, 45, 60, 90, 120, 200])
def test_a_stop_course_on_a_default_pace_plan_stays_with_the_gp_at_3_months(
    baseline: int,
) -> None:
    """The finding: 10 % of the start every 28 days, halved below half, cannot stop in 3
    months, so a patient taking exactly what the plan says must not become a proposal."""
    start = date(2027, 1, 4)
    steps, dose, day = [], D(baseline), start
    while dose > 0:
        day += timedelta(days=28)
        cut = D(baseline) / 10 if dose > D(baseline) / 2 else D(baseline) / 20
        dose = max(dose - cut, D(0))
        steps.append(PlannedStep(day, dose))
    plan = TaperSchedule(D(baseline), tuple(steps))
    assert steps[-1].starts_on > course_deadline(start, SETTINGS)
    visits = [start + timedelta(days=28 * n + 1) for n in (1, 2, 3)]
    facts = CourseFacts(
        start,
        CourseGoal.stop(),
        D(baseline),
        tuple(OmeqRecord(v, plan.expected_on(v)) for v in visits),
        plan=plan,
        follow_up_interval_days=28,
    )
    assert evaluate_course(facts, date(2027, 4, 5), SETTINGS).action is (
        RuleAction.KEEP_IN_PRACTICE_TRACK
    )


# --- reviews after a course is kept -----------------------------------------------------------


def test_a_kept_course_is_reviewed_one_calendar_month_after_it_was_kept() -> None:
    kept = replace(LONG, review_from=date(2027, 10, 1))
    assert review_deadline(kept, SETTINGS) == date(2027, 11, 1)
    outcome = evaluate_course(kept, date(2027, 10, 20), SETTINGS)
    assert (outcome.action, outcome.deadline, outcome.period_months) == (
        RuleAction.FLAG_APPROACHING,
        date(2027, 11, 1),
        1,
    )
    assert outcome.review_from == date(2027, 10, 1)
    assert evaluate_course(kept, date(2027, 11, 2), SETTINGS).action is (
        RuleAction.PROPOSE_HANDOVER
    )


def test_a_course_cannot_be_kept_before_it_started() -> None:
    with pytest.raises(CourseFactsError) as raised:
        replace(LONG, review_from=date(2027, 6, 1))
    assert raised.value.code == "review_before_start"


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
) -> tuple[CourseFacts, list[tuple[date, RuleAction]]]:
    """Run the rule on each of `days`, applying it as the daily job does: a transition, or
    keeping the course (from its deadline), then the next deadline if that has passed too."""
    applied: list[tuple[date, RuleAction]] = []
    for today in days:
        seen = replace(facts, omeq_records=tuple(r for r in facts.omeq_records if r.on <= today))
        outcome = evaluate_course(seen, today, SETTINGS)
        while outcome.action is RuleAction.KEEP_IN_PRACTICE_TRACK:
            facts = replace(facts, review_from=outcome.deadline)
            seen = replace(seen, review_from=outcome.deadline)
            applied.append((today, outcome.action))
            outcome = evaluate_course(seen, today, SETTINGS)
        if outcome.event is not None:
            facts = replace(facts, status=transition(facts.status, outcome.event, by=Actor.SYSTEM))
            applied.append((today, outcome.action))
    return facts, applied


def every_day(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


PROPOSE = RuleAction.PROPOSE_HANDOVER
KEEP = RuleAction.KEEP_IN_PRACTICE_TRACK


def test_evaluating_twice_gives_the_same_outcome() -> None:
    assert on_day(LONG, 93) == on_day(LONG, 93)


def test_after_the_proposal_is_applied_a_second_run_the_same_day_does_nothing() -> None:
    final, applied = run_job(LONG, [date(2027, 10, 2), date(2027, 10, 2)])
    assert applied == [(date(2027, 10, 2), PROPOSE)]
    assert final.status is CourseStatus.HANDOVER_REVIEW


def test_running_every_day_proposes_once_the_day_after_the_deadline() -> None:
    final, applied = run_job(LONG, every_day(LONG.start, date(2027, 12, 31)))
    assert applied == [(date(2027, 10, 2), PROPOSE)]
    assert final.status is CourseStatus.HANDOVER_REVIEW


def test_a_week_without_the_job_still_gives_one_proposal() -> None:
    days = [*every_day(LONG.start, date(2027, 9, 28)), date(2027, 10, 8), date(2027, 10, 9)]
    final, applied = run_job(LONG, days)
    assert applied == [(date(2027, 10, 8), PROPOSE)]
    assert final.status is CourseStatus.HANDOVER_REVIEW


def test_a_week_without_the_job_still_finds_a_success_held_at_the_deadline() -> None:
    facts = replace(LONG, omeq_records=(OmeqRecord(date(2027, 9, 30), D(0)),))
    final, applied = run_job(facts, [date(2027, 9, 20), date(2027, 10, 8)])
    assert applied == [(date(2027, 10, 8), RuleAction.RECORD_SUCCESS)]
    assert final.status is CourseStatus.SUCCEEDED
    outcome = evaluate_course(facts, date(2027, 10, 8), SETTINGS)
    assert outcome.success == Success(date(2027, 9, 30), SuccessReason.STOPPED, D(0))


def test_a_course_on_plan_is_kept_each_month_until_it_falls_behind() -> None:
    visits = [LONG.start + timedelta(days=28 * n + 2) for n in range(1, 7)]
    doses = [PLAN.expected_on(v) for v in visits[:4]] + [D(72), D(72)]  # stalls at 72
    facts = replace(
        course(LONG.start, plan=PLAN),
        omeq_records=tuple(OmeqRecord(v, mg) for v, mg in zip(visits, doses, strict=True)),
    )
    final, applied = run_job(facts, every_day(LONG.start, date(2028, 3, 1)))
    assert applied == [
        (date(2027, 10, 2), KEEP),
        (date(2027, 11, 2), KEEP),
        (date(2027, 12, 2), PROPOSE),
    ]
    assert final.status is CourseStatus.HANDOVER_REVIEW
    assert final.review_from == date(2027, 11, 1)


def test_after_weeks_without_the_job_the_kept_reviews_catch_up_in_one_run() -> None:
    visits = [LONG.start + timedelta(days=28 * n + 2) for n in range(1, 7)]
    doses = [PLAN.expected_on(v) for v in visits[:4]] + [D(72), D(72)]
    facts = replace(
        course(LONG.start, plan=PLAN),
        omeq_records=tuple(OmeqRecord(v, mg) for v, mg in zip(visits, doses, strict=True)),
    )
    daily, _ = run_job(facts, every_day(LONG.start, date(2028, 3, 1)))
    sparse, applied = run_job(facts, [date(2027, 9, 1), date(2027, 12, 20)])
    assert [action for _, action in applied] == [KEEP, KEEP, PROPOSE]
    assert {day for day, _ in applied} == {date(2027, 12, 20)}
    assert (sparse.status, sparse.review_from) == (daily.status, daily.review_from)


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


# --- the plan's schedule ----------------------------------------------------------------------


def test_before_its_first_step_a_plan_expects_its_starting_dose() -> None:
    assert PLAN.expected_on(LONG.start) == D(90)
    assert PLAN.expected_on(date(2027, 7, 29)) == D(81)  # the first step's own day
    assert PLAN.expected_on(date(2029, 1, 1)) == D(0)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(lambda: TaperSchedule(D(0), ()), "plan_start_not_a_dose", id="zero-start"),
        pytest.param(
            lambda: PlannedStep(date(2027, 8, 1), D(-1)), "planned_dose_not_a_dose", id="negative"
        ),
        pytest.param(
            lambda: TaperSchedule(
                D(90),
                (PlannedStep(date(2027, 9, 1), D(80)), PlannedStep(date(2027, 8, 1), D(70))),
            ),
            "plan_steps_out_of_order",
            id="out-of-order",
        ),
    ],
)
def test_a_bad_schedule_is_refused_with_a_code(make: object, code: str) -> None:
    assert callable(make)
    with pytest.raises(TaperScheduleError) as raised:
        make()
    assert raised.value.code == code
