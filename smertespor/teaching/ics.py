"""An iCalendar (RFC 5545) file with one event: small enough to write by hand, with the
escaping (3.3.11) and line folding (3.1) calendar programs insist on.

Times are written in UTC (``...Z``), so no VTIMEZONE block is needed and every client shows
the session at the right local time.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    stamp: datetime | None = None


# Control characters a TEXT value may not hold (RFC 5545 3.3.11): all but tab and newline.
_CONTROL = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines; other controls dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (
        value.translate(_CONTROL)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def fold_line(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a UTF-8 character;
    continuation lines start with one space (which counts towards their 75)."""
    chunks: list[str] = []
    current = ""
    current_octets = 0
    limit = MAX_OCTETS
    for char in line:
        size = len(char.encode("utf-8"))
        if current_octets + size > limit:
            chunks.append(current)
            current, current_octets, limit = "", 0, MAX_OCTETS - 1
        current += char
        current_octets += size
    chunks.append(current)
    return (CRLF + " ").join(chunks)


def unfold(text: str) -> list[str]:
    """The content lines of a folded calendar (for tests and for reading one back)."""
    return text.replace(CRLF + " ", "").replace(CRLF + "\t", "").split(CRLF)[:-1]


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("calendar times must be aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_file(event: CalendarEvent, *, product: str = "-//Smertespor//Teaching//EN") -> str:
    stamp = event.stamp or datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{product}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(event.starts_at)}",
        f"DTEND:{_utc(event.ends_at)}",
        f"SEQUENCE:{event.sequence}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        # URL is of type URI, not TEXT: no escaping, but still folded.
        lines.append(f"URL:{event.url}")
    lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold_line(line) + CRLF for line in lines)
