"""Measures benchmark: `compute_measures` for one month on a generated region, at two sizes.

    .venv/bin/python benchmarks/measures.py [--patients 2000] [--scale 5]

Sets up Django on a throwaway database (SQLite in a temporary folder, or PostgreSQL when
DATABASE_URL points at it; see _harness.py), fills it with the region generator
(`manage.py make_region`: 80 patients a practice, medication with OMEQ snapshots, courses at
every stage, advice, teaching), computes this month's measures and measures the time (median
of 5 runs, after a warm-up) and the number of queries. Then it adds ``scale - 1`` times as
many patients in ``scale`` times as many practices (`make_region --add`) and measures again.

Printed as ratios against the small region measured in the same run: the query count must
not grow with the number of practices (ratio 1.00), and the time should grow about as the
rows do (no step per practice or per pair of rows).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _harness import setup_django

ROUNDS = 5


def _measure(month: datetime.date) -> tuple[float, float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from smertespor.evaluation.measures_services import compute_measures

    compute_measures(month)  # warm-up
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        compute_measures(month)
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        report = compute_measures(month)
    return statistics.median(times), min(times), max(times), len(queries), report.figures


def _region(patients: int, practices: int, seed: int, *, add: bool) -> str:
    from smertespor.patients.models import Patient
    from smertespor.tracks.models import Course
    from smertespor.web.region_generator import make_region

    start = time.perf_counter()
    make_region(patients=patients, practices=practices, seed=seed, add=add, audit_events=10)
    return (
        f"{Patient.objects.count():,} patients, {Course.objects.count():,} courses in "
        f"{practices} practices (generated in {time.perf_counter() - start:.0f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2_000, help="the small region")
    parser.add_argument(
        "--scale", type=int, default=5, help="the large region is this many times larger"
    )
    args = parser.parse_args()
    if args.patients < 80 or args.scale < 2:
        sys.exit("--patients must be 80 or more and --scale 2 or more.")
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder), load_demo=False, name="measures")
        from django.utils import timezone

        month = timezone.localdate().replace(day=1)
        practices = args.patients // 80
        print(f"Small: {_region(args.patients, practices, 1, add=False)}")
        small = _measure(month)
        more = args.patients * (args.scale - 1)
        print(f"Large: {_region(more, practices * args.scale, 2, add=True)}")
        large = _measure(month)
    for name, (median, low, high, queries, figures) in (("small", small), ("large", large)):
        print(
            f"compute_measures, {name}: {median * 1000:,.0f} ms (range {low * 1000:,.0f}-"
            f"{high * 1000:,.0f}), {queries} queries, {figures:,} figures"
        )
    print(
        f"queries large / small: {large[3] / small[3]:.2f}  (goal 1.00: independent of practices)"
    )
    print(
        f"time large / small:    {large[0] / small[0]:.2f}  (the region is {args.scale}x larger; "
        f"goal about {args.scale} or less)"
    )


if __name__ == "__main__":
    main()
