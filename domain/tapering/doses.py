"""One product's dose in a taper step, its OMEQ regimen lines and what to prescribe for it.

A `ProductDose` is either scheduled (`doses`: one `TimedDose` per time of day taken, in order
through the day; for a patch the one time it is changed, the dose being the patches worn) or
as needed (`prn_dose`, up to `prn_max_doses_per_day`). `is_every_other_day` marks the last
phase of stopping a tablet: the smallest dose, every other day.

`units_needed(days)` is what to prescribe for a period (per strength, largest first):
- tablets and capsules: units a day x days, rounded up to whole units (halves come from
  whole tablets); every other day: the dose x the days it is taken (day 1, 3, 5 ...);
- patches: the patches worn x the changes started in the period, ceil(days x 24 / hours
  between changes), counting the change on the first day of the period;
- as needed: the maximum, units per dose x maximum doses a day x days.

`omeq_of(doses, table, thresholds)` is the OMEQ of a step's doses with the owner of each line;
`factor_of` and `linear_factor` give OMEQ per unit of a product's own amount a day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.catalogue import Form, Product
from domain.omeq import (
    ConversionTable,
    DoseUnit,
    LinearRule,
    OmeqResult,
    RegimenLine,
    Release,
    Route,
    Thresholds,
    compute_omeq,
)
from domain.tapering.strengths import (
    ExpressedDose,
    TimedDose,
    TimeOfDay,
    UnitCount,
    sum_units,
    tidy,
)

__all__ = ["ProductDose", "factor_of", "item_omeq", "linear_factor", "omeq_of", "per_amount"]

EVERY_OTHER_DAY = Decimal("0.5")


@dataclass(frozen=True)
class ProductDose:
    product: Product
    doses: tuple[TimedDose, ...] = ()
    is_every_other_day: bool = False
    prn_dose: ExpressedDose | None = None
    prn_max_doses_per_day: int = 0

    @property
    def is_prn(self) -> bool:
        return self.prn_dose is not None

    @property
    def is_patch(self) -> bool:
        return self.product.form is Form.PATCH

    @property
    def is_stopped(self) -> bool:
        return not self.doses and self.prn_max_doses_per_day == 0

    @property
    def key(self) -> tuple[str, bool]:
        """A product has at most one scheduled dose and one PRN dose per line of the list."""
        return (self.product.id, self.is_prn)

    def amount_at(self, time: TimeOfDay) -> Decimal:
        for timed in self.doses:
            if timed.time is time:
                return timed.dose.amount
        return Decimal(0)

    @property
    def amounts(self) -> tuple[Decimal, ...]:
        """The amount at each time of day, in `TimeOfDay` order (0 where none is taken)."""
        return tuple(self.amount_at(t) for t in TimeOfDay)

    @property
    def daily_amount(self) -> Decimal:
        """Substance a day (mg or mcg; for a patch the mcg/h worn), every other day halved."""
        if self.prn_dose is not None:
            return tidy(self.prn_dose.amount * self.prn_max_doses_per_day)
        total = sum((t.dose.amount for t in self.doses), Decimal(0))
        return tidy(total * EVERY_OTHER_DAY if self.is_every_other_day else total)

    @property
    def units_per_administration(self) -> tuple[UnitCount, ...]:
        """All units of one day's administrations (a PRN dose: one dose), per strength."""
        if self.prn_dose is not None:
            return sum_units(self.prn_dose.counts)
        return sum_units(c for t in self.doses for c in t.dose.counts)

    def regimen_lines(self) -> tuple[RegimenLine, ...]:
        """The lines `domain.omeq.compute_omeq` counts for this dose (none once stopped)."""
        if self.prn_dose is not None:
            if not self.prn_max_doses_per_day:
                return ()
            maximum = Decimal(self.prn_max_doses_per_day)
            return (self._line(self.prn_dose.amount, maximum, maximum),)
        if self.is_patch:
            worn = sum((t.dose.amount for t in self.doses), Decimal(0))
            return (self._line(worn, Decimal(1)),) if worn else ()
        per_day = EVERY_OTHER_DAY if self.is_every_other_day else Decimal(1)
        return tuple(self._line(t.dose.amount, per_day) for t in self.doses)

    def _line(self, dose: Decimal, per_day: Decimal, prn_max: Decimal | None = None) -> RegimenLine:
        product = self.product
        return RegimenLine(
            substance=product.substance,
            route=Route(product.route),
            dose=dose,
            dose_unit=DoseUnit(product.dose_unit),
            doses_per_day=per_day,
            prn=prn_max is not None,
            max_doses_per_day=prn_max,
            release=Release(product.release.value),
            label=product.id,
        )

    def units_needed(self, days: int) -> tuple[UnitCount, ...]:
        """What to prescribe for `days` days of this dose (see the module docstring)."""
        units = self.units_per_administration
        if self.prn_dose is not None:
            count = Decimal(self.prn_max_doses_per_day * days)
            return tuple(UnitCount(u.strength, tidy(u.units * count)) for u in units)
        if self.is_patch:
            hours = self.product.patch_change_hours or 24
            changes = Decimal(math.ceil(days * 24 / hours))
            return tuple(UnitCount(u.strength, u.units * changes) for u in units)
        taken_days = math.ceil(days / 2) if self.is_every_other_day else days
        return tuple(UnitCount(u.strength, Decimal(math.ceil(u.units * taken_days))) for u in units)


def omeq_of(
    doses: Sequence[ProductDose], table: ConversionTable, thresholds: Thresholds
) -> tuple[OmeqResult, list[int]]:
    owners: list[int] = []
    lines = []
    for index, dose in enumerate(doses):
        for line in dose.regimen_lines():
            owners.append(index)
            lines.append(line)
    return compute_omeq(lines, table, thresholds=thresholds), owners


def item_omeq(result: OmeqResult, owners: list[int], item: int) -> Decimal:
    return sum(
        (r.contribution_mg_per_day or Decimal(0) for r in result.lines if owners[r.index] == item),
        Decimal(0),
    )


def per_amount(factor: Decimal, factor_unit: DoseUnit, product: Product) -> Decimal:
    """A factor per `factor_unit` as OMEQ per unit of the product's own amount a day."""
    unit = DoseUnit(product.dose_unit)
    if factor_unit is DoseUnit.MCG and unit is DoseUnit.MG:
        return factor.scaleb(3)
    if factor_unit is DoseUnit.MG and unit is DoseUnit.MCG:
        return factor.scaleb(-3)
    return factor


def factor_of(result: OmeqResult, owners: list[int], item: int, dose: ProductDose) -> Decimal:
    """OMEQ per unit of the product's amount a day, from the factor the result used."""
    for line in result.lines:
        if owners[line.index] == item and line.factor is not None and line.factor_unit:
            return per_amount(line.factor, line.factor_unit, dose.product)
    raise RuntimeError(f"no OMEQ factor for {dose.product.id}")  # every taper line is counted


def linear_factor(table: ConversionTable, product: Product) -> Decimal | None:
    rule = table.rule_for(product.substance, Route(product.route))
    if isinstance(rule, LinearRule):
        return per_amount(rule.factor, rule.per_unit, product)
    return None
