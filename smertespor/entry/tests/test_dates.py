"""Dates for people: day first in both languages, ISO strings from snapshots read too."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from smertespor.entry.dates import day_for_people

DAY = datetime.date(2027, 1, 30)


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [("da", "30.01.2027", "30. januar 2027"), ("en", "30/01/2027", "30 January 2027")],
)
def test_dates_are_day_first_in_both_languages(language, short, long):
    with translation.override(language):
        assert day_for_people(DAY) == short
        assert day_for_people("2027-01-30") == short  # as a snapshot keeps it
        assert day_for_people(DAY, "DATE_FORMAT") == long
        rendered = Template('{{ d|date:"SHORT_DATE_FORMAT" }} {{ d|date:"DATE_FORMAT" }}').render(
            Context({"d": DAY})
        )
        assert rendered == f"{short} {long}"


def test_what_is_no_date_shows_as_it_is():
    assert day_for_people("not a date") == "not a date"
    assert day_for_people(None) == ""


def test_english_mode_never_writes_the_month_first():
    with translation.override("en"):
        text = day_for_people(datetime.date(2027, 3, 4))
    assert text == "04/03/2027"
