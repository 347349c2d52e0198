"""The patient's handout (Danish page and PDF), the GP's summary and the calendar file."""

import datetime
import re
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from smertespor.tapering.handout import build_handout, danish_date, units_text
from smertespor.tapering.ics import calendar
from smertespor.tapering.pace import Pace
from smertespor.tapering.services import create_taper_plan
from smertespor.tapering.tests.conftest import add_line
from smertespor.tests.calendar_files import read_calendar

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("units", "form", "text"),
    [
        (D("0.5"), "tablet", "½ tablet"),
        (D(1), "depot_tablet", "1 depottablet"),
        (D("1.5"), "tablet", "1½ tablet"),
        (D(2), "capsule", "2 kapsler"),
        (D("2.5"), "tablet", "2½ tabletter"),
        (D(1), "patch", "1 plaster"),
        (D(2), "patch", "2 plastre"),
    ],
)
def test_units_are_written_in_danish_words_with_halves(units, form, text):
    assert units_text(units, form) == text


def test_dates_are_written_in_danish():
    assert danish_date(datetime.date(2026, 3, 2)) == "mandag 2. marts 2026"


@pytest.fixture
def plan(gp, patient):
    # Morphine 10 mg tablets may be halved: a plan from 10 mg twice a day reaches halves.
    add_line(patient, "morphine-tablet", "10")
    pace = Pace(start_date=datetime.date(2026, 3, 2), step_percent=D(25), interval_days=14)
    return create_taper_plan(patient=patient, by=gp, pace=pace, activate=True)


def test_the_handout_page_gives_the_schedule_in_danish(client_for, gp, patient, plan, url):
    body = client_for(gp).get(url("plan_handout", patient, plan)).content.decode()
    assert 'lang="da"' in body
    assert "Din plan for nedtrapning af smertestillende medicin" in body
    assert (
        "Trin 1" in body and "fra mandag 2. marts 2026 til søndag 15. marts 2026 (2 uger)" in body
    )
    assert "½ tablet" in body
    assert "Morgen" in body and "Aften" in body
    assert "gåsehud" in body  # what to expect (SOWS/COWS items)
    assert "ring 112" in body
    assert patient.listed_practice.name in body
    css = (Path(__file__).parents[1] / "static" / "tapering" / "tapering.css").read_text()
    assert "tapering/tapering.css" in body and "@media print" in css


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes (``\\n``, ``\\(``, ``\\053`` ... resolved)."""

    def one(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8) & 0xFF])
        return _ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def _stream(body: bytes) -> bytes:
    """A stream's data: the /Length bytes after the `stream` keyword, as a reader takes them
    (searching for `endstream` instead lost a compressed stream whose last byte is a CR to
    the optional CR before it: about one handout in 300 lost a page's text)."""
    start = re.search(rb">>\s*stream\r?\n", body)
    length = re.search(rb"/Length (\d+)(?! \d+ R)", body)
    if start is None or length is None:
        return b""
    raw = body[start.end() : start.end() + int(length.group(1))]
    try:
        return zlib.decompress(raw)
    except zlib.error:
        return raw


def _pdf_text(data: bytes) -> str:
    """The text a PDF shows, read the way a PDF reader does for an embedded (subset) font:
    each Tj string's two-byte glyph ids through the ToUnicode map of the font set by Tf."""
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}
    fonts = {}
    for resources in re.findall(rb"/Font\s*<<(.*?)>>", data, re.S):
        for name, number in re.findall(rb"/(\w+)\s+(\d+) 0 R", resources):
            to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", objects[int(number)])
            assert to_unicode, "every font is embedded with a ToUnicode map"
            cmap = _stream(objects[int(to_unicode.group(1))])
            fonts[name] = {
                int(glyph, 16): chr(int(code, 16))
                for glyph, code in re.findall(rb"<([0-9A-F]{4})>\s*<([0-9A-F]{4,8})>", cmap)
            }
    shown, font = [], {}
    for body in objects.values():
        if b"/ToUnicode" in body or b"beginbf" in _stream(body):
            continue
        content = _stream(body)
        for name, literal in re.findall(
            rb"/(\w+) [\d.]+ Tf|\(((?:[^()\\]|\\.)*)\)\s*Tj", content, re.S
        ):
            if name:
                font = fonts.get(name, {})
                continue
            glyphs = _unescape(literal)
            shown.append(
                "".join(
                    font.get(int.from_bytes(glyphs[i : i + 2], "big"), "\ufffd")
                    for i in range(0, len(glyphs) - 1, 2)
                )
            )
    return "\n".join(shown)


def test_the_pdf_is_a_real_pdf_with_the_patients_dates(client_for, gp, patient, plan, url):
    response = client_for(gp).get(url("plan_handout_pdf", patient, plan))
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    text = _pdf_text(data)
    assert "Din plan for nedtrapning" in text
    assert "mandag 2. marts 2026" in text  # the first change
    assert "½ tablet" in text
    assert "Abstinenser" in text and "gåsehud" in text
    assert patient.name in text


def test_the_pdf_prints_names_outside_latin_1(client_for, gp, patient, plan, url):
    # Issue 12: Helvetica (Latin-1) printed "?" for these letters of real residents' names.
    patient.name = "Łukasz Wiśniewski-Kaya Ayşe Nguyễn"
    patient.save()
    data = client_for(gp).get(url("plan_handout_pdf", patient, plan)).content
    assert b"/FontFile2" in data  # the TrueType font is embedded
    text = _pdf_text(data)
    assert "Łukasz Wiśniewski-Kaya Ayşe Nguyễn" in text
    assert "?ukasz" not in text


def test_the_summary_for_the_record_lists_every_step_and_the_history(
    client_for, gp, patient, plan, url
):
    body = client_for(gp).get(url("plan_summary", patient, plan)).content.decode()
    assert body.count("<tr>") >= plan.step_count
    assert "nordic" in body


def test_the_calendar_has_an_event_on_each_step_date(client_for, gp, patient, plan, url):
    response = client_for(gp).get(url("plan_calendar", patient, plan))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="nedtrapning-2026-03-02.ics"'
    calendar = read_calendar(response.content)
    assert calendar["x-wr-calname"] == "Nedtrapningsplan"
    assert calendar["method"] == "PUBLISH"
    events = calendar.walk("VEVENT")
    steps = list(plan.steps.order_by("number"))
    assert len(events) == len(steps) == plan.step_count
    assert [event.decoded("dtstart") for event in events] == [s.start_date for s in steps]
    for event, step in zip(events, steps, strict=True):
        assert not isinstance(event.decoded("dtstart"), datetime.datetime)  # all-day
        assert event.decoded("dtend") == step.start_date + datetime.timedelta(days=1)
        assert event["uid"] == f"taper-plan-{plan.pk}-step-{step.number}@smertespor"
        assert event["summary"] == f"Nedtrapning trin {step.number}: ny dosis fra i dag"
        assert event["description"]
        assert str(event["location"]).startswith(patient.listed_practice.name)
        assert event["transp"] == "TRANSPARENT"


def test_a_calendar_without_steps_is_still_a_calendar():
    data = calendar(
        uid_prefix="x",
        stamp=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        periods=(),
        title="Nedtrapning, plan; æøå",
    )
    read = read_calendar(data)
    assert read.walk("VEVENT") == []
    assert read["x-wr-calname"] == "Nedtrapning, plan; æøå"
    assert data.endswith(b"END:VCALENDAR\r\n")


@pytest.mark.parametrize("name", ["plan_handout", "plan_handout_pdf", "plan_calendar"])
def test_no_cache_keeps_the_handout_the_pdf_or_the_calendar(
    client_for, gp, patient, plan, url, name
):
    response = client_for(gp).get(url(name, patient, plan))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def _periods_on(plan, day):
    from smertespor.tapering.handout import build_handout
    from smertespor.tapering.selectors import steps_of

    return build_handout(plan, steps_of(plan), day).periods


def test_the_day_before_step_1_the_dose_now_runs_to_that_day(plan):
    before, step_1 = _periods_on(plan, datetime.date(2026, 3, 1))[:2]
    assert before.heading == "Din dosis nu"
    assert before.dates == ("til og med søndag 1. marts 2026; trin 1 begynder mandag 2. marts 2026")
    assert step_1.heading == "Trin 1"


def test_on_the_day_step_1_starts_the_old_dose_is_not_the_dose_now(plan):
    before, step_1 = _periods_on(plan, datetime.date(2026, 3, 2))[:2]
    assert before.heading == "Din dosis før nedtrapningen"
    assert "nu" not in before.heading
    assert before.dates == "til og med søndag 1. marts 2026 – tag den ikke længere"
    assert step_1.heading == "Trin 1 (nu)"


def test_during_a_step_that_step_is_marked_and_no_other(plan):
    periods = _periods_on(plan, datetime.date(2026, 3, 20))
    marked = [p.number for p in periods if p.heading.endswith("(nu)")]
    assert marked == [2]  # step 1 ran 2-15 March; step 2 began on 16 March
    assert periods[0].heading == "Din dosis før nedtrapningen"


def test_the_handout_page_is_worded_for_today(client_for, gp, patient, plan, url):
    body = client_for(gp).get(url("plan_handout", patient, plan)).content.decode()
    assert "Din dosis før nedtrapningen" in body  # the tests' today is 2 March: step 1 begins
    assert "Din dosis nu" not in body


def test_the_pdf_has_a_header_with_region_practice_and_phone_and_a_tick_column(
    client_for, gp, patient, plan, url
):
    practice = patient.listed_practice
    practice.address = "Torvet 1, 8600 Silkeborg"
    practice.phone = "86 82 00 00"
    practice.save()
    text = _pdf_text(client_for(gp).get(url("plan_handout_pdf", patient, plan)).content)
    pages = text.count("– side ")
    assert pages >= 1
    # The header is on every page: who made it and how to reach them.
    assert text.count(practice.region.name) == pages
    assert text.count("Telefon 86 82 00 00") >= pages
    assert text.count("Torvet 1, 8600 Silkeborg") >= pages
    # Each period's dose table has a column to tick, with a box on every row.
    assert "Sæt kryds" in text
    handout = build_handout(plan, list(plan.steps.order_by("number")))
    assert text.count("\u2610") == sum(len(period.rows) for period in handout.periods) > 0


def test_the_pdf_body_is_set_in_12_pt(client_for, gp, patient, plan, url):
    data = client_for(gp).get(url("plan_handout_pdf", patient, plan)).content
    sizes = []
    for stream in re.findall(rb"stream\n(.*?)endstream", data, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:  # a font or an image, not a page
            continue
        sizes += [float(size) for size in re.findall(rb"/F\d+ ([\d.]+) Tf", content)]
    assert sizes and sizes.count(12.0) > len(sizes) / 2
    assert min(sizes) >= 8  # only the page footer is smaller than the text
