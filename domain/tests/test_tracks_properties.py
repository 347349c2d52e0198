"""Properties of the 3-month rule for any start date, records and evaluation days."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, reject
from hypothesis import strategies as st

from domain.calendar_months import add_calendar_months
from domain.tests.case_share import share_of_cases
from domain.tracks import (
    Actor,
    CourseEvent,
    CourseFacts,
    CourseGoal,
    CourseStatus,
    OmeqRecord,
    RuleAction,
    RuleSettings,
    SuccessDefinition,
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
    )


settings = rule_settings()


@st.composite
def courses(draw: st.DrawFn) -> CourseFacts:
    start = draw(starts)
    offsets = draw(st.lists(st.integers(0, 200), max_size=6))
    doses = st.sampled_from([D(0), D(10), D(25), D("30"), D("45.5"), D(60), D(90)])
    goal = draw(st.sampled_from([CourseGoal.stop(), CourseGoal.target(D(30))]))
    records = tuple(OmeqRecord(start + timedelta(days=n), draw(doses)) for n in offsets)
    return CourseFacts(start, goal, D(90), records)


def known_on(facts: CourseFacts, today: date) -> CourseFacts:
    """The course as the system knows it on `today`: records entered up to that day."""
    return replace(facts, omeq_records=tuple(r for r in facts.omeq_records if r.on <= today))


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
    today = facts.start + timedelta(days=day)
    seen = known_on(facts, today)
    assert evaluate_course(seen, today, rule) == evaluate_course(seen, today, rule)


@given(courses(), st.integers(0, 400), settings)
def test_applying_the_outcome_leaves_nothing_more_to_do(
    facts: CourseFacts, day: int, rule: RuleSettings
) -> None:
    event = outcome_event(facts, day, rule)
    if event is None:
        reject()  # assume(event is not None), in a form mypy narrows by
    today = facts.start + timedelta(days=day)
    seen = known_on(facts, today)
    after = replace(seen, status=transition(seen.status, event, by=Actor.SYSTEM))
    again = evaluate_course(after, today, rule)
    assert again.action is RuleAction.NOT_APPLICABLE
    assert again.event is None


def outcome_event(facts: CourseFacts, day: int, rule: RuleSettings) -> CourseEvent | None:
    today = facts.start + timedelta(days=day)
    return evaluate_course(known_on(facts, today), today, rule).event


def test_many_drawn_courses_have_an_outcome_to_apply() -> None:
    drawn = st.tuples(courses(), st.integers(0, 400), settings)
    assert share_of_cases(drawn, lambda case: outcome_event(*case) is not None) >= 0.2


@given(courses(), st.integers(0, 400), st.integers(0, 400), settings)
def test_a_later_day_never_un_expires_a_deadline(
    facts: CourseFacts, day: int, later_by: int, rule: RuleSettings
) -> None:
    first = facts.start + timedelta(days=day)
    later = first + timedelta(days=later_by)
    seen = known_on(facts, first)
    before, after = evaluate_course(seen, first, rule), evaluate_course(seen, later, rule)
    if before.action is RuleAction.PROPOSE_HANDOVER:
        assert after.action is RuleAction.PROPOSE_HANDOVER
    if before.action is RuleAction.RECORD_SUCCESS:
        assert after.success == before.success
    assert after.days_left == before.days_left - later_by


# Within 240 days every period up to 7 months has passed (8 months or more may not have).
@given(courses(), st.sets(st.integers(0, 240)), rule_settings(longest_period=7))
def test_the_job_missing_days_ends_where_the_daily_job_ends(
    facts: CourseFacts, run_on: set[int], rule: RuleSettings
) -> None:
    end = facts.start + timedelta(days=240)

    def run(days: list[int]) -> tuple[CourseStatus, int]:
        status, events = facts.status, 0
        for n in days:
            today = facts.start + timedelta(days=n)
            seen = replace(known_on(facts, today), status=status)
            event = evaluate_course(seen, today, rule).event
            if event is not None:
                status = transition(status, event, by=Actor.SYSTEM)
                events += 1
        return status, events

    assert course_deadline(facts.start, rule) < end
    daily = run(list(range(241)))
    sparse = run(sorted(run_on | {(end - facts.start).days}))
    assert sparse == daily
    assert daily[1] == 1
