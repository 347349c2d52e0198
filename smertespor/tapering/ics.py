"""The plan's step dates as an iCalendar file (RFC 5545), written by hand: `icalendar` is not
a dependency, and the file needs only all-day events.

RFC 5545 rules kept here: lines end in CRLF (3.1); a content line longer than 75 octets is
folded with CRLF and one space, never inside a UTF-8 character (3.1); in TEXT values a
backslash, semicolon and comma are escaped and a newline becomes "\\n" (3.3.11).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from smertespor.tapering.handout import Period

PRODID = "-//Smertespor//Taper plan//DA"
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """One content line, folded at 75 octets (continuations start with a space)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    limit = MAX_OCTETS
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
            limit = MAX_OCTETS - 1  # the leading space counts
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _lines(items: Iterable[str]) -> str:
    return "".join(fold(item) + "\r\n" for item in items)


def calendar(
    *,
    uid_prefix: str,
    stamp: datetime,
    periods: Sequence[Period],
    title: str,
    location: str = "",
) -> str:
    """All-day events on the first day of each step (the dose before the plan excluded)."""
    stamp_text = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(title)}",
    ]
    for period in periods:
        if period.number == 0:
            continue
        first: date = period.first_day
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid_prefix}-step-{period.number}@smertespor",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{first.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(first + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{escape_text(f'Nedtrapning {period.heading.lower()}: ny dosis fra i dag')}",
            f"DESCRIPTION:{escape_text(period.summary)}",
            "TRANSP:TRANSPARENT",
        ]
        if location:
            lines.append(f"LOCATION:{escape_text(location)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return _lines(lines)
