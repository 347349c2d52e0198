"""Properties of the 3-month rule for any start date, records, plans and evaluation days."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from domain.calendar_months import add_calendar_months
from domain.tests.case_share import share_of_cases
from domain.tracks import (
    Actor,
    CourseFacts,
    CourseGoal,
    CourseStatus,
    OmeqRecord,
    PlannedStep,
    Progress,
    RuleAction,
    RuleOutcome,
    RuleSettings,
    SuccessDefinition,
    TaperSchedule,
    course_deadline,
    default_rule_settings,
    evaluate_course,
    transition,
)

D = Decimal
SETTINGS = default_rule_settings()

starts = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


def rule_settings(longest_period: int = 24) -> st.SearchStrategy[RuleSettings]:
    return st.builds(
        RuleSettings,
        period_months=st.integers(1, longest_period),
        success_definition=st.sampled_from(SuccessDefinition),
        approaching_days=st.integers(0, 60),
        review_months=st.integers(1, 3),
        on_plan_tolerance_percent=st.sampled_from([D(0), D(5), D(10), D(25)]),
        on_plan_keeps_course=st.booleans(),
    )


settings = rule_settings(longest_period=6)


@st.composite
def plans(draw: st.DrawFn, start: date) -> TaperSchedule:
    """10 % of 90 mg/day every `interval` days from the course start (never up)."""
    interval = draw(st.sampled_from([14, 28]))
    steps = tuple(
        PlannedStep(start + timedelta(days=interval * n), D(90 - 9 * n)) for n in range(1, 11)
    )
    held = draw(st.none() | st.integers(0, 200).map(lambda n: start + timedelta(days=n)))
    return TaperSchedule(D(90), steps, held_from=held)


@st.composite
def courses(draw: st.DrawFn) -> CourseFacts:
    """A course from 90 mg/day with visits about every planned interval (some missed), each
    near what a 10 %-a-month plan expects (on it, ahead, one or two steps behind, stopped),
    now and then on substitution treatment."""
    start = draw(starts)
    interval = draw(st.sampled_from([14, 28, 42]))
    plan = draw(st.none() | plans(start))
    trend = plan or TaperSchedule(D(90), ())
    records, day = [], 0
    while day < 300:
        day += interval + draw(st.integers(-4, 3))
        if draw(st.integers(0, 9)) == 0:
            continue  # a missed visit
        on = start + timedelta(days=day)
        offset = draw(st.sampled_from([D(-9), D(0), D(0), D(9), D(18), None]))
        mg = D(0) if offset is None else max(trend.expected_on(on) + offset, D(0))
        substitution = draw(st.integers(0, 14)) == 0
        records.append(OmeqRecord(on, mg, on_substitution_treatment=substitution))
    goal = draw(st.sampled_from([CourseGoal.stop(), CourseGoal.target(D(30))]))
    return CourseFacts(
        start, goal, D(90), tuple(records), plan=plan, follow_up_interval_days=interval
    )


def known_on(facts: CourseFacts, today: date) -> CourseFacts:
    """The course as the system knows it on `today`: records entered up to that day."""
    return replace(facts, omeq_records=tuple(r for r in facts.omeq_records if r.on <= today))


def apply(facts: CourseFacts, today: date, rule: RuleSettings) -> tuple[CourseFacts, int]:
    """What the daily job does on `today`: keep the course from each passed deadline it is on
    plan at, then apply the transition the rule says; the number of steps taken."""
    steps = 0
    outcome = evaluate_course(known_on(facts, today), today, rule)
    while outcome.action is RuleAction.KEEP_IN_PRACTICE_TRACK:
        facts = replace(facts, review_from=outcome.deadline)
        steps += 1
        outcome = evaluate_course(known_on(facts, today), today, rule)
    if outcome.event is not None:
        facts = replace(facts, status=transition(facts.status, outcome.event, by=Actor.SYSTEM))
        steps += 1
    return facts, steps


def outcome_on(facts: CourseFacts, day: int, rule: RuleSettings) -> RuleOutcome:
    today = facts.start + timedelta(days=day)
    return evaluate_course(known_on(facts, today), today, rule)


def judged(facts: CourseFacts, days_late: int, rule: RuleSettings) -> RuleOutcome:
    """The outcome `days_late` days after the course's first deadline (1 or more)."""
    today = course_deadline(facts.start, rule) + timedelta(days=days_late)
    return evaluate_course(known_on(facts, today), today, rule)


@given(starts)
def test_three_calendar_months_are_89_to_92_days(start: date) -> None:
    days = (course_deadline(start, SETTINGS) - start).days
    assert 89 <= days <= 92


@given(starts, st.integers(-36, 36))
def test_adding_months_keeps_the_day_unless_the_month_is_shorter(start: date, months: int) -> None:
    later = add_calendar_months(start, months)
    assert (later.year * 12 + later.month) - (start.year * 12 + start.month) == months
    assert later.day == start.day or (later.day < start.day and (later + timedelta(1)).day == 1)


@given(courses(), st.integers(0, 400), settings)
def test_evaluation_is_a_pure_function_of_its_inputs(
    facts: CourseFacts, day: int, rule: RuleSettings
) -> None:
    assert outcome_on(facts, day, rule) == outcome_on(facts, day, rule)


@given(courses(), st.integers(0, 400), settings)
def test_the_rule_never_hands_a_patient_to_the_clinic_by_itself(
    facts: CourseFacts, day: int, rule: RuleSettings
) -> None:
    after, steps = apply(facts, facts.start + timedelta(days=day), rule)
    assume(steps > 0)
    allowed = {CourseStatus.ACTIVE, CourseStatus.SUCCEEDED, CourseStatus.HANDOVER_REVIEW}
    assert after.status in allowed


def test_many_drawn_courses_have_something_to_apply() -> None:
    drawn = st.tuples(courses(), st.integers(0, 400), settings)
    share = share_of_cases(
        drawn, lambda case: apply(case[0], case[0].start + timedelta(days=case[1]), case[2])[1] > 0
    )
    assert share >= 0.2


@given(courses(), st.integers(0, 400), settings)
def test_applying_the_outcome_leaves_nothing_more_to_do_that_day(
    facts: CourseFacts, day: int, rule: RuleSettings
) -> None:
    today = facts.start + timedelta(days=day)
    after, steps = apply(facts, today, rule)
    assume(steps > 0)
    assert apply(after, today, rule) == (after, 0)


def _meets_goal(record: OmeqRecord, facts: CourseFacts, rule: RuleSettings) -> bool:
    if record.on_substitution_treatment:
        return False
    target = facts.goal.target_mg_per_day
    if record.mg_per_day == 0:
        return True
    by_target = rule.success_definition is SuccessDefinition.STOPPED_OR_TARGET
    return by_target and target is not None and record.mg_per_day <= target


@given(courses(), st.integers(1, 120), settings)
def test_success_is_exactly_the_goal_held_at_the_latest_visit_by_the_deadline(
    facts: CourseFacts, days_late: int, rule: RuleSettings
) -> None:
    outcome = judged(facts, days_late, rule)
    check = outcome.check
    assert check is not None  # every passed deadline is judged
    in_time = [r for r in facts.omeq_records if r.on <= outcome.deadline]
    latest = in_time[-1] if in_time else None
    held = (
        latest is not None
        and check.progress is not Progress.NO_FOLLOW_UP
        and _meets_goal(latest, facts, rule)
    )
    assert (outcome.success is not None) == held
    assert outcome.success is None or (latest is not None and outcome.success.on == latest.on)
    assert (outcome.action is RuleAction.RECORD_SUCCESS) == held


def test_many_drawn_courses_succeed() -> None:
    drawn = st.tuples(courses(), st.integers(1, 120), settings)
    assert share_of_cases(drawn, lambda case: judged(*case).success is not None) >= 0.1


@given(courses(), st.integers(1, 120), settings)
def test_on_plan_is_exactly_at_or_below_what_the_plan_allowed_for_the_latest_visit(
    facts: CourseFacts, days_late: int, rule: RuleSettings
) -> None:
    check = judged(facts, days_late, rule).check
    assert check is not None
    compared = check.progress in {Progress.ON_PLAN, Progress.BEHIND_PLAN}
    latest = check.latest
    assert compared == (
        facts.plan is not None
        and latest is not None
        and not latest.on_substitution_treatment
        and check.progress is not Progress.NO_FOLLOW_UP
    )
    assert not compared or (
        latest is not None
        and facts.plan is not None
        and (check.progress is Progress.ON_PLAN)
        == (latest.mg_per_day <= facts.plan.allowed_on(latest.on, rule.on_plan_tolerance_percent))
    )


def test_many_drawn_courses_are_judged_against_a_plan() -> None:
    drawn = st.tuples(courses(), st.integers(1, 120), settings)

    def on_plan(case: tuple[CourseFacts, int, RuleSettings]) -> bool:
        check = judged(*case).check
        return check is not None and check.progress is Progress.ON_PLAN

    assert share_of_cases(drawn, on_plan) >= 0.1


@given(courses(), st.integers(0, 400), st.integers(0, 400), settings)
def test_a_later_day_never_changes_the_judgement_of_a_passed_deadline(
    facts: CourseFacts, day: int, later_by: int, rule: RuleSettings
) -> None:
    first = facts.start + timedelta(days=day)
    later = first + timedelta(days=later_by)
    seen = known_on(facts, first)
    before, after = evaluate_course(seen, first, rule), evaluate_course(seen, later, rule)
    if before.is_deadline_passed:
        assert (after.action, after.success, after.check) == (
            before.action,
            before.success,
            before.check,
        )
    assert after.days_left == before.days_left - later_by


# Within 300 days every period up to 7 months has passed (8 months or more may not have).
@given(courses(), st.sets(st.integers(0, 300)), rule_settings(longest_period=7))
def test_the_job_missing_days_ends_where_the_daily_job_ends(
    facts: CourseFacts, run_on: set[int], rule: RuleSettings
) -> None:
    end = facts.start + timedelta(days=300)

    def run(days: list[int]) -> CourseFacts:
        state = facts
        for n in days:
            state, _ = apply(state, facts.start + timedelta(days=n), rule)
        return state

    assert course_deadline(facts.start, rule) < end
    daily = run(list(range(301)))
    sparse = run(sorted(run_on | {(end - facts.start).days}))
    assert (sparse.status, sparse.review_from) == (daily.status, daily.review_from)
    assert daily.status is not CourseStatus.ACTIVE or daily.review_from is not None
