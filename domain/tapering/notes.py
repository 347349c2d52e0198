"""The notes a taper step carries: stable English codes with text params, shown with the step.

- `rounding_forced_larger_cut`: the marketed strengths cannot make a dose within the step
  size, so this step cuts more (params: product, cut, cut_limit, smallest_dose,
  smallest_strength, unit). Every step that cuts more than its step size says why.
- `conversion_band_changed`: a dose-banded factor (methadone in the Nordic table) changes band,
  so OMEQ falls more than the dose (params: cut, cut_limit).
- `slower_pace`: the first step of the slower pace near the end (below_share_percent,
  step_factor_percent).
- `paused`: the step holds longer for a planned pause (days).
- `start_after_pause`: the start date falls in a pause; the first step waits (days).
- `target_rounded_down`: the last step is the closest dose below the target the strengths
  allow (target, reached, unit).
- `stretched`: the step cuts more than its step size, so it lasts interval x cut / limit days,
  rounded up to the days the dose can change (days, interval_days, cut, cut_limit,
  change_days): the configured pace is what the patient gets.
- `patch_rhythm`: the step lasts a whole number of patch changes, longer than the interval
  (days, interval_days, change_days).
- `switched`: the step replaces a coarse product by a finer one at the equianalgesic dose of the
  plan's conversion table (reason, from_product, to_product, from_omeq, to_omeq, stop,
  cut_limit, threshold, table, table_version).
Numbers are exact decimal strings, as in the OMEQ warnings; the user interface translates.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.tapering.doses import ProductDose
from domain.tapering.request import SlowDown, text
from domain.tapering.strengths import StrengthGrid

__all__ = [
    "NoteCode",
    "StepNote",
    "cut_note",
    "note",
    "patch_rhythm_note",
    "paused_note",
    "slow_note",
    "start_after_pause_note",
    "stretched_note",
    "switch_note",
    "target_note",
]

HUNDRED = Decimal(100)


class NoteCode(StrEnum):
    ROUNDING_FORCED_LARGER_CUT = "rounding_forced_larger_cut"
    CONVERSION_BAND_CHANGED = "conversion_band_changed"
    SLOWER_PACE = "slower_pace"
    TARGET_ROUNDED_DOWN = "target_rounded_down"
    PAUSED = "paused"
    START_AFTER_PAUSE = "start_after_pause"
    STRETCHED = "stretched"
    PATCH_RHYTHM = "patch_rhythm"
    SWITCHED = "switched"


@dataclass(frozen=True)
class StepNote:
    code: NoteCode
    message: str  # English; the user interface translates by code with params
    params: tuple[tuple[str, str], ...] = ()

    def params_dict(self) -> dict[str, str]:
        return dict(self.params)


def note(code: NoteCode, message: str, **params: str) -> StepNote:
    return StepNote(code, message, tuple(params.items()))


def slow_note(slow: SlowDown) -> StepNote:
    share = text(slow.below_share * HUNDRED)
    return note(
        NoteCode.SLOWER_PACE,
        f"The OMEQ is at or below {share} % of the start: steps are now"
        f" {text(slow.step_factor * HUNDRED)} % as large.",
        below_share_percent=share,
        step_factor_percent=text(slow.step_factor * HUNDRED),
    )


def cut_note(
    dose: ProductDose, grid: StrengthGrid | None, limit: Decimal, cut: Decimal, *, is_forced: bool
) -> StepNote:
    limit_text, cut_text = text(limit), text(cut)
    if not is_forced:
        return note(
            NoteCode.CONVERSION_BAND_CHANGED,
            f"The conversion factor changes band at this dose: the step cuts {cut_text} mg OMEQ"
            f"/day, more than the step of {limit_text}.",
            cut=cut_text,
            cut_limit=limit_text,
        )
    product = dose.product
    if grid is not None:
        smallest = grid.smallest_piece
    else:  # a PRN dose: one dose is the smallest cut
        smallest = dose.prn_dose.amount if dose.prn_dose is not None else dose.daily_amount
    return note(
        NoteCode.ROUNDING_FORCED_LARGER_CUT,
        f"The marketed strengths of {product.name} force a cut of {cut_text} mg OMEQ/day, more"
        f" than the step of {limit_text}; the smallest dose is {text(smallest)}"
        f" {product.dose_unit} (strengths {_strengths(dose)} {product.unit}).",
        product=product.id,
        cut=cut_text,
        cut_limit=limit_text,
        smallest_dose=text(smallest),
        smallest_strength=text(product.smallest_strength.amount),
        unit=product.dose_unit,
    )


def _strengths(dose: ProductDose) -> str:
    return ", ".join(s.label or text(s.amount) for s in dose.product.strengths)


def paused_note(days: int) -> StepNote:
    return note(
        NoteCode.PAUSED,
        f"The dose holds {days} days longer: a planned pause.",
        days=str(days),
    )


def start_after_pause_note(days: int) -> StepNote:
    return note(
        NoteCode.START_AFTER_PAUSE,
        f"The first step starts {days} days after the start date chosen: a planned pause.",
        days=str(days),
    )


def target_note(wanted: Decimal, reached: Decimal, unit: str) -> StepNote:
    return note(
        NoteCode.TARGET_ROUNDED_DOWN,
        f"The strengths reach {text(reached)} {unit}, the closest dose below the target of"
        f" {text(wanted)} {unit}.",
        target=text(wanted),
        reached=text(reached),
        unit=unit,
    )


def stretched_note(days: int, interval: int, cut: Decimal, limit: Decimal, rhythm: int) -> StepNote:
    cut_text, limit_text = text(cut), text(limit)
    return note(
        NoteCode.STRETCHED,
        f"This step cuts {cut_text} mg OMEQ/day, more than the step of {limit_text}: it lasts"
        f" {days} days instead of {interval}, so the pace holds.",
        days=str(days),
        interval_days=str(interval),
        cut=cut_text,
        cut_limit=limit_text,
        change_days=str(rhythm),
    )


def patch_rhythm_note(days: int, interval: int, rhythm: int) -> StepNote:
    return note(
        NoteCode.PATCH_RHYTHM,
        f"The patch is changed every {rhythm} days: this step lasts {days} days, a whole"
        f" number of changes, instead of {interval}.",
        days=str(days),
        interval_days=str(interval),
        change_days=str(rhythm),
    )


def switch_note(
    reason: str,
    old: ProductDose,
    new: ProductDose,
    amounts: tuple[Decimal, Decimal, Decimal, Decimal, Decimal],
    table: tuple[str, str],
) -> StepNote:
    """`amounts`: OMEQ before and after, the stop avoided, the step size, the threshold."""
    before, after, stop, limit, threshold = (text(a) for a in amounts)
    why = (
        f"more than the {threshold} mg OMEQ/day a plan may stop from"
        if reason == "stop_above_threshold"
        else f"more than the step of {limit}"
    )
    return note(
        NoteCode.SWITCHED,
        f"{old.product.name} cannot be stopped finely enough: its last step would remove {stop}"
        f" mg OMEQ/day, {why}. Switch to {new.product.name} ({after} mg OMEQ/day, from"
        f" {before}; table {table[0]} {table[1]}), then reduce that.",
        reason=reason,
        from_product=old.product.id,
        to_product=new.product.id,
        from_omeq=before,
        to_omeq=after,
        stop=stop,
        cut_limit=limit,
        threshold=threshold,
        table=table[0],
        table_version=table[1],
    )
