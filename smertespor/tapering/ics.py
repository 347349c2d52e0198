"""The plan's step dates as a calendar file: one all-day event on the first day of each step,
written by the shared `smertespor.calendars`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from smertespor.calendars import CalendarEvent, calendar_file
from smertespor.tapering.handout import Period

PRODUCT_ID = "-//Smertespor//Taper plan//DA"


def calendar(
    *,
    uid_prefix: str,
    stamp: datetime,
    periods: Sequence[Period],
    title: str,
    location: str = "",
) -> bytes:
    """All-day events on the first day of each step (the dose before the plan excluded);
    transparent, so a reminder does not block the patient's day."""
    events = [
        CalendarEvent(
            uid=f"{uid_prefix}-step-{period.number}@smertespor",
            on=period.first_day,
            summary=f"Nedtrapning {period.heading.lower()}: ny dosis fra i dag",
            description=period.summary,
            location=location,
            is_busy=False,
        )
        for period in periods
        if period.number != 0
    ]
    return calendar_file(events, product_id=PRODUCT_ID, name=title, stamp=stamp)
