"""The specialty-plan criteria for referral to a pain centre, as a checklist from data.

The criteria, their options (the listed tests, the primary-sector treatments), the minimum
duration and their wording are a TOML file with source and version; the shipped one is
`domain/data/referral_criteria.toml`, and an administrator publishes later versions without
a release. `parse_criteria` refuses a file that does not hold together whole, naming every
problem and where it is (`CriteriaFileError.problems`). Each criterion comes out met, not met or
unknown, with the evidence it was judged on; nothing is guessed:

    checklist = evaluate(criteria_set(), ReferralFacts(
        sent_on=date(2026, 12, 6), pain_since=date(2025, 3, 1), referrer_is_gp=True,
        inputs={"motivated": CriterionInput(answer=Answer.YES, evidence="Wants to work")}))
    checklist.missing  # the codes of the criteria not met or unknown

Kinds: `duration` (pain began more than `minimum_pain_months` calendar months before the
referral is sent), `any_of` / `all_of` (three-valued over the options: yes, no, unknown),
`answer` (the referrer answers), `referrer` (met when a GP sends it; the system answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from domain.calendar_months import add_calendar_months
from domain.definition_file import COMMON_PROBLEM_TEXT, DefinitionError, Reader, load_toml
from domain.errors import DomainError

_MAX_MONTHS = 120  # a guard against typing days or weeks for months, not a clinical limit


class CriteriaError(DomainError):
    code = "invalid_referral_criteria"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class CriterionKind(StrEnum):
    DURATION = "duration"
    ANY_OF = "any_of"
    ALL_OF = "all_of"
    ANSWER = "answer"
    REFERRER = "referrer"


class CriterionStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Option:
    code: str
    en: str
    da: str

    def text(self, language: str) -> str:
        return self.da if language.startswith("da") else self.en


@dataclass(frozen=True)
class Criterion:
    code: str
    kind: CriterionKind
    en: str
    da: str
    options: tuple[Option, ...] = ()

    def text(self, language: str) -> str:
        return self.da if language.startswith("da") else self.en

    @property
    def option_codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options)

    @property
    def is_answered_by_referrer(self) -> bool:
        """The form asks the referrer (not the duration's date, not the system's answer)."""
        return self.kind in {CriterionKind.ANY_OF, CriterionKind.ALL_OF, CriterionKind.ANSWER}


@dataclass(frozen=True)
class CriteriaSet:
    version: str
    source: str
    minimum_pain_months: int
    criteria: tuple[Criterion, ...]

    def criterion(self, code: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.code == code:
                return criterion
        raise CriteriaError(f"No referral criterion {code!r}.", code="unknown_criterion")


# English wording of each problem of a criteria file (the apps word them by code).
PROBLEM_TEXT = {
    **COMMON_PROBLEM_TEXT,
    "unknown_kind": "is not a kind of criterion (duration, any_of, all_of, answer, referrer)",
    "options_needed": "this kind needs options",
    "no_options_allowed": "this kind takes no options",
    "bad_months": f"must be a whole number of months from 1 to {_MAX_MONTHS}",
    "no_criteria": "the file lists no criteria",
}


class CriteriaFileError(DefinitionError, CriteriaError):
    """A criteria file refused, with every problem found (each naming where it is)."""

    code = "invalid_referral_criteria"
    texts = PROBLEM_TEXT


def _options(reader: Reader, entry: Mapping[str, Any], where: str) -> tuple[Option, ...]:
    if "options" not in entry:
        return ()
    options = []
    seen: set[str] = set()
    for i, item in enumerate(reader.tables(entry, "options", where)):
        at = f"{where}.options[{i}]"
        code = reader.code(item, "code", at)
        reader.unique(seen, code, f"{at}.code")
        options.append(
            Option(code=code, en=reader.text(item, "en", at), da=reader.text(item, "da", at))
        )
    return tuple(options)


def _minimum_months(reader: Reader, data: Mapping[str, Any]) -> int:
    settings = reader.table(data, "settings", "settings")
    months = settings.get("minimum_pain_months")
    if months is None:
        if settings:
            reader.add("settings.minimum_pain_months", "missing")
        return 0
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= _MAX_MONTHS:
        reader.add("settings.minimum_pain_months", "bad_months", months)
        return 0
    return months


def _criterion(reader: Reader, entry: Mapping[str, Any], where: str) -> Criterion:
    raw_kind = reader.text(entry, "kind", where)
    try:
        kind = CriterionKind(raw_kind)
    except ValueError:
        if raw_kind:
            reader.add(f"{where}.kind", "unknown_kind", raw_kind)
        kind = CriterionKind.ANSWER
    options = _options(reader, entry, where)
    if raw_kind in {CriterionKind.ANY_OF, CriterionKind.ALL_OF} and not options:
        reader.add(f"{where}.options", "options_needed")
    if raw_kind in {CriterionKind.DURATION, CriterionKind.ANSWER, CriterionKind.REFERRER} and (
        options or "options" in entry
    ):
        reader.add(f"{where}.options", "no_options_allowed")
    return Criterion(
        code=reader.code(entry, "code", where),
        kind=kind,
        en=reader.text(entry, "en", where),
        da=reader.text(entry, "da", where),
        options=options,
    )


def parse_criteria(text: str) -> CriteriaSet:
    """A criteria set from TOML text; `CriteriaFileError` names every problem and where."""
    data = load_toml(text, CriteriaFileError)
    reader = Reader()
    version = reader.version(data, "version", "")
    source = reader.text(data, "source", "")
    months = _minimum_months(reader, data)
    criteria: list[Criterion] = []
    seen: set[str] = set()
    for where, entry in reader.entries(data, "criteria", empty="no_criteria"):
        criterion = _criterion(reader, entry, where)
        reader.unique(seen, criterion.code, f"{where}.code")
        criteria.append(criterion)
    has_duration = any(c.kind == CriterionKind.DURATION for c in criteria)
    if (
        has_duration
        and months == 0
        and not any(p.where == "settings.minimum_pain_months" for p in reader.problems)
    ):
        reader.add("settings.minimum_pain_months", "no_duration")
    if reader.problems:
        raise CriteriaFileError(reader.problems)
    return CriteriaSet(
        version=version, source=source, minimum_pain_months=months, criteria=tuple(criteria)
    )


def shipped_criteria_text() -> str:
    """The shipped criteria file, as text (what is installed as the first version)."""
    return (resources.files("domain") / "data" / "referral_criteria.toml").read_text(
        encoding="utf-8"
    )


@cache
def criteria_set() -> CriteriaSet:
    """The shipped criteria (`domain/data/referral_criteria.toml`); the apps use the newest
    version an administrator published (which starts as this file)."""
    return parse_criteria(shipped_criteria_text())


@dataclass(frozen=True)
class CriterionInput:
    """What the referrer says about one criterion: an answer, or one per option, and why."""

    answer: Answer = Answer.UNKNOWN
    options: Mapping[str, Answer] = field(default_factory=dict)
    evidence: str = ""


@dataclass(frozen=True)
class ReferralFacts:
    sent_on: date
    pain_since: date | None = None
    referrer_is_gp: bool = False
    inputs: Mapping[str, CriterionInput] = field(default_factory=dict)


@dataclass(frozen=True)
class CriterionResult:
    code: str
    kind: CriterionKind
    status: CriterionStatus
    evidence: str
    # The working: the whole months of pain (duration), each option's answer (any_of/all_of).
    months_of_pain: int | None = None
    options: tuple[tuple[str, Answer], ...] = ()

    @property
    def is_met(self) -> bool:
        return self.status == CriterionStatus.MET


@dataclass(frozen=True)
class Checklist:
    version: str
    minimum_pain_months: int
    results: tuple[CriterionResult, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """The criteria not met or unknown, in the file's order."""
        return tuple(result.code for result in self.results if not result.is_met)

    @property
    def not_met(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.results if r.status == CriterionStatus.NOT_MET)

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.results if r.status == CriterionStatus.UNKNOWN)

    @property
    def all_met(self) -> bool:
        return not self.missing


def whole_months_between(start: date, end: date) -> int:
    """The whole calendar months from `start` to `end` (0 if `end` is before a month)."""
    if end < start:
        raise CriteriaError(
            "The pain cannot begin after the day of the referral.", code="pain_since_in_future"
        )
    months = (end.year - start.year) * 12 + (end.month - start.month)
    while months > 0 and add_calendar_months(start, months) > end:
        months -= 1
    return months


def _duration(criteria: CriteriaSet, facts: ReferralFacts) -> tuple[CriterionStatus, int | None]:
    if facts.pain_since is None:
        return CriterionStatus.UNKNOWN, None
    months = whole_months_between(facts.pain_since, facts.sent_on)
    # "More than 6 months": the day after the 6-month anniversary, not the day itself.
    threshold = add_calendar_months(facts.pain_since, criteria.minimum_pain_months)
    return (CriterionStatus.MET if facts.sent_on > threshold else CriterionStatus.NOT_MET), months


def _from_answer(answer: Answer) -> CriterionStatus:
    return {
        Answer.YES: CriterionStatus.MET,
        Answer.NO: CriterionStatus.NOT_MET,
        Answer.UNKNOWN: CriterionStatus.UNKNOWN,
    }[answer]


def _over_options(
    criterion: Criterion, given: CriterionInput
) -> tuple[CriterionStatus, tuple[tuple[str, Answer], ...]]:
    unknown_codes = set(given.options) - set(criterion.option_codes)
    if unknown_codes:
        raise CriteriaError(
            f"{criterion.code} has no option {sorted(unknown_codes)[0]!r}.", code="unknown_option"
        )
    answers = tuple(
        (code, Answer(given.options.get(code, Answer.UNKNOWN))) for code in criterion.option_codes
    )
    values = [answer for _, answer in answers]
    if criterion.kind == CriterionKind.ANY_OF:
        if Answer.YES in values:
            return CriterionStatus.MET, answers
        if all(value == Answer.NO for value in values):
            return CriterionStatus.NOT_MET, answers
        return CriterionStatus.UNKNOWN, answers
    if Answer.NO in values:
        return CriterionStatus.NOT_MET, answers
    if all(value == Answer.YES for value in values):
        return CriterionStatus.MET, answers
    return CriterionStatus.UNKNOWN, answers


def evaluate(criteria: CriteriaSet, facts: ReferralFacts) -> Checklist:
    """Each criterion met / not met / unknown, with the evidence it was judged on."""
    unknown_codes = set(facts.inputs) - {criterion.code for criterion in criteria.criteria}
    if unknown_codes:
        raise CriteriaError(
            f"No referral criterion {sorted(unknown_codes)[0]!r}.", code="unknown_criterion"
        )
    results = []
    for criterion in criteria.criteria:
        given = facts.inputs.get(criterion.code, CriterionInput())
        months: int | None = None
        options: tuple[tuple[str, Answer], ...] = ()
        if criterion.kind == CriterionKind.DURATION:
            status, months = _duration(criteria, facts)
        elif criterion.kind == CriterionKind.REFERRER:
            status = CriterionStatus.MET if facts.referrer_is_gp else CriterionStatus.NOT_MET
        elif criterion.kind == CriterionKind.ANSWER:
            status = _from_answer(Answer(given.answer))
        else:
            status, options = _over_options(criterion, given)
        results.append(
            CriterionResult(
                code=criterion.code,
                kind=criterion.kind,
                status=status,
                evidence=given.evidence.strip(),
                months_of_pain=months,
                options=options,
            )
        )
    return Checklist(
        version=criteria.version,
        minimum_pain_months=criteria.minimum_pain_months,
        results=tuple(results),
    )
