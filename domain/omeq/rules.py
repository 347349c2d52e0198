"""The rules a conversion table is made of: how a daily opioid dose becomes OMEQ (mg/day).

A rule belongs to one (substance, route) and is one of:

- `LinearRule` - a factor per unit: per mg/day (`DoseUnit.MG`), per mcg/day (`DoseUnit.MCG`),
  or, for patches, per mcg/h of strength worn (`DoseUnit.MCG_PER_H`) whatever the change
  interval.
- `ExcludedRule` - the source deliberately gives no factor (CDC 2022 and buprenorphine); the
  reason is shown to the clinician instead of a number.
- `DoseBandedRule` - a factor that depends on the dose (methadone in the Norwegian table).

The dose-banded rule, and why it is not circular: the source writes its bands on the *morphine*
dose ("5:1 at 30-89 mg morphine/day, 6:1 at 90-299, ..."), and the morphine dose is what we
are computing. So a band is chosen on the drug dose d alone: band i is *reached* when
d times factor_i is at least the band's lower morphine edge, and the highest band reached wins.
The source's upper edges are not used: each band runs from its own edge to the next band's
edge, which closes the source's gaps (89-90, 900-1000, and non-integer doses between tiers).
Every positive dose gets exactly one factor; with rising edges and non-falling factors OMEQ
never falls as the dose rises; at each band's lower edge the conversion round-trips exactly
(morphine 90 mg -> methadone 15 mg at 6:1 -> 90 mg). A dose that reaches no band gets the
lowest band's factor with `is_below_lowest_band`, which OMEQ reports as a caveat.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from domain.errors import DomainError


class Route(StrEnum):
    ORAL = "oral"
    TRANSDERMAL = "transdermal"
    SUBLINGUAL = "sublingual"
    BUCCAL = "buccal"
    NASAL = "nasal"
    RECTAL = "rectal"
    PARENTERAL = "parenteral"


class DoseUnit(StrEnum):
    """The unit of a dose, and of what a factor multiplies (mg/day, mcg/day or mcg/h worn)."""

    MG = "mg"
    MCG = "mcg"
    MCG_PER_H = "mcg/h"


class RuleKind(StrEnum):
    LINEAR = "linear"
    EXCLUDED = "excluded"
    DOSE_BANDED = "dose_banded"


@dataclass(frozen=True)
class LinearRule:
    substance: str
    route: Route
    factor: Decimal
    per_unit: DoseUnit
    note: str = ""

    @property
    def kind(self) -> RuleKind:
        return RuleKind.LINEAR


@dataclass(frozen=True)
class ExcludedRule:
    substance: str
    route: Route
    reason: str
    note: str = ""

    @property
    def kind(self) -> RuleKind:
        return RuleKind.EXCLUDED


@dataclass(frozen=True)
class DoseBand:
    """A band is reached when the daily dose times `factor` is `from_morphine_mg_per_day`+."""

    from_morphine_mg_per_day: Decimal
    factor: Decimal


@dataclass(frozen=True)
class BandChoice:
    band: DoseBand
    is_below_lowest_band: bool


@dataclass(frozen=True)
class DoseBandedRule:
    substance: str
    route: Route
    per_unit: DoseUnit
    bands: tuple[DoseBand, ...]
    note: str = ""

    @property
    def kind(self) -> RuleKind:
        return RuleKind.DOSE_BANDED

    def band_for(self, daily_dose: Decimal) -> BandChoice:
        """The band for a daily dose in `per_unit`: the highest band the dose reaches."""
        reached = [b for b in self.bands if daily_dose * b.factor >= b.from_morphine_mg_per_day]
        if not reached:
            return BandChoice(band=self.bands[0], is_below_lowest_band=True)
        return BandChoice(band=reached[-1], is_below_lowest_band=False)


Rule = LinearRule | ExcludedRule | DoseBandedRule


class TableProblem(StrEnum):
    MISSING_FIELD = "missing_field"
    UNKNOWN_FIELD = "unknown_field"
    FIELD_NOT_ALLOWED = "field_not_allowed"
    BAD_VALUE = "bad_value"
    FACTOR_NOT_POSITIVE = "factor_not_positive"
    UNIT_DOES_NOT_FIT_ROUTE = "unit_does_not_fit_route"
    DUPLICATE_RULE = "duplicate_rule"
    BANDS_NOT_ASCENDING = "bands_not_ascending"
    FACTOR_IMPLAUSIBLE = "factor_implausible"
    NO_PUBLISHED_RANGE = "no_published_range"


@dataclass(frozen=True)
class TableIssue:
    """One thing wrong with a table; `row` is the rule's position in the rows given, if any.

    `params` are text values a translated message may use (numbers as exact decimal strings).
    """

    row: int | None
    code: TableProblem
    message: str
    params: tuple[tuple[str, str], ...] = ()

    def params_dict(self) -> dict[str, str]:
        return dict(self.params)


class ConversionTableError(DomainError):
    """A table (shipped file, admin edit or stored rows) that cannot be used, with every issue."""

    code = "invalid_conversion_table"

    def __init__(self, issues: tuple[TableIssue, ...] | list[TableIssue]) -> None:
        self.issues = tuple(issues)
        text = "; ".join(
            (f"row {i.row}: " if i.row is not None else "") + i.message for i in self.issues
        )
        super().__init__(f"The conversion table cannot be used: {text}")


def rule_issues(rules: tuple[Rule, ...]) -> list[TableIssue]:
    """Everything wrong with a set of rules; `row` is the position in `rules`."""
    issues: list[TableIssue] = []
    seen: set[tuple[str, Route]] = set()
    for row, rule in enumerate(rules):
        name = f"{rule.substance} {rule.route.value}"
        if not rule.substance or rule.substance != rule.substance.strip().lower():
            message = f"substance '{rule.substance}' must be a lower-case English name"
            issues.append(TableIssue(row, TableProblem.BAD_VALUE, message))
        if (rule.substance, rule.route) in seen:
            issues.append(TableIssue(row, TableProblem.DUPLICATE_RULE, f"{name} is given twice"))
        seen.add((rule.substance, rule.route))
        if isinstance(rule, ExcludedRule):
            if not rule.reason.strip():
                message = f"{name}: an exclusion needs a reason"
                issues.append(TableIssue(row, TableProblem.MISSING_FIELD, message))
            continue
        issues += _unit_issues(row, name, rule.route, rule.per_unit)
        if isinstance(rule, LinearRule) and not rule.factor > 0:
            message = f"{name}: the factor must be above 0"
            issues.append(TableIssue(row, TableProblem.FACTOR_NOT_POSITIVE, message))
        if isinstance(rule, DoseBandedRule):
            issues += _band_issues(row, name, rule.bands)
    return issues


def _unit_issues(row: int, name: str, route: Route, unit: DoseUnit) -> list[TableIssue]:
    # Patch factors are per mcg/h worn; every other route is per mg or mcg of daily dose.
    if (route is Route.TRANSDERMAL) == (unit is DoseUnit.MCG_PER_H):
        return []
    wanted = "per mcg/h" if route is Route.TRANSDERMAL else "per mg or per mcg"
    message = f"{name}: the factor must be {wanted}, not per {unit.value}"
    return [TableIssue(row, TableProblem.UNIT_DOES_NOT_FIT_ROUTE, message)]


def _band_issues(row: int, name: str, bands: tuple[DoseBand, ...]) -> list[TableIssue]:
    if not bands:
        return [TableIssue(row, TableProblem.MISSING_FIELD, f"{name}: no dose bands")]
    issues = []
    if any(not b.factor > 0 or b.from_morphine_mg_per_day < 0 for b in bands):
        message = f"{name}: band factors must be above 0 and edges not below 0"
        issues.append(TableIssue(row, TableProblem.FACTOR_NOT_POSITIVE, message))
    # Rising edges and non-falling factors keep OMEQ from falling as the dose rises.
    if any(
        b.from_morphine_mg_per_day >= n.from_morphine_mg_per_day or b.factor > n.factor
        for b, n in pairwise(bands)
    ):
        message = f"{name}: band edges must rise and band factors must not fall"
        issues.append(TableIssue(row, TableProblem.BANDS_NOT_ASCENDING, message))
    return issues
