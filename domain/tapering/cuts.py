"""One step of one item: how a product's dose is cut, and when it ends.

A scheduled item's step, among the doses each time of day can go down to (never up, never a
new time of day; a time is dropped only from its smallest piece): the largest cut within the
limit, as evenly spread over the day as the strengths allow, morning lower on a tie (so
60 + 60 goes 50 + 60, 50 + 50 ...), never more uneven than the strengths need (from
160 + 160 mg: 150 + 160, not 145 + 160). The step that reaches the item's target may pass
just below it, to the closest dose the strengths allow. If the largest cut within the limit
is less than half the smallest piece, the strengths cannot follow the step size: the
smallest cut of at least half the smallest piece is taken (`is_forced`; the step is then
stretched, `domain.tapering.pace`). (Half the smallest piece, so labelled strengths such as
the fentanyl 12 mcg/h patch, nominally 12.5, never give a 25 -> 24 mcg/h "step".)

The end (`is_at_end`): once the item is one dose a day of its smallest piece, the next step
takes that dose every other day, then it stops; a patch is not worn on alternate days: from
the smallest patch it is removed.

A PRN item keeps its dose and loses as many of its maximum daily doses as the step size
allows (at least one), down to none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from itertools import pairwise
from itertools import product as cartesian

from domain.tapering.doses import ProductDose
from domain.tapering.strengths import ExpressedDose, StrengthGrid, TimedDose, TimeOfDay

__all__ = ["Floor", "StepKind", "is_at_end", "reduce_dose"]

# Doses looked at per time of day in one step (more times, fewer each: the search stays small).
_OPTIONS_PER_TIME = {1: 16, 2: 9, 3: 6, 4: 4}

_Found = list[tuple[Decimal, tuple[int, Decimal, tuple[Decimal, ...]]]]


class StepKind(StrEnum):
    REDUCE = "reduce"  # the reduced product is still taken every day
    EVERY_OTHER_DAY = "every_other_day"  # its smallest dose, every other day
    STOP = "stop"  # the reduced product is stopped
    SWITCH = "switch"  # the reduced product is replaced by a finer one, at the same OMEQ


@dataclass(frozen=True)
class Floor:
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


def is_at_end(dose: ProductDose, grid: StrengthGrid) -> bool:
    """One dose a day of the smallest piece: the next steps are every other day, then stop."""
    if dose.is_every_other_day:
        return False
    taken = [a for a in dose.amounts if a]
    return len(taken) == 1 and taken[0] <= grid.smallest_piece


def reduce_dose(
    dose: ProductDose, grid: StrengthGrid | None, factor: Decimal, limit: Decimal, floor: Floor
) -> tuple[ProductDose, StepKind, bool]:
    """The item's next dose, the step's kind, and whether rounding forced a larger cut."""
    if grid is None:
        return _reduce_prn(dose, factor, limit, floor)
    amounts = dose.amounts
    if floor.is_stop and (dose.is_every_other_day or is_at_end(dose, grid)):
        if dose.is_every_other_day or dose.is_patch:
            is_forced = dose.daily_amount * factor > limit
            return ProductDose(dose.product), StepKind.STOP, is_forced
        is_forced = dose.daily_amount / 2 * factor > limit
        return replace(dose, is_every_other_day=True), StepKind.EVERY_OTHER_DAY, is_forced
    new_amounts, is_forced = _next_amounts(amounts, grid, factor, limit, floor)
    doses = []
    for time, old, new in zip(TimeOfDay, amounts, new_amounts, strict=True):
        if new:
            expressed = grid.express(new) if new != old else _timed(dose, time)
            doses.append(TimedDose(time, expressed))
    return replace(dose, doses=tuple(doses)), StepKind.REDUCE, is_forced


def _timed(dose: ProductDose, time: TimeOfDay) -> ExpressedDose:
    return next(t.dose for t in dose.doses if t.time is time)


def _options(amount: Decimal, grid: StrengthGrid, reach: Decimal, count: int) -> list[Decimal]:
    """The doses one time of day may go to: itself, the doses within `reach` below (at most
    `count`), the first dose beyond, and none from the smallest piece."""
    below = [a for a in grid.amounts_between(max(amount - reach, Decimal(0)), amount) if a < amount]
    found = [amount, *below[:count]]
    beyond = grid.amount_below(below[-1] if below else amount)
    if beyond > 0:
        found.append(beyond)
    if amount <= grid.smallest_piece:
        found.append(Decimal(0))
    return found


def _next_amounts(
    amounts: tuple[Decimal, ...], grid: StrengthGrid, factor: Decimal, limit: Decimal, floor: Floor
) -> tuple[tuple[Decimal, ...], bool]:
    """The day's new doses: the largest cut within the limit, then the most even, then the
    morning lower; or, when that cuts less than half the smallest piece, the smallest cut of
    at least that (forced). Never more uneven than the strengths need (150 + 160, not
    145 + 160, from 160 + 160): a cut that would be is taken only when no even one exists."""
    times = [t for t, a in enumerate(amounts) if a]
    total = sum(amounts, Decimal(0))
    least = grid.smallest_piece / 2
    reach = max(limit / factor, least)
    count = _OPTIONS_PER_TIME.get(len(times), 3)
    choices = [_options(amounts[t], grid, reach, count) for t in times]
    even = max(_spread(amounts), _largest_gap(grid, min(min(c) for c in choices), max(amounts)))
    found: _Found = []
    for combo in cartesian(*choices):
        new_total = sum(combo, Decimal(0))
        cut = total - new_total
        if cut <= 0 or new_total <= 0:
            continue
        full = list(amounts)
        for t, a in zip(times, combo, strict=True):
            full[t] = a
        # Ties: fewer times of day dropped, then the most even day, then the morning lower.
        found.append((cut, (sum(1 for a in combo if not a), _spread(full), tuple(full))))
    even_ones = [f for f in found if f[1][1] <= even]
    chosen = _choose(even_ones, total, factor, limit, least, floor) or _choose(
        found, total, factor, limit, least, floor
    )
    if chosen is None:
        raise RuntimeError("no lower dose for an item that is not at its end")  # a bug
    return chosen


def _choose(
    found: _Found,
    total: Decimal,
    factor: Decimal,
    limit: Decimal,
    least: Decimal,
    floor: Floor,
) -> tuple[tuple[Decimal, ...], bool] | None:
    within = [f for f in found if f[0] * factor <= limit]
    reaching = [w for w in within if not floor.is_stop and floor.reached(total - w[0], factor)]
    if reaching:
        return min(reaching)[1][2], False
    best = max((w[0] for w in within), default=Decimal(0))
    if best >= least:
        return min(w[1] for w in within if w[0] == best)[2], False
    forced = [f for f in found if f[0] >= least]
    if not forced:
        return None
    smallest = min(f[0] for f in forced)
    return min(f[1] for f in forced if f[0] == smallest)[2], smallest * factor > limit


def _spread(amounts: Sequence[Decimal]) -> Decimal:
    """How uneven the day is: the largest dose minus the smallest (of the times taken)."""
    taken = [a for a in amounts if a]
    return max(taken) - min(taken) if taken else Decimal(0)


def _largest_gap(grid: StrengthGrid, low: Decimal, high: Decimal) -> Decimal:
    """The largest step between two neighbouring doses the strengths can make in a range."""
    found = grid.amounts_between(max(low, grid.smallest_piece), high)
    return max((a - b for a, b in pairwise(found)), default=high - low)


def _reduce_prn(
    dose: ProductDose, factor: Decimal, limit: Decimal, floor: Floor
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
