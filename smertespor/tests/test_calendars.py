"""The shared calendar file writer: what goes in, read back as a calendar program would."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smertespor.calendars import CalendarEvent, calendar_file
from smertespor.tests.calendar_files import events_in, read_calendar

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
STAMP = datetime(2030, 1, 1, 9, 30, tzinfo=UTC)


def _timed(**overrides):
    event = CalendarEvent(
        uid="teaching-session-7@smertespor",
        summary="Nedtrapning",
        starts_at=datetime(2030, 3, 12, 14, 0, tzinfo=COPENHAGEN),
        ends_at=datetime(2030, 3, 12, 15, 30, tzinfo=COPENHAGEN),
    )
    return replace(event, **overrides)


def _file(*events, **options):
    options = {"product_id": "-//Smertespor//Test//EN", "stamp": STAMP, **options}
    return calendar_file(events, **options)


def test_a_timed_event_is_written_in_utc():
    data = _file(_timed())
    (event,) = events_in(data)
    assert event.decoded("dtstart") == datetime(2030, 3, 12, 13, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2030, 3, 12, 14, 30, tzinfo=UTC)
    assert b"\r\nDTSTART:20300312T130000Z\r\n" in data
    assert b"VTIMEZONE" not in data and b"TZID" not in data


def test_an_all_day_event_lasts_exactly_its_date():
    data = _file(CalendarEvent(uid="step-1@smertespor", summary="Trin 1", on=date(2026, 3, 2)))
    (event,) = events_in(data)
    assert event.decoded("dtstart") == date(2026, 3, 2)
    assert not isinstance(event.decoded("dtstart"), datetime)
    assert event.decoded("dtend") == date(2026, 3, 3)
    assert b"\r\nDTSTART;VALUE=DATE:20260302\r\n" in data


def test_the_calendar_is_published_with_its_product_and_name():
    calendar = read_calendar(
        _file(_timed(), product_id="-//Smertespor//Taper plan//DA", name="Plan")
    )
    assert calendar["version"] == "2.0"
    assert calendar["prodid"] == "-//Smertespor//Taper plan//DA"
    assert calendar["method"] == "PUBLISH"
    assert calendar["calscale"] == "GREGORIAN"
    assert calendar["x-wr-calname"] == "Plan"


def test_a_calendar_without_a_name_has_no_calendar_name():
    assert "x-wr-calname" not in read_calendar(_file(_timed()))


def test_every_event_keeps_its_uid_stamp_sequence_status_and_transparency():
    busy = _timed(uid="a@smertespor", sequence=3, status="CONFIRMED")
    free = CalendarEvent(uid="b@smertespor", summary="Trin", on=date(2030, 2, 1), is_busy=False)
    first, second = events_in(_file(busy, free, stamp=datetime(2030, 1, 1, 10, tzinfo=COPENHAGEN)))
    assert [first["uid"], second["uid"]] == ["a@smertespor", "b@smertespor"]
    assert first.decoded("dtstamp") == datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    assert second.decoded("dtstamp") == datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    assert [first["sequence"], second["sequence"]] == [3, 0]
    assert first["status"] == "CONFIRMED"
    assert "status" not in second
    assert [first["transp"], second["transp"]] == ["OPAQUE", "TRANSPARENT"]


def test_text_with_commas_semicolons_newlines_and_danish_letters_round_trips():
    event = _timed(
        summary="Abstinenser; hvad gør vi, når det gør ondt?",
        description="Linje 1\nLinje 2; med komma, og backslash \\ og æøå ÆØÅ",
        location="Smerteklinikken, mødelokale 2",
        url="https://meet.example/abc?x=1,2;3",
    )
    (read,) = events_in(_file(event))
    assert read["summary"] == event.summary
    assert read["description"] == event.description
    assert read["location"] == event.location
    assert read["url"] == event.url


def test_carriage_returns_become_newlines_and_forbidden_control_characters_are_dropped():
    (read,) = events_in(_file(_timed(summary="a\r\nb\rc\x00d\x1be\tf")))
    assert read["summary"] == "a\nb\ncde\tf"


def test_a_long_danish_description_is_folded_without_splitting_a_letter():
    description = "Sådan trapper du ned: æøå " * 20
    data = _file(_timed(description=description))
    assert b"\r\n " in data  # it was folded
    (read,) = events_in(data)  # every line at most 75 octets and whole UTF-8
    assert read["description"] == description


def test_empty_text_fields_are_left_out():
    (read,) = events_in(_file(_timed()))
    assert all(name not in read for name in ("description", "location", "url", "status"))


def test_a_calendar_without_events_is_still_a_calendar():
    data = _file()
    assert events_in(data) == []
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")


def test_the_same_events_always_give_the_same_file():
    assert _file(_timed()) == _file(_timed())


@pytest.mark.parametrize(
    "times",
    [
        pytest.param({}, id="neither"),
        pytest.param({"starts_at": STAMP, "ends_at": STAMP, "on": date(2030, 1, 1)}, id="both"),
        pytest.param({"starts_at": STAMP}, id="no-end"),
        pytest.param({"starts_at": datetime(2030, 1, 1), "ends_at": STAMP}, id="naive"),  # noqa: DTZ001
        pytest.param({"on": STAMP}, id="on-a-datetime"),
        pytest.param({"starts_at": STAMP, "ends_at": STAMP - timedelta(minutes=1)}, id="backwards"),
    ],
)
def test_an_event_needs_aware_times_in_order_or_a_date_but_not_both(times):
    with pytest.raises(ValueError, match=r"starts_at|aware|date|before"):
        CalendarEvent(uid="x", summary="x", **times)


def test_a_naive_stamp_is_refused():
    with pytest.raises(ValueError, match="aware"):
        _file(_timed(), stamp=datetime(2030, 1, 1))  # noqa: DTZ001


def _as_a_calendar_program_reads_it(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\t\n" or not (ord(c) < 0x20 or ord(c) == 0x7F))


@given(
    summary=st.text(max_size=400),
    on=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
)
def test_any_text_summary_round_trips(summary, on):
    data = _file(CalendarEvent(uid="x@smertespor", summary=summary, on=on))
    (read,) = events_in(data)
    assert read["summary"] == _as_a_calendar_program_reads_it(summary)
    assert read.decoded("dtstart") == on


def test_the_end_of_an_all_day_event_is_the_next_day_across_a_year_end():
    (read,) = events_in(_file(CalendarEvent(uid="x", summary="x", on=date(2030, 12, 31))))
    assert read.decoded("dtend") == date(2031, 1, 1)


@pytest.mark.parametrize("summary", ["\\N", "a\\nb", "C:\\Nye\\noter", "x;y,z\\"])
def test_a_literal_backslash_is_kept_not_read_as_a_line_break(summary):
    (read,) = events_in(
        _file(CalendarEvent(uid="x@smertespor", summary=summary, on=date(2030, 1, 2)))
    )
    assert read["summary"] == summary
