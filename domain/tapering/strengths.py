"""A dose expressed in marketed strengths: which tablets, half tablets or patches make it.

    grid = StrengthGrid(product, up_to=Decimal(120))
    grid.express(Decimal(50))    # 30 mg + 10 mg + 10 mg
    grid.at_most(Decimal(45))    # 40 mg (30 + 10): the closest dose not above 45 mg
    grid.below(Decimal(40))      # 30 mg: the next dose down (a zero dose below the smallest)
    split_daily_dose(product, Decimal(90), (TimeOfDay.MORNING, TimeOfDay.EVENING))

The rules, so a clinician can check them:
- Only the product's marketed strengths are used, each any number of times. A half tablet
  only where the product is `splittable`, and at most one half per administration (two halves
  are one whole). Patches are combined, never cut; liquids (mg/ml) are not expressed here.
- An administration uses at most `max_units` pieces (a half counts as a piece): by default 4
  tablets or capsules and 2 patches worn at once (`default_max_units`), so a dose never turns
  into a handful of tablets or a patchwork. A caller can raise it.
- Among the ways to make a dose the fewest pieces win, then whole before half, then the
  largest strengths (60 + 30, not 30 + 30 + 30).
- A dose is found by exact search, not rounding: amounts are counted in "grains" (the
  greatest common divisor of the pieces, e.g. 5 mg for morphine tablets 10/30 mg that may be
  halved) and a coin-change table up to the largest dose asked for is built once per product
  and size, then reused. Above `MAX_GRAINS` grains a dose is refused as implausible.

Refusals are `StrengthError`s with a stable `code` and text `params` (numbers as exact decimal
strings) so the user interface can translate them.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from functools import lru_cache

from domain.catalogue import Form, Product, Strength
from domain.errors import DomainError

__all__ = [
    "DEFAULT_MAX_PATCHES",
    "DEFAULT_MAX_TABLETS",
    "MAX_GRAINS",
    "DailyDose",
    "ExpressedDose",
    "StrengthError",
    "StrengthErrorCode",
    "StrengthGrid",
    "TimeOfDay",
    "TimedDose",
    "UnitCount",
    "closest_dose_at_most",
    "default_max_units",
    "express_dose",
    "split_daily_dose",
    "sum_units",
    "tidy",
]

DEFAULT_MAX_TABLETS = 4  # pieces per administration: a usability bound, not a clinical number
DEFAULT_MAX_PATCHES = 2  # patches worn at once
MAX_GRAINS = 20_000  # bounds the search: 100 g of morphine in 5 mg grains
HALF = Decimal("0.5")


class TimeOfDay(StrEnum):
    """The fixed times of day a scheduled dose is taken (in this order through the day)."""

    MORNING = "morning"
    NOON = "noon"
    EVENING = "evening"
    NIGHT = "night"


class StrengthErrorCode(StrEnum):
    NO_MARKETED_STRENGTHS = "no_marketed_strengths"
    MEASURED_IN_ML = "measured_in_ml"
    BELOW_SMALLEST_STRENGTH = "below_smallest_strength"
    NOT_REPRESENTABLE = "not_representable"
    DOSE_TOO_LARGE = "dose_too_large"
    BAD_TIMES = "bad_times"


class StrengthError(DomainError):
    """A dose that cannot be made from the product's marketed strengths, and why."""

    code = "strength_error"

    def __init__(self, code: StrengthErrorCode, message: str, **params: str) -> None:
        super().__init__(message, code=code.value)
        self.params = tuple(params.items())

    def params_dict(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True)
class UnitCount:
    """`units` of one strength: tablets (0.5 is a half tablet), capsules or patches."""

    strength: Strength
    units: Decimal

    @property
    def amount(self) -> Decimal:
        return self.strength.amount * self.units


@dataclass(frozen=True)
class ExpressedDose:
    """One administration: `amount` of the counted substance, made of `counts` (largest
    strength first; empty for a zero dose)."""

    amount: Decimal
    counts: tuple[UnitCount, ...] = ()

    @property
    def is_zero(self) -> bool:
        return not self.counts

    @property
    def pieces(self) -> int:
        """Physical pieces: a whole unit is one, a half tablet is one."""
        return sum(math.ceil(c.units) for c in self.counts)


@dataclass(frozen=True)
class TimedDose:
    time: TimeOfDay
    dose: ExpressedDose


@dataclass(frozen=True)
class DailyDose:
    """A daily dose split over times of day; `amount` is the closest found not above
    `target`. `units_per_day` sums the pieces per strength."""

    target: Decimal
    amount: Decimal
    doses: tuple[TimedDose, ...]
    units_per_day: tuple[UnitCount, ...]

    @property
    def is_exact(self) -> bool:
        return self.amount == self.target


def default_max_units(product: Product) -> int:
    return DEFAULT_MAX_PATCHES if product.form is Form.PATCH else DEFAULT_MAX_TABLETS


def sum_units(counts: Iterable[UnitCount]) -> tuple[UnitCount, ...]:
    """Units per strength over several doses, largest strength first."""
    by_strength: dict[Strength, Decimal] = defaultdict(Decimal)
    for count in counts:
        by_strength[count.strength] += count.units
    ordered = sorted(by_strength.items(), key=lambda item: item[0].amount, reverse=True)
    return tuple(UnitCount(strength, units) for strength, units in ordered if units)


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def tidy(value: Decimal) -> Decimal:
    """`value` without trailing zeros or an exponent: 5.0 -> 5, 1E+1 -> 10."""
    plain = value.normalize()
    return plain.quantize(Decimal(1)) if plain.as_tuple().exponent > 0 else plain  # type: ignore[operator]


def _check_product(product: Product) -> None:
    if not product.strengths:
        raise StrengthError(
            StrengthErrorCode.NO_MARKETED_STRENGTHS,
            f"{product.name} has no marketed strengths in the catalogue.",
            product=product.id,
        )
    if product.is_measured_in_ml:
        raise StrengthError(
            StrengthErrorCode.MEASURED_IN_ML,
            f"{product.name} is measured in ml, not in tablets or patches.",
            product=product.id,
        )


@dataclass(frozen=True)
class _Coins:
    """The change-making table: fewest pieces for every multiple of the grain up to a size."""

    scale: int  # amounts are multiplied by 10**scale to become integers
    grain: int  # in scaled integers
    whole: tuple[int, ...]  # strength sizes in grains, one per strength (ascending)
    whole_cost: tuple[int, ...]  # fewest whole pieces per grain count (a big number: none)
    whole_last: tuple[int, ...]  # index of the largest strength in one fewest-piece way
    halves: tuple[int, ...]  # half of each strength in grains (empty when not splittable)
    half_cost: tuple[int, ...]  # fewest pieces using exactly one half tablet
    half_used: tuple[int, ...]  # index of the strength halved


_NONE = 1 << 30


@lru_cache(maxsize=256)
def _coins(amounts: tuple[Decimal, ...], splittable: bool, grains: int) -> _Coins:
    pieces = list(amounts) + ([a * HALF for a in amounts] if splittable else [])
    scale = max(0, *(-int(p.normalize().as_tuple().exponent) for p in pieces))
    scaled = [int(p.scaleb(scale)) for p in pieces]
    grain = math.gcd(*scaled)
    whole = tuple(int(a.scaleb(scale)) // grain for a in amounts)
    cost = [_NONE] * (grains + 1)
    last = [-1] * (grains + 1)
    cost[0] = 0
    for k in range(1, grains + 1):
        for index in range(len(whole) - 1, -1, -1):  # largest first: it wins ties
            size = whole[index]
            if size <= k and cost[k - size] + 1 < cost[k]:
                cost[k], last[k] = cost[k - size] + 1, index
    half_cost = [_NONE] * (grains + 1)
    half_used = [-1] * (grains + 1)
    halves = tuple(int((a * HALF).scaleb(scale)) // grain for a in amounts) if splittable else ()
    if splittable:
        for k in range(1, grains + 1):
            for index in range(len(halves) - 1, -1, -1):
                size = halves[index]
                if size <= k and cost[k - size] + 1 < half_cost[k]:
                    half_cost[k], half_used[k] = cost[k - size] + 1, index
    return _Coins(
        scale, grain, whole, tuple(cost), tuple(last), halves, tuple(half_cost), tuple(half_used)
    )


class StrengthGrid:
    """Every dose of one product up to a size that `max_units` pieces can make."""

    def __init__(self, product: Product, *, up_to: Decimal, max_units: int | None = None) -> None:
        _check_product(product)
        self.product = product
        self.max_units = default_max_units(product) if max_units is None else max_units
        if self.max_units < 1:
            raise ValueError("max_units must be at least 1")
        amounts = tuple(s.amount for s in product.strengths)
        splittable = product.splittable and product.form is not Form.PATCH
        smallest = product.smallest_strength.amount
        self._smallest_piece = tidy(smallest * HALF if splittable else smallest)
        probe = _coins(amounts, splittable, 0)
        self._unit = Decimal(probe.grain).scaleb(-probe.scale)  # one grain, as an amount
        needed = self._floor_grains(max(up_to, Decimal(0)))
        if needed > MAX_GRAINS:
            raise StrengthError(
                StrengthErrorCode.DOSE_TOO_LARGE,
                f"{_text(up_to)} {product.dose_unit} of {product.name} is too large to express"
                " in marketed strengths; check the dose and unit.",
                product=product.id,
                amount=_text(up_to),
                unit=product.dose_unit,
            )
        size = 1 << max(6, needed.bit_length())  # round up so similar sizes share a table
        self._coins = _coins(amounts, splittable, size)
        self._size = needed
        costs = zip(self._coins.whole_cost, self._coins.half_cost, strict=True)
        self._ok = [
            k for k, (w, h) in enumerate(costs) if k <= needed and min(w, h) <= self.max_units
        ]

    @property
    def grain(self) -> Decimal:
        """The step between representable amounts (not every multiple need be representable)."""
        return self._unit

    @property
    def smallest_piece(self) -> Decimal:
        """The smallest dose one administration can be: a half of the smallest strength where
        the product may be split, else the smallest strength."""
        return self._smallest_piece

    def _floor_grains(self, amount: Decimal) -> int:
        return int((amount / self._unit).to_integral_value(rounding=ROUND_FLOOR))

    def _amount(self, grains: int) -> Decimal:
        return tidy(Decimal(grains) * self._unit)

    def _dose(self, grains: int) -> ExpressedDose:
        coins, counts = self._coins, []
        units: dict[int, Decimal] = defaultdict(Decimal)
        if coins.half_cost[grains] < coins.whole_cost[grains]:
            halved = coins.half_used[grains]
            units[halved] += HALF
            grains -= coins.halves[halved]
        while grains:
            index = coins.whole_last[grains]
            units[index] += 1
            grains -= coins.whole[index]
        for index in sorted(units, reverse=True):
            counts.append(UnitCount(self.product.strengths[index], units[index]))
        total = sum((c.amount for c in counts), Decimal(0))
        return ExpressedDose(tidy(total), tuple(counts))

    def is_representable(self, amount: Decimal) -> bool:
        grains = self._floor_grains(amount)
        if amount < 0 or self._amount(grains) != amount or grains > self._size:
            return False
        index = bisect.bisect_left(self._ok, grains)
        return index < len(self._ok) and self._ok[index] == grains

    def express(self, amount: Decimal) -> ExpressedDose:
        """`amount` exactly, or a `StrengthError` naming the closest doses that can be made."""
        grains = self._floor_grains(amount)
        if grains > self._size:
            raise ValueError(f"{amount} is above the grid's size; build it with a larger up_to")
        if self.is_representable(amount):
            return self._dose(grains)
        below = self.at_most(amount) if amount >= self.smallest_piece else None
        above = self.at_least(amount)
        self._refuse_below_smallest(amount)
        marketed = ", ".join(s.label or _text(s.amount) for s in self.product.strengths)
        raise StrengthError(
            StrengthErrorCode.NOT_REPRESENTABLE,
            f"{_text(amount)} {self.product.dose_unit} cannot be made from {self.product.name}"
            f" {marketed} {self.product.dose_unit} with at most {self.max_units} pieces.",
            product=self.product.id,
            amount=_text(amount),
            unit=self.product.dose_unit,
            closest_below="" if below is None else _text(below.amount),
            closest_above="" if above is None else _text(above.amount),
        )

    def _refuse_below_smallest(self, amount: Decimal) -> None:
        if 0 < amount < self.smallest_piece:
            smallest = self.product.smallest_strength
            what = "half of " if self.smallest_piece < smallest.amount else ""
            raise StrengthError(
                StrengthErrorCode.BELOW_SMALLEST_STRENGTH,
                f"{_text(amount)} {self.product.dose_unit} is less than {what}the smallest"
                f" marketed strength of {self.product.name}, {_text(smallest.amount)}"
                f" {self.product.dose_unit}.",
                product=self.product.id,
                amount=_text(amount),
                unit=self.product.dose_unit,
                smallest_strength=_text(smallest.amount),
                smallest_dose=_text(self.smallest_piece),
            )

    def at_most(self, amount: Decimal) -> ExpressedDose:
        """The closest dose not above `amount`: zero for zero, a refusal between zero and
        the smallest piece (stopping is the prescriber's choice, not a rounding)."""
        self._refuse_below_smallest(amount)
        grains = min(self._floor_grains(amount), self._size)
        index = bisect.bisect_right(self._ok, grains) - 1
        return self._dose(self._ok[max(index, 0)])

    def below(self, amount: Decimal) -> ExpressedDose:
        """The largest dose strictly below `amount` (a zero dose below the smallest piece)."""
        grains = self._below(amount)
        return self._dose(grains) if grains else ExpressedDose(Decimal(0))

    def amount_below(self, amount: Decimal) -> Decimal:
        """`below(amount).amount`, without working out the pieces (the taper's hot path)."""
        return Decimal(self._below(amount)) * self._unit

    def _below(self, amount: Decimal) -> int:
        exact = amount / self._unit
        grains = int(exact.to_integral_value(rounding=ROUND_FLOOR))
        if grains == exact:
            grains -= 1
        index = bisect.bisect_right(self._ok, min(grains, self._size)) - 1
        return self._ok[index] if index >= 0 else 0

    def at_least(self, amount: Decimal) -> ExpressedDose | None:
        """The smallest dose not below `amount`, or None above the grid's size."""
        grains = self._floor_grains(amount)
        if self._amount(grains) != amount:
            grains += 1
        index = bisect.bisect_left(self._ok, max(grains, 0))
        return self._dose(self._ok[index]) if index < len(self._ok) else None

    def above(self, amount: Decimal) -> ExpressedDose | None:
        """The smallest dose strictly above `amount`, or None above the grid's size."""
        index = bisect.bisect_right(self._ok, self._floor_grains(amount))
        return self._dose(self._ok[index]) if index < len(self._ok) else None


def express_dose(
    product: Product, amount: Decimal, *, max_units: int | None = None
) -> ExpressedDose:
    """One administration of exactly `amount`, or a `StrengthError` saying why not (with the
    closest doses below and above)."""
    room = max((s.amount for s in product.strengths), default=Decimal(0))
    return StrengthGrid(product, up_to=amount + room, max_units=max_units).express(amount)


def closest_dose_at_most(
    product: Product, amount: Decimal, *, max_units: int | None = None
) -> ExpressedDose:
    """One administration: the closest dose not above `amount` (see `StrengthGrid.at_most`)."""
    return StrengthGrid(product, up_to=amount, max_units=max_units).at_most(amount)


def split_daily_dose(
    product: Product,
    daily_amount: Decimal,
    times: Sequence[TimeOfDay],
    *,
    max_units: int | None = None,
) -> DailyDose:
    """`daily_amount` split over `times` as evenly as the strengths allow, never above it.

    Each time first gets the closest dose not above an equal share; then, evening and night
    first, a time is raised to its next dose while the total stays within the target. So an
    uneven split puts the larger dose later in the day (20 + 30 mg for 50 mg twice daily),
    which is the mirror of the taper's rule that the morning dose is reduced first. A patch is
    applied at one time; its "daily" amount is the strength worn (mcg/h).
    """
    chosen = sorted(set(times), key=list(TimeOfDay).index)
    if not chosen or len(chosen) != len(times) or (product.form is Form.PATCH and len(chosen) > 1):
        raise StrengthError(
            StrengthErrorCode.BAD_TIMES,
            "Give each time of day once; a patch is applied at one time of day.",
            product=product.id,
        )
    grid = StrengthGrid(product, up_to=daily_amount, max_units=max_units)
    grid._refuse_below_smallest(daily_amount)
    share = daily_amount / len(chosen)
    doses = {
        t: (grid.at_most(share) if share >= grid.smallest_piece else ExpressedDose(Decimal(0)))
        for t in chosen
    }
    total = sum((d.amount for d in doses.values()), Decimal(0))
    raised = True
    while raised:
        raised = False
        for time in reversed(chosen):
            higher = grid.above(doses[time].amount)
            if higher is not None and total - doses[time].amount + higher.amount <= daily_amount:
                total += higher.amount - doses[time].amount
                doses[time], raised = higher, True
    timed = tuple(TimedDose(t, doses[t]) for t in chosen)
    units = sum_units(c for d in doses.values() for c in d.counts)
    return DailyDose(daily_amount, tidy(total), timed, units)
