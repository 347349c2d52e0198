"""Numbers on taper plan pages and handouts are written once, through entry.numbers: in the
reader's locale, without padding zeros; the handout in Danish whatever the screen says."""

from decimal import Decimal

import pytest
from django.utils import translation

from smertespor.tapering.handout import danish_number
from smertespor.tapering.templatetags.tapering import exact_number, omeq

D = Decimal


@pytest.mark.parametrize(
    ("language", "value", "text"),
    [
        ("da", D("52.50"), "52,5"),
        ("en", D("52.50"), "52.5"),
        ("da", D("100.0000000000"), "100"),
        ("da", D("12.35"), "12,4"),  # display_mg: half up to one decimal
        ("da", "7", "7"),
        ("da", None, "—"),
    ],
)
def test_an_omeq_shows_at_most_one_decimal_in_the_locale(language, value, text):
    with translation.override(language):
        assert omeq(value) == text


@pytest.mark.parametrize(
    ("language", "value", "text"),
    [
        ("da", D("12.50"), "12,5"),
        ("en", D("7.00"), "7"),
        ("da", D("0.125"), "0,125"),
        ("en", None, "—"),
        ("en", "", "—"),
    ],
)
def test_a_stored_number_keeps_its_decimals_but_not_its_padding(language, value, text):
    with translation.override(language):
        assert exact_number(value) == text


def test_the_handout_writes_danish_numbers_on_an_english_screen():
    with translation.override("en"):
        assert danish_number("12.5") == "12,5"
        assert danish_number(D("33.33"), 1) == "33,3"
        assert danish_number(D("2.0")) == "2"
