"""Capacity forecast benchmark: simulated region-months per second, against the plain loop.

    .venv/bin/python benchmarks/forecast.py [--runs 200] [--large-runs 5000]

No database: the model is the domain core's (`domain/forecast.py`). Rates at region scale
(a few thousand patients in the practice track, 300 new a month). Every side is timed
interleaved (A B, B A, … for 7 rounds after a warm-up; _timing.py) and printed as median and
spread, with the ratio of the medians:

1. The same work both ways: `simulate` (numpy, vectorised over the runs) against
   `simulate_loop` (plain Python, one run's count at a time), `--runs` runs of 24 months.
   Both draw the same random numbers in the same order; the script checks that their paths
   are identical before timing them.
   A second, naive baseline: the same model patient by patient with Python's `random`
   (a Bernoulli draw per patient and month, Poisson arrivals from exponential gaps). It
   draws other random numbers, so its paths differ; the script prints both models' mean
   waiting list after 24 months as a check that they simulate the same thing.
2. The vectorised model at the page's size: `--large-runs` runs, and `forecast` (the same
   plus the percentile bands) — the goal is 10,000 simulated region-months per second or
   better.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timing import interleaved, ratio

from domain.forecast import MONTHS, FlowRates, forecast, simulate, simulate_loop

GOAL = 10_000
SEED = 1082
REGION = FlowRates(
    new_per_month=300.0,
    early_handover_per_month=0.03,
    success_at_3_months=0.6,
    hospital_slots_per_month=120,
    hospital_end_per_month=0.15,
    practice_caseload=900,
    hospital_caseload=600,
    waiting_list=40,
)


def per_patient(rates: FlowRates, *, runs: int, seed: int, months: int = MONTHS) -> list[int]:
    """The model one patient at a time in plain Python; the final waiting list of each run."""
    rng = random.Random(seed)
    slots = rates.hospital_slots_per_month
    finals = []
    for _ in range(runs):
        ages = list(rates.initial_ages())
        waiting, hospital = rates.waiting_list, rates.hospital_caseload
        for month in range(months):
            if month:
                ages = [0, ages[0], ages[1]]
            arrivals, elapsed = (
                0,
                rng.expovariate(rates.new_per_month) if rates.new_per_month else 2,
            )
            while elapsed < 1:
                arrivals += 1
                elapsed += rng.expovariate(rates.new_per_month)
            ages[0] += arrivals
            handovers = 0
            for age in range(3):
                stay = 0
                for _patient in range(ages[age]):
                    if rng.random() < rates.early_handover_per_month:
                        handovers += 1
                    else:
                        stay += 1
                ages[age] = stay
            for _patient in range(ages[2]):
                if rng.random() >= rates.success_at_3_months:
                    handovers += 1
            ages[2] = 0
            waiting += handovers
            hospital -= sum(
                1 for _ in range(hospital) if rng.random() < rates.hospital_end_per_month
            )
            starts = waiting if slots is None else min(waiting, slots)
            waiting -= starts
            hospital += starts
        finals.append(waiting)
    return finals


def per_second(region_months: int, seconds: float) -> str:
    return f"{region_months / seconds:,.0f} region-months/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs for the loop comparison")
    parser.add_argument("--large-runs", type=int, default=5000, help="runs at the page's size")
    args = parser.parse_args()

    vectorised = simulate(REGION, runs=args.runs, seed=SEED)
    loop = simulate_loop(REGION, runs=args.runs, seed=SEED)
    names = ("practice_caseload", "handovers", "hospital_caseload", "waiting_list", "arrivals")
    for name in names:
        if not np.array_equal(getattr(vectorised, name), getattr(loop, name)):
            raise SystemExit(f"The loop and the vectorised model differ in {name}: not timed.")
    print(f"Loop and vectorised paths identical ({args.runs} runs x {MONTHS} months, checked).")

    naive = per_patient(REGION, runs=args.runs, seed=SEED)
    print(
        f"Mean waiting list after {MONTHS} months: vectorised "
        f"{vectorised.waiting_list[-1].mean():.1f}, per-patient loop {statistics.mean(naive):.1f}"
    )

    months = args.runs * MONTHS
    timings = interleaved(
        {
            "vectorised": lambda: simulate(REGION, runs=args.runs, seed=SEED),
            "loop": lambda: simulate_loop(REGION, runs=args.runs, seed=SEED),
            "per-patient": lambda: per_patient(REGION, runs=args.runs, seed=SEED),
        }
    )
    for name, timing in timings.items():
        print(f"  {name:<11} {timing.ms()}  = {per_second(months, timing.median)}")
    print(f"  vectorised / loop speed-up: {ratio(timings['loop'], timings['vectorised'])}")
    print(
        "  vectorised / per-patient speed-up: "
        f"{ratio(timings['per-patient'], timings['vectorised'])}"
    )

    large = args.large_runs * MONTHS
    timings = interleaved(
        {
            "simulate": lambda: simulate(REGION, runs=args.large_runs, seed=SEED),
            "forecast": lambda: forecast(REGION, runs=args.large_runs, seed=SEED),
        }
    )
    print(f"At {args.large_runs:,} runs x {MONTHS} months:")
    for name, timing in timings.items():
        rate = large / timing.median
        verdict = "meets" if rate >= GOAL else "MISSES"
        print(
            f"  {name:<11} {timing.ms()}  = {per_second(large, timing.median)} "
            f"({verdict} the goal of {GOAL:,}/s)"
        )
        low = large / timing.high
        print(f"  {'':<11} slowest round: {low:,.0f} region-months/s")


if __name__ == "__main__":
    main()
