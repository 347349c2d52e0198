"""Interleaved, repeated timings: A B A B … so that load on the machine hits every side alike.

A single timing of each side in sequence is not a measurement on a shared machine: the OMEQ
benchmark's ratio moved from 55x to 17x between runs that way, and the side measured second
once came out faster than the baseline. Every benchmark times its sides here instead and
prints each side's median with its spread, and the ratio of the medians.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAIRS = 7  # rounds of A B (…): at least 7


@dataclass(frozen=True)
class Timing:
    """Seconds of each run of one side."""

    times: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def low(self) -> float:
        return min(self.times)

    @property
    def high(self) -> float:
        return max(self.times)

    @property
    def iqr(self) -> tuple[float, float]:
        q1, _q2, q3 = statistics.quantiles(self.times, n=4, method="inclusive")
        return q1, q3

    def ms(self) -> str:
        """'median 12.3 ms (IQR 11.9–13.0, min–max 11.5–15.2, n=7)'."""
        q1, q3 = self.iqr
        return (
            f"median {self.median * 1000:.1f} ms (IQR {q1 * 1000:.1f}–{q3 * 1000:.1f}, "
            f"min–max {self.low * 1000:.1f}–{self.high * 1000:.1f}, n={len(self.times)})"
        )


def interleaved(
    sides: dict[str, Callable[[], Any]], rounds: int = PAIRS, warm_up: bool = True
) -> dict[str, Timing]:
    """Each side once per round, in the given order, for `rounds` rounds (after one untimed
    warm-up round); the order alternates every round (A B, B A, …) so neither side always
    runs right after the other."""
    if rounds < PAIRS:
        raise ValueError(f"At least {PAIRS} rounds: a median of fewer says little.")
    names = list(sides)
    if warm_up:
        for name in names:
            sides[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            start = time.perf_counter()
            sides[name]()
            times[name].append(time.perf_counter() - start)
    return {name: Timing(tuple(values)) for name, values in times.items()}


def ratio(slow: Timing, fast: Timing) -> str:
    """The ratio of the medians, with the range of the per-round ratios."""
    per_round = [s / f for s, f in zip(slow.times, fast.times, strict=True) if f]
    return (
        f"{slow.median / fast.median:.2f}x (per round {min(per_round):.2f}–{max(per_round):.2f}x)"
    )
