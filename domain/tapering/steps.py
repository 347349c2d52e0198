"""The dose sequence of a taper: which product each step reduces, to what, for how long, and
why.

One product dose (an "item": a product's scheduled dose, or one PRN line) is reduced at a
time, in `reduction_order`, and finished before the next: PRN lines first, then **coarse**
products (a patch, or a product whose smallest unit is more OMEQ than a step at the start, the
coarsest first), then scheduled short-acting ones, then the rest; so a patch is never left for
the slow end of the plan. OMEQ here is always the maximum including PRN, so the step size and
the target cover PRN too.

- the step size and each step's length: `domain.tapering.pace` (a step that cuts more than
  its size lasts proportionally longer and says so: `stretched`);
- how one item's dose is cut: `domain.tapering.cuts`;
- the end of an item, and the switch to a finer product when its stop would break the pace
  or the stop threshold: `domain.tapering.ending`.

The target: stop (every item to none); an OMEQ (items in order until the total is at or
below it); a product's dose (every other item stopped, then that product to at or below the
amount a day). A target between none and the smallest piece is refused with the number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.catalogue import Release
from domain.omeq import ConversionTable, OmeqResult, Thresholds
from domain.tapering.cuts import Floor, StepKind, is_at_end, reduce_dose
from domain.tapering.doses import ProductDose, factor_of, item_omeq, omeq_of
from domain.tapering.ending import Context, EndRules, Switched, SwitchReason, switch_at_end
from domain.tapering.notes import (
    StepNote,
    cut_note,
    patch_rhythm_note,
    slow_note,
    stretched_note,
    switch_note,
)
from domain.tapering.pace import Pace, change_days, step_days, step_limit
from domain.tapering.request import (
    MAX_PLAN_YEARS,
    TaperError,
    TaperErrorCode,
    TaperTarget,
    TargetKind,
    text,
)
from domain.tapering.strengths import StrengthGrid, default_max_units, grid_for, tidy

__all__ = [
    "MAX_STEPS",
    "EndRules",
    "Pace",
    "PlannedDose",
    "StepKind",
    "SwitchReason",
    "Switched",
    "change_days",
    "omeq_of",
    "plan_doses",
    "reduction_order",
]

MAX_STEPS = 1000


@dataclass(frozen=True)
class PlannedDose:
    """A step before it has dates: every item (stopped ones have no dose), the OMEQ, and how
    many days the step lasts before any pause (`days`; the plan's last step has no end)."""

    doses: tuple[ProductDose, ...]
    kind: StepKind
    item: int  # index into doses of the item reduced
    omeq: OmeqResult
    cut_limit_mg_per_day: Decimal
    cut_mg_per_day: Decimal
    notes: tuple[StepNote, ...]
    days: int
    change_days: int  # the dose can change only every so many days (a patch's rhythm)
    reduced: ProductDose  # the item's dose before this step (for a switch: the old product)
    switch: Switched | None = None


def _grid(dose: ProductDose, preferred: Sequence[Decimal] = ()) -> StrengthGrid | None:
    if dose.is_prn:
        return None
    most = max(dose.amounts)
    pieces = max(t.dose.pieces for t in dose.doses)
    return grid_for(
        dose.product, most, max(pieces, default_max_units(dose.product)), tuple(preferred)
    )


def _smallest_unit(dose: ProductDose) -> Decimal:
    """The smallest amount a step of this scheduled item can cut: its smallest piece."""
    grid = _grid(dose)
    assert grid is not None  # noqa: S101 - only PRN items have no grid
    return grid.smallest_piece


def reduction_order(
    doses: Sequence[ProductDose],
    result: OmeqResult,
    owners: list[int],
    *,
    order: Sequence[str],
    target: TaperTarget,
    first_limit: Decimal,
) -> tuple[int, ...]:
    """Named products first, in the order given; then PRN lines, coarse products (a patch, or
    a smallest unit above the first step's size; the coarsest first), scheduled short-acting
    ones, then the rest; the smaller OMEQ first, then the regimen's order. A dose target's
    scheduled product is always last."""

    def key(index: int) -> tuple[int, int, int, Decimal, Decimal, int]:
        dose = doses[index]
        named = order.index(dose.product.id) if dose.product.id in order else len(order)
        is_target = (
            target.kind is TargetKind.DOSE
            and dose.product.id == target.product_id
            and not dose.is_prn
        )
        unit = Decimal(0)
        if not dose.is_prn:
            unit = _smallest_unit(dose) * factor_of(result, owners, index, dose)
        coarse = dose.is_patch or unit > first_limit
        short = dose.product.release is Release.IMMEDIATE
        rank = 0 if dose.is_prn else 1 if coarse else 2 if short else 3
        return (int(is_target), named, rank, -unit if coarse else Decimal(0),
                item_omeq(result, owners, index), index)  # fmt: skip

    return tuple(sorted(range(len(doses)), key=key))


@dataclass
class _Run:
    """The state of a plan being made."""

    state: list[ProductDose]
    current: OmeqResult
    owners: list[int]
    start: Decimal
    pace: Pace
    rules: EndRules
    table: ConversionTable
    thresholds: Thresholds
    preferred: dict[str, tuple[Decimal, ...]]
    steps: list[PlannedDose]
    baseline: tuple[ProductDose, ...] = ()
    is_slow: bool = False

    def context(self) -> Context:
        return Context(tuple(self.state), self.baseline, self.current, self.owners, self.start,
                       self.pace, self.rules, self.table, self.thresholds)  # fmt: skip


def plan_doses(
    baseline: tuple[ProductDose, ...],
    start: OmeqResult,
    owners: list[int],
    order: tuple[int, ...],
    target: TaperTarget,
    pace: Pace,
    rules: EndRules,
    table: ConversionTable,
    thresholds: Thresholds,
) -> list[PlannedDose]:
    """Every step's dose, from the baseline (OMEQ `start`, line owners `owners`) to the
    target."""
    start_omeq = start.max_mg_per_day
    _check_target(target, start_omeq, baseline)
    preferred = {d.product.id: _strengths_of(d) for d in baseline if not d.is_prn}
    run = _Run(list(baseline), start, owners, start_omeq, pace, rules, table, thresholds,
               preferred, [], baseline)  # fmt: skip
    for item in order:
        been: set[str] = {run.state[item].product.id}
        while not run.state[item].is_stopped:
            dose = run.state[item]
            own = {*run.preferred.get(dose.product.id, ()), *_strengths_of(dose)}
            grid = _grid(dose, tuple(sorted(own)))
            factor = factor_of(run.current, run.owners, item, dose)
            floor = _floor(target, run.current, run.owners, item, dose, factor, grid)
            if floor is None:
                return run.steps  # the target is reached
            limit, slows = step_limit(pace, start_omeq, run.current.max_mg_per_day)
            switched = None
            if grid is not None and floor.is_stop and is_at_end(dose, grid):
                is_target = target.kind is TargetKind.DOSE and dose.product.id == target.product_id
                switched = switch_at_end(
                    run.context(), item, dose, grid, factor, been, allow=not is_target
                )
            if switched is not None:
                new, kind, is_forced = switched.to_dose, StepKind.SWITCH, False
                been.add(new.product.id)
            else:
                new, kind, is_forced = reduce_dose(dose, grid, factor, limit, floor)
            if new == dose:
                raise RuntimeError(f"taper made no progress on {new.product.id}")  # a bug
            _step(run, item, dose, new, kind, limit, slows, is_forced, grid, switched)
    return run.steps


def _strengths_of(dose: ProductDose) -> tuple[Decimal, ...]:
    return tuple(sorted({c.strength.amount for t in dose.doses for c in t.dose.counts}))


def _step(
    run: _Run,
    item: int,
    old: ProductDose,
    new: ProductDose,
    kind: StepKind,
    limit: Decimal,
    slows: bool,
    is_forced: bool,
    grid: StrengthGrid | None,
    switched: Switched | None,
) -> None:
    run.state[item] = new
    result, owners = omeq_of(run.state, run.table, run.thresholds)
    cut = run.current.max_mg_per_day - result.max_mg_per_day
    notes: list[StepNote] = []
    slow = run.pace.slow_down
    if slows and not run.is_slow and slow is not None:
        notes.append(slow_note(slow))
    run.is_slow = run.is_slow or slows
    if switched is not None:
        switched = replace(switched, to_omeq_mg_per_day=tidy(item_omeq(result, owners, item)))
        amounts = (switched.from_omeq_mg_per_day, switched.to_omeq_mg_per_day,
                   switched.stop_mg_per_day, switched.limit_mg_per_day,
                   switched.threshold_mg_per_day)  # fmt: skip
        table = (run.table.id, run.table.version)
        notes.append(switch_note(switched.reason.value, old, new, amounts, table))
    elif cut > limit:
        notes.append(cut_note(new, grid, limit, cut, is_forced=is_forced))
    rhythm = change_days(new if not new.is_stopped else old)
    days = step_days(run.pace.interval_days, cut, limit, rhythm)
    if cut > limit:
        notes.append(stretched_note(days, run.pace.interval_days, cut, limit, rhythm))
    elif days > run.pace.interval_days:
        notes.append(patch_rhythm_note(days, run.pace.interval_days, rhythm))
    planned = PlannedDose(tuple(run.state), kind, item, result, tidy(limit), tidy(cut),
                          tuple(notes), days, rhythm, old, switched)  # fmt: skip
    run.steps.append(planned)
    run.current, run.owners = result, owners
    if len(run.steps) > MAX_STEPS:
        raise TaperError(
            TaperErrorCode.PLAN_TOO_LONG,
            f"The plan would need more than {MAX_STEPS} steps; choose a larger step.",
            max_steps=str(MAX_STEPS),
            max_years=str(MAX_PLAN_YEARS),
        )


def _check_target(target: TaperTarget, start: Decimal, baseline: Sequence[ProductDose]) -> None:
    current, value, unit = start, target.omeq_mg_per_day, "mg OMEQ/day"
    if target.kind is TargetKind.DOSE:
        dose = next(d for d in baseline if d.product.id == target.product_id and not d.is_prn)
        current, value = dose.daily_amount, target.daily_amount
        unit = f"{dose.product.dose_unit}/day"
    if value is not None and value >= current:
        raise TaperError(
            TaperErrorCode.TARGET_NOT_BELOW_CURRENT,
            f"The target {text(value)} {unit} is not below the current {text(current)} {unit}.",
            target=text(value),
            current=text(current),
            unit=unit,
        )


def _floor(
    target: TaperTarget,
    current: OmeqResult,
    owners: list[int],
    item: int,
    dose: ProductDose,
    factor: Decimal,
    grid: StrengthGrid | None,
) -> Floor | None:
    """The item's floor, or None when the plan's target is reached."""
    if target.kind is TargetKind.STOP:
        return Floor()
    if target.kind is TargetKind.DOSE:
        if dose.product.id != target.product_id or dose.is_prn:
            return Floor()
        amount = target.daily_amount or Decimal(0)
        if dose.daily_amount <= amount:
            return None
        if grid is not None and 0 < amount < grid.smallest_piece:
            _refuse_target(dose, grid, amount, f"{dose.product.dose_unit}/day", factor)
        return Floor(amount=amount) if amount > 0 else Floor()
    goal = target.omeq_mg_per_day or Decimal(0)
    if current.max_mg_per_day <= goal:
        return None
    room = goal - (current.max_mg_per_day - item_omeq(current, owners, item))
    if room <= 0:
        return Floor()
    if grid is not None and room < grid.smallest_piece * factor:
        _refuse_target(dose, grid, goal, "mg OMEQ/day", factor)
    return Floor(omeq=room)


def _refuse_target(
    dose: ProductDose, grid: StrengthGrid, wanted: Decimal, unit: str, factor: Decimal
) -> None:
    product, smallest = dose.product, grid.smallest_piece
    smallest_omeq = text(tidy(smallest * factor))
    raise TaperError(
        TaperErrorCode.TARGET_NOT_REPRESENTABLE,
        f"A target of {text(wanted)} {unit} cannot be kept with {product.name}: the smallest"
        f" dose is {text(smallest)} {product.dose_unit} ({smallest_omeq} mg OMEQ/day);"
        " choose a higher target or stop.",
        product=product.id,
        target=text(wanted),
        target_unit=unit,
        smallest_strength=text(product.smallest_strength.amount),
        smallest_dose=text(smallest),
        smallest_omeq=smallest_omeq,
        unit=product.dose_unit,
    )
