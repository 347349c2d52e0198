"""OMEQ defaults read from data files with their source: warning thresholds, the plausibility
bound for a line, and the co-medication ATC classes.

- `Thresholds(reassess_mg_per_day, high_mg_per_day)`: a region's setting; `default_thresholds()`
  gives 50 and 100 mg/day from `domain/data/omeq_settings.toml` (sources in the file).
- `default_plausibility_limit()`: a line above this many mg OMEQ/day (10 g) is refused as a
  data-entry error.
- `co_medication_classes()`: warning name -> ATC prefixes (benzodiazepine: N05BA, N05CD;
  z_drug: N05CF; gabapentinoid: N03AX12, N03AX16) from `domain/data/comedication_atc.toml`.
- `long_acting_substances()`: substances that act long whatever their release type
  (methadone), so an immediate-release tablet of them is never "short-acting".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from domain.errors import DomainError


class SettingsError(DomainError):
    code = "invalid_omeq_settings"


@dataclass(frozen=True)
class Thresholds:
    """Daily OMEQ (mg/day) at or above which OMEQ warns: reassess, then high."""

    reassess_mg_per_day: Decimal
    high_mg_per_day: Decimal

    def __post_init__(self) -> None:
        values = (self.reassess_mg_per_day, self.high_mg_per_day)
        if not all(isinstance(v, Decimal) and v.is_finite() and v > 0 for v in values):
            raise SettingsError("Both thresholds must be numbers above 0.", code="bad_thresholds")
        if self.high_mg_per_day < self.reassess_mg_per_day:
            raise SettingsError(
                "The high-dose threshold cannot be below the reassess threshold.",
                code="bad_thresholds",
            )


@dataclass(frozen=True)
class CoMedicationClass:
    warning: str
    atc_prefixes: tuple[str, ...]


def _read(name: str) -> dict[str, Any]:
    text = (resources.files("domain") / "data" / name).read_text(encoding="utf-8")
    return tomllib.loads(text, parse_float=Decimal)


def _number(section: dict[str, Any], key: str) -> Decimal:
    value = section[key]
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise SettingsError(f"{key} must be a number", code="bad_settings_file")
    return Decimal(value)


@cache
def default_thresholds() -> Thresholds:
    section = _read("omeq_settings.toml")["thresholds"]
    return Thresholds(
        reassess_mg_per_day=_number(section, "reassess_mg_per_day"),
        high_mg_per_day=_number(section, "high_mg_per_day"),
    )


@cache
def default_plausibility_limit() -> Decimal:
    """mg OMEQ/day above which a single line is refused as implausible."""
    return _number(_read("omeq_settings.toml")["plausibility"], "max_line_mg_per_day")


@cache
def co_medication_classes() -> tuple[CoMedicationClass, ...]:
    return tuple(
        CoMedicationClass(warning=str(c["warning"]), atc_prefixes=tuple(c["atc_prefixes"]))
        for c in _read("comedication_atc.toml")["classes"]
    )


@cache
def long_acting_substances() -> frozenset[str]:
    """Substances that act long whatever the product's release type (methadone)."""
    names = _read("omeq_settings.toml")["long_acting"]["substances"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SettingsError(
            "long_acting.substances must be a list of names", code="bad_settings_file"
        )
    return frozenset(n.strip().lower() for n in names)
