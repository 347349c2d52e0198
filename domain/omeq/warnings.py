"""The warnings an OMEQ result carries: stable English codes, parameters, and the lines meant.

Codes (`WarningCode`), in the order a result lists them:
- `high_dose`, `reassess_dose`: the maximum including PRN is at or above the threshold (both
  are raised at or above the high threshold); `basis` says whether the scheduled dose alone
  reaches it (`scheduled`) or only with PRN (`max_including_prn`).
- `several_opioids`: two or more distinct opioid substances are counted (PRN included).
- `short_acting_scheduled`: an immediate-release opioid is taken on a schedule (release
  `unknown` never triggers it; the catalogue sets the release type). Never methadone, nor
  any substance the settings file lists as long-acting whatever its release.
- `methadone_present`: always when methadone is in the regimen, counted or not: its
  conversion is uncertain (long, variable half-life). This, not `short_acting_scheduled`,
  is methadone's warning: its tablets are immediate release but act long.
- `below_lowest_band`: a dose-banded line's dose is below the table's lowest band; the lowest
  band's factor was used.
- `substitution_excluded`: an opioid-use-disorder line was reported but not counted.
- `benzodiazepine`, `z_drug`, `gabapentinoid`: co-medication by ATC prefix (data file).

Parameters are text (numbers as exact decimal strings) so the UI can place them in a
translated sentence; `line_indexes` point at the regimen lines concerned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.omeq.settings import Thresholds, co_medication_classes

if TYPE_CHECKING:
    from domain.omeq import LineResult

# Substitution and caveat warnings concern this substance whatever the table says.
METHADONE = "methadone"


class WarningCode(StrEnum):
    HIGH_DOSE = "high_dose"
    REASSESS_DOSE = "reassess_dose"
    SEVERAL_OPIOIDS = "several_opioids"
    SHORT_ACTING_SCHEDULED = "short_acting_scheduled"
    METHADONE_PRESENT = "methadone_present"
    BELOW_LOWEST_BAND = "below_lowest_band"
    SUBSTITUTION_EXCLUDED = "substitution_excluded"
    BENZODIAZEPINE = "benzodiazepine"
    Z_DRUG = "z_drug"
    GABAPENTINOID = "gabapentinoid"


@dataclass(frozen=True)
class OmeqWarning:
    code: WarningCode
    params: tuple[tuple[str, str], ...] = ()
    line_indexes: tuple[int, ...] = ()

    def param(self, name: str) -> str:
        return dict(self.params)[name]

    def params_dict(self) -> dict[str, str]:
        return dict(self.params)


def regimen_warnings(
    results: Sequence[LineResult],
    scheduled: Decimal,
    maximum: Decimal,
    thresholds: Thresholds,
    atc_codes: Sequence[str],
) -> tuple[OmeqWarning, ...]:
    counted = [r for r in results if r.is_counted]
    found = _dose_warnings(scheduled, maximum, thresholds)
    substances = sorted({r.line.substance_key for r in counted})
    if len(substances) >= 2:
        found.append(_lines(WarningCode.SEVERAL_OPIOIDS, counted, substances=substances))
    short = [r for r in counted if r.is_short_acting_scheduled]
    if short:
        found.append(_lines(WarningCode.SHORT_ACTING_SCHEDULED, short))
    methadone = [r for r in results if r.line.substance_key == METHADONE]
    if methadone:
        found.append(_lines(WarningCode.METHADONE_PRESENT, methadone))
    below = [r for r in counted if r.is_below_lowest_band]
    if below:
        found.append(_lines(WarningCode.BELOW_LOWEST_BAND, below))
    excluded = [r for r in results if not r.is_counted]
    if excluded:
        found.append(_lines(WarningCode.SUBSTITUTION_EXCLUDED, excluded))
    for group in co_medication_classes():
        matched = sorted({c for c in atc_codes if c.startswith(group.atc_prefixes)})
        if matched:
            params = (("atc_codes", ", ".join(matched)),)
            found.append(OmeqWarning(WarningCode(group.warning), params=params))
    order = list(WarningCode)
    return tuple(sorted(found, key=lambda w: order.index(w.code)))


def _dose_warnings(
    scheduled: Decimal, maximum: Decimal, thresholds: Thresholds
) -> list[OmeqWarning]:
    found = []
    for code, threshold in (
        (WarningCode.HIGH_DOSE, thresholds.high_mg_per_day),
        (WarningCode.REASSESS_DOSE, thresholds.reassess_mg_per_day),
    ):
        if maximum >= threshold:
            basis = "scheduled" if scheduled >= threshold else "max_including_prn"
            params = (
                ("threshold_mg_per_day", str(threshold)),
                ("scheduled_mg_per_day", str(scheduled)),
                ("max_mg_per_day", str(maximum)),
                ("basis", basis),
            )
            found.append(OmeqWarning(code, params=params))
    return found


def _lines(
    code: WarningCode, results: Sequence[LineResult], substances: Sequence[str] = ()
) -> OmeqWarning:
    names = substances or sorted({r.line.substance_key for r in results})
    params = (("substances", ", ".join(names)),)
    return OmeqWarning(code, params=params, line_indexes=tuple(r.index for r in results))
