from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from smertespor.entry.numbers import for_json, for_people, size_for_people, times_for_people


@pytest.mark.parametrize(
    ("value", "places", "danish", "english"),
    [
        (Decimal("52.50"), None, "52,5", "52.5"),
        (Decimal("7.00"), None, "7", "7"),
        (Decimal("100"), None, "100", "100"),
        (Decimal("1E+2"), None, "100", "100"),
        (Decimal("1.25"), 1, "1,2", "1.2"),
        (Decimal("0.333333"), 2, "0,33", "0.33"),
        (3, None, "3", "3"),
        ("12.5", None, "12,5", "12.5"),
    ],
)
def test_people_see_the_locale_s_decimal_mark_and_no_padding_zeros(value, places, danish, english):
    with translation.override("da"):
        assert for_people(value, places) == danish
    with translation.override("en"):
        assert for_people(value, places) == english


@pytest.mark.parametrize("value", [None, "", "abc", Decimal("NaN"), Decimal("Infinity")])
def test_what_is_not_a_finite_number_shows_as_nothing(value):
    assert for_people(value) == ""
    assert for_json(value) is None


def test_json_keeps_the_exact_value_with_a_dot():
    assert for_json(Decimal("52.500")) == "52.5"
    assert for_json(Decimal("1E+2")) == "100"
    assert for_json(Decimal("0.1")) == "0.1"


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**9), max_value=10**9))
def test_json_text_reads_back_as_the_same_number(value):
    text = for_json(value)
    assert text is not None
    assert "E" not in text
    assert Decimal(text) == value


def _read_danish(text: str) -> Decimal:
    """A number as a Danish reader takes it: "." groups thousands, "," marks decimals."""
    return Decimal(text.replace("\xa0", "").replace(".", "").replace(",", "."))


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**9), max_value=10**9))
def test_danish_text_reads_back_as_the_same_number(value):
    with translation.override("da"):
        text = for_people(value)
    assert "E" not in text
    assert not (("," in text) and text.endswith("0"))  # no padding zeros after the comma
    assert _read_danish(text) == value


@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=10**6, places=4),
    st.integers(min_value=0, max_value=3),
)
def test_rounded_danish_text_is_the_number_rounded(value, places):
    with translation.override("da"):
        text = for_people(value, places)
    assert _read_danish(text) == value.quantize(Decimal(1).scaleb(-places))


@pytest.mark.parametrize(
    ("value", "danish", "english"),
    [
        (1, "1 gang", "1"),
        (2, "2 gange", "2"),
        (Decimal("1.00"), "1 gang", "1"),
        ("1.5", "1,5 gange", "1.5"),
    ],
)
def test_times_a_day_follow_the_number_in_danish(value, danish, english):
    with translation.override("da"):
        assert times_for_people(value) == danish
    with translation.override("en"):
        assert times_for_people(value) == english


def test_file_sizes_have_no_padding_zero():
    with translation.override("da"):
        assert size_for_people(50 * 1024 * 1024) == "50\xa0MB"
        assert size_for_people(1536 * 1024) == "1,5\xa0MB"
    with translation.override("en"):
        assert size_for_people(1536 * 1024) == "1.5\xa0MB"
