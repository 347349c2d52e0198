"""Working-day arithmetic for response times: weekends and the given closed days are skipped.

The closed days are data (the app passes Danish public holidays from the `holidays` package),
so this module knows no calendar of its own. A request asked on Friday with a target of 3
working days is due on Wednesday; one asked on Maundy Thursday 2025 is due on Thursday
24 April (Good Friday, Easter Monday and the weekend are skipped).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from domain.errors import DomainError

SATURDAY = 5
# A sanity bound: a response-time target or a measured time is never years of working days.
MAX_WORKING_DAYS = 3660


class WorkingDaysError(DomainError):
    code = "bad_working_days"


def is_working_day(day: date, closed_days: Collection[date] = ()) -> bool:
    """Monday to Friday, and not one of `closed_days`."""
    return day.weekday() < SATURDAY and day not in closed_days


def next_working_day(day: date, closed_days: Collection[date] = ()) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day, closed_days):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int, closed_days: Collection[date] = ()) -> date:
    """The `days`-th working day after `start` (`start` itself never counts).

    With `days=0` the answer is `start` if it is a working day, else the next one: a request
    asked on a Saturday with a target of 0 days is due on Monday.
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise WorkingDaysError("The number of working days must be a whole number.")
    if not 0 <= days <= MAX_WORKING_DAYS:
        raise WorkingDaysError(
            f"The number of working days must be 0 to {MAX_WORKING_DAYS}, not {days}."
        )
    if days == 0:
        return next_working_day(start, closed_days)
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, closed_days):
            counted += 1
    return day


def working_days_between(start: date, end: date, closed_days: Collection[date] = ()) -> int:
    """How many working days after `start` up to and including `end` (0 if `end` <= `start`).

    An answer on the day of asking took 0 working days; one on the next working day took 1.
    `working_days_between(d, add_working_days(d, n)) == n` for every n >= 1.
    """
    if end <= start:
        return 0
    if (end - start).days > MAX_WORKING_DAYS * 2:
        raise WorkingDaysError(f"{start.isoformat()} to {end.isoformat()} is too long a span.")
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, closed_days):
            count += 1
    return count
