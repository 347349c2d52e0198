"""What blocks a text shown outside the patient's record: a CPR number (any plausible birth
date, whatever the modulus) or the name of the patient it was about. Dates and other names
stay warnings the writer may acknowledge."""

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum import exceptions as stdnum_exceptions
from stdnum.dk import cpr as stdnum_cpr

from domain.deidentification import (
    BLOCKING_KINDS,
    FindingKind,
    blocking_identifiers,
    find_identifiers,
    is_plausible_cpr,
)
from domain.tests.case_share import share_of_cases


def kinds(text: str, **names: list[str]) -> list[tuple[FindingKind, str]]:
    return [(f.kind, f.text) for f in find_identifiers(text, **names)]


# Worked examples -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cpr",
    [
        "120380-1234",  # modulus 11 fails: still a CPR number (issued without it since 2007)
        "1203801234",
        "120380 1234",
        "290200-4123",  # 29 February 2000 (7th digit 4, year 00 -> 2000, a leap year)
        "311299-0001",
        "010101–0101",  # en dash, as word processors write it
        "010101\u00a00101",  # no-break space
    ],
)
def test_a_cpr_number_with_a_plausible_birth_date_blocks(cpr: str) -> None:
    found = blocking_identifiers(f"Patienten ({cpr}) fik morfin.")
    assert [(f.kind, f.text) for f in found] == [(FindingKind.CPR, cpr)]
    assert all(f.blocks for f in found)


@pytest.mark.parametrize(
    "text",
    [
        "320380-1234",  # no 32nd day
        "121380-1234",  # no 13th month
        "000000-0000",
        "290200-0123",  # 29 February 1900 (7th digit 0 -> 1900): not a leap year
        "310480-1234",  # 31 April
        "12345678901",  # eleven digits
        "tlf. 12345678",
        "30 mg x 2",
    ],
)
def test_numbers_that_cannot_be_a_cpr_number_do_not_block(text: str) -> None:
    assert blocking_identifiers(text) == ()
    assert FindingKind.CPR not in {f.kind for f in find_identifiers(text)}


def test_a_cpr_number_right_after_a_word_or_a_dash_blocks() -> None:
    assert [f.text for f in blocking_identifiers("CPR:1203801234, cpr-120380-1234")] == [
        "1203801234",
        "120380-1234",
    ]


def test_the_patients_name_blocks_and_other_names_stay_warnings() -> None:
    text = "Birthe Testesen was seen by Dr. Holm."
    assert kinds(text, names=["Karen Holm"], patient_names=["Birthe Testesen"]) == [
        (FindingKind.PATIENT_NAME, "Birthe Testesen"),
        (FindingKind.NAME, "Holm"),
    ]
    assert [f.text for f in blocking_identifiers(text, patient_names=["Birthe Testesen"])] == [
        "Birthe Testesen"
    ]


def test_one_part_of_the_patients_name_written_as_a_name_blocks() -> None:
    found = blocking_identifiers("Fru Testesen tog tramadol.", patient_names=["Birthe Testesen"])
    assert [(f.kind, f.text) for f in found] == [(FindingKind.PATIENT_NAME, "Testesen")]


def test_the_full_name_blocks_in_any_case() -> None:
    found = blocking_identifiers("birthe testesen tog tramadol", patient_names=["Birthe Testesen"])
    assert [f.text for f in found] == ["birthe testesen"]


def test_a_part_of_the_patients_name_written_as_an_ordinary_word_is_a_warning() -> None:
    # "per" is a Danish first name and a preposition: "10 mg per dag" must stay writable.
    text = "Reducer med 10 mg per dag."
    assert blocking_identifiers(text, patient_names=["Per Hansen"]) == ()
    assert kinds(text, patient_names=["Per Hansen"]) == [(FindingKind.NAME, "per")]


def test_dates_and_other_names_never_block() -> None:
    text = "Set 12.03.2024 af Karen Holm, 3. januar."
    assert find_identifiers(text, names=["Karen Holm"])
    assert blocking_identifiers(text, patient_names=["Birthe Testesen"]) == ()


def test_a_cpr_number_wins_over_the_patients_name_and_a_date() -> None:
    found = find_identifiers("120380-1234", patient_names=["120380"])
    assert [f.kind for f in found] == [FindingKind.CPR]


@pytest.mark.parametrize(
    ("number", "plausible"),
    [
        ("1203801234", True),
        ("2902004123", True),
        ("2902000123", False),
        ("3204801234", False),
        ("120380123", False),
        ("abcdefghij", False),
        ("¹²⁰³⁸⁰¹²³⁴", False),
    ],
)
def test_plausible_cpr_numbers(number: str, plausible: bool) -> None:
    assert is_plausible_cpr(number) is plausible


# Properties ------------------------------------------------------------------------------


def _real_cpr(birth: date, serial: int) -> str | None:
    """A number CPR could have issued for `birth` (python-stdnum is the oracle), else None."""
    number = f"{birth:%d%m%y}{serial:04d}"
    try:
        return number if stdnum_cpr.get_birth_date(number) == birth else None
    except stdnum_exceptions.ValidationError:
        return None


real_cprs = st.builds(
    _real_cpr,
    st.dates(min_value=date(1858, 1, 1), max_value=date(2057, 12, 31)),
    st.integers(min_value=0, max_value=9999),
).filter(lambda number: number is not None)
separators = st.sampled_from(["", "-", " ", "–", "\u00a0"])
surroundings = st.text(max_size=40)


@given(surroundings, real_cprs, separators, surroundings)
def test_any_valid_cpr_number_in_any_text_is_blocked(
    before: str, cpr: str, separator: str, after: str
) -> None:
    assume(not before[-1:].isdigit() and not after[:1].isdigit())
    written = f"{cpr[:6]}{separator}{cpr[6:]}"
    found = blocking_identifiers(f"{before}{written}{after}")
    assert written in [f.text for f in found if f.kind == FindingKind.CPR]


def test_most_drawn_cpr_texts_reach_the_assertion() -> None:
    drawn = st.tuples(surroundings, surroundings)
    assert (
        share_of_cases(drawn, lambda c: not c[0][-1:].isdigit() and not c[1][:1].isdigit()) >= 0.5
    )


digit_heavy_texts = st.text(alphabet=st.sampled_from("0123456789 -–./:abcæøåABC\n"), max_size=60)


@given(digit_heavy_texts)
def test_a_text_with_fewer_than_ten_digits_never_blocks(text: str) -> None:
    assume(sum(ch.isdigit() for ch in text) < 10)
    assert blocking_identifiers(text) == ()


def test_most_drawn_digit_texts_have_fewer_than_ten_digits() -> None:
    assert share_of_cases(digit_heavy_texts, lambda t: sum(c.isdigit() for c in t) < 10) >= 0.5


@given(st.text(max_size=60), st.lists(st.text(max_size=15), max_size=2))
def test_only_cpr_numbers_and_the_patients_name_block(text: str, patient: list[str]) -> None:
    for finding in find_identifiers(text, patient_names=patient):
        assert finding.blocks == (finding.kind in BLOCKING_KINDS)
    for finding in blocking_identifiers(text, patient_names=patient):
        assert finding.kind in {FindingKind.CPR, FindingKind.PATIENT_NAME}
