"""The dose sequence of a taper: which product each step reduces, to what, and why.

One product dose (an "item": a product's scheduled dose, or one PRN line) is reduced at a
time, in `reduction_order`, and finished before the next. The step size is OMEQ: at most
`step_percent` of the starting OMEQ (or of the step before's, `StepBasis.CURRENT_DOSE`) per
step, times `SlowDown.step_factor` once the OMEQ is at or below its share of the start. OMEQ
here is always the maximum including PRN, so the step size and the target cover PRN too.

A scheduled item's step, peak first ("cut the largest dose"):
1. Repeatedly take the largest dose of the day (ties: morning, noon, evening, night) down to
   the next dose its strengths can make, while the step's total cut stays within the step
   size, the item keeps some dose, and the item has not yet reached its target (so the
   step that reaches it may pass just below it, to the closest dose the strengths allow).
   When that dose cannot go down, try the next largest. Twice daily 60 + 60 mg thus goes
   50 + 60, 50 + 50, 40 + 50 ...: morning and evening are reduced in turn (from equal doses
   the evening is never below the morning), no time of day is added, and one is dropped only
   when its dose is the smallest piece.
2. If that cuts less than half the smallest piece (or nothing), the strengths cannot follow
   the step size: take the smallest single cuts instead, until at least half the smallest
   piece is cut. Such a step cuts more than the step size and carries the note
   `rounding_forced_larger_cut`. (Half the smallest piece, so labelled strengths such as the
   fentanyl 12 mcg/h patch, nominally 12.5, never give a 25 -> 24 mcg/h "step".)
3. Stopping: once the item is one dose a day of its smallest piece (half the smallest tablet
   where it may be split), the next step takes that dose every other day, then it stops.
   A patch is not worn on alternate days: from the smallest patch it is removed.
A PRN item keeps its dose and loses as many of its maximum daily doses as the step size
allows (at least one), down to none.

The target: stop (every item to none); an OMEQ (items in order until the total is at or
below it); a product's dose (every other item stopped, then that product to at or below the
amount a day). A target between none and the smallest piece is refused with the number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from domain.catalogue import Release
from domain.omeq import ConversionTable, DoseUnit, OmeqResult, Thresholds, compute_omeq
from domain.tapering.doses import ProductDose
from domain.tapering.notes import StepNote, cut_note, slow_note
from domain.tapering.request import (
    SlowDown,
    StepBasis,
    TaperError,
    TaperErrorCode,
    TaperTarget,
    TargetKind,
    text,
)
from domain.tapering.strengths import (
    ExpressedDose,
    StrengthGrid,
    TimedDose,
    TimeOfDay,
    default_max_units,
    tidy,
)

__all__ = [
    "MAX_STEPS",
    "Pace",
    "PlannedDose",
    "StepKind",
    "omeq_of",
    "plan_doses",
    "reduction_order",
]

MAX_STEPS = 1000
HUNDRED = Decimal(100)


class StepKind(StrEnum):
    REDUCE = "reduce"  # the reduced product is still taken every day
    EVERY_OTHER_DAY = "every_other_day"  # its smallest dose, every other day
    STOP = "stop"  # the reduced product is stopped


@dataclass(frozen=True)
class PlannedDose:
    """A step before it has dates: every item (stopped ones have no dose), the OMEQ."""

    doses: tuple[ProductDose, ...]
    kind: StepKind
    item: int  # index into doses of the item reduced
    omeq: OmeqResult
    cut_limit_mg_per_day: Decimal
    cut_mg_per_day: Decimal
    notes: tuple[StepNote, ...]


@dataclass(frozen=True)
class Pace:
    step_percent: Decimal
    basis: StepBasis
    slow_down: SlowDown | None


@dataclass(frozen=True)
class _Floor:
    """Where an item stops being reduced: none (stop), an OMEQ or an amount a day."""

    omeq: Decimal | None = None
    amount: Decimal | None = None

    @property
    def is_stop(self) -> bool:
        return self.omeq is None and self.amount is None

    def reached(self, amount: Decimal, factor: Decimal) -> bool:
        if self.omeq is not None:
            return amount * factor <= self.omeq
        if self.amount is not None:
            return amount <= self.amount
        return amount <= 0


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


def _factor(result: OmeqResult, owners: list[int], item: int, dose: ProductDose) -> Decimal:
    """OMEQ per unit of the product's amount a day, from the factor the result used."""
    for line in result.lines:
        if owners[line.index] == item and line.factor is not None:
            unit = DoseUnit(dose.product.dose_unit)
            if line.factor_unit is DoseUnit.MCG and unit is DoseUnit.MG:
                return line.factor.scaleb(3)
            if line.factor_unit is DoseUnit.MG and unit is DoseUnit.MCG:
                return line.factor.scaleb(-3)
            return line.factor
    raise RuntimeError(f"no OMEQ factor for {dose.product.id}")  # every taper line is counted


def reduction_order(
    doses: Sequence[ProductDose],
    result: OmeqResult,
    owners: list[int],
    *,
    order: Sequence[str],
    target: TaperTarget,
) -> tuple[int, ...]:
    """Named products first, in the order given; then PRN lines, scheduled short-acting, then
    depot and patches; the smaller OMEQ first, then the regimen's order. A dose target's
    scheduled product is always last."""

    def key(index: int) -> tuple[int, int, int, Decimal, int]:
        dose = doses[index]
        named = order.index(dose.product.id) if dose.product.id in order else len(order)
        is_target = (
            target.kind is TargetKind.DOSE
            and dose.product.id == target.product_id
            and not dose.is_prn
        )
        short = dose.product.release is Release.IMMEDIATE
        rank = 0 if dose.is_prn else 1 if short else 2
        return (int(is_target), named, rank, item_omeq(result, owners, index), index)

    return tuple(sorted(range(len(doses)), key=key))


def plan_doses(
    baseline: tuple[ProductDose, ...],
    start: OmeqResult,
    owners: list[int],
    order: tuple[int, ...],
    target: TaperTarget,
    pace: Pace,
    table: ConversionTable,
    thresholds: Thresholds,
) -> list[PlannedDose]:
    """Every step's dose, from the baseline (OMEQ `start`, line owners `owners`) to the
    target."""
    current, start_omeq = start, start.max_mg_per_day
    _check_target(target, start_omeq, baseline)
    state = list(baseline)
    steps: list[PlannedDose] = []
    is_slow = False
    for item in order:
        grid = _grid(state[item])
        while not state[item].is_stopped:
            factor = _factor(current, owners, item, state[item])
            floor = _floor(target, current, owners, item, state[item], factor, grid)
            if floor is None:
                return steps  # the target is reached
            limit, slows = _limit(pace, start_omeq, current.max_mg_per_day)
            new, kind, is_forced = _reduce(state[item], grid, factor, limit, floor)
            if new == state[item]:
                raise RuntimeError(f"taper made no progress on {new.product.id}")  # a bug
            state[item] = new
            result, owners = omeq_of(state, table, thresholds)
            cut = current.max_mg_per_day - result.max_mg_per_day
            notes = []
            if slows and not is_slow and pace.slow_down is not None:
                notes.append(slow_note(pace.slow_down))
            is_slow = is_slow or slows
            if cut > limit:
                notes.append(cut_note(new, grid, limit, cut, is_forced=is_forced))
            planned = PlannedDose(
                tuple(state), kind, item, result, tidy(limit), tidy(cut), tuple(notes)
            )
            steps.append(planned)
            current = result
            if len(steps) > MAX_STEPS:
                raise TaperError(
                    TaperErrorCode.PLAN_TOO_LONG,
                    f"The plan would need more than {MAX_STEPS} steps; choose a larger step.",
                    max_steps=str(MAX_STEPS),
                )
    return steps


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


def _grid(dose: ProductDose) -> StrengthGrid | None:
    if dose.is_prn:
        return None
    most = max(dose.amounts)
    pieces = max(t.dose.pieces for t in dose.doses)
    return StrengthGrid(
        dose.product, up_to=most, max_units=max(pieces, default_max_units(dose.product))
    )


def _floor(
    target: TaperTarget,
    current: OmeqResult,
    owners: list[int],
    item: int,
    dose: ProductDose,
    factor: Decimal,
    grid: StrengthGrid | None,
) -> _Floor | None:
    """The item's floor, or None when the plan's target is reached."""
    if target.kind is TargetKind.STOP:
        return _Floor()
    if target.kind is TargetKind.DOSE:
        if dose.product.id != target.product_id or dose.is_prn:
            return _Floor()
        amount = target.daily_amount or Decimal(0)
        if dose.daily_amount <= amount:
            return None
        if grid is not None and 0 < amount < grid.smallest_piece:
            _refuse_target(dose, grid, amount, f"{dose.product.dose_unit}/day", factor)
        return _Floor(amount=amount) if amount > 0 else _Floor()
    goal = target.omeq_mg_per_day or Decimal(0)
    if current.max_mg_per_day <= goal:
        return None
    room = goal - (current.max_mg_per_day - item_omeq(current, owners, item))
    if room <= 0:
        return _Floor()
    if grid is not None and room < grid.smallest_piece * factor:
        _refuse_target(dose, grid, goal, "mg OMEQ/day", factor)
    return _Floor(omeq=room)


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


def _limit(pace: Pace, start: Decimal, current: Decimal) -> tuple[Decimal, bool]:
    reference = start if pace.basis is StepBasis.STARTING_DOSE else current
    limit = pace.step_percent / HUNDRED * reference
    slow = pace.slow_down
    if slow is not None and current <= slow.below_share * start:
        return limit * slow.step_factor, True
    return limit, False


def _reduce(
    dose: ProductDose, grid: StrengthGrid | None, factor: Decimal, limit: Decimal, floor: _Floor
) -> tuple[ProductDose, StepKind, bool]:
    """The item's next dose, the step's kind, and whether rounding forced a larger cut."""
    if grid is None:
        return _reduce_prn(dose, factor, limit, floor)
    amounts = dose.amounts
    if floor.is_stop and (dose.is_every_other_day or _is_smallest(amounts, grid)):
        if dose.is_every_other_day or dose.is_patch:
            is_forced = dose.daily_amount * factor > limit
            return ProductDose(dose.product), StepKind.STOP, is_forced
        is_forced = dose.daily_amount / 2 * factor > limit
        return replace(dose, is_every_other_day=True), StepKind.EVERY_OTHER_DAY, is_forced
    new_amounts, is_forced = _cut_peaks(list(amounts), grid, factor, limit, floor)
    doses = []
    for time, old, new in zip(TimeOfDay, amounts, new_amounts, strict=True):
        if new:
            expressed = grid.express(new) if new != old else _timed(dose, time)
            doses.append(TimedDose(time, expressed))
    return replace(dose, doses=tuple(doses)), StepKind.REDUCE, is_forced


def _timed(dose: ProductDose, time: TimeOfDay) -> ExpressedDose:
    return next(t.dose for t in dose.doses if t.time is time)


def _is_smallest(amounts: tuple[Decimal, ...], grid: StrengthGrid) -> bool:
    taken = [a for a in amounts if a]
    return len(taken) == 1 and taken[0] <= grid.smallest_piece


def _cut_peaks(
    amounts: list[Decimal], grid: StrengthGrid, factor: Decimal, limit: Decimal, floor: _Floor
) -> tuple[tuple[Decimal, ...], bool]:
    total = sum(amounts, Decimal(0))
    original = list(amounts)
    cut = Decimal(0)
    while not floor.reached(total - cut, factor):
        for time in _largest_first(amounts):
            lower = grid.amount_below(amounts[time])
            new_cut = cut + amounts[time] - lower
            if new_cut * factor <= limit and total - new_cut > 0:
                amounts[time], cut = lower, new_cut
                break
        else:
            break
    least = grid.smallest_piece / 2
    if cut >= least:
        return tuple(amounts), False
    amounts, cut = original, Decimal(0)  # the strengths cannot follow the step size
    while cut < least:
        options = [
            (amounts[t] - grid.amount_below(amounts[t]), -amounts[t], t)
            for t in _largest_first(amounts)
        ]
        usable = [o for o in options if total - cut - o[0] > 0]
        if not usable:
            break
        step, _, time = min(usable)
        amounts[time] -= step
        cut += step
    return tuple(amounts), cut * factor > limit


def _largest_first(amounts: list[Decimal]) -> list[int]:
    return sorted((t for t, a in enumerate(amounts) if a), key=lambda t: (-amounts[t], t))


def _reduce_prn(
    dose: ProductDose, factor: Decimal, limit: Decimal, floor: _Floor
) -> tuple[ProductDose, StepKind, bool]:
    assert dose.prn_dose is not None  # noqa: S101 - only PRN items have no grid
    per_dose = dose.prn_dose.amount * factor
    allowed = int((limit / per_dose).to_integral_value(rounding=ROUND_FLOOR))
    keep = 0
    if floor.omeq is not None:
        keep = int((floor.omeq / per_dose).to_integral_value(rounding=ROUND_FLOOR))
    remaining = max(dose.prn_max_doses_per_day - max(allowed, 1), keep, 0)
    kind = StepKind.STOP if remaining == 0 else StepKind.REDUCE
    new = replace(dose, prn_max_doses_per_day=remaining)
    return new, kind, (dose.prn_max_doses_per_day - remaining) * per_dose > limit
