"""Taper defaults that are not a pace, read from `domain/data/taper_settings.toml` (sources and
rationale in the file):

- `stop_threshold_mg_per_day` (30 mg OMEQ): a product is never stopped from more than this a
  day; a plan switches to a finer product first, or is refused with that reason;
- `liquid`: a scheduled oral solution is measured in steps of 0.5 ml, at most 20 ml a dose;
- `switch_targets`: the finer products a plan may switch a coarse product to, in order (a
  product of the same substance is tried first), with the times of day they are taken;
- `long_acting_substances` and `no_conversion_from` (methadone): a plain methadone tablet is
  not "short-acting", and a plan never converts methadone to another opioid.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from domain.errors import DomainError
from domain.tapering.strengths import LiquidMeasure, TimeOfDay

__all__ = [
    "SwitchTarget",
    "TaperSettings",
    "TaperSettingsError",
    "default_taper_settings",
    "taper_settings_from_toml",
]


class TaperSettingsError(DomainError):
    code = "invalid_taper_settings"


@dataclass(frozen=True)
class SwitchTarget:
    """A finer product a plan may switch to, taken at `times`."""

    product_id: str
    times: tuple[TimeOfDay, ...]
    same_substance_only: bool = False


@dataclass(frozen=True)
class TaperSettings:
    id: str
    version: str
    stop_threshold_mg_per_day: Decimal
    stop_rationale: str
    stop_sources: tuple[str, ...]
    liquid: LiquidMeasure
    switch_targets: tuple[SwitchTarget, ...]
    long_acting_substances: frozenset[str]
    no_conversion_from: frozenset[str]


def _number(section: dict[str, Any], key: str) -> Decimal:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TaperSettingsError(f"{key} must be a number.", code="bad_taper_settings")
    number = Decimal(value)
    if not (number.is_finite() and number > 0):
        raise TaperSettingsError(f"{key} must be above 0.", code="bad_taper_settings")
    return number


def _strings(section: dict[str, Any], key: str) -> tuple[str, ...]:
    value = section.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TaperSettingsError(f"{key} must be a list of names.", code="bad_taper_settings")
    return tuple(value)


def _text(section: dict[str, Any], key: str) -> str:
    value = section.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TaperSettingsError(f"{key} is required.", code="bad_taper_settings")
    return value.strip()


def _target(raw: Any) -> SwitchTarget:
    if not isinstance(raw, dict):
        raise TaperSettingsError("A switch target is a table.", code="bad_taper_settings")
    try:
        times = tuple(TimeOfDay(t) for t in _strings(raw, "times"))
    except ValueError:
        raise TaperSettingsError(
            f"Unknown time of day in the switch target {raw.get('product')!r}.",
            code="bad_taper_settings",
        ) from None
    if not times or len(set(times)) != len(times):
        raise TaperSettingsError(
            "A switch target needs its times, each once.", code="bad_taper_settings"
        )
    order = list(TimeOfDay)
    return SwitchTarget(
        _text(raw, "product"),
        tuple(sorted(times, key=order.index)),
        bool(raw.get("same_substance_only", False)),
    )


def taper_settings_from_toml(text: str) -> TaperSettings:
    """The settings from the text of a taper settings file; a `TaperSettingsError` if bad."""
    data = tomllib.loads(text, parse_float=Decimal)
    try:
        stop, liquid, switch = data["stop"], data["liquid"], data["switch"]
        methadone = data["methadone"]
    except KeyError as missing:
        raise TaperSettingsError(
            f"Section {missing} is missing.", code="bad_taper_settings"
        ) from None
    targets = switch.get("targets", [])
    if not isinstance(targets, list) or not targets:
        raise TaperSettingsError("At least one switch target is needed.", code="bad_taper_settings")
    _text(switch, "rationale")
    _text(liquid, "rationale")
    _text(methadone, "rationale")
    return TaperSettings(
        id=_text(data, "id"),
        version=_text(data, "version"),
        stop_threshold_mg_per_day=_number(stop, "threshold_mg_omeq_per_day"),
        stop_rationale=_text(stop, "rationale"),
        stop_sources=_strings(stop, "sources"),
        liquid=LiquidMeasure(_number(liquid, "step_ml"), _number(liquid, "max_ml")),
        switch_targets=tuple(_target(t) for t in targets),
        long_acting_substances=frozenset(_strings(methadone, "long_acting_substances")),
        no_conversion_from=frozenset(_strings(methadone, "no_conversion_from")),
    )


@cache
def default_taper_settings() -> TaperSettings:
    """The shipped settings (`domain/data/taper_settings.toml`), read once per process."""
    text = (resources.files("domain") / "data" / "taper_settings.toml").read_text(encoding="utf-8")
    return taper_settings_from_toml(text)
