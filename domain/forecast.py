"""Capacity forecast: a Monte Carlo model of the flow of patients through the two tracks.

Each month, per simulated region (a *run*):

1. New patients enter the practice track (Poisson, mean ``new_per_month``: the screening's
   yield plus the GPs' own enrolments).
2. A patient in the practice track is handed over early with probability
   ``early_handover_per_month`` in each of their first three months.
3. At the 3-month point (end of the third month) the rest succeed with probability
   ``success_at_3_months``; the others are handed over (the 3-month rule).
4. Handed-over patients join the clinic's waiting list.
5. A hospital-track course ends with probability ``hospital_end_per_month``.
6. The clinic starts at most ``hospital_slots_per_month`` new hospital-track courses from
   the waiting list (``None``: no limit).

The practice-track draws (1-3) and the hospital draws (5) come from two independent
streams of the same seed, so the waiting list depends only on the practice-track draws and
the slots: more slots never lengthen it for the same draws. Everything is vectorised over
the runs (numpy); ``simulate_loop`` is the same model one count at a time, consuming the
random streams in the same order, for the benchmark and the agreement test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from domain.errors import DomainError

MONTHS = 24
PRACTICE_MONTHS = 3  # the 3-month rule (docs/pathway.md)
PERCENTILES = (10, 50, 90)
SERIES = ("practice_caseload", "handovers", "hospital_caseload", "waiting_list")
MAX_RUNS = 100_000
MAX_MONTHS = 120
_UNLIMITED = np.iinfo(np.int64).max

Counts = NDArray[np.int64]


class ForecastError(DomainError):
    code = "forecast_error"


def _probability(name: str, value: float) -> None:
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ForecastError(f"{name} must be a probability from 0 to 1, not {value!r}.")


@dataclass(frozen=True, slots=True)
class FlowRates:
    """The model's inputs: monthly rates and the state at the start."""

    new_per_month: float
    early_handover_per_month: float
    success_at_3_months: float
    hospital_slots_per_month: int | None
    hospital_end_per_month: float
    practice_caseload: int = 0
    hospital_caseload: int = 0
    waiting_list: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.new_per_month) and 0.0 <= self.new_per_month <= 1e6):
            raise ForecastError(f"new_per_month must be 0 to 1,000,000, not {self.new_per_month}.")
        _probability("early_handover_per_month", self.early_handover_per_month)
        _probability("success_at_3_months", self.success_at_3_months)
        _probability("hospital_end_per_month", self.hospital_end_per_month)
        if self.hospital_slots_per_month is not None and self.hospital_slots_per_month < 0:
            raise ForecastError("hospital_slots_per_month cannot be negative.")
        for name in ("practice_caseload", "hospital_caseload", "waiting_list"):
            if getattr(self, name) < 0:
                raise ForecastError(f"{name} cannot be negative.")

    def initial_ages(self) -> tuple[int, int, int]:
        """The practice caseload at the start, spread over the three months of the track
        (the remainder to the newest)."""
        share, rest = divmod(self.practice_caseload, PRACTICE_MONTHS)
        return (share + rest, share, share)


@dataclass(frozen=True)
class Paths:
    """Every run's monthly figures, arrays of shape (months, runs), end of month."""

    practice_caseload: Counts
    handovers: Counts
    hospital_caseload: Counts
    waiting_list: Counts
    arrivals: Counts
    succeeded: Counts
    ended: Counts

    def series(self, name: str) -> Counts:
        if name not in SERIES:
            raise ForecastError(f"Unknown series {name!r}.")
        values: Counts = getattr(self, name)
        return values


@dataclass(frozen=True, slots=True)
class Band:
    """One series' 10th, 50th and 90th percentile per month."""

    p10: tuple[float, ...]
    p50: tuple[float, ...]
    p90: tuple[float, ...]


@dataclass(frozen=True)
class Forecast:
    rates: FlowRates
    runs: int
    months: int
    seed: int
    bands: dict[str, Band]


def _check(runs: int, months: int) -> None:
    if not 1 <= runs <= MAX_RUNS:
        raise ForecastError(f"runs must be 1 to {MAX_RUNS:,}, not {runs}.")
    if not 1 <= months <= MAX_MONTHS:
        raise ForecastError(f"months must be 1 to {MAX_MONTHS}, not {months}.")


def _streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    practice, hospital = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(practice), np.random.default_rng(hospital)


def _slots(rates: FlowRates) -> int:
    slots = rates.hospital_slots_per_month
    return int(_UNLIMITED) if slots is None else slots


def simulate(rates: FlowRates, *, runs: int, seed: int, months: int = MONTHS) -> Paths:
    """The model, vectorised over the runs."""
    _check(runs, months)
    practice_rng, hospital_rng = _streams(seed)
    slots = np.int64(_slots(rates))
    ages: Counts = np.repeat(np.array(rates.initial_ages(), dtype=np.int64)[:, None], runs, axis=1)
    waiting: Counts = np.full(runs, rates.waiting_list, dtype=np.int64)
    hospital: Counts = np.full(runs, rates.hospital_caseload, dtype=np.int64)
    out = {
        name: np.zeros((months, runs), dtype=np.int64)
        for name in (*SERIES, "arrivals", "succeeded", "ended")
    }
    succeeded_so_far: Counts = np.zeros(runs, dtype=np.int64)
    ended_so_far: Counts = np.zeros(runs, dtype=np.int64)
    for month in range(months):
        if month:
            ages[1:] = ages[:-1].copy()
            ages[0] = 0
        arrivals = practice_rng.poisson(rates.new_per_month, runs).astype(np.int64)
        ages[0] += arrivals
        early = practice_rng.binomial(ages, rates.early_handover_per_month).astype(np.int64)
        ages -= early
        success = practice_rng.binomial(ages[-1], rates.success_at_3_months).astype(np.int64)
        handovers = early.sum(axis=0) + ages[-1] - success
        ages[-1] = 0
        waiting += handovers
        ended = hospital_rng.binomial(hospital, rates.hospital_end_per_month).astype(np.int64)
        hospital -= ended
        starts = np.minimum(waiting, slots)
        waiting -= starts
        hospital += starts
        succeeded_so_far += success
        ended_so_far += ended
        out["practice_caseload"][month] = ages.sum(axis=0)
        out["handovers"][month] = handovers
        out["hospital_caseload"][month] = hospital
        out["waiting_list"][month] = waiting
        out["arrivals"][month] = arrivals
        out["succeeded"][month] = succeeded_so_far
        out["ended"][month] = ended_so_far
    return Paths(**out)


def simulate_loop(rates: FlowRates, *, runs: int, seed: int, months: int = MONTHS) -> Paths:
    """The same model in plain Python, one run's count at a time (the benchmark's baseline).
    It asks the random streams for the same draws in the same order as `simulate`, so the
    two give identical paths."""
    _check(runs, months)
    practice_rng, hospital_rng = _streams(seed)
    slots = _slots(rates)
    first = rates.initial_ages()
    ages = [[first[age]] * runs for age in range(PRACTICE_MONTHS)]
    waiting = [rates.waiting_list] * runs
    hospital = [rates.hospital_caseload] * runs
    succeeded_so_far = [0] * runs
    ended_so_far = [0] * runs
    rows: dict[str, list[list[int]]] = {
        name: [] for name in (*SERIES, "arrivals", "succeeded", "ended")
    }
    for month in range(months):
        if month:
            ages = [[0] * runs, ages[0], ages[1]]
        arrivals = [int(practice_rng.poisson(rates.new_per_month)) for _ in range(runs)]
        for run in range(runs):
            ages[0][run] += arrivals[run]
        early = [[0] * runs for _ in range(PRACTICE_MONTHS)]
        for age in range(PRACTICE_MONTHS):
            for run in range(runs):
                drawn = int(practice_rng.binomial(ages[age][run], rates.early_handover_per_month))
                early[age][run] = drawn
                ages[age][run] -= drawn
        handovers = [0] * runs
        for run in range(runs):
            success = int(practice_rng.binomial(ages[-1][run], rates.success_at_3_months))
            handovers[run] = sum(early[age][run] for age in range(PRACTICE_MONTHS))
            handovers[run] += ages[-1][run] - success
            ages[-1][run] = 0
            waiting[run] += handovers[run]
            succeeded_so_far[run] += success
        for run in range(runs):
            ended = int(hospital_rng.binomial(hospital[run], rates.hospital_end_per_month))
            hospital[run] -= ended
            starts = min(waiting[run], slots)
            waiting[run] -= starts
            hospital[run] += starts
            ended_so_far[run] += ended
        rows["practice_caseload"].append([sum(a[run] for a in ages) for run in range(runs)])
        rows["handovers"].append(handovers)
        rows["hospital_caseload"].append(list(hospital))
        rows["waiting_list"].append(list(waiting))
        rows["arrivals"].append(arrivals)
        rows["succeeded"].append(list(succeeded_so_far))
        rows["ended"].append(list(ended_so_far))
    return Paths(**{name: np.array(values, dtype=np.int64) for name, values in rows.items()})


def bands(paths: Paths) -> dict[str, Band]:
    """The 10th, 50th and 90th percentile of each series, month by month."""
    result = {}
    for name in SERIES:
        low, mid, high = np.percentile(paths.series(name), PERCENTILES, axis=1)
        result[name] = Band(
            p10=tuple(float(v) for v in low),
            p50=tuple(float(v) for v in mid),
            p90=tuple(float(v) for v in high),
        )
    return result


def forecast(rates: FlowRates, *, runs: int, seed: int, months: int = MONTHS) -> Forecast:
    """Simulate `runs` regions for `months` months and summarise them as bands."""
    paths = simulate(rates, runs=runs, seed=seed, months=months)
    return Forecast(rates=rates, runs=runs, months=months, seed=seed, bands=bands(paths))


@dataclass(frozen=True, slots=True)
class Scenario:
    """A change to the rates: more teaching raises practice-track success (percentage
    points), faster advice cuts early handovers (a share), more clinic slots per month."""

    success_points: float = 0.0
    early_handover_cut: float = 0.0
    extra_slots: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.success_points) and 0.0 <= self.success_points <= 100.0):
            raise ForecastError("success_points must be 0 to 100.")
        _probability("early_handover_cut", self.early_handover_cut)
        if self.extra_slots < 0:
            raise ForecastError("extra_slots cannot be negative.")

    def apply(self, rates: FlowRates) -> FlowRates:
        slots = rates.hospital_slots_per_month
        return FlowRates(
            new_per_month=rates.new_per_month,
            early_handover_per_month=rates.early_handover_per_month * (1 - self.early_handover_cut),
            success_at_3_months=min(1.0, rates.success_at_3_months + self.success_points / 100),
            hospital_slots_per_month=None if slots is None else slots + self.extra_slots,
            hospital_end_per_month=rates.hospital_end_per_month,
            practice_caseload=rates.practice_caseload,
            hospital_caseload=rates.hospital_caseload,
            waiting_list=rates.waiting_list,
        )
