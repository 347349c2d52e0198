"""The dates of a recurring series, in local time, so 14:00 stays 14:00 across summer time.

Monthly means the same weekday in the same week of the month (the second Tuesday), as
teaching programmes are planned; a fifth weekday that a month lacks becomes its last one.
"""

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKLY = "weekly"
FORTNIGHTLY = "fortnightly"
MONTHLY = "monthly"
MAX_OCCURRENCES = 24


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    days = [
        day
        for day in calendar.Calendar().itermonthdates(year, month)
        if day.month == month and day.weekday() == weekday
    ]
    return days[min(nth, len(days)) - 1]


def occurrence_dates(first: date, repeat: str, count: int) -> list[date]:
    """``count`` dates starting with ``first``."""
    if count < 1 or count > MAX_OCCURRENCES:
        raise ValueError(f"count must be 1 to {MAX_OCCURRENCES}")
    if repeat in (WEEKLY, FORTNIGHTLY):
        step = timedelta(weeks=1 if repeat == WEEKLY else 2)
        return [first + step * index for index in range(count)]
    if repeat == MONTHLY:
        nth = (first.day - 1) // 7 + 1
        dates = []
        for index in range(count):
            year, month0 = divmod(first.month - 1 + index, 12)
            dates.append(_nth_weekday(first.year + year, month0 + 1, first.weekday(), nth))
        return dates
    raise ValueError(f"unknown repeat {repeat!r}")


def occurrence_starts(first: datetime, repeat: str, count: int) -> list[datetime]:
    """Aware start times: each on its date at ``first``'s local wall-clock time."""
    zone = first.tzinfo
    if not isinstance(zone, ZoneInfo):
        raise ValueError("first must be aware, in a ZoneInfo time zone")
    return [
        datetime.combine(day, first.timetz().replace(tzinfo=None), tzinfo=zone)
        for day in occurrence_dates(first.date(), repeat, count)
    ]
