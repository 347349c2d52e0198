"""Working days for advice response times: weekends, Easter and Christmas skipped."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.working_days import (
    WorkingDaysError,
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)

# Danish public holidays (helligdagsloven), as the `holidays` package gives them for DK.
EASTER_2025 = {
    date(2025, 4, 17),  # Maundy Thursday
    date(2025, 4, 18),  # Good Friday
    date(2025, 4, 20),  # Easter Sunday
    date(2025, 4, 21),  # Easter Monday
}
CHRISTMAS_2024 = {
    date(2024, 12, 25),  # Christmas Day
    date(2024, 12, 26),  # Second Day of Christmas
    date(2025, 1, 1),  # New Year's Day
}
# The package's "optional" category adds Christmas Eve and New Year's Eve.
CHRISTMAS_2024_WITH_EVES = CHRISTMAS_2024 | {date(2024, 12, 24), date(2024, 12, 31)}


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        pytest.param(date(2025, 3, 3), 3, date(2025, 3, 6), id="monday-plus-3-is-thursday"),
        pytest.param(date(2025, 3, 7), 3, date(2025, 3, 12), id="friday-plus-3-is-wednesday"),
        pytest.param(date(2025, 3, 8), 3, date(2025, 3, 12), id="saturday-plus-3-is-wednesday"),
        pytest.param(date(2025, 3, 9), 1, date(2025, 3, 10), id="sunday-plus-1-is-monday"),
        pytest.param(date(2025, 3, 7), 5, date(2025, 3, 14), id="a-working-week"),
    ],
)
def test_it_skips_weekends(start: date, days: int, due: date) -> None:
    assert add_working_days(start, days) == due


def test_a_target_of_zero_days_is_the_day_itself_or_the_next_working_day() -> None:
    assert add_working_days(date(2025, 3, 5), 0) == date(2025, 3, 5)
    assert add_working_days(date(2025, 3, 8), 0) == date(2025, 3, 10)
    assert add_working_days(date(2025, 4, 17), 0, EASTER_2025) == date(2025, 4, 22)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        pytest.param(date(2025, 4, 16), 3, date(2025, 4, 24), id="wednesday-before-easter"),
        pytest.param(date(2025, 4, 17), 3, date(2025, 4, 24), id="asked-on-maundy-thursday"),
        pytest.param(date(2025, 4, 16), 1, date(2025, 4, 22), id="next-day-is-after-easter"),
        pytest.param(date(2025, 4, 14), 3, date(2025, 4, 22), id="monday-before-easter"),
    ],
)
def test_it_skips_easter(start: date, days: int, due: date) -> None:
    assert add_working_days(start, days, EASTER_2025) == due


def test_it_skips_christmas_and_new_year() -> None:
    # Christmas Eve is a working day in the public calendar; the 25th and 26th are not.
    assert add_working_days(date(2024, 12, 23), 3, CHRISTMAS_2024) == date(2024, 12, 30)
    assert add_working_days(date(2024, 12, 27), 2, CHRISTMAS_2024) == date(2024, 12, 31)
    assert add_working_days(date(2024, 12, 30), 2, CHRISTMAS_2024) == date(2025, 1, 2)


def test_a_region_that_closes_on_christmas_eve_and_new_years_eve_gets_later_deadlines() -> None:
    assert add_working_days(date(2024, 12, 23), 3, CHRISTMAS_2024_WITH_EVES) == date(2025, 1, 2)


def test_closed_days_on_a_weekend_change_nothing() -> None:
    saturday_holiday = {date(2025, 3, 8)}
    assert add_working_days(date(2025, 3, 7), 3, saturday_holiday) == date(2025, 3, 12)


def test_is_working_day_knows_weekends_and_closed_days() -> None:
    assert is_working_day(date(2025, 4, 16), EASTER_2025)
    assert not is_working_day(date(2025, 4, 18), EASTER_2025)
    assert not is_working_day(date(2025, 4, 19))
    assert next_working_day(date(2025, 4, 18), EASTER_2025) == date(2025, 4, 22)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(date(2025, 3, 5), date(2025, 3, 5), 0, id="same-day"),
        pytest.param(date(2025, 3, 5), date(2025, 3, 4), 0, id="end-before-start"),
        pytest.param(date(2025, 3, 7), date(2025, 3, 10), 1, id="friday-to-monday"),
        pytest.param(date(2025, 3, 8), date(2025, 3, 9), 0, id="saturday-to-sunday"),
        pytest.param(date(2025, 4, 16), date(2025, 4, 22), 1, id="over-easter"),
        pytest.param(date(2024, 12, 23), date(2025, 1, 2), 5, id="over-christmas"),
    ],
)
def test_working_days_between_counts_days_after_the_start(
    start: date, end: date, expected: int
) -> None:
    closed = EASTER_2025 | CHRISTMAS_2024
    assert working_days_between(start, end, closed) == expected


@pytest.mark.parametrize("days", [-1, 10_000, 1.5, True])
def test_it_refuses_a_number_of_days_that_is_not_a_small_whole_number(days: int) -> None:
    with pytest.raises(WorkingDaysError):
        add_working_days(date(2025, 3, 7), days)


def test_it_refuses_an_absurdly_long_span() -> None:
    with pytest.raises(WorkingDaysError):
        working_days_between(date(2000, 1, 1), date(2099, 1, 1))


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
closed_sets = st.sets(dates, max_size=20)


@given(start=dates, days=st.integers(min_value=1, max_value=60), closed=closed_sets)
def test_the_due_date_is_a_working_day_exactly_that_many_working_days_later(
    start: date, days: int, closed: set[date]
) -> None:
    due = add_working_days(start, days, closed)
    assert is_working_day(due, closed)
    assert working_days_between(start, due, closed) == days
    assert due > start


@given(start=dates, days=st.integers(min_value=0, max_value=59), closed=closed_sets)
def test_one_more_working_day_is_never_earlier(start: date, days: int, closed: set[date]) -> None:
    later = add_working_days(start, days + 1, closed)
    assert later >= add_working_days(start, days, closed)
    if days >= 1:
        assert later > add_working_days(start, days, closed)


@given(start=dates, span=st.integers(min_value=0, max_value=120), closed=closed_sets)
def test_working_days_never_exceed_calendar_days(start: date, span: int, closed: set[date]) -> None:
    end = start + timedelta(days=span)
    assert 0 <= working_days_between(start, end, closed) <= span
