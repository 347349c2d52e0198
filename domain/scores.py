"""Follow-up scores: PEG, pain NRS, SOWS and COWS, validated and interpreted.

Ranges, bands and thresholds come from `domain/data/scores.toml` (sources in the file):

- `Peg(pain, enjoyment, activity)`: three whole-number items 0-10 (Krebs 2009); `score` is
  their mean to two decimals, `peg_score(...)` the same in one call. `compare_peg` judges a
  change from baseline on the exact item sums, so rounding never moves a result across a
  threshold: worse by `alert_worsening_points` (2) or more raises the alert; a fall of 30 % or
  more of the baseline is a meaningful improvement.
- `validate_nrs(value)`: pain NRS 0-10; `compare_nrs` applies the minimal important difference
  (2 points, Farrar 2001).
- `sows_total(items)`: 16 items 0-4 (Handelsman 1987), total 0-64; `cows_total(items)`: 11
  items, each one of its published anchor values (Wesson & Ling 2003), total 0-48.
- `withdrawal_band(scale, total)`: the band of a total; `is_withdrawal_alert(band)` is True in
  the alert band (moderate) or a more severe one. The SOWS bands are a service convention, not
  Handelsman's, and flagged as uncertain in the data file (`WithdrawalScaleSpec.bands_uncertain`).

Every out-of-range value raises `ScoreError` with a stable `code` and the `field` it concerns.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from domain.errors import DomainError

_TWO_PLACES = Decimal("0.01")


class ScoreError(DomainError):
    code = "score_out_of_range"

    def __init__(self, message: str, *, field: str, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class WithdrawalScale(StrEnum):
    SOWS = "sows"
    COWS = "cows"


class WithdrawalBand(StrEnum):
    """Bands in rising severity; `rank` orders them."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    MODERATELY_SEVERE = "moderately_severe"
    SEVERE = "severe"

    @property
    def rank(self) -> int:
        return list(WithdrawalBand).index(self)


@dataclass(frozen=True)
class Band:
    band: WithdrawalBand
    minimum: int
    maximum: int


@dataclass(frozen=True)
class WithdrawalScaleSpec:
    scale: WithdrawalScale
    item_values: tuple[tuple[str, tuple[int, ...]], ...]  # (item, allowed values) in form order
    bands: tuple[Band, ...]
    source: str
    bands_source: str
    bands_uncertain: bool

    @property
    def maximum(self) -> int:
        return self.bands[-1].maximum


@dataclass(frozen=True)
class ScoreSettings:
    version: str
    peg_item_range: tuple[int, int]
    peg_alert_worsening_points: int
    peg_meaningful_improvement_percent: int
    nrs_range: tuple[int, int]
    nrs_minimal_important_difference: int
    withdrawal_alert_from: WithdrawalBand
    sows: WithdrawalScaleSpec
    cows: WithdrawalScaleSpec

    def spec(self, scale: WithdrawalScale) -> WithdrawalScaleSpec:
        return self.sows if scale is WithdrawalScale.SOWS else self.cows


@cache
def default_score_settings() -> ScoreSettings:
    """The ranges, bands and thresholds in `domain/data/scores.toml`."""
    text = (resources.files("domain") / "data" / "scores.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    peg, nrs, sows, cows = data["peg"], data["nrs"], data["sows"], data["cows"]
    sows_items = tuple(
        (f"item_{i}", tuple(range(sows["item_min"], sows["item_max"] + 1)))
        for i in range(1, sows["items"] + 1)
    )
    cows_items = tuple((i["item"], tuple(i["values"])) for i in cows["items"])
    return ScoreSettings(
        version=data["version"],
        peg_item_range=(peg["item_min"], peg["item_max"]),
        peg_alert_worsening_points=peg["alert_worsening_points"],
        peg_meaningful_improvement_percent=peg["meaningful_improvement_percent"],
        nrs_range=(nrs["min"], nrs["max"]),
        nrs_minimal_important_difference=nrs["minimal_important_difference"],
        withdrawal_alert_from=WithdrawalBand(data["withdrawal_alert"]["from_band"]),
        sows=_scale(WithdrawalScale.SOWS, sows, sows_items),
        cows=_scale(WithdrawalScale.COWS, cows, cows_items),
    )


def _scale(
    scale: WithdrawalScale,
    section: dict[str, Any],
    items: tuple[tuple[str, tuple[int, ...]], ...],
) -> WithdrawalScaleSpec:
    bands = tuple(Band(WithdrawalBand(b["band"]), b["min"], b["max"]) for b in section["bands"])
    # The bands must tile 0..maximum in rising severity, and the maximum must be the items' sum.
    expected_start = 0
    for previous, band in zip((None, *bands), bands, strict=False):
        if band.minimum != expected_start or band.maximum < band.minimum:
            raise ScoreError(f"{scale} bands do not tile the range", field=scale, code="bad_bands")
        if previous is not None and band.band.rank <= previous.band.rank:
            raise ScoreError(f"{scale} bands are out of order", field=scale, code="bad_bands")
        expected_start = band.maximum + 1
    if bands[-1].maximum != sum(max(values) for _, values in items):
        raise ScoreError(f"{scale} bands end off the maximum", field=scale, code="bad_bands")
    return WithdrawalScaleSpec(
        scale=scale,
        item_values=items,
        bands=bands,
        source=section["source"],
        bands_source=section.get("bands_source", section["source"]),
        bands_uncertain=bool(section.get("bands_uncertain", False)),
    )


def _whole(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScoreError(
            f"{field} must be a whole number, not {value!r}.",
            field=field,
            code="score_not_whole_number",
        )
    return value


def _in_range(value: object, field: str, low: int, high: int, code: str) -> int:
    number = _whole(value, field)
    if not low <= number <= high:
        raise ScoreError(f"{field} must be {low} to {high}, not {number}.", field=field, code=code)
    return number


@dataclass(frozen=True)
class Peg:
    """The three PEG items, each 0-10: average pain, interference with enjoyment, activity."""

    pain: int
    enjoyment: int
    activity: int

    def __post_init__(self) -> None:
        low, high = default_score_settings().peg_item_range
        for field in ("pain", "enjoyment", "activity"):
            _in_range(getattr(self, field), field, low, high, "peg_item_out_of_range")

    @property
    def total(self) -> int:
        return self.pain + self.enjoyment + self.activity

    @property
    def score(self) -> Decimal:
        """The PEG score: the mean of the three items, to two decimals (half up)."""
        return (Decimal(self.total) / 3).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def peg_score(pain: int, enjoyment: int, activity: int) -> Decimal:
    return Peg(pain, enjoyment, activity).score


@dataclass(frozen=True)
class PegChange:
    points: Decimal  # current minus baseline, to two decimals; positive is worse
    is_alert_worsening: bool
    is_meaningful_improvement: bool


def compare_peg(baseline: Peg, current: Peg, settings: ScoreSettings | None = None) -> PegChange:
    settings = settings or default_score_settings()
    delta_total = current.total - baseline.total  # three times the change in the mean
    points = (Decimal(delta_total) / 3).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)
    worse = delta_total >= 3 * settings.peg_alert_worsening_points
    fall = -delta_total
    # fall / baseline >= percent / 100, kept in whole numbers; a baseline of 0 cannot improve.
    improved = baseline.total > 0 and fall * 100 >= (
        settings.peg_meaningful_improvement_percent * baseline.total
    )
    return PegChange(points, worse, improved)


def validate_nrs(value: object) -> int:
    """A pain NRS score, 0-10."""
    low, high = default_score_settings().nrs_range
    return _in_range(value, "nrs", low, high, "nrs_out_of_range")


@dataclass(frozen=True)
class NrsChange:
    points: int  # current minus baseline; positive is worse
    is_important_worsening: bool
    is_important_improvement: bool


def compare_nrs(baseline: int, current: int, settings: ScoreSettings | None = None) -> NrsChange:
    settings = settings or default_score_settings()
    points = validate_nrs(current) - validate_nrs(baseline)
    mid = settings.nrs_minimal_important_difference
    return NrsChange(points, points >= mid, -points >= mid)


def sows_total(items: Sequence[int], settings: ScoreSettings | None = None) -> int:
    """The SOWS total of its 16 items, each 0-4."""
    return _total((settings or default_score_settings()).sows, items)


def cows_total(items: Sequence[int], settings: ScoreSettings | None = None) -> int:
    """The COWS total of its 11 items, each one of the form's anchor values."""
    return _total((settings or default_score_settings()).cows, items)


def _total(spec: WithdrawalScaleSpec, items: Sequence[int]) -> int:
    field = f"{spec.scale}_items"
    if len(items) != len(spec.item_values):
        raise ScoreError(
            f"{spec.scale.upper()} has {len(spec.item_values)} items, not {len(items)}.",
            field=field,
            code="wrong_item_count",
        )
    for value, (item, allowed) in zip(items, spec.item_values, strict=True):
        if _whole(value, item) not in allowed:
            raise ScoreError(
                f"{spec.scale.upper()} {item} allows {', '.join(map(str, allowed))}, not {value}.",
                field=item,
                code=f"{spec.scale}_item_out_of_range",
            )
    return sum(items)


def validate_withdrawal_total(
    scale: WithdrawalScale, total: object, settings: ScoreSettings | None = None
) -> int:
    spec = (settings or default_score_settings()).spec(scale)
    field = f"{scale}_total"
    return _in_range(total, field, 0, spec.maximum, f"{scale}_total_out_of_range")


def withdrawal_band(
    scale: WithdrawalScale, total: int, settings: ScoreSettings | None = None
) -> WithdrawalBand:
    """The band of a SOWS or COWS total (`ScoreError` outside 0..maximum)."""
    spec = (settings or default_score_settings()).spec(scale)
    number = validate_withdrawal_total(scale, total, settings)
    (band,) = [b.band for b in spec.bands if b.minimum <= number <= b.maximum]
    return band


def is_withdrawal_alert(band: WithdrawalBand, settings: ScoreSettings | None = None) -> bool:
    """True in the alert band (default moderate) or any more severe band."""
    return band.rank >= (settings or default_score_settings()).withdrawal_alert_from.rank
