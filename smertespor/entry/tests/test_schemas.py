from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ninja import Schema
from pydantic import ValidationError

from smertespor.entry.schemas import DecimalText, ExactNumber, one_of


class Dose(Schema):
    amount: ExactNumber


class Shown(Schema):
    amount: DecimalText


@pytest.mark.parametrize(
    ("given_", "expected"),
    [(0.1, Decimal("0.1")), ("2.5", Decimal("2.5")), (10, Decimal(10)), (" 7 ", Decimal(7))],
)
def test_numbers_and_decimal_strings_are_read_exactly(given_, expected):
    assert Dose(amount=given_).amount == expected


@pytest.mark.parametrize(
    "bad", [True, "NaN", "Infinity", float("inf"), "١٢", "12,5", "x" * 41, None, [1]]
)
def test_what_is_not_a_plain_finite_number_is_refused(bad):
    with pytest.raises(ValidationError):
        Dose(amount=bad)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, max_value=10**9))
def test_an_exact_decimal_goes_out_as_text_that_reads_back_the_same(value):
    text = Shown(amount=value).model_dump()["amount"]
    assert isinstance(text, str)
    assert Decimal(text) == value


def test_a_coded_field_lists_its_values_in_its_own_schema():
    from typing import Annotated

    class Coded(Schema):
        route: Annotated[str, one_of(["oral", "transdermal"], "How it is taken.")]

    schema = Coded.model_json_schema()["properties"]["route"]
    assert schema["enum"] == ["oral", "transdermal"]
    assert schema["description"] == "How it is taken."
