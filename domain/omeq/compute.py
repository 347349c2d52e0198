"""OMEQ: a regimen's total daily oral morphine equivalent (mg/day), showing its working.

    result = compute_omeq(lines, table, thresholds=default_thresholds(), co_medication_atc=[...])

A regimen is a sequence of `RegimenLine`s, one per opioid ingredient (a combination product
gives one line per opioid it contains; paracetamol, naloxone or the dimethylaminodiphenylbutene
in Ketogan are never lines, and a non-opioid substance is refused as unknown):

- `dose` is per administration in mg or mcg; for a patch (route transdermal) it is the total
  strength worn in mcg/h, and `doses_per_day` is not used: a patch counts per mcg/h worn
  whatever its change interval (a 48-hour change does not scale it).
- A scheduled line counts `dose` x `doses_per_day` and goes to `scheduled_mg_per_day`.
  A PRN (as-needed) line needs `max_doses_per_day`, counts `dose` x `max_doses_per_day`, and
  goes only to `max_mg_per_day` (the maximum including PRN); its `doses_per_day` is not used.
  A scheduled line must not carry `max_doses_per_day` (write the extra as a PRN line).
- Indication `opioid_use_disorder` (substitution treatment) is reported, never counted, and
  raises `substitution_excluded`; its substance must still be known to the table.
- A dose-banded rule (methadone in `nordic`) picks its band from the substance's total daily
  dose on that route: scheduled lines from the scheduled total, PRN lines from the total
  including PRN, so splitting a dose into several lines never changes OMEQ.

Every line that cannot be converted is refused, never counted as 0 nor dropped: a
`RegimenError` lists a `LineProblem(index, substance, code, message)` for every problem of
every line. `LineResult` shows each line's factor, factor unit, daily dose and contribution.
Results are exact `Decimal`s; round only for display with `display_mg`. Warnings carry stable
English codes (`WarningCode`); the user interface translates them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from enum import StrEnum

from domain.errors import DomainError
from domain.omeq.rules import (
    DoseBand,
    DoseBandedRule,
    DoseUnit,
    ExcludedRule,
    LinearRule,
    Route,
    RuleKind,
)
from domain.omeq.settings import Thresholds, default_plausibility_limit, long_acting_substances
from domain.omeq.tables import ConversionTable
from domain.omeq.warnings import OmeqWarning, WarningCode, regimen_warnings

__all__ = [
    "CoMedicationError",
    "DoseUnit",
    "Indication",
    "LineProblem",
    "LineProblemCode",
    "LineResult",
    "NotCountedReason",
    "OmeqResult",
    "OmeqWarning",
    "RegimenError",
    "RegimenLine",
    "Release",
    "Route",
    "Thresholds",
    "WarningCode",
    "compute_omeq",
    "display_mg",
]

# Enough digits that no product of clinical inputs is ever rounded.
_EXACT = Context(prec=60)


class Indication(StrEnum):
    PAIN = "pain"
    OPIOID_USE_DISORDER = "opioid_use_disorder"


class Release(StrEnum):
    IMMEDIATE = "immediate"
    MODIFIED = "modified"
    UNKNOWN = "unknown"


class NotCountedReason(StrEnum):
    SUBSTITUTION_TREATMENT = "substitution_treatment"


class LineProblemCode(StrEnum):
    UNKNOWN_SUBSTANCE = "unknown_substance"
    NO_FACTOR_FOR_ROUTE = "no_factor_for_route"
    FACTOR_EXCLUDED = "factor_excluded"
    RATE_UNIT_NOT_A_PATCH = "rate_unit_not_a_patch"
    PATCH_NEEDS_RATE_UNIT = "patch_needs_rate_unit"
    DOSE_NOT_POSITIVE = "dose_not_positive"
    DOSES_PER_DAY_NOT_POSITIVE = "doses_per_day_not_positive"
    PRN_MAXIMUM_MISSING = "prn_maximum_missing"
    PRN_MAXIMUM_NOT_POSITIVE = "prn_maximum_not_positive"
    MAXIMUM_ON_SCHEDULED_LINE = "maximum_on_scheduled_line"
    PRN_PATCH = "prn_patch"
    IMPLAUSIBLE_DOSE = "implausible_dose"


def _exact_number(value: object, name: str) -> Decimal:
    # A float already carries binary noise (0.1 is not 0.1); callers must pass Decimal or int.
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"{name} must be a Decimal or an int, not {type(value).__name__}")


@dataclass(frozen=True)
class RegimenLine:
    substance: str
    route: Route
    dose: Decimal
    dose_unit: DoseUnit
    doses_per_day: Decimal
    prn: bool = False
    max_doses_per_day: Decimal | None = None
    indication: Indication = Indication.PAIN
    release: Release = Release.UNKNOWN
    label: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "route", Route(self.route))
        set_(self, "dose_unit", DoseUnit(self.dose_unit))
        set_(self, "indication", Indication(self.indication))
        set_(self, "release", Release(self.release))
        set_(self, "dose", _exact_number(self.dose, "dose"))
        set_(self, "doses_per_day", _exact_number(self.doses_per_day, "doses_per_day"))
        if self.max_doses_per_day is not None:
            set_(self, "max_doses_per_day", _exact_number(self.max_doses_per_day, "max_doses"))

    @property
    def substance_key(self) -> str:
        return self.substance.strip().lower()

    @property
    def is_patch(self) -> bool:
        return self.route is Route.TRANSDERMAL


@dataclass(frozen=True)
class LineProblem:
    """Why one line (`index` in the regimen given) cannot be converted."""

    index: int
    substance: str
    code: LineProblemCode
    message: str


class RegimenError(DomainError):
    """Some lines cannot be converted; `.problems` names every line and every reason."""

    code = "regimen_not_convertible"

    def __init__(self, problems: Sequence[LineProblem]) -> None:
        self.problems = tuple(problems)
        text = "; ".join(f"line {p.index + 1} ({p.substance}): {p.message}" for p in problems)
        super().__init__(f"The regimen cannot be converted: {text}")


@dataclass(frozen=True)
class LineResult:
    """One line's working: daily dose (in `factor_unit`) x factor = contribution (mg/day).

    A counted scheduled line goes to both totals, a counted PRN line only to the maximum; a
    line that is not counted has `not_counted_reason` and no factor or contribution.
    """

    index: int
    line: RegimenLine
    is_counted: bool
    factor: Decimal | None = None
    factor_unit: DoseUnit | None = None
    daily_dose: Decimal | None = None
    contribution_mg_per_day: Decimal | None = None
    rule_kind: RuleKind | None = None
    band: DoseBand | None = None
    is_below_lowest_band: bool = False
    rule_note: str = ""
    not_counted_reason: NotCountedReason | None = None

    @property
    def is_short_acting_scheduled(self) -> bool:
        """An immediate-release product taken on a schedule, unless the substance acts long
        whatever its release (methadone: it has its own warning)."""
        return (
            not self.line.prn
            and self.line.release is Release.IMMEDIATE
            and self.line.substance_key not in long_acting_substances()
        )


@dataclass(frozen=True)
class OmeqResult:
    table_id: str
    table_version: str
    scheduled_mg_per_day: Decimal
    max_mg_per_day: Decimal
    lines: tuple[LineResult, ...]
    warnings: tuple[OmeqWarning, ...]
    thresholds: Thresholds = field(repr=False)

    def has_warning(self, code: WarningCode) -> bool:
        return any(w.code is code for w in self.warnings)


@dataclass(frozen=True)
class _Converted:
    """A line that passed every check, with its daily dose in the rule's unit."""

    index: int
    line: RegimenLine
    rule: LinearRule | DoseBandedRule
    daily_dose: Decimal


_ATC = re.compile(r"[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?")


class CoMedicationError(DomainError):
    code = "invalid_atc_code"

    def __init__(self, atc_codes: Sequence[str]) -> None:
        self.atc_codes = tuple(atc_codes)
        super().__init__(f"Not ATC codes: {', '.join(repr(c) for c in self.atc_codes)}")


def compute_omeq(
    lines: Iterable[RegimenLine],
    table: ConversionTable,
    *,
    thresholds: Thresholds,
    co_medication_atc: Iterable[str] = (),
    plausibility_limit_mg_per_day: Decimal | None = None,
) -> OmeqResult:
    """The regimen's OMEQ under `table`, or a `RegimenError` naming every bad line.

    `co_medication_atc` are the ATC codes of the patient's other current drugs; a malformed
    code raises `CoMedicationError`. The plausibility limit defaults to the data file's bound.
    """
    regimen = tuple(lines)
    atc_codes = tuple(code.strip().upper() for code in co_medication_atc)
    bad_codes = [code for code in atc_codes if not _ATC.fullmatch(code)]
    if bad_codes:
        raise CoMedicationError(bad_codes)
    limit = plausibility_limit_mg_per_day
    if limit is None:
        limit = default_plausibility_limit()
    problems: list[LineProblem] = []
    passed: list[_Converted] = []
    excluded: list[LineResult] = []
    for index, line in enumerate(regimen):
        checked = _check_line(index, line, table, problems)
        if isinstance(checked, LineResult):
            excluded.append(checked)
        elif checked is not None:
            passed.append(checked)
    with localcontext(_EXACT):
        counted = _apply_rules(passed)
    for result in counted:
        assert result.contribution_mg_per_day is not None  # noqa: S101 - counted lines have one
        if result.contribution_mg_per_day > limit:
            message = (
                f"{display_mg(result.contribution_mg_per_day)} mg OMEQ/day is above the "
                f"plausibility limit of {limit} mg/day; check the dose and unit"
            )
            code = LineProblemCode.IMPLAUSIBLE_DOSE
            problems.append(LineProblem(result.index, result.line.substance, code, message))
    if problems:
        raise RegimenError(sorted(problems, key=lambda p: p.index))
    results = tuple(sorted(counted + excluded, key=lambda r: r.index))
    with localcontext(_EXACT):
        scheduled = _total(r for r in counted if not r.line.prn)
        maximum = _total(counted)
    return OmeqResult(
        table_id=table.id,
        table_version=table.version,
        scheduled_mg_per_day=scheduled,
        max_mg_per_day=maximum,
        lines=results,
        warnings=regimen_warnings(results, scheduled, maximum, thresholds, atc_codes),
        thresholds=thresholds,
    )


def _total(results: Iterable[LineResult]) -> Decimal:
    return sum((r.contribution_mg_per_day or Decimal(0) for r in results), Decimal(0))


def display_mg(value: Decimal) -> Decimal:
    """A value rounded half-up to one decimal, for display only (results stay exact)."""
    with localcontext(_EXACT) as context:
        context.prec = max(context.prec, value.adjusted() + 3)  # room for any magnitude
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _positive(value: Decimal | None) -> bool:
    return value is not None and value.is_finite() and value > 0


def _input_problems(line: RegimenLine) -> list[tuple[LineProblemCode, str]]:
    found: list[tuple[LineProblemCode, str]] = []
    if not _positive(line.dose):
        found.append((LineProblemCode.DOSE_NOT_POSITIVE, "the dose must be a number above 0"))
    if line.dose_unit is DoseUnit.MCG_PER_H and not line.is_patch:
        message = f"mcg/h is a patch strength; by the {line.route} route the dose is mg or mcg"
        found.append((LineProblemCode.RATE_UNIT_NOT_A_PATCH, message))
    if line.is_patch:
        if line.dose_unit is not DoseUnit.MCG_PER_H:
            message = "a patch is given as the strength worn in mcg/h"
            found.append((LineProblemCode.PATCH_NEEDS_RATE_UNIT, message))
        if line.prn:
            found.append((LineProblemCode.PRN_PATCH, "a patch cannot be as-needed (PRN)"))
    elif line.prn:
        if line.max_doses_per_day is None:
            message = "an as-needed (PRN) line needs the maximum number of doses per day"
            found.append((LineProblemCode.PRN_MAXIMUM_MISSING, message))
        elif not _positive(line.max_doses_per_day):
            message = "the maximum doses per day must be a number above 0"
            found.append((LineProblemCode.PRN_MAXIMUM_NOT_POSITIVE, message))
    else:
        if not _positive(line.doses_per_day):
            message = "doses per day must be a number above 0"
            found.append((LineProblemCode.DOSES_PER_DAY_NOT_POSITIVE, message))
        if line.max_doses_per_day is not None:
            message = "a scheduled line has no maximum; give extra doses as an as-needed line"
            found.append((LineProblemCode.MAXIMUM_ON_SCHEDULED_LINE, message))
    return found


def _check_line(
    index: int, line: RegimenLine, table: ConversionTable, problems: list[LineProblem]
) -> _Converted | LineResult | None:
    found = _input_problems(line)
    substance = line.substance_key
    rule = table.rule_for(substance, line.route)
    if substance not in table.substances:
        message = f"table {table.id} {table.version} does not list '{line.substance}'"
        found.append((LineProblemCode.UNKNOWN_SUBSTANCE, message))
    elif line.indication is Indication.OPIOID_USE_DISORDER:
        pass  # Substitution treatment is reported, never counted, so it needs no factor.
    elif rule is None:
        routes = ", ".join(route.value for route in table.routes_for(substance))
        message = (
            f"table {table.id} {table.version} has no factor for {substance} {line.route}"
            f" (it has: {routes})"
        )
        found.append((LineProblemCode.NO_FACTOR_FOR_ROUTE, message))
    elif isinstance(rule, ExcludedRule):
        found.append((LineProblemCode.FACTOR_EXCLUDED, rule.reason))
    problems += [LineProblem(index, line.substance, code, text) for code, text in found]
    if found:
        return None
    if line.indication is Indication.OPIOID_USE_DISORDER:
        reason = NotCountedReason.SUBSTITUTION_TREATMENT
        return LineResult(index=index, line=line, is_counted=False, not_counted_reason=reason)
    if rule is None or isinstance(rule, ExcludedRule):
        return None  # unreachable: both were reported above
    with localcontext(_EXACT):
        return _Converted(index, line, rule, _daily_dose(line, rule.per_unit))


def _daily_dose(line: RegimenLine, unit: DoseUnit) -> Decimal:
    if line.is_patch:
        return line.dose  # per mcg/h worn, whatever the change interval
    per_dose = line.dose
    if line.dose_unit is not unit:
        per_dose = per_dose.scaleb(3 if unit is DoseUnit.MCG else -3)  # exact mg <-> mcg
    count = line.max_doses_per_day if line.prn else line.doses_per_day
    assert count is not None  # noqa: S101 - a PRN line without a maximum was refused
    return per_dose * count


def _apply_rules(passed: list[_Converted]) -> list[LineResult]:
    # Dose bands are chosen on the substance/route total: scheduled, then including PRN.
    scheduled: dict[tuple[str, Route], Decimal] = defaultdict(Decimal)
    including_prn: dict[tuple[str, Route], Decimal] = defaultdict(Decimal)
    for item in passed:
        key = (item.line.substance_key, item.line.route)
        including_prn[key] += item.daily_dose
        if not item.line.prn:
            scheduled[key] += item.daily_dose
    results = []
    for item in passed:
        rule = item.rule
        band, below = None, False
        if isinstance(rule, DoseBandedRule):
            key = (item.line.substance_key, item.line.route)
            choice = rule.band_for((including_prn if item.line.prn else scheduled)[key])
            band, below, factor = choice.band, choice.is_below_lowest_band, choice.band.factor
        else:
            factor = rule.factor
        results.append(
            LineResult(
                index=item.index,
                line=item.line,
                is_counted=True,
                factor=factor,
                factor_unit=rule.per_unit,
                daily_dose=item.daily_dose,
                contribution_mg_per_day=item.daily_dose * factor,
                rule_kind=rule.kind,
                band=band,
                is_below_lowest_band=below,
                rule_note=rule.note,
            )
        )
    return results
