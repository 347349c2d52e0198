"""Calendar files (RFC 5545 .ics) for anything Smertespor puts in someone's calendar: teaching
sessions and the dates of a taper plan's steps.

`icalendar` writes the file (CRLF line ends, folding at 75 octets, TEXT escaping); this module
only decides what goes in it. Timed events are written in UTC (``...Z``), so no VTIMEZONE block
is needed and every client shows the right local time; all-day events are plain dates.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from icalendar import Calendar, Event, vText

Status = Literal["TENTATIVE", "CONFIRMED", "CANCELLED"]

# Control characters a TEXT value may not hold (RFC 5545 3.3.11): all but tab and line ends.
_CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@dataclass(frozen=True)
class CalendarEvent:
    """One event: timed (``starts_at``/``ends_at``, aware) or all-day (``on``), not both."""

    uid: str
    summary: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    on: date | None = None
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    status: Status | None = None
    is_busy: bool = True  # TRANSP: OPAQUE blocks the time, TRANSPARENT does not

    def __post_init__(self) -> None:
        starts_at, ends_at = self.starts_at, self.ends_at
        is_timed = starts_at is not None or ends_at is not None
        if is_timed == (self.on is not None):
            raise ValueError("an event has either starts_at and ends_at, or on")
        if isinstance(self.on, datetime):
            raise ValueError("on is a date, not a datetime")
        if is_timed:
            if (
                starts_at is None
                or ends_at is None
                or not (_is_aware(starts_at) and _is_aware(ends_at))
            ):
                raise ValueError("starts_at and ends_at must both be aware datetimes")
            if ends_at < starts_at:
                raise ValueError("an event cannot end before it starts")


def calendar_file(
    events: Iterable[CalendarEvent], *, product_id: str, name: str | None = None, stamp: datetime
) -> bytes:
    """The .ics file (UTF-8) holding ``events``, published as they are (METHOD:PUBLISH).

    ``stamp`` is when the information was last changed (each event's DTSTAMP), so the same
    events always give the same file.
    """
    if not _is_aware(stamp):
        raise ValueError("calendar times must be aware")
    calendar = Calendar()
    calendar.add("prodid", product_id)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:  # an X- property: icalendar writes it as it is (no TEXT escaping)
        calendar.add("x-wr-calname", name.translate(_CONTROL))
    for event in events:
        calendar.add_component(_vevent(event, stamp=stamp.astimezone(UTC)))
    data: bytes = calendar.to_ical()
    return data


def _vevent(event: CalendarEvent, *, stamp: datetime) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    if event.on is not None:
        vevent.add("dtstart", event.on)
        vevent.add("dtend", event.on + timedelta(days=1))
    elif event.starts_at is not None and event.ends_at is not None:
        vevent.add("dtstart", event.starts_at.astimezone(UTC))
        vevent.add("dtend", event.ends_at.astimezone(UTC))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", _text(event.summary))
    if event.description:
        vevent.add("description", _text(event.description))
    if event.location:
        vevent.add("location", _text(event.location))
    if event.url:
        vevent.add("url", event.url)
    if event.status:
        vevent.add("status", event.status)
    vevent.add("transp", "OPAQUE" if event.is_busy else "TRANSPARENT")
    return vevent


class _Text(vText):
    """A TEXT value escaped as RFC 5545 says. icalendar's own escaping first turns a literal
    backslash followed by N into a line break (it takes it for an escaped one), so a summary
    holding "\\N" came back as a new line."""

    def to_ical(self) -> bytes:
        text = str(self).replace("\r\n", "\n").replace("\r", "\n")
        for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
            text = text.replace(raw, escaped)
        return text.encode("utf-8")


def _text(value: str) -> _Text:
    """A TEXT value without the control characters RFC 5545 forbids (icalendar keeps them)."""
    return _Text(value.translate(_CONTROL))


def _is_aware(moment: datetime) -> bool:
    return moment.utcoffset() is not None
