"""Warnings for knowledge-base texts: CPR numbers, names from the request and dates."""

from collections.abc import Sequence
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.deidentification import (
    Finding,
    FindingKind,
    find_identifiers,
    has_identifiers,
    name_parts,
)
from domain.tests.case_share import share_of_cases


def kinds_and_texts(text: str, names: Sequence[str] = ()) -> list[tuple[FindingKind, str]]:
    return [(f.kind, f.text) for f in find_identifiers(text, names=names)]


@pytest.mark.parametrize(
    "cpr",
    ["120380-1234", "1203801234", "120380 1234", "010101-0101"],
)
def test_it_warns_about_anything_that_looks_like_a_cpr_number(cpr: str) -> None:
    assert kinds_and_texts(f"Patienten ({cpr}) fik morfin.") == [(FindingKind.CPR, cpr)]


@pytest.mark.parametrize("text", ["12345678901", "tlf. 12345678", "30 mg x 2", "123-4567"])
def test_it_does_not_call_other_numbers_cpr_numbers(text: str) -> None:
    assert FindingKind.CPR not in {f.kind for f in find_identifiers(text)}


@pytest.mark.parametrize(
    "date",
    [
        "12.03.2024",
        "12-3-24",
        "1/2/2025",
        "2024-03-12",
        "12.3.",
        "d. 12/3",
        "12. marts 2024",
        "3. januar",
        "12 March 2024",
        "3rd of May",
        "March 12, 2024",
        "marts 2024",
        "okt. 2023",
    ],
)
def test_it_warns_about_dates_in_danish_and_english(date: str) -> None:
    assert kinds_and_texts(f"Set {date} i klinikken.") == [(FindingKind.DATE, date)]


@pytest.mark.parametrize(
    "text",
    [
        "Targin 10/5 mg two times a day",
        "reduce by 10 % every 4 weeks",
        "0.5 mg morphine",
        "OMEQ 90 mg/day",
        "version 2.1.3",
    ],
)
def test_doses_and_fractions_are_not_dates(text: str) -> None:
    assert find_identifiers(text) == ()


def test_it_warns_about_every_part_of_a_name_from_the_request_in_any_case() -> None:
    text = "Birthe was seen by Dr. holm; Testesen had tried tramadol."
    found = kinds_and_texts(text, names=["Birthe Testesen", "Karen Holm"])
    assert found == [
        (FindingKind.NAME, "Birthe"),
        (FindingKind.NAME, "holm"),
        (FindingKind.NAME, "Testesen"),
    ]


def test_a_name_inside_a_longer_word_is_not_a_name() -> None:
    assert find_identifiers("Holmegaard and Annex", names=["Anne Holm"]) == ()


def test_names_with_hyphens_and_danish_letters_are_found() -> None:
    text = "Anne-Mette Østergaard called."
    found = kinds_and_texts(text, names=["Anne-Mette Østergaard"])
    assert found == [
        (FindingKind.NAME, "Anne"),
        (FindingKind.NAME, "Mette"),
        (FindingKind.NAME, "Østergaard"),
    ]


def test_initials_and_empty_names_are_ignored() -> None:
    assert name_parts(["A. B.", "", "Ib"]) == ["Ib"]
    assert find_identifiers("A plan for B.", names=["A. B."]) == ()


def test_findings_come_in_text_order_with_their_positions() -> None:
    text = "Ole 120380-1234 was seen 12.03.2024."
    findings = find_identifiers(text, names=["Ole Hansen"])
    assert findings == (
        Finding(FindingKind.NAME, 0, 3, "Ole"),
        Finding(FindingKind.CPR, 4, 15, "120380-1234"),
        Finding(FindingKind.DATE, 25, 35, "12.03.2024"),
    )
    assert all(text[f.start : f.end] == f.text for f in findings)


def test_a_cpr_number_wins_over_a_date_or_name_that_overlaps_it() -> None:
    findings = find_identifiers("120380-1234", names=["120380"])
    assert [f.kind for f in findings] == [FindingKind.CPR]


def test_a_clean_text_has_no_warnings() -> None:
    text = (
        "Switch to one long-acting opioid at fixed times, then reduce by 10 % per month. "
        "Pause rather than step back up."
    )
    assert not has_identifiers(text, names=["Birthe Testesen"])


CPR_SHAPED = st.from_regex(r"\A(0[1-9]|1\d|2[0-8])(0[1-9]|1[0-2])\d\d-?\d{4}\Z")
REQUEST_NAMES = ["Birthe Testesen", "Anne-Mette Østergaard"]
# Texts with identifiers in them: any text between CPR-shaped numbers, dates and names,
# sometimes written together so findings may touch or overlap.
texts = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30),
        CPR_SHAPED,
        st.sampled_from(["12.03.2024", "3. januar", "March 12, 2024", "d. 12/3", "okt. 2023"]),
        st.sampled_from(["Birthe", "testesen", "Anne", "Østergaard", "120380"]),
    ),
    max_size=8,
).flatmap(lambda parts: st.sampled_from([" ", "", "-", ". "]).map(lambda gap: gap.join(parts)))
names = st.lists(st.sampled_from(REQUEST_NAMES) | st.text(max_size=20), max_size=3)


@given(texts, names)
def test_findings_never_overlap_and_always_point_at_their_text(text: str, names: list[str]) -> None:
    findings = find_identifiers(text, names=names)
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    for before, after in pairwise(findings):
        assert before.end <= after.start


def test_most_drawn_texts_have_findings_to_check() -> None:
    drawn = st.tuples(texts, names)
    assert share_of_cases(drawn, lambda case: bool(find_identifiers(case[0], names=case[1]))) >= 0.5
