"""Series dates: weekly, every second week, and monthly on the same weekday of the month."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smertespor.teaching.recurrence import (
    FORTNIGHTLY,
    MONTHLY,
    WEEKLY,
    occurrence_dates,
    occurrence_starts,
)

CPH = ZoneInfo("Europe/Copenhagen")


def test_weekly_and_fortnightly_step_by_whole_weeks():
    first = date(2030, 1, 8)
    assert occurrence_dates(first, WEEKLY, 3) == [first, date(2030, 1, 15), date(2030, 1, 22)]
    assert occurrence_dates(first, FORTNIGHTLY, 3) == [first, date(2030, 1, 22), date(2030, 2, 5)]


def test_monthly_keeps_the_second_tuesday():
    dates = occurrence_dates(date(2030, 1, 8), MONTHLY, 4)
    assert dates == [date(2030, 1, 8), date(2030, 2, 12), date(2030, 3, 12), date(2030, 4, 9)]


def test_a_fifth_weekday_becomes_the_last_one_in_a_shorter_month():
    # 29 January 2030 is the fifth Tuesday; February 2030 has four.
    assert occurrence_dates(date(2030, 1, 29), MONTHLY, 2) == [
        date(2030, 1, 29),
        date(2030, 2, 26),
    ]


def test_monthly_runs_across_the_new_year():
    assert occurrence_dates(date(2030, 11, 5), MONTHLY, 3)[-1] == date(2031, 1, 7)


def test_the_local_time_stays_across_summer_time():
    first = datetime(2030, 3, 26, 15, 0, tzinfo=CPH)  # winter time, UTC+1
    starts = occurrence_starts(first, WEEKLY, 2)  # summer time from 31 March 2030
    assert [s.hour for s in starts] == [15, 15]
    assert [s.utcoffset() for s in starts] == [timedelta(hours=1), timedelta(hours=2)]


@pytest.mark.parametrize("count", [0, 25])
def test_a_series_has_1_to_24_sessions(count):
    with pytest.raises(ValueError):
        occurrence_dates(date(2030, 1, 1), WEEKLY, count)


def test_an_unknown_repetition_is_refused():
    with pytest.raises(ValueError):
        occurrence_dates(date(2030, 1, 1), "yearly", 2)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=24),
)
def test_monthly_dates_share_the_weekday_and_fall_in_consecutive_months(first, count):
    dates = occurrence_dates(first, MONTHLY, count)
    assert len(dates) == count
    assert {d.weekday() for d in dates} == {first.weekday()}
    months = [d.year * 12 + d.month for d in dates]
    assert months == list(range(months[0], months[0] + count))
    assert dates == sorted(set(dates))
