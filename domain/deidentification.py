"""What in a text may identify a patient: a CPR number, the patient's name, another name from
the request it was written from, or a date.

Two strengths. A CPR number (ten digits whose first six are a real birth date, whatever the
modulus: numbers without modulus 11 have been issued since 2007) and the name of the patient
the text is about *block*: a text shown outside the patient's record (a knowledge-base
article, an advice subject, a teaching session) is refused with them. Dates and other names
(the clinicians') are *warnings* the writer may acknowledge. The check is deliberately
generous: a false alarm costs a rephrasing, a missed CPR number costs a patient's privacy.

A part of the patient's name blocks when it is written as a name (capitalised, "Testesen",
"TESTESEN") or the whole name appears in any case ("birthe testesen"); the same part written
as an ordinary lower-case word ("10 mg per dag" for a patient called Per) is a warning, so
Danish first names that are also words do not make clinical prose unwritable.

Names are data the caller passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.cpr import birth_century


class FindingKind(StrEnum):
    CPR = "cpr"
    PATIENT_NAME = "patient_name"
    NAME = "name"
    DATE = "date"


# What refuses a text shown outside the patient's record (no acknowledgement lets it through).
BLOCKING_KINDS = frozenset({FindingKind.CPR, FindingKind.PATIENT_NAME})


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int
    end: int
    text: str

    @property
    def blocks(self) -> bool:
        return self.kind in BLOCKING_KINDS


# Six digits and four, with at most one dash (any Unicode dash) or space between them, not
# part of a longer number. Whether the six are a birth date is checked after the match.
_CPR = re.compile(r"(?<!\d)(\d{6})(?:[-\u2010-\u2015\u2212]|[^\S\n])?(\d{4})(?!\d)")


def is_plausible_cpr(number: str) -> bool:
    """Ten digits whose first six are a real birth date in the century the 7th digit gives.

    No modulus check (CPR numbers without one have been issued since 2007).
    """
    if len(number) != 10 or not number.isdecimal():
        return False
    digits = [int(ch) for ch in number]
    day, month, year = (
        digits[0] * 10 + digits[1],
        digits[2] * 10 + digits[3],
        digits[4] * 10 + digits[5],
    )
    try:
        date(birth_century(digits[6], year) + year, month, day)
    except ValueError:
        return False
    return True


_MONTHS = (
    # Danish
    "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
    # English
    "|january|february|march|may|june|july|october"
    # Abbreviations (Danish and English)
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|oct|nov|dec"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH_NUMBER = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:\d{4}|\d{2})"
_DATE_PATTERNS = [
    # 12.03.2024, 12-3-24, 12/3/2024
    rf"(?<![\d.,/-]){_DAY}[./-]{_MONTH_NUMBER}[./-]{_YEAR}(?![\d/-])",
    # 2024-03-12 (ISO)
    rf"(?<![\d-])\d{{4}}-{_MONTH_NUMBER}-{_DAY}(?![\d-])",
    # 12.3. (Danish day and month with trailing dots), d. 12/3 ("den 12/3")
    rf"(?<![\d.,/]){_DAY}\.{_MONTH_NUMBER}\.(?!\d)",
    rf"\b(?:d\.|den)\s*{_DAY}/{_MONTH_NUMBER}(?![\d/])",
    # 12. marts 2024, 12 March, 3rd of May
    rf"\b{_DAY}(?:\.|st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?(?:\s+{_YEAR})?\b",
    # March 12, 2024 / marts 2024
    rf"\b(?:{_MONTHS})\.?\s+{_DAY}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?\b",
    rf"\b(?:{_MONTHS})\.?\s+\d{{4}}\b",
]
_DATE = re.compile("|".join(f"(?:{p})" for p in _DATE_PATTERNS), re.IGNORECASE)

# Name parts shorter than this are initials or particles ("A.", "la"): too many false alarms.
MIN_NAME_PART = 2
_NAME_SPLIT = re.compile(r"[\s\-.,]+")
_PRIORITY = {
    FindingKind.CPR: 0,
    FindingKind.PATIENT_NAME: 1,
    FindingKind.DATE: 2,
    FindingKind.NAME: 3,
}


def name_parts(names: Iterable[str]) -> list[str]:
    """The words of the given names, each once, longest first ("Anne-Mette Holm" -> 3)."""
    parts = {
        part
        for name in names
        for part in _NAME_SPLIT.split(name or "")
        if len(part) >= MIN_NAME_PART and any(ch.isalpha() for ch in part)
    }
    return sorted(parts, key=lambda part: (-len(part), part.casefold()))


def _name_pattern(parts: list[str]) -> re.Pattern[str] | None:
    if not parts:
        return None
    alternatives = "|".join(re.escape(part) for part in parts)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _full_name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Each whole name, its words separated by any spaces, dashes or dots, in any case."""
    alternatives = []
    for name in names:
        words = [w for w in _NAME_SPLIT.split(name or "") if w]
        if len(words) >= 2 and any(ch.isalpha() for ch in "".join(words)):
            alternatives.append(r"[\s\-.,]+".join(re.escape(word) for word in words))
    if not alternatives:
        return None
    alternatives.sort(key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)


def _written_as_name(word: str) -> bool:
    return word[:1].isupper()


def _cpr_findings(text: str) -> list[Finding]:
    return [
        Finding(FindingKind.CPR, match.start(), match.end(), match.group())
        for match in _CPR.finditer(text)
        if is_plausible_cpr(match.group(1) + match.group(2))
    ]


def _patient_name_findings(text: str, patient_names: Iterable[str]) -> list[Finding]:
    """The patient's whole name in any case, and each part of it: blocking where written as
    a name, a warning where written as an ordinary word."""
    patient_names = list(patient_names)
    found: list[Finding] = []
    full = _full_name_pattern(patient_names)
    if full is not None:
        for match in full.finditer(text):
            found.append(
                Finding(FindingKind.PATIENT_NAME, match.start(), match.end(), match.group())
            )
    parts = _name_pattern(name_parts(patient_names))
    if parts is not None:
        for match in parts.finditer(text):
            kind = FindingKind.PATIENT_NAME if _written_as_name(match.group()) else FindingKind.NAME
            found.append(Finding(kind, match.start(), match.end(), match.group()))
    return found


def _without_overlaps(found: list[Finding]) -> tuple[Finding, ...]:
    """In text order; where two overlap, the stronger kind wins, then the longer finding."""
    kept: list[Finding] = []
    ordered = sorted(found, key=lambda f: (_PRIORITY[f.kind], f.start, -(f.end - f.start)))
    for finding in ordered:
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return tuple(sorted(kept, key=lambda f: f.start))


def find_identifiers(
    text: str, *, names: Iterable[str] = (), patient_names: Iterable[str] = ()
) -> tuple[Finding, ...]:
    """Everything in `text` that looks like a CPR number, the patient's name (`patient_names`),
    a date or one of the other `names`.

    Findings are in text order and never overlap: where two overlap, a CPR number wins over
    the patient's name, that over a date and a date over another name.
    """
    found = _cpr_findings(text)
    found += _patient_name_findings(text, patient_names)
    for match in _DATE.finditer(text):
        found.append(Finding(FindingKind.DATE, match.start(), match.end(), match.group()))
    pattern = _name_pattern(name_parts(names))
    if pattern is not None:
        for match in pattern.finditer(text):
            found.append(Finding(FindingKind.NAME, match.start(), match.end(), match.group()))
    return _without_overlaps(found)


def blocking_identifiers(text: str, *, patient_names: Iterable[str] = ()) -> tuple[Finding, ...]:
    """The CPR numbers and the patient's name in `text`: what refuses it outright."""
    found = _cpr_findings(text) + [
        finding for finding in _patient_name_findings(text, patient_names) if finding.blocks
    ]
    return _without_overlaps(found)


def has_identifiers(
    text: str, *, names: Iterable[str] = (), patient_names: Iterable[str] = ()
) -> bool:
    return bool(find_identifiers(text, names=names, patient_names=patient_names))
