"""Dates as text for people, in the active language's format ("6. december 2026",
"06.12.2026"); ISO stays for form inputs, CSV and the API.

Snapshots and audit details keep dates as ISO strings, so the helper reads those too.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format


def as_date(value: object) -> date | datetime | None:
    """A date, a datetime or an ISO string as a date/datetime; anything else is None."""
    if isinstance(value, (date, datetime)):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def day_for_people(value: object, format_name: str = "SHORT_DATE_FORMAT") -> str:
    """``value`` (a date, datetime or ISO string) as a date in the user's language; what is
    no date is shown as it is."""
    when = as_date(value)
    if when is None:
        return "" if value is None else str(value)
    if isinstance(when, datetime):
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        when = when.date()
    return date_format(when, format_name)
