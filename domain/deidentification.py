"""Warnings for a knowledge-base text that may identify a patient: a CPR number, a name from
the request it was written from, or a date.

These are warnings for the clinician writing the article, not a filter: the check is
deliberately generous (a false alarm costs a glance, a missed CPR number costs a patient's
privacy). Names are data the caller passes (the patient's and the clinicians' names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class FindingKind(StrEnum):
    CPR = "cpr"
    NAME = "name"
    DATE = "date"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int
    end: int
    text: str


# Six digits and four digits, with or without a dash or space, not part of a longer number.
_CPR = re.compile(r"(?<![\d-])\d{6}[-\s]?\d{4}(?![\d])")

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
_PRIORITY = {FindingKind.CPR: 0, FindingKind.DATE: 1, FindingKind.NAME: 2}


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


def find_identifiers(text: str, *, names: Iterable[str] = ()) -> tuple[Finding, ...]:
    """Everything in `text` that looks like a CPR number, a date or one of `names`.

    Findings are in text order and never overlap: where two overlap, a CPR number wins over
    a date and a date over a name.
    """
    found: list[Finding] = []
    for match in _CPR.finditer(text):
        found.append(Finding(FindingKind.CPR, match.start(), match.end(), match.group()))
    for match in _DATE.finditer(text):
        found.append(Finding(FindingKind.DATE, match.start(), match.end(), match.group()))
    pattern = _name_pattern(name_parts(names))
    if pattern is not None:
        for match in pattern.finditer(text):
            found.append(Finding(FindingKind.NAME, match.start(), match.end(), match.group()))
    kept: list[Finding] = []
    for finding in sorted(found, key=lambda f: (_PRIORITY[f.kind], f.start)):
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return tuple(sorted(kept, key=lambda f: f.start))


def has_identifiers(text: str, *, names: Iterable[str] = ()) -> bool:
    return bool(find_identifiers(text, names=names))
