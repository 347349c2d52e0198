"""What a taper plan expects the patient to take on a given day (re-exported by
`domain.tracks`), for judging a course's progress against its plan.

    schedule = TaperSchedule(Decimal(60), (PlannedStep(date(2026, 2, 2), Decimal(54)), ...))
    schedule.expected_on(date(2026, 3, 1))  # the dose of the last step begun by then

Doses are OMEQ in mg/day including as-needed doses, as a course records them. Before the
first step the plan expects its starting dose. A paused plan holds the dose of the day it was
paused (`held_from`): pausing is allowed, stepping back up is not (CDC 2022).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.errors import DomainError


class TaperScheduleError(DomainError):
    code = "invalid_taper_schedule"


@dataclass(frozen=True)
class PlannedStep:
    """From `starts_on` the plan expects `mg_per_day` (OMEQ incl. as-needed)."""

    starts_on: date
    mg_per_day: Decimal

    def __post_init__(self) -> None:
        mg = self.mg_per_day
        if not (isinstance(mg, Decimal) and mg.is_finite() and mg >= 0):
            raise TaperScheduleError(
                f"A planned dose ({self.starts_on.isoformat()}) is 0 mg/day or more, not {mg!r}.",
                code="planned_dose_not_a_dose",
            )


@dataclass(frozen=True)
class TaperSchedule:
    """A plan's doses by date; `reference` names the plan in the rule's working."""

    start_mg_per_day: Decimal
    steps: tuple[PlannedStep, ...]
    held_from: date | None = None
    reference: str = ""

    def __post_init__(self) -> None:
        start = self.start_mg_per_day
        if not (isinstance(start, Decimal) and start.is_finite() and start > 0):
            raise TaperScheduleError(
                "A plan starts from a dose above 0 mg/day.", code="plan_start_not_a_dose"
            )
        days = [step.starts_on for step in self.steps]
        if days != sorted(days):
            raise TaperScheduleError(
                "A plan's steps are in date order.", code="plan_steps_out_of_order"
            )

    def expected_on(self, day: date) -> Decimal:
        """The dose the plan expects on `day`: the last step begun (held while paused)."""
        if self.held_from is not None and day > self.held_from:
            day = self.held_from
        expected = self.start_mg_per_day
        for step in self.steps:
            if step.starts_on > day:
                break
            expected = step.mg_per_day
        return expected

    def allowed_on(self, day: date, tolerance_percent: Decimal) -> Decimal:
        """The highest dose still on plan on `day`: the expected dose plus `tolerance_percent`
        of the plan's starting dose."""
        return self.expected_on(day) + self.start_mg_per_day * tolerance_percent / 100
