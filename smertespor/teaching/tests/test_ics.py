"""The calendar file: RFC 5545 escaping, folding and content, checked line by line."""

from datetime import UTC, datetime

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from smertespor.teaching.ics import CalendarEvent, calendar_file, escape_text, fold_line, unfold
from smertespor.teaching.tests.factories import TeachingSessionFactory


def _event(**overrides):
    values = {
        "uid": "teaching-session-7@smertespor",
        "starts_at": datetime(2030, 3, 12, 14, 0, tzinfo=UTC),
        "ends_at": datetime(2030, 3, 12, 15, 30, tzinfo=UTC),
        "summary": "Nedtrapning",
        "stamp": datetime(2030, 1, 1, tzinfo=UTC),
    }
    values.update(overrides)
    return CalendarEvent(**values)


def test_text_escapes_backslash_semicolon_comma_and_newlines():
    assert escape_text("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_a_long_line_is_folded_at_75_octets_with_a_leading_space():
    line = "DESCRIPTION:" + "x" * 200
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert unfold(folded + "\r\n") == [line]


def test_folding_never_splits_a_danish_letter():
    line = "SUMMARY:" + "æøå" * 40
    for part in fold_line(line).split("\r\n"):
        part.encode("utf-8").decode("utf-8")  # each part is whole UTF-8
        assert len(part.encode()) <= 75


def test_the_file_has_one_event_in_utc_with_crlf_line_ends():
    text = calendar_file(_event(description="Linje 1\nLinje 2", location="Silkeborg, lokale 2"))
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "DTSTART:20300312T140000Z" in lines
    assert "DTEND:20300312T153000Z" in lines
    assert "UID:teaching-session-7@smertespor" in lines
    assert "DESCRIPTION:Linje 1\\nLinje 2" in lines
    assert "LOCATION:Silkeborg\\, lokale 2" in lines
    assert lines.count("BEGIN:VEVENT") == 1


@given(st.text(max_size=400))
def test_any_summary_survives_escaping_and_folding(summary):
    text = calendar_file(_event(summary=summary))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    (line,) = [line for line in unfold(text) if line.startswith("SUMMARY:")]
    value = line.removeprefix("SUMMARY:")
    # Unescape, as a calendar program would.
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    expected = summary.replace("\r\n", "\n").replace("\r", "\n")
    assert "".join(out) == "".join(c for c in expected if c in "\t\n" or not _is_control(c))


def _is_control(char):
    return ord(char) < 0x20 or ord(char) == 0x7F


def test_the_session_calendar_file_downloads(client_for, gp, clinic):
    session = TeachingSessionFactory(
        organiser=clinic,
        title="Abstinenser; hvad nu?",
        online_url="https://meet.example/abc",
        starts_at=datetime(2030, 3, 12, 14, 0, tzinfo=UTC),
    )
    response = client_for(gp).get(reverse("teaching:calendar", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="teaching-{session.pk}.ics"'
    lines = unfold(response.content.decode())
    assert "SUMMARY:Abstinenser\\; hvad nu?" in lines
    assert "DTSTART:20300312T140000Z" in lines
    assert "DTEND:20300312T153000Z" in lines
    assert "URL:https://meet.example/abc" in lines
    assert f"UID:teaching-session-{session.pk}@smertespor" in lines
    assert "SEQUENCE:0" in lines
