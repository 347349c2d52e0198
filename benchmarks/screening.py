"""Screening benchmark: a generated region-year of dispensing data through the DuckDB pipeline.

    .venv/bin/python benchmarks/screening.py [--people 1300000] [--scale national] [--rounds 7]

Generates the extract (domain.dispensing_synthetic, seed 1; 1.3 M people give ~13 M rows;
`--scale national` 6 M people, ~60 M rows, not for CI) into a temporary folder, then prints:

1. DuckDB (`domain.screening.screen`) against vectorised pandas
   (`domain.screening_reference.screen_with_pandas`) on the whole extract, timed interleaved
   (_timing.py): rows/s and the ratio (goal >= 2x). Both outputs' checksums must be equal.
2. The naive per-person loop (`screen_with_loop`: every row walked in Python, one person and
   one substance at a time) on a sample of 20,000 people (~200,000 rows; checked by checksum
   against DuckDB on the same sample) and on five times that sample, timed interleaved. The
   loop's work is linear in rows (each row is looked at once; the per-person part only touches
   that person's few screened rows, no step grows faster), so its time is extrapolated to the
   whole extract by rows, from the larger sample's rows/s; the two samples' rows/s are printed
   side by side to show the rate is flat. The ratio to DuckDB is printed (goal >= 100x).
3. Scaling: DuckDB on a fifth of the people (N) against the whole extract (5N), interleaved:
   time(5N) / time(N) (goal <= 6, i.e. no quadratic step).
4. Peak memory (VmHWM, Linux) of a fresh process running each pipeline once.

The load average is printed at the start and the end: on a shared machine every time is
inflated alike, but DuckDB (all cores) loses more to other processes than the loop (one core).
What the DuckDB pipeline does to be fast, and the last measured figures: docs/screening.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timing import interleaved, ratio

from domain.dispensing_synthetic import write_dispensings
from domain.omeq.tables import load_builtin_tables
from domain.screening import result_checksum, screen
from domain.screening_reference import screen_with_loop, screen_with_pandas

SAMPLE_PEOPLE = 20_000
LARGE_SAMPLE_PEOPLE = 5 * SAMPLE_PEOPLE  # shows the loop's rate does not fall with size
NATIONAL_PEOPLE = 6_000_000


def _peak_child(name: str, path: str, queue: multiprocessing.Queue) -> None:
    table = load_builtin_tables()["nordic"]
    function = {"duckdb": screen, "pandas": screen_with_pandas}[name]
    function(path, table)
    # VmHWM, not ru_maxrss: ru_maxrss survives exec, so a spawned child would report the
    # parent's peak (the generator's) instead of its own.
    status = Path("/proc/self/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    queue.put(int(line.split()[1]))


def peak_memory_mb(name: str, path: str) -> float:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_peak_child, args=(name, path, queue))
    process.start()
    kilobytes = queue.get()
    process.join()
    return kilobytes / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_300_000)
    parser.add_argument("--scale", choices=["region", "national"], default="region")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    people = NATIONAL_PEOPLE if args.scale == "national" else args.people
    table = load_builtin_tables()["nordic"]
    print(f"Load average at start: {_load()} on {os.cpu_count()} cores (a shared machine's")
    print("  load inflates every time alike; the ratios are of interleaved runs)")
    with tempfile.TemporaryDirectory() as folder:
        full = str(Path(folder) / "region.parquet")
        fifth = str(Path(folder) / "fifth.parquet")
        sample = str(Path(folder) / "sample.parquet")
        large = str(Path(folder) / "sample5.parquet")
        rows = write_dispensings(full, people=people, seed=1)
        rows_fifth = write_dispensings(fifth, people=max(1, people // 5), seed=1)
        rows_sample = write_dispensings(sample, people=min(SAMPLE_PEOPLE, people), seed=1)
        rows_large = write_dispensings(large, people=min(LARGE_SAMPLE_PEOPLE, people), seed=1)
        print(
            f"Extract: {people:,} people, {rows:,} rows "
            f"(N/5: {rows_fifth:,}; loop samples {rows_sample:,} and {rows_large:,})"
        )

        duck = screen(full, table)
        pand = screen_with_pandas(full, table)
        same = result_checksum(duck) == result_checksum(pand)
        long_term = int(duck.persons["is_long_term"].sum())
        print(
            f"Output: {len(duck.persons):,} opioid users, {long_term:,} "
            f"long-term, {len(duck.eras):,} periods; DuckDB and pandas identical: {same} "
            f"({result_checksum(duck)[:16]})"
        )
        if not same:
            raise SystemExit("pandas and DuckDB differ: the ratio would mean nothing")

        timings = interleaved(
            {
                "duckdb": lambda: screen(full, table),
                "pandas": lambda: screen_with_pandas(full, table),
            },
            rounds=args.rounds,
        )
        for name, timing in timings.items():
            print(f"  {name:7s} {timing.ms()}  = {rows / timing.median:,.0f} rows/s")
        print(f"DuckDB vs pandas: {ratio(timings['pandas'], timings['duckdb'])} (goal >= 2x)")

        loop_result = screen_with_loop(sample, table)
        same_sample = result_checksum(loop_result) == result_checksum(screen(sample, table))
        print(f"Loop on the sample identical to DuckDB: {same_sample}")
        if not same_sample:
            raise SystemExit("the loop and DuckDB differ on the sample")
        loop = interleaved(
            {
                "sample": lambda: screen_with_loop(sample, table),
                "sample5": lambda: screen_with_loop(large, table),
            },
            rounds=args.rounds,
        )
        small_rate = rows_sample / loop["sample"].median
        loop_rate = rows_large / loop["sample5"].median
        extrapolated = rows / loop_rate
        print(f"  loop    {loop['sample'].ms()} on {rows_sample:,} rows = {small_rate:,.0f} rows/s")
        print(
            f"  loop    {loop['sample5'].ms()} on {rows_large:,} rows = {loop_rate:,.0f} rows/s; "
            f"extrapolated by rows to {rows:,} rows: {extrapolated:,.0f} s"
        )
        print(
            f"DuckDB vs loop (extrapolated): {extrapolated / timings['duckdb'].median:,.0f}x "
            "(goal >= 100x)"
        )

        scaling = interleaved(
            {"N": lambda: screen(fifth, table), "5N": lambda: screen(full, table)},
            rounds=args.rounds,
        )
        print(f"  N  ({rows_fifth:,} rows) {scaling['N'].ms()}")
        print(f"  5N ({rows:,} rows) {scaling['5N'].ms()}")
        print(
            f"time(5N) / time(N) = {scaling['5N'].median / scaling['N'].median:.2f} "
            f"for {rows / rows_fifth:.2f}x the rows (goal <= 6)"
        )
        print(
            f"Peak memory: DuckDB {peak_memory_mb('duckdb', full):,.0f} MB, "
            f"pandas {peak_memory_mb('pandas', full):,.0f} MB (fresh process each, VmHWM)"
        )
    print(f"Load average at end: {_load()}")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
