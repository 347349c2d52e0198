"""A dose expressed in marketed strengths: which tablets, half tablets, patches or millilitres
of an oral solution make it.

    grid = StrengthGrid(product, up_to=Decimal(120))
    grid.express(Decimal(50))    # 30 mg + 10 mg + 10 mg
    grid.at_most(Decimal(45))    # 40 mg (30 + 10): the closest dose not above 45 mg
    grid.below(Decimal(40))      # 30 mg: the next dose down (a zero dose below the smallest)
    split_daily_dose(product, Decimal(90), (TimeOfDay.MORNING, TimeOfDay.EVENING))

The rules, so a clinician can check them:
- Only the product's marketed strengths are used. A half tablet only where the product is
  `splittable`, and at most one half per administration (two halves are one whole). Patches
  are combined, never cut.
- An administration uses **at most two strengths** (a half counts as the strength halved), so
  70 mg of oxycodone depot is 60 + 10 or 40 + 30, never 40 + 20 + 10; and at most
  `max_units` pieces (a half counts as a piece): by default 4 tablets or capsules and 2
  patches worn at once (`default_max_units`), so a dose never turns into a handful of tablets
  or a patchwork. A caller can raise it.
- An oral solution is one concentration per administration, measured in steps of
  `LiquidMeasure.step_ml` up to `max_ml` (0.5 ml and 20 ml by default, from
  `domain/data/taper_settings.toml`); the lower concentration is used where it can make the
  dose. Drops and injections are not expressed here.
- `preferred` strengths (those the patient already has) win whenever they alone can make the
  dose: a patient on 10 mg tablets gets 10 + half of 10 for 15 mg, never half of a new 30 mg
  tablet. Otherwise the fewest pieces win, then whole before half, then fewer strengths,
  then the largest strengths (60 + 30, not 30 + 30 + 30).
- A dose is found by exact search, not rounding: amounts are counted in "grains" (the
  greatest common divisor of the pieces, e.g. 5 mg for morphine tablets 10/30 mg that may be
  halved); every combination allowed above is enumerated once per product and size, then
  reused. Above `MAX_GRAINS` grains a dose is refused as implausible.

Refusals are `StrengthError`s with a stable `code` and text `params` (numbers as exact decimal
strings) so the user interface can translate them.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from functools import lru_cache
from itertools import combinations

from domain.catalogue import Form, Product, Strength
from domain.errors import DomainError

__all__ = [
    "DEFAULT_MAX_PATCHES",
    "DEFAULT_MAX_TABLETS",
    "MAX_GRAINS",
    "MAX_STRENGTHS_PER_DOSE",
    "DailyDose",
    "ExpressedDose",
    "LiquidMeasure",
    "StrengthError",
    "StrengthErrorCode",
    "StrengthGrid",
    "TimeOfDay",
    "TimedDose",
    "UnitCount",
    "closest_dose_at_most",
    "default_max_units",
    "express_dose",
    "grid_for",
    "is_measured_solution",
    "split_daily_dose",
    "sum_units",
    "tidy",
]

DEFAULT_MAX_TABLETS = 4  # pieces per administration: a usability bound, not a clinical number
DEFAULT_MAX_PATCHES = 2  # patches worn at once
MAX_STRENGTHS_PER_DOSE = 2  # issue 11: never 40 + 20 + 10 for one dose
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
class LiquidMeasure:
    """How an oral solution is measured: in steps of `step_ml`, at most `max_ml` a dose."""

    step_ml: Decimal
    max_ml: Decimal


@dataclass(frozen=True)
class UnitCount:
    """`units` of one strength: tablets (0.5 is a half tablet), capsules, patches, or ml of a
    solution."""

    strength: Strength
    units: Decimal

    @property
    def amount(self) -> Decimal:
        return self.strength.amount * self.units


@dataclass(frozen=True)
class ExpressedDose:
    """One administration: `amount` of the counted substance, made of `counts` (largest
    strength first; empty for a zero dose). `is_volume`: the counts are ml of a solution."""

    amount: Decimal
    counts: tuple[UnitCount, ...] = ()
    is_volume: bool = False

    @property
    def is_zero(self) -> bool:
        return not self.counts

    @property
    def pieces(self) -> int:
        """Physical pieces: a whole unit is one, a half tablet is one, a measured volume one."""
        if self.is_volume:
            return len(self.counts)
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


def is_measured_solution(product: Product) -> bool:
    """An oral solution taken on a schedule: measured in ml, expressed in mg."""
    return product.form is Form.ORAL_SOLUTION


def default_max_units(product: Product) -> int:
    return DEFAULT_MAX_PATCHES if product.form is Form.PATCH else DEFAULT_MAX_TABLETS


def sum_units(counts: Iterable[UnitCount]) -> tuple[UnitCount, ...]:
    """Units per strength over several doses, largest strength first."""
    by_strength: dict[Strength, Decimal] = defaultdict(Decimal)
    for count in counts:
        by_strength[count.strength] += count.units
    ordered = sorted(by_strength.items(), key=lambda item: item[0].amount, reverse=True)
    return tuple(UnitCount(strength, tidy(units)) for strength, units in ordered if units)


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
    if product.is_measured_in_ml and not is_measured_solution(product):
        raise StrengthError(
            StrengthErrorCode.MEASURED_IN_ML,
            f"{product.name} is measured in ml or drops, not in tablets, patches or a measured"
            " oral solution.",
            product=product.id,
        )


def _default_liquid() -> LiquidMeasure:
    from domain.tapering.settings import default_taper_settings

    return default_taper_settings().liquid


# One way of making an amount: (strength index, units) pairs, largest strength first.
_Counts = tuple[tuple[int, Decimal], ...]


@dataclass(frozen=True)
class _Table:
    """Every amount (in grains) the allowed combinations make, with the best way for each."""

    scale: int  # amounts are multiplied by 10**scale to become integers
    grain: int  # in scaled integers
    best: dict[int, _Counts]
    amounts: tuple[int, ...]  # sorted keys of `best`


def _scaled(values: Sequence[Decimal]) -> tuple[int, int, list[int]]:
    scale = max(0, *(-int(v.normalize().as_tuple().exponent) for v in values))
    scaled = [int(v.scaleb(scale)) for v in values]
    return scale, math.gcd(*scaled), scaled


def _solid_ways(
    amounts: tuple[Decimal, ...], splittable: bool, max_units: int
) -> Iterator[tuple[set[int], int, int, _Counts]]:
    """(strengths used, pieces, halves, counts) for every combination of at most two
    strengths, at most one half and at most `max_units` pieces."""
    indices = range(len(amounts))
    subsets = [(i,) for i in indices] + list(combinations(indices, MAX_STRENGTHS_PER_DOSE))
    for subset in subsets:
        halves: list[int | None] = [None, *(subset if splittable else ())]
        for half in halves:
            room = max_units - (half is not None)
            for counts in _count_vectors(len(subset), room):
                if any(c == 0 and s != half for s, c in zip(subset, counts, strict=True)):
                    continue  # a strength not used: a smaller subset makes it
                units = {s: Decimal(c) for s, c in zip(subset, counts, strict=True)}
                if half is not None:
                    units[half] += HALF
                pieces = sum(counts) + (half is not None)
                if pieces == 0:
                    continue
                ordered = tuple(sorted(units.items(), key=lambda item: -amounts[item[0]]))
                yield set(subset), pieces, int(half is not None), ordered


def _count_vectors(size: int, room: int) -> Iterator[tuple[int, ...]]:
    if size == 1:
        for count in range(room + 1):
            yield (count,)
        return
    for first in range(room + 1):
        for rest in _count_vectors(size - 1, room - first):
            yield (first, *rest)


@lru_cache(maxsize=512)
def _table(
    amounts: tuple[Decimal, ...],
    splittable: bool,
    max_units: int,
    preferred: frozenset[Decimal],
    liquid: LiquidMeasure | None,
) -> _Table:
    own = {i for i, a in enumerate(amounts) if a in preferred}
    keyed: dict[Decimal, tuple[tuple[object, ...], _Counts]] = {}

    def offer(amount: Decimal, key: tuple[object, ...], counts: _Counts) -> None:
        if amount not in keyed or key < keyed[amount][0]:
            keyed[amount] = (key, counts)

    if liquid is not None:
        steps = int((liquid.max_ml / liquid.step_ml).to_integral_value(rounding=ROUND_FLOOR))
        for index, concentration in enumerate(amounts):
            is_own = 0 if not own or index in own else 1
            for k in range(1, steps + 1):
                volume = liquid.step_ml * k
                offer(concentration * volume, (is_own, index), ((index, tidy(volume)),))
        pieces = [a * liquid.step_ml for a in amounts]
    else:
        for used, count, halves, counts in _solid_ways(amounts, splittable, max_units):
            amount = sum((amounts[i] * u for i, u in counts), Decimal(0))
            is_own = 0 if not own or used <= own else 1
            largest = tuple(-amounts[i] for i, u in counts for _ in range(math.ceil(u)))
            offer(amount, (is_own, count, halves, len(used), largest), counts)
        pieces = list(amounts) + ([a * HALF for a in amounts] if splittable else [])
    scale, grain, _ = _scaled(pieces)
    best = {int(amount.scaleb(scale)) // grain: way for amount, (_, way) in keyed.items()}
    return _Table(scale, grain, best, tuple(sorted(best)))


class StrengthGrid:
    """Every dose of one product up to a size that the rules above allow."""

    def __init__(
        self,
        product: Product,
        *,
        up_to: Decimal,
        max_units: int | None = None,
        preferred: Iterable[Decimal] = (),
        liquid: LiquidMeasure | None = None,
    ) -> None:
        _check_product(product)
        self.product = product
        self.max_units = default_max_units(product) if max_units is None else max_units
        if self.max_units < 1:
            raise ValueError("max_units must be at least 1")
        self.is_volume = is_measured_solution(product)
        measure = (liquid or _default_liquid()) if self.is_volume else None
        amounts = tuple(s.amount for s in product.strengths)
        splittable = product.splittable and product.form in {Form.TABLET, Form.DEPOT_TABLET}
        smallest = product.smallest_strength.amount
        if measure is not None:
            self._smallest_piece = tidy(smallest * measure.step_ml)
        else:
            self._smallest_piece = tidy(smallest * HALF if splittable else smallest)
        chosen = frozenset(a for a in preferred if a in amounts)
        self._table = _table(amounts, splittable, self.max_units, chosen, measure)
        self._unit = Decimal(self._table.grain).scaleb(-self._table.scale)  # one grain
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
        self._size = needed
        amounts_ok = self._table.amounts
        self._ok = amounts_ok[: bisect.bisect_right(amounts_ok, needed)]

    @property
    def grain(self) -> Decimal:
        """The step between representable amounts (not every multiple need be representable)."""
        return self._unit

    @property
    def smallest_piece(self) -> Decimal:
        """The smallest dose one administration can be: a half of the smallest strength where
        the product may be split, the smallest measured volume of a solution, else the
        smallest strength."""
        return self._smallest_piece

    def _floor_grains(self, amount: Decimal) -> int:
        return int((amount / self._unit).to_integral_value(rounding=ROUND_FLOOR))

    def _amount(self, grains: int) -> Decimal:
        return tidy(Decimal(grains) * self._unit)

    def _dose(self, grains: int) -> ExpressedDose:
        way = self._table.best[grains]
        strengths = self.product.strengths
        counts = tuple(UnitCount(strengths[index], units) for index, units in way)
        total = sum((c.amount for c in counts), Decimal(0))
        return ExpressedDose(tidy(total), counts, self.is_volume)

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
        if amount == 0:
            return ExpressedDose(Decimal(0), (), self.is_volume)
        if self.is_representable(amount):
            return self._dose(grains)
        below = self.at_most(amount) if amount >= self.smallest_piece else None
        above = self.at_least(amount)
        self._refuse_below_smallest(amount)
        marketed = ", ".join(s.label or _text(s.amount) for s in self.product.strengths)
        how = "measured in ml" if self.is_volume else f"with at most {self.max_units} pieces"
        raise StrengthError(
            StrengthErrorCode.NOT_REPRESENTABLE,
            f"{_text(amount)} {self.product.dose_unit} cannot be made from {self.product.name}"
            f" {marketed} {self.product.unit} {how}.",
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
            if self.is_volume:
                what = "the smallest measured volume of "
            raise StrengthError(
                StrengthErrorCode.BELOW_SMALLEST_STRENGTH,
                f"{_text(amount)} {self.product.dose_unit} is less than {what}the smallest"
                f" marketed strength of {self.product.name}, {_text(smallest.amount)}"
                f" {self.product.unit}.",
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
        if index < 0:
            return ExpressedDose(Decimal(0), (), self.is_volume)
        return self._dose(self._ok[index])

    def below(self, amount: Decimal) -> ExpressedDose:
        """The largest dose strictly below `amount` (a zero dose below the smallest piece)."""
        grains = self._below(amount)
        return self._dose(grains) if grains else ExpressedDose(Decimal(0), (), self.is_volume)

    def amount_below(self, amount: Decimal) -> Decimal:
        """`below(amount).amount`, without working out the pieces (the taper's hot path)."""
        return tidy(Decimal(self._below(amount)) * self._unit)

    def amounts_between(self, low: Decimal, high: Decimal) -> list[Decimal]:
        """Every dose from `low` to `high` (both included), largest first."""
        first = bisect.bisect_left(self._ok, max(self._floor_grains(low), 0))
        last = bisect.bisect_right(self._ok, min(self._floor_grains(high), self._size))
        found = [self._amount(g) for g in reversed(self._ok[first:last])]
        return [a for a in found if low <= a <= high]

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
        index = bisect.bisect_left(self._ok, max(grains, 1))
        return self._dose(self._ok[index]) if index < len(self._ok) else None

    def above(self, amount: Decimal) -> ExpressedDose | None:
        """The smallest dose strictly above `amount`, or None above the grid's size."""
        index = bisect.bisect_right(self._ok, self._floor_grains(amount))
        return self._dose(self._ok[index]) if index < len(self._ok) else None


@lru_cache(maxsize=2048)
def grid_for(
    product: Product,
    up_to: Decimal,
    max_units: int | None = None,
    preferred: tuple[Decimal, ...] = (),
) -> StrengthGrid:
    """A `StrengthGrid`, shared between callers asking for the same one (it never changes)."""
    return StrengthGrid(product, up_to=up_to, max_units=max_units, preferred=preferred)


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
    grid: StrengthGrid | None = None,
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
    grid = grid or StrengthGrid(product, up_to=daily_amount, max_units=max_units)
    grid._refuse_below_smallest(daily_amount)
    share = daily_amount / len(chosen)
    zero = ExpressedDose(Decimal(0), (), grid.is_volume)
    doses = {t: (grid.at_most(share) if share >= grid.smallest_piece else zero) for t in chosen}
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
