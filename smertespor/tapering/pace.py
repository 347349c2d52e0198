"""What the GP chose for a plan (target, rate, interval, slow-down, pauses, order, start, the
most a product may be stopped from) as a `Pace`, and the `TaperRequest` the domain is asked
with; pauses and OMEQ thresholds as the plain JSON a stored plan keeps them in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings

from domain.catalogue import Catalogue
from domain.omeq import ConversionTable, Thresholds
from domain.tapering import (
    PauseAtStep,
    PauseBetween,
    SlowDown,
    StepBasis,
    TaperRequest,
    TaperTarget,
    TargetKind,
    default_taper_settings,
)
from smertespor.entry.numbers import json_number
from smertespor.medication.regimens import plain_decimal
from smertespor.tapering.regimens import PlanLine

HUNDRED = Decimal(100)
# Input bounds both doors parse with (the domain has no upper bound for these).
MAX_INTERVAL_DAYS = 365
MAX_UNITS_AT_A_TIME = Decimal(20)
# A pause holds one of at most 1000 steps for at most the 20 years a plan may last; a
# 10^400 made the date arithmetic overflow (issue 12).
MAX_PAUSE_STEP = 1000
MAX_PAUSE_DAYS = 20 * 366


@dataclass(frozen=True)
class Pace:
    """What the GP chose: target, rate, interval, slow-down, pauses, order and start."""

    start_date: date
    step_percent: Decimal
    interval_days: int
    target_kind: str = "stop"
    target_omeq_mg_per_day: Decimal | None = None
    target_product_id: str = ""
    target_daily_amount: Decimal | None = None
    step_basis: str = StepBasis.STARTING_DOSE.value
    slow_down_below_percent: Decimal | None = None  # None: no slow-down
    slow_down_step_percent: Decimal | None = None
    pauses: tuple[PauseAtStep | PauseBetween, ...] = ()
    order: tuple[str, ...] = ()
    stop_threshold_mg_per_day: Decimal | None = None  # None: the region's default

    def target(self) -> TaperTarget:
        """The target; a value not given stays missing, for the domain to refuse it
        (`target_not_valid`)."""
        if self.target_kind == TargetKind.OMEQ:
            return TaperTarget(TargetKind.OMEQ, omeq_mg_per_day=self.target_omeq_mg_per_day)
        if self.target_kind == TargetKind.DOSE:
            return TaperTarget(
                TargetKind.DOSE,
                product_id=self.target_product_id,
                daily_amount=self.target_daily_amount,
            )
        return TaperTarget.stop()

    def slow_down(self) -> SlowDown | None:
        below, factor = self.slow_down_below_percent, self.slow_down_step_percent
        if below is None or factor is None:
            return None
        return SlowDown(below_share=below / HUNDRED, step_factor=factor / HUNDRED)

    def model_fields(self) -> dict[str, Any]:
        return {
            "target_kind": self.target_kind,
            "target_omeq_mg_per_day": self.target_omeq_mg_per_day
            if self.target_kind == "omeq"
            else None,
            "target_product_id": self.target_product_id if self.target_kind == "dose" else "",
            "target_daily_amount": self.target_daily_amount if self.target_kind == "dose" else None,
            "step_percent": self.step_percent,
            "step_basis": self.step_basis,
            "interval_days": self.interval_days,
            "slow_down_below_percent": self.slow_down_below_percent,
            "slow_down_step_percent": self.slow_down_step_percent,
            "pauses": [pause_json(p) for p in self.pauses],
            "order": list(self.order),
            "start_date": self.start_date,
            "stop_threshold_mg_per_day": self.stop_threshold_mg_per_day,
        }

    @classmethod
    def of_plan(cls, plan: Any) -> Pace:
        return cls(
            start_date=plan.start_date,
            step_percent=plain_decimal(plan.step_percent),
            interval_days=plan.interval_days,
            target_kind=plan.target_kind,
            target_omeq_mg_per_day=_plain_or_none(plan.target_omeq_mg_per_day),
            target_product_id=plan.target_product_id,
            target_daily_amount=_plain_or_none(plan.target_daily_amount),
            step_basis=plan.step_basis,
            slow_down_below_percent=_plain_or_none(plan.slow_down_below_percent),
            slow_down_step_percent=_plain_or_none(plan.slow_down_step_percent),
            pauses=tuple(pause_from_json(p) for p in plan.pauses),
            order=tuple(plan.order),
            stop_threshold_mg_per_day=_plain_or_none(plan.stop_threshold_mg_per_day)
            or default_stop_threshold(),  # a plan made before issue 11 had none
        )


def default_stop_threshold() -> Decimal:
    """The most OMEQ a day a product may be stopped from: setting TAPER_STOP_THRESHOLD_MG_OMEQ,
    or (0) the default of domain/data/taper_settings.toml, 30 mg."""
    configured = settings.TAPER_STOP_THRESHOLD_MG_OMEQ
    return Decimal(configured) if configured else default_taper_settings().stop_threshold_mg_per_day


def _plain_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else plain_decimal(value)


def pause_json(pause: PauseAtStep | PauseBetween) -> dict[str, Any]:
    if isinstance(pause, PauseAtStep):
        return {"step": pause.step, "extra_days": pause.extra_days}
    return {"first_day": pause.first_day.isoformat(), "last_day": pause.last_day.isoformat()}


def step_pause(step: int | None, extra_days: int | None) -> PauseAtStep | None:
    """A pause at a step from two numbers that may be left out: none when both are; a missing
    one counts as 0, which the domain refuses (`pause_not_valid`)."""
    if step is None and extra_days is None:
        return None
    return PauseAtStep(step or 0, extra_days or 0)


def pause_from_json(data: Mapping[str, Any]) -> PauseAtStep | PauseBetween:
    if "step" in data:
        return PauseAtStep(int(data["step"]), int(data["extra_days"]))
    return PauseBetween(date.fromisoformat(data["first_day"]), date.fromisoformat(data["last_day"]))


def taper_request(
    lines: Sequence[PlanLine],
    pace: Pace,
    *,
    table: ConversionTable,
    thresholds: Thresholds,
    catalogue: Catalogue,
) -> TaperRequest:
    return TaperRequest(
        lines=tuple(line.to_domain() for line in lines),
        target=pace.target(),
        step_percent=pace.step_percent,
        interval_days=pace.interval_days,
        start_date=pace.start_date,
        table=table,
        thresholds=thresholds,
        step_basis=StepBasis(pace.step_basis),
        slow_down=pace.slow_down(),
        pauses=pace.pauses,
        order=pace.order,
        stop_threshold_mg_per_day=pace.stop_threshold_mg_per_day,
        catalogue=catalogue,
    )


def thresholds_json(thresholds: Thresholds) -> dict[str, str]:
    return {
        "reassess_mg_per_day": json_number(thresholds.reassess_mg_per_day),
        "high_mg_per_day": json_number(thresholds.high_mg_per_day),
    }


def thresholds_of(data: Mapping[str, str]) -> Thresholds:
    return Thresholds(Decimal(data["reassess_mg_per_day"]), Decimal(data["high_mg_per_day"]))
