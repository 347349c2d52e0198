"""Opioid conversion tables: versioned data with a cited source, never literals in code.

A `ConversionTable` (id, version, title, source citation, published date, note) holds one rule
per (substance, route); the rule kinds and the dose-banded methadone rule are explained in
`domain.omeq.rules`. Substances are lower-case English INN names.

Where tables come from:
- shipped TOML files in `domain/data/conversion/` (`load_builtin_tables()`, `table_from_toml`):
  top-level `id`, `version`, `title`, `source`, `published` (a TOML date), optional `note`, and
  one `[[rules]]` table per rule;
- plain rows, e.g. an administrator-edited copy stored in the database:
  `ConversionTable.from_rows(meta, rows)`, where `meta` has the keys of `TableMeta` and each
  row the keys of `RuleRow` (fields that do not belong to the rule's kind are None or absent;
  any other key is refused). `table.to_rows()` gives the same data back, and
  `ConversionTable.from_rows(*table.to_rows()) == table`.

Numbers in rows must be exact: `Decimal`, `int` or a numeric string; a float is refused because
it already carries binary noise. Any refusal is a `ConversionTableError` listing every issue.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TypedDict, TypeVar

from domain.omeq.rules import (
    ConversionTableError,
    DoseBand,
    DoseBandedRule,
    DoseUnit,
    ExcludedRule,
    LinearRule,
    Route,
    Rule,
    RuleKind,
    TableIssue,
    TableProblem,
    rule_issues,
)

__all__ = [
    "BandRow",
    "ConversionTable",
    "ConversionTableError",
    "DoseBand",
    "DoseBandedRule",
    "DoseUnit",
    "ExcludedRule",
    "LinearRule",
    "Route",
    "Rule",
    "RuleKind",
    "RuleRow",
    "TableIssue",
    "TableMeta",
    "TableProblem",
    "load_builtin_tables",
    "rule_to_row",
    "table_from_toml",
]


class TableMeta(TypedDict):
    id: str
    version: str
    title: str
    source: str
    published: datetime.date
    note: str


class BandRow(TypedDict):
    from_morphine_mg_per_day: Decimal
    factor: Decimal


class RuleRow(TypedDict):
    """One rule as plain data; fields that do not belong to the rule's kind are None."""

    substance: str
    route: str
    kind: str
    factor: Decimal | None
    per_unit: str | None
    reason: str | None
    bands: list[BandRow] | None
    note: str


@dataclass(frozen=True)
class ConversionTable:
    """A versioned, cited set of rules, kept sorted so that equal tables compare equal."""

    id: str
    version: str
    title: str
    source: str
    published: datetime.date
    rules: tuple[Rule, ...]
    note: str = ""
    _index: dict[tuple[str, Route], Rule] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        issues = [
            TableIssue(None, TableProblem.MISSING_FIELD, f"the table needs a non-empty {name}")
            for name in ("id", "version", "title", "source")
            if not str(getattr(self, name)).strip()
        ]
        issues += rule_issues(self.rules)
        if issues:
            raise ConversionTableError(issues)
        ordered = tuple(sorted(self.rules, key=lambda r: (r.substance, r.route.value)))
        object.__setattr__(self, "rules", ordered)
        object.__setattr__(self, "_index", {(r.substance, r.route): r for r in ordered})

    @property
    def substances(self) -> frozenset[str]:
        return frozenset(r.substance for r in self.rules)

    def routes_for(self, substance: str) -> tuple[Route, ...]:
        return tuple(r.route for r in self.rules if r.substance == substance)

    def rule_for(self, substance: str, route: Route) -> Rule | None:
        return self._index.get((substance, route))

    @classmethod
    def from_rows(
        cls, meta: Mapping[str, object], rows: Iterable[Mapping[str, object]]
    ) -> ConversionTable:
        """Build a table from plain data (a database copy, a parsed TOML file, a form)."""
        issues: list[TableIssue] = []
        text, published = _parse_meta(meta, issues)
        parsed = [(index, _parse_rule(index, row, issues)) for index, row in enumerate(rows)]
        rules = [(index, rule) for index, rule in parsed if rule is not None]
        # Check the rules that parsed too, so that one save reports every issue at once.
        for issue in rule_issues(tuple(rule for _, rule in rules)):
            issues.append(replace(issue, row=rules[issue.row or 0][0]))
        if issues or published is None:
            raise ConversionTableError(sorted(issues, key=lambda i: -1 if i.row is None else i.row))
        return cls(
            id=text["id"],
            version=text["version"],
            title=text["title"],
            source=text["source"],
            published=published,
            note=text.get("note", ""),
            rules=tuple(rule for _, rule in rules),
        )

    def to_rows(self) -> tuple[TableMeta, list[RuleRow]]:
        """The table as plain data; `from_rows(*table.to_rows()) == table`."""
        meta = TableMeta(
            id=self.id,
            version=self.version,
            title=self.title,
            source=self.source,
            published=self.published,
            note=self.note,
        )
        return meta, [rule_to_row(rule) for rule in self.rules]


def rule_to_row(rule: Rule) -> RuleRow:
    """One rule as plain data (a row of `to_rows`)."""
    row = RuleRow(
        substance=rule.substance,
        route=rule.route.value,
        kind=rule.kind.value,
        factor=None,
        per_unit=None,
        reason=None,
        bands=None,
        note=rule.note,
    )
    if isinstance(rule, LinearRule):
        row["factor"], row["per_unit"] = rule.factor, rule.per_unit.value
    elif isinstance(rule, ExcludedRule):
        row["reason"] = rule.reason
    else:
        row["per_unit"] = rule.per_unit.value
        row["bands"] = [
            BandRow(from_morphine_mg_per_day=b.from_morphine_mg_per_day, factor=b.factor)
            for b in rule.bands
        ]
    return row


_E = TypeVar("_E", bound=StrEnum)
_Report = Callable[[TableProblem, str], None]
_META_TEXT = ("id", "version", "title", "source", "note")
_RULE_FIELDS = frozenset(RuleRow.__annotations__)
# The optional fields each kind needs; every other optional field must be absent or None.
_KIND_FIELDS = {
    RuleKind.LINEAR: frozenset({"factor", "per_unit"}),
    RuleKind.EXCLUDED: frozenset({"reason"}),
    RuleKind.DOSE_BANDED: frozenset({"per_unit", "bands"}),
}
_OPTIONAL_FIELDS = frozenset({"factor", "per_unit", "reason", "bands"})


def _exact(value: object) -> Decimal | None:
    """An exact finite number from plain data; floats and bools are refused."""
    if isinstance(value, bool | float):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return None
    return value if isinstance(value, Decimal) and value.is_finite() else None


def _parse_meta(
    meta: Mapping[str, object], issues: list[TableIssue]
) -> tuple[dict[str, str], datetime.date | None]:
    def bad(code: TableProblem, message: str) -> None:
        issues.append(TableIssue(None, code, message))

    for name in meta:
        if name not in (*_META_TEXT, "published"):
            bad(TableProblem.UNKNOWN_FIELD, f"unknown table field '{name}'")
    text: dict[str, str] = {}
    for name in _META_TEXT:
        value = meta.get(name)
        if isinstance(value, str) and (value.strip() or name == "note"):
            text[name] = value
        elif value is None and name == "note":
            text[name] = ""
        else:
            bad(TableProblem.MISSING_FIELD, f"the table needs {name} as non-empty text")
    published = meta.get("published")
    if isinstance(published, str):
        try:
            published = datetime.date.fromisoformat(published)
        except ValueError:
            published = None
    if isinstance(published, datetime.date) and not isinstance(published, datetime.datetime):
        return text, published
    bad(TableProblem.BAD_VALUE, "published must be a date (YYYY-MM-DD)")
    return text, None


def _parse_rule(index: int, row: Mapping[str, object], issues: list[TableIssue]) -> Rule | None:
    start = len(issues)

    def bad(code: TableProblem, message: str) -> None:
        issues.append(TableIssue(index, code, message))

    for name in row:
        if name not in _RULE_FIELDS:
            bad(TableProblem.UNKNOWN_FIELD, f"unknown rule field '{name}'")
    substance, note = row.get("substance"), row.get("note") or ""
    if not isinstance(substance, str) or not isinstance(note, str):
        bad(TableProblem.BAD_VALUE, "substance and note must be text")
    route = _member(Route, row.get("route"), "route", bad)
    kind = _member(RuleKind, row.get("kind"), "kind", bad)
    if kind is not None:
        for name in sorted(_OPTIONAL_FIELDS):
            given = row.get(name) is not None
            if given and name not in _KIND_FIELDS[kind]:
                bad(TableProblem.FIELD_NOT_ALLOWED, f"a {kind} rule does not take '{name}'")
            if not given and name in _KIND_FIELDS[kind]:
                bad(TableProblem.MISSING_FIELD, f"a {kind} rule needs '{name}'")
    if len(issues) > start or route is None or kind is None:
        return None
    assert isinstance(substance, str) and isinstance(note, str)  # noqa: S101 - checked above
    if kind is RuleKind.EXCLUDED:
        reason = row["reason"]
        if isinstance(reason, str):
            return ExcludedRule(substance=substance, route=route, reason=reason, note=note)
        bad(TableProblem.BAD_VALUE, "reason must be text")
        return None
    unit = _member(DoseUnit, row["per_unit"], "per_unit", bad)
    if kind is RuleKind.LINEAR:
        factor = _exact(row["factor"])
        if factor is None:
            bad(TableProblem.BAD_VALUE, "factor must be an exact number (not a float)")
        if factor is None or unit is None:
            return None
        return LinearRule(substance, route, factor=factor, per_unit=unit, note=note)
    bands = _parse_bands(row["bands"], bad)
    if bands is None or unit is None:
        return None
    return DoseBandedRule(substance, route, per_unit=unit, bands=bands, note=note)


def _parse_bands(value: object, bad: _Report) -> tuple[DoseBand, ...] | None:
    if not isinstance(value, list | tuple):
        bad(TableProblem.BAD_VALUE, "bands must be a list")
        return None
    bands: list[DoseBand] = []
    for item in value:
        if not isinstance(item, Mapping) or set(item) != set(BandRow.__annotations__):
            bad(TableProblem.BAD_VALUE, "each band needs from_morphine_mg_per_day and factor")
            return None
        edge, factor = _exact(item["from_morphine_mg_per_day"]), _exact(item["factor"])
        if edge is None or factor is None:
            bad(TableProblem.BAD_VALUE, "band values must be exact numbers (not floats)")
            return None
        bands.append(DoseBand(from_morphine_mg_per_day=edge, factor=factor))
    return tuple(bands)


def _member(kind: type[_E], value: object, name: str, bad: _Report) -> _E | None:
    if isinstance(value, str) and value in kind._value2member_map_:
        return kind(value)
    allowed = ", ".join(member.value for member in kind)
    bad(TableProblem.BAD_VALUE, f"{name} '{value}' is not one of: {allowed}")
    return None


def table_from_toml(text: str) -> ConversionTable:
    """Parse a table file: metadata at the top, one `[[rules]]` per rule (floats as Decimal)."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        issue = TableIssue(None, TableProblem.BAD_VALUE, f"not valid TOML: {error}")
        raise ConversionTableError([issue]) from error
    rows = data.pop("rules", [])
    if not isinstance(rows, list):
        issue = TableIssue(None, TableProblem.BAD_VALUE, "rules must be a list of tables")
        raise ConversionTableError([issue])
    return ConversionTable.from_rows(data, rows)


@cache
def _builtin_tables() -> tuple[ConversionTable, ...]:
    folder = resources.files("domain") / "data" / "conversion"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    return tuple(table_from_toml(f.read_text(encoding="utf-8")) for f in files)


def load_builtin_tables() -> dict[str, ConversionTable]:
    """The tables shipped in `domain/data/conversion/`, by id (a fresh dict on each call)."""
    return {table.id: table for table in _builtin_tables()}
