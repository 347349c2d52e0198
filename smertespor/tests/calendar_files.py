"""Reading a calendar file back the way a calendar program would, after checking the two
RFC 5545 rules programs are strictest about: CRLF line ends and lines of at most 75 octets."""

from icalendar import Calendar

MAX_LINE_OCTETS = 75


def read_calendar(data: bytes) -> Calendar:
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\r" not in line and b"\n" not in line for line in lines)
    assert all(len(line) <= MAX_LINE_OCTETS for line in lines)
    for line in lines:
        line.decode("utf-8")  # folding never splits a character
    return Calendar.from_ical(data)


def events_in(data: bytes) -> list:
    return read_calendar(data).walk("VEVENT")
