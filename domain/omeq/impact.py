"""What replacing one conversion table by another changes for a set of regimens.

    impact = table_impact(regimens, before=active, after=draft, thresholds=thresholds)

Each regimen is one patient's current opioid lines and nothing else: the caller keeps who is
who, so the result holds counts and sizes, never an identity. Each regimen is computed under
both tables and gets one `Outcome`:

- `unchanged`: both compute the same totals (scheduled, and maximum including PRN);
- `raised` / `lowered`: both compute and the maximum (or, if that is equal, the scheduled
  total) goes up / down;
- `no_longer_computable`: the new table refuses a line the old one converted;
- `now_computable`: the new table converts a regimen the old one refused;
- `not_computable`: both refuse (an unreadable regimen, e.g. a product that left the
  catalogue, counts here too).

`largest` lists the biggest moves (by the change of the maximum, then of the scheduled total);
`crossings` counts regimens that cross each warning threshold, up or down; `rule_changes` lists
the (substance, route) rules that differ, each with how many regimens take a line on it.
A regimen that uses no substance whose rules differ is known to be unchanged without being
computed twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Context, Decimal, localcontext
from enum import StrEnum

from domain.omeq.compute import RegimenError, RegimenLine, compute_omeq
from domain.omeq.rules import Route, Rule
from domain.omeq.settings import Thresholds
from domain.omeq.tables import ConversionTable

__all__ = [
    "ImpactRegimen",
    "OmeqChange",
    "Outcome",
    "RuleChange",
    "TableImpact",
    "ThresholdCrossing",
    "table_impact",
]

_EXACT = Context(prec=60)


class Outcome(StrEnum):
    UNCHANGED = "unchanged"
    RAISED = "raised"
    LOWERED = "lowered"
    NO_LONGER_COMPUTABLE = "no_longer_computable"
    NOW_COMPUTABLE = "now_computable"
    NOT_COMPUTABLE = "not_computable"


@dataclass(frozen=True)
class ImpactRegimen:
    """One patient's current opioid lines; `is_readable` False if some line could not even be
    read (its product left the catalogue): then no table computes it."""

    lines: tuple[RegimenLine, ...]
    is_readable: bool = True


@dataclass(frozen=True)
class OmeqChange:
    """One regimen's totals (mg/day) under the old and the new table (None: not computable)."""

    outcome: Outcome
    scheduled_before: Decimal | None
    max_before: Decimal | None
    scheduled_after: Decimal | None
    max_after: Decimal | None

    @property
    def change_mg_per_day(self) -> Decimal | None:
        """The change of the maximum including PRN."""
        if self.max_before is None or self.max_after is None:
            return None
        return self.max_after - self.max_before

    @property
    def change_percent(self) -> Decimal | None:
        change = self.change_mg_per_day
        if change is None or not self.max_before:
            return None
        with localcontext(_EXACT):
            return change * 100 / self.max_before


@dataclass(frozen=True)
class ThresholdCrossing:
    threshold_mg_per_day: Decimal
    now_at_or_above: int
    now_below: int


@dataclass(frozen=True)
class RuleChange:
    """A (substance, route) whose rule differs (None: absent), and how many regimens use it."""

    substance: str
    route: Route
    before: Rule | None
    after: Rule | None
    regimens: int


@dataclass(frozen=True)
class TableImpact:
    before_table: str
    after_table: str
    regimens: int
    outcomes: tuple[tuple[Outcome, int], ...]
    largest: tuple[OmeqChange, ...]
    crossings: tuple[ThresholdCrossing, ...]
    rule_changes: tuple[RuleChange, ...]

    def count(self, outcome: Outcome) -> int:
        return dict(self.outcomes).get(outcome, 0)

    @property
    def moved(self) -> int:
        """Regimens whose OMEQ changes or stops (or starts) being computable."""
        return self.regimens - self.count(Outcome.UNCHANGED) - self.count(Outcome.NOT_COMPUTABLE)


def _without_note(rule: Rule | None) -> Rule | None:
    return None if rule is None else replace(rule, note="")


def _differing_rules(before: ConversionTable, after: ConversionTable) -> list[tuple[str, Route]]:
    keys = sorted(
        {(r.substance, r.route) for r in (*before.rules, *after.rules)},
        key=lambda k: (k[0], k[1].value),
    )
    return [
        k for k in keys if _without_note(before.rule_for(*k)) != _without_note(after.rule_for(*k))
    ]


def _size(change: OmeqChange) -> tuple[Decimal, Decimal]:
    scheduled = Decimal(0)
    if change.scheduled_before is not None and change.scheduled_after is not None:
        scheduled = abs(change.scheduled_after - change.scheduled_before)
    return abs(change.change_mg_per_day or Decimal(0)), scheduled


def _totals(
    regimen: ImpactRegimen, table: ConversionTable, thresholds: Thresholds
) -> tuple[Decimal, Decimal] | None:
    if not regimen.is_readable:
        return None
    try:
        result = compute_omeq(regimen.lines, table, thresholds=thresholds)
    except RegimenError:
        return None
    return result.scheduled_mg_per_day, result.max_mg_per_day


def _outcome(old: tuple[Decimal, Decimal] | None, new: tuple[Decimal, Decimal] | None) -> Outcome:
    if old is None:
        return Outcome.NOT_COMPUTABLE if new is None else Outcome.NOW_COMPUTABLE
    if new is None:
        return Outcome.NO_LONGER_COMPUTABLE
    if new == old:
        return Outcome.UNCHANGED
    (old_scheduled, old_max), (new_scheduled, new_max) = old, new
    if new_max != old_max:
        return Outcome.RAISED if new_max > old_max else Outcome.LOWERED
    return Outcome.RAISED if new_scheduled > old_scheduled else Outcome.LOWERED


def table_impact(
    regimens: Iterable[ImpactRegimen],
    *,
    before: ConversionTable,
    after: ConversionTable,
    thresholds: Thresholds,
    largest: int = 10,
) -> TableImpact:
    """What replacing `before` by `after` changes for `regimens` (counts and sizes only)."""
    differing = _differing_rules(before, after)
    touched = {substance for substance, _route in differing}
    uses: Counter[tuple[str, Route]] = Counter()
    outcomes: Counter[Outcome] = Counter()
    changes: list[OmeqChange] = []
    levels = (thresholds.reassess_mg_per_day, thresholds.high_mg_per_day)
    up, down = [0] * len(levels), [0] * len(levels)
    count = 0
    for regimen in regimens:
        count += 1
        keys = {(line.substance_key, line.route) for line in regimen.lines}
        uses.update(k for k in differing if k in keys)
        old = _totals(regimen, before, thresholds)
        if touched.isdisjoint(line.substance_key for line in regimen.lines):
            outcomes[Outcome.NOT_COMPUTABLE if old is None else Outcome.UNCHANGED] += 1
            continue
        new = _totals(regimen, after, thresholds)
        outcome = _outcome(old, new)
        outcomes[outcome] += 1
        if outcome in (Outcome.RAISED, Outcome.LOWERED) and old is not None and new is not None:
            changes.append(OmeqChange(outcome, old[0], old[1], new[0], new[1]))
            for index, level in enumerate(levels):
                up[index] += old[1] < level <= new[1]
                down[index] += new[1] < level <= old[1]
    changes.sort(key=_size, reverse=True)
    return TableImpact(
        before_table=f"{before.id} {before.version}",
        after_table=f"{after.id} {after.version}",
        regimens=count,
        outcomes=tuple((o, outcomes[o]) for o in Outcome),
        largest=tuple(changes[:largest]),
        crossings=tuple(
            ThresholdCrossing(level, up[index], down[index]) for index, level in enumerate(levels)
        ),
        rule_changes=tuple(
            RuleChange(s, r, before.rule_for(s, r), after.rule_for(s, r), uses[(s, r)])
            for s, r in differing
        ),
    )
