"""The end of an item: stop as it is, or switch to a finer product first.

An item's last step (`domain.tapering.cuts`: every other day, then stop; a patch is removed)
must be within the pace and never from more than the stop threshold (30 mg OMEQ a day by
default, `domain/data/taper_settings.toml`). When it is not, the smallest marketed unit is
coarser than the pace allows: the plan first **switches** the item to a finer product
(`TaperSettings.switch_targets`: the same substance first, then a substance the regimen
already has, then oral morphine or oxycodone, an oral solution for the end phase) at the
equianalgesic dose from the same conversion table (rounded down to a dose the new product
can make), and goes on from there. An option is within the pace when its own end fits (or a
finer product of its substance can take over at its end) and the switch loses no more OMEQ
than a step may cut; a stop above the threshold takes the option that loses least. From a
dose at or below the threshold (the end phase) a product that ends without a further switch
goes first: a depot and then a solution a few months later is two switches where one will do. A stop
above the threshold that no finer product can avoid is refused (`stop_above_threshold`); a
stop within it but coarser than the pace, with no finer product, is made (the plan's one
step of rounding). Methadone is only ever switched to its own solution; a product of the
regimen (taken now, or at the start) is never switched to, so none returns after it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from domain.catalogue import Catalogue, CatalogueError, Form, Product
from domain.omeq import ConversionTable, OmeqResult, Thresholds
from domain.tapering.doses import ProductDose, item_omeq, linear_factor, omeq_of
from domain.tapering.pace import Pace, step_limit
from domain.tapering.request import TaperError, TaperErrorCode, text
from domain.tapering.settings import SwitchTarget, TaperSettings
from domain.tapering.strengths import (
    StrengthError,
    StrengthGrid,
    TimedDose,
    TimeOfDay,
    grid_for,
    split_daily_dose,
    tidy,
)

__all__ = ["Context", "EndRules", "SwitchReason", "Switched", "switch_at_end"]


class SwitchReason(StrEnum):
    STOP_ABOVE_THRESHOLD = "stop_above_threshold"  # its stop would be above the threshold
    COARSER_THAN_PACE = "coarser_than_pace"  # its stop would cut more than the step size


@dataclass(frozen=True)
class Switched:
    """What a switch step did: the item's dose before and after, and why."""

    from_dose: ProductDose
    to_dose: ProductDose
    from_omeq_mg_per_day: Decimal  # the item's OMEQ before
    to_omeq_mg_per_day: Decimal  # ... and after (at most the same: rounded down)
    reason: SwitchReason
    stop_mg_per_day: Decimal  # the stop the switch avoids
    limit_mg_per_day: Decimal  # the step size at the stop
    threshold_mg_per_day: Decimal


@dataclass(frozen=True)
class EndRules:
    """How an item may end: the stop threshold, the finer products to switch to."""

    stop_threshold_mg_per_day: Decimal
    settings: TaperSettings
    catalogue: Catalogue


@dataclass(frozen=True)
class Context:
    """The plan being made, as the end of an item sees it."""

    state: tuple[ProductDose, ...]
    baseline: tuple[ProductDose, ...]
    current: OmeqResult
    owners: list[int]
    start: Decimal
    pace: Pace
    rules: EndRules
    table: ConversionTable
    thresholds: Thresholds


def _stop_cut(dose: ProductDose, factor: Decimal) -> Decimal:
    """The OMEQ the item's last step removes: a patch at once, else half (every other day)."""
    amount = dose.daily_amount if dose.is_patch else dose.daily_amount / 2
    return amount * factor


def switch_at_end(
    context: Context,
    item: int,
    dose: ProductDose,
    grid: StrengthGrid,
    factor: Decimal,
    been: set[str],
    *,
    allow: bool,
) -> Switched | None:
    """A switch to a finer product when the item's stop would break the pace or the
    threshold; None when it may stop as it is. Refuses a stop above the threshold that no
    finer product can avoid."""
    threshold = context.rules.stop_threshold_mg_per_day
    item_now = item_omeq(context.current, context.owners, item)
    others = context.current.max_mg_per_day - item_now
    stop = _stop_cut(dose, factor)
    at_stop = others + (item_now - stop if not dose.is_patch else item_now)
    limit = step_limit(context.pace, context.start, at_stop)[0]
    if stop <= limit and stop <= threshold:
        return None
    reason = (
        SwitchReason.STOP_ABOVE_THRESHOLD if stop > threshold else SwitchReason.COARSER_THAN_PACE
    )
    options = _switch_options(context, item, dose, item_now, others, stop, been) if allow else []
    fitting = [o for o in options if o.is_within_pace]
    if item_now <= threshold:  # already the end phase: one switch, not a depot and then another
        fitting.sort(key=lambda o: not o.ends_itself)  # stable: the preference order otherwise
    chosen = fitting[0] if fitting else None
    if chosen is None and stop > threshold and options:
        chosen = min(options, key=lambda o: o.cut)  # the switch itself is stretched
    if chosen is not None:
        return Switched(dose, chosen.dose, tidy(item_now), tidy(item_now - chosen.cut), reason,
                        tidy(stop), tidy(limit), threshold)  # fmt: skip
    if stop <= threshold:
        return None  # no finer product helps: a stop within the threshold, stretched
    raise TaperError(
        TaperErrorCode.STOP_ABOVE_THRESHOLD,
        f"{dose.product.name} would be stopped from {text(tidy(stop))} mg OMEQ/day, more than"
        f" the {text(threshold)} mg OMEQ/day a plan may stop from, and no finer product in the"
        " catalogue can take over: choose a target dose, or ask a specialist.",
        product=dose.product.id,
        stop=text(tidy(stop)),
        threshold=text(threshold),
        smallest_dose=text(grid.smallest_piece),
        unit=dose.product.dose_unit,
    )


@dataclass(frozen=True)
class _Option:
    dose: ProductDose
    cut: Decimal  # OMEQ lost by rounding the new dose down
    is_within_pace: bool
    ends_itself: bool = False  # its own end fits, with no further switch


def _switch_options(
    context: Context,
    item: int,
    dose: ProductDose,
    item_now: Decimal,
    others: Decimal,
    stop: Decimal,
    been: set[str],
) -> list[_Option]:
    """The finer products the item may switch to, best first: the same substance first, then
    a substance the regimen already has, then the settings' order; a product of the regimen
    (taken now, or at the start) is not offered, so no product returns after it was stopped.
    An option is within the pace when its own end fits (or a finer product of its substance
    can take over at its end) and the switch loses no more OMEQ than a step may cut."""
    settings, threshold = context.rules.settings, context.rules.stop_threshold_mg_per_day
    substance = dose.product.substance
    taken = {d.product.id for d in (*context.state, *context.baseline)} | been
    regimen = {d.product.substance for d in (*context.state, *context.baseline)}
    offered = [t for t in settings.switch_targets if t.product_id not in taken]
    products = [(t, p) for t in offered if (p := _product(context, t)) is not None]
    products.sort(key=lambda pair: (pair[1].substance != substance,
                                    pair[1].substance not in regimen))  # fmt: skip
    limit = step_limit(context.pace, context.start, context.current.max_mg_per_day)[0]
    found = []
    for target, product in products:
        same = product.substance == substance and product.route == dose.product.route
        if not same and (target.same_substance_only or substance in settings.no_conversion_from):
            continue
        end = _end_cut(context, product)
        option = _option(context, item, dose, product, target, item_now, same)
        if option is None or end is None or end >= stop:
            continue  # not possible, or not finer
        ends_itself = end <= min(threshold, _end_limit(context, product, others))
        fits = ends_itself or any(
            _chained(context, other, product, others) for other in settings.switch_targets
        )
        if end > threshold and not fits:
            continue
        within = fits and option.cut <= limit
        found.append(replace(option, is_within_pace=within, ends_itself=ends_itself))
    return found


def _product(context: Context, target: SwitchTarget) -> Product | None:
    try:
        product = context.rules.catalogue.by_id(target.product_id)
    except CatalogueError:
        return None  # a region's catalogue without it: not offered
    oral = {Form.TABLET, Form.DEPOT_TABLET, Form.CAPSULE, Form.DEPOT_CAPSULE, Form.ORAL_SOLUTION}
    if product.form not in oral or product.is_substitution or not product.is_opioid:
        return None
    return product


def _end_cut(context: Context, product: Product) -> Decimal | None:
    """The OMEQ the product's last step would remove: half its smallest piece a day."""
    factor = linear_factor(context.table, product)
    if factor is None:
        return None
    return grid_for(product, Decimal(0)).smallest_piece / 2 * factor


def _end_limit(context: Context, product: Product, others: Decimal) -> Decimal:
    end = _end_cut(context, product) or Decimal(0)
    return step_limit(context.pace, context.start, others + end)[0]


def _chained(context: Context, target: SwitchTarget, after: Product, others: Decimal) -> bool:
    """Whether `after`'s end can itself be switched to `target`, a finer product of the same
    substance whose end fits."""
    product = _product(context, target)
    if product is None or product.id == after.id or product.substance != after.substance:
        return False
    end, end_after = _end_cut(context, product), _end_cut(context, after)
    if end is None or end_after is None or end >= end_after:
        return False
    return end <= min(context.rules.stop_threshold_mg_per_day, _end_limit(context, product, others))


def _option(
    context: Context,
    item: int,
    dose: ProductDose,
    product: Product,
    target: SwitchTarget,
    item_now: Decimal,
    same: bool,
) -> _Option | None:
    """The item's dose as `product`: the same amount (same substance and route) or the
    equianalgesic amount from the table, rounded down to a dose the product can make."""
    factor = linear_factor(context.table, product)
    if same:
        amount = dose.daily_amount
    elif factor is None:
        return None
    else:
        amount = item_now / factor
    times = target.times if dose.is_patch else tuple(t.time for t in dose.doses)
    doses = _switched_doses(product, amount, times)
    if not doses:
        return None
    new = ProductDose(product, doses=doses)
    state = list(context.state)
    state[item] = new
    result, _ = omeq_of(state, context.table, context.thresholds)
    cut = context.current.max_mg_per_day - result.max_mg_per_day
    if cut < 0:
        return None  # never up (a banded factor could otherwise rise)
    return _Option(new, cut, False)


def _switched_doses(
    product: Product, amount: Decimal, times: tuple[TimeOfDay, ...]
) -> tuple[TimedDose, ...]:
    """`amount` a day split over `times`, not above it: the most that can be made, then the
    fewest pieces, a second strength over the day counting as two more."""
    best: tuple[tuple[Decimal, int, int], tuple[TimedDose, ...]] | None = None
    for preferred in [(), *((s.amount,) for s in product.strengths)]:
        try:
            grid = grid_for(product, amount, None, preferred)
            split = split_daily_dose(product, amount, times, grid=grid)
        except StrengthError:
            return ()  # too small (or too large) for this product
        doses = tuple(t for t in split.doses if not t.dose.is_zero)
        strengths = {c.strength for t in doses for c in t.dose.counts}
        # A second strength weighs two pieces: 30 + 40 mg, not 3 + 4 tablets of 10 mg; but
        # 10 + 15 mg as 1 + 1½ tablets of 10 mg, not 10 mg and half a 30 mg tablet.
        pieces = sum(t.dose.pieces for t in doses)
        key = (-split.amount, pieces + 2 * (len(strengths) - 1), len(strengths))
        if doses and (best is None or key < best[0]):
            best = (key, doses)
    return best[1] if best is not None else ()
