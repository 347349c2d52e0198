"""The pace of a taper: the step size at a dose, and how long a step lasts.

- `step_limit`: at most `step_percent` of the starting OMEQ (or of the step before's,
  `StepBasis.CURRENT_DOSE`) per `interval_days`, times `SlowDown.step_factor` once the OMEQ is
  at or below its share of the start;
- `step_days`: a step lasts the interval, or, when it cuts more than its limit, proportionally
  longer (interval x cut / limit), rounded up to the days on which the dose can change
  (`change_days`: a patch every `patch_change_hours` / 24 days, fentanyl 3, buprenorphine 4 or
  7; a dose every other day: 2). So the configured pace, slow-down included, is what the
  patient gets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from domain.tapering.doses import ProductDose
from domain.tapering.request import SlowDown, StepBasis

__all__ = ["Pace", "change_days", "step_days", "step_limit"]

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Pace:
    step_percent: Decimal
    basis: StepBasis
    slow_down: SlowDown | None
    interval_days: int


def step_limit(pace: Pace, start: Decimal, current: Decimal) -> tuple[Decimal, bool]:
    reference = start if pace.basis is StepBasis.STARTING_DOSE else current
    limit = pace.step_percent / HUNDRED * reference
    slow = pace.slow_down
    if slow is not None and current <= slow.below_share * start:
        return limit * slow.step_factor, True
    return limit, False


def step_days(interval: int, cut: Decimal, limit: Decimal, rhythm: int) -> int:
    """The step's length: the interval, or interval x cut / limit when it cuts more, rounded up
    to a whole number of `rhythm` days."""
    days = interval
    if cut > limit:
        days = max(interval, math.ceil(interval * cut / limit))
    return -(-days // rhythm) * rhythm


def change_days(dose: ProductDose) -> int:
    """Every how many days this dose can change: a patch on its change day, a dose every
    other day on a day it is taken, any other dose on any day."""
    hours = dose.product.patch_change_hours
    if dose.is_patch and hours:
        return max(1, math.ceil(hours / 24))
    return 2 if dose.is_every_other_day else 1
