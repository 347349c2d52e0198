from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cpr import InvalidCpr, Sex, birth_century, parse_cpr

TODAY = date(2026, 11, 23)


def test_it_reads_birth_date_and_sex_from_a_cpr_number() -> None:
    cpr = parse_cpr("211062-5629", today=TODAY)
    assert cpr.number == "2110625629"
    assert cpr.birth_date == date(1862, 10, 21)
    assert cpr.sex is Sex.MALE
    assert cpr.formatted == "211062-5629"
    assert cpr.masked == "211062-****"


def test_it_accepts_numbers_without_the_modulus_11_check() -> None:
    # 0101801235: weighted digit sum is not divisible by 11, yet valid since 2007.
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    number = "0101801235"
    assert sum(w * int(d) for w, d in zip(weights, number, strict=True)) % 11 != 0
    assert parse_cpr(number, today=TODAY).birth_date == date(1980, 1, 1)


def test_an_even_last_digit_is_female() -> None:
    assert parse_cpr("0101801234", today=TODAY).sex is Sex.FEMALE


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("010180123", "cpr_length", id="nine-digits"),
        pytest.param("01018012345", "cpr_length", id="eleven-digits"),
        pytest.param("01018O1234", "cpr_format", id="letter-o"),
        pytest.param("3102801234", "cpr_birth_date", id="31-february"),
        pytest.param("0113801234", "cpr_birth_date", id="month-13"),
        pytest.param("0101304234", "cpr_future", id="2030-not-born-yet"),
        pytest.param("", "cpr_length", id="empty"),
    ],
)
def test_it_refuses_invalid_numbers_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(InvalidCpr) as excinfo:
        parse_cpr(text, today=TODAY)
    assert excinfo.value.code == code


def test_a_birth_date_today_is_accepted_and_tomorrow_refused() -> None:
    assert parse_cpr("2311264000", today=TODAY).birth_date == TODAY
    with pytest.raises(InvalidCpr):
        parse_cpr("2411264000", today=TODAY)


@pytest.mark.parametrize(
    ("seventh", "year", "century"),
    [
        pytest.param(0, 0, 1900, id="0-00"),
        pytest.param(3, 99, 1900, id="3-99"),
        pytest.param(4, 36, 2000, id="4-36"),
        pytest.param(4, 37, 1900, id="4-37"),
        pytest.param(9, 36, 2000, id="9-36"),
        pytest.param(9, 37, 1900, id="9-37"),
        pytest.param(5, 57, 2000, id="5-57"),
        pytest.param(5, 58, 1800, id="5-58"),
        pytest.param(8, 0, 2000, id="8-00"),
        pytest.param(8, 99, 1800, id="8-99"),
    ],
)
def test_the_century_table_at_its_edges(seventh: int, year: int, century: int) -> None:
    assert birth_century(seventh, year) == century


@given(
    seventh=st.integers(min_value=0, max_value=9),
    year=st.integers(min_value=0, max_value=99),
    serial_rest=st.integers(min_value=0, max_value=999),
)
def test_parse_cpr_follows_the_century_table_for_every_7th_digit_and_year(
    seventh: int, year: int, serial_rest: int
) -> None:
    number = f"0101{year:02d}{seventh}{serial_rest:03d}"
    expected_year = birth_century(seventh, year) + year
    if date(expected_year, 1, 1) > TODAY:
        with pytest.raises(InvalidCpr):
            parse_cpr(number, today=TODAY)
    else:
        assert parse_cpr(number, today=TODAY).birth_date == date(expected_year, 1, 1)
