"""Calendar-month arithmetic: `add_calendar_months(date(2027, 11, 30), 3) == date(2028, 2, 29)`.

A month later is the same day of the month, clamped to the last day of a shorter month:
31 Aug + 3 months = 30 Nov, 30 Nov 2026 + 3 months = 28 Feb 2027, 29 Feb 2028 + 12 months =
28 Feb 2029. Clamping means adding months one at a time can differ from adding them at once
(31 Jan + 1 + 1 = 28 Mar, 31 Jan + 2 = 31 Mar); deadlines always add the whole period at once.
"""

from __future__ import annotations

import calendar
from datetime import date

from domain.errors import DomainError


class CalendarError(DomainError):
    code = "date_out_of_range"


def add_calendar_months(start: date, months: int) -> date:
    """`start` moved by `months` calendar months (negative moves back), clamped to month end."""
    if isinstance(months, bool) or not isinstance(months, int):
        raise CalendarError("The number of months must be a whole number.", code="bad_months")
    index = start.year * 12 + (start.month - 1) + months
    year, month_index = divmod(index, 12)
    if not date.min.year <= year <= date.max.year:
        raise CalendarError(f"{start.isoformat()} + {months} months is outside the calendar.")
    month = month_index + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))
