"""Plausibility bounds for conversion factors: the published range per substance and route.

    bounds = default_bounds()                        # domain/data/conversion_bounds.toml
    issues = plausibility_issues(table.rules, bounds)
    table = plausible_table_from_rows(meta, rows)    # from_rows, then the bounds

A factor's `Standing` against its `PublishedRange` (low-high, the spread of the cited sources):
- `within` the range;
- `outside` it but within the margin (low / margin to high x margin): accepted, and shown
  to whoever signs the table off;
- `far_outside`: refused with the range (`TableProblem.FACTOR_IMPLAUSIBLE`);
- `no_range`: nothing published to check it against, refused
  (`TableProblem.NO_PUBLISHED_RANGE`): a table may exclude such a route with a reason.

An excluded rule has no factor and is never checked; a dose-banded rule is checked band by
band. Checks are exact (`factor x margin < low`, never a rounded quotient). The bounds are a
separate check from `ConversionTable`'s own, so a stored, signed-off table always loads even
if the bounds file changes later; drafts and sign-offs are checked against the current file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Context, Decimal, localcontext
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from domain.omeq.rules import (
    ConversionTableError,
    DoseBandedRule,
    DoseUnit,
    LinearRule,
    Route,
    Rule,
    TableIssue,
    TableProblem,
)
from domain.omeq.settings import SettingsError
from domain.omeq.tables import ConversionTable

__all__ = [
    "FactorCheck",
    "PlausibilityBounds",
    "PublishedRange",
    "Standing",
    "bounds_from_toml",
    "default_bounds",
    "factor_checks",
    "plausibility_issues",
    "plausible_table_from_rows",
]

_EXACT = Context(prec=60)


class Standing(StrEnum):
    WITHIN = "within"
    OUTSIDE = "outside"
    FAR_OUTSIDE = "far_outside"
    NO_RANGE = "no_range"


def _text(value: Decimal) -> str:
    """An exact decimal as plain text without padding zeros (2.640 -> 2.64, 1E+1 -> 10)."""
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class PublishedRange:
    substance: str
    route: Route
    per_unit: DoseUnit
    low: Decimal
    high: Decimal
    margin: Decimal
    sources: tuple[str, ...]
    note: str = ""

    def standing(self, factor: Decimal, unit: DoseUnit) -> Standing:
        """Where `factor` (per `unit`) stands against this range."""
        value = _in_unit(factor, unit, self.per_unit)
        if value is None:
            return Standing.NO_RANGE
        with localcontext(_EXACT):
            if self.low <= value <= self.high:
                return Standing.WITHIN
            if value * self.margin < self.low or value > self.high * self.margin:
                return Standing.FAR_OUTSIDE
        return Standing.OUTSIDE

    def accepted_text(self) -> tuple[str, str]:
        """The accepted span (low / margin, high x margin) as text, the lower end rounded up
        to four decimals so that the figure shown is itself accepted."""
        with localcontext(_EXACT):
            lowest = (self.low / self.margin).quantize(Decimal("0.0001"), rounding=ROUND_CEILING)
            highest = self.high * self.margin
        return _text(lowest), _text(highest)


@dataclass(frozen=True)
class PlausibilityBounds:
    version: str
    ranges: tuple[PublishedRange, ...]

    def range_for(self, substance: str, route: Route) -> PublishedRange | None:
        for published in self.ranges:
            if published.substance == substance and published.route is route:
                return published
        return None


@dataclass(frozen=True)
class FactorCheck:
    """One factor of a rule (a band's, for a dose-banded rule) against its published range."""

    row: int
    substance: str
    route: Route
    factor: Decimal
    per_unit: DoseUnit
    standing: Standing
    published: PublishedRange | None
    band_from_morphine_mg_per_day: Decimal | None = None


def _in_unit(factor: Decimal, unit: DoseUnit, wanted: DoseUnit) -> Decimal | None:
    """A factor per `unit` rewritten per `wanted` (per mcg = per mg / 1000), if comparable."""
    if unit is wanted:
        return factor
    if {unit, wanted} == {DoseUnit.MG, DoseUnit.MCG}:
        return factor.scaleb(3 if unit is DoseUnit.MCG else -3)
    return None


def factor_checks(rules: Sequence[Rule], bounds: PlausibilityBounds) -> list[FactorCheck]:
    """Every factor of `rules` against its range; `row` is the rule's position in `rules`."""
    checks: list[FactorCheck] = []
    for row, rule in enumerate(rules):
        if isinstance(rule, LinearRule):
            factors: list[tuple[Decimal, Decimal | None]] = [(rule.factor, None)]
        elif isinstance(rule, DoseBandedRule):
            factors = [(b.factor, b.from_morphine_mg_per_day) for b in rule.bands]
        else:
            continue
        published = bounds.range_for(rule.substance, rule.route)
        for factor, edge in factors:
            standing = (
                Standing.NO_RANGE
                if published is None
                else published.standing(factor, rule.per_unit)
            )
            checks.append(
                FactorCheck(
                    row,
                    rule.substance,
                    rule.route,
                    factor,
                    rule.per_unit,
                    standing,
                    published,
                    edge,
                )
            )
    return checks


def plausibility_issues(rules: Sequence[Rule], bounds: PlausibilityBounds) -> list[TableIssue]:
    """The refused factors of `rules` (far outside, or nothing published), one issue each."""
    issues = []
    for check in factor_checks(rules, bounds):
        name = f"{check.substance} {check.route.value}"
        if check.standing is Standing.NO_RANGE:
            message = (
                f"{name}: there is no published range to check a factor against; exclude it "
                "with a reason, or add its published range and source to the bounds first"
            )
            params = (("substance", check.substance), ("route", check.route.value))
            issues.append(TableIssue(check.row, TableProblem.NO_PUBLISHED_RANGE, message, params))
        elif check.standing is Standing.FAR_OUTSIDE and check.published is not None:
            issues.append(_far_outside(check, check.published, name))
    return issues


def _far_outside(check: FactorCheck, published: PublishedRange, name: str) -> TableIssue:
    lowest, highest = published.accepted_text()
    sources = "; ".join(published.sources)
    unit = published.per_unit.value
    message = (
        f"{name}: the factor {_text(check.factor)} per {check.per_unit.value} is far outside "
        f"the published range {_text(published.low)}-{_text(published.high)} per {unit} "
        f"({sources}); accepted: {lowest}-{highest}"
    )
    params = (
        ("substance", check.substance),
        ("route", check.route.value),
        ("factor", _text(check.factor)),
        ("unit", check.per_unit.value),
        ("low", _text(published.low)),
        ("high", _text(published.high)),
        ("range_unit", unit),
        ("lowest", lowest),
        ("highest", highest),
        ("sources", sources),
    )
    return TableIssue(check.row, TableProblem.FACTOR_IMPLAUSIBLE, message, params)


def plausible_table_from_rows(
    meta: Mapping[str, object],
    rows: Sequence[Mapping[str, object]],
    bounds: PlausibilityBounds | None = None,
) -> ConversionTable:
    """`ConversionTable.from_rows`, then every factor against the bounds (default: the data
    file's). A refusal is a `ConversionTableError` whose issues name the rows as given."""
    table = ConversionTable.from_rows(meta, rows)
    # The table keeps its rules sorted; report each issue at the row the caller gave.
    given = {(row.get("substance"), row.get("route")): index for index, row in enumerate(rows)}
    rules = table.rules
    issues = [
        replace(issue, row=given.get((rules[row].substance, rules[row].route.value)))
        for issue in plausibility_issues(rules, bounds or default_bounds())
        if (row := issue.row) is not None
    ]
    if issues:
        raise ConversionTableError(issues)
    return table


def _number(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise SettingsError(f"{name} must be a number", code="bad_bounds_file")
    number = Decimal(value)
    if not number.is_finite() or number <= 0:
        raise SettingsError(f"{name} must be above 0", code="bad_bounds_file")
    return number


def _range(item: Mapping[str, Any], margin: Decimal) -> PublishedRange:
    name = f"{item.get('substance')} {item.get('route')}"
    try:
        route, unit = Route(item["route"]), DoseUnit(item["per_unit"])
    except (KeyError, ValueError) as error:
        raise SettingsError(f"{name}: bad route or per_unit", code="bad_bounds_file") from error
    sources = item.get("sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise SettingsError(f"{name}: every range needs its sources", code="bad_bounds_file")
    published = PublishedRange(
        substance=str(item["substance"]),
        route=route,
        per_unit=unit,
        low=_number(item.get("low"), f"{name} low"),
        high=_number(item.get("high"), f"{name} high"),
        margin=_number(item.get("margin", margin), f"{name} margin"),
        sources=tuple(sources),
        note=str(item.get("note", "")),
    )
    if published.low > published.high or published.margin < 1:
        raise SettingsError(f"{name}: needs low <= high and margin >= 1", code="bad_bounds_file")
    return published


def bounds_from_toml(text: str) -> PlausibilityBounds:
    data = tomllib.loads(text, parse_float=Decimal)
    margin = _number(data.get("margin"), "margin")
    if margin < 1:
        raise SettingsError("margin must be at least 1", code="bad_bounds_file")
    ranges = tuple(_range(item, margin) for item in data.get("ranges", []))
    keys = [(r.substance, r.route) for r in ranges]
    if len(set(keys)) != len(keys):
        raise SettingsError("a substance and route is given twice", code="bad_bounds_file")
    return PlausibilityBounds(version=str(data.get("version", "")), ranges=ranges)


@cache
def default_bounds() -> PlausibilityBounds:
    """The published ranges shipped in `domain/data/conversion_bounds.toml`."""
    text = (resources.files("domain") / "data" / "conversion_bounds.toml").read_text("utf-8")
    return bounds_from_toml(text)
