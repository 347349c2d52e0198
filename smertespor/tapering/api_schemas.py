"""The taper plan API's request and response schemas. Numbers are read as in the medication
API (a JSON number or an exact decimal string) and written as exact decimal strings."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from smertespor.medication.schemas import DecimalText, ExactNumber
from smertespor.tapering.forms import MAX_INTERVAL_DAYS, MAX_UNITS_AT_A_TIME
from smertespor.tapering.mapper import Pace
from smertespor.tapering.models import REASON_MAX_LENGTH

ProductId = Annotated[str, Field(max_length=64)]
Units = Annotated[ExactNumber, Field(ge=0, le=MAX_UNITS_AT_A_TIME)]


class TargetIn(Schema):
    kind: Literal["stop", "omeq", "dose"] = "stop"
    omeq_mg_per_day: ExactNumber | None = None
    product_id: ProductId = ""
    daily_amount: ExactNumber | None = None


class SlowDownIn(Schema):
    below_percent: ExactNumber = Field(description="Slower below this % of the starting OMEQ.")
    step_percent: ExactNumber = Field(description="The slower steps, as % of the usual step.")


class PauseIn(Schema):
    """Hold `step` for `extra_days` more days, or no change from `first_day` to `last_day`."""

    step: int | None = None
    extra_days: int | None = None
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None


class ScheduleIn(Schema):
    """A medication line's units at each time of day (instead of the default placing)."""

    line_id: int
    morning: Units = Decimal(0)
    noon: Units = Decimal(0)
    evening: Units = Decimal(0)
    night: Units = Decimal(0)


class PlanIn(Schema):
    """A plan from the patient's current medication list. Left out: the defaults (10 % of
    the starting dose every 28 days from today, steps halved below half the start); send
    `"slow_down": null` for no slow-down."""

    target: TargetIn = Field(default_factory=TargetIn)
    step_percent: ExactNumber | None = None
    step_basis: Literal["starting_dose", "current_dose"] = "starting_dose"
    interval_days: Annotated[int, Field(le=MAX_INTERVAL_DAYS)] | None = None
    start_date: datetime.date | None = None
    slow_down: SlowDownIn | None = None
    pauses: Annotated[list[PauseIn], Field(max_length=20)] = []
    order: Annotated[list[ProductId], Field(max_length=10)] = []
    schedules: Annotated[list[ScheduleIn], Field(max_length=50)] = []

    def pace(self, defaults: Pace) -> Pace:
        from smertespor.tapering.mapper import pause_from_json

        if "slow_down" in self.model_fields_set:
            below = self.slow_down.below_percent if self.slow_down else None
            factor = self.slow_down.step_percent if self.slow_down else None
        else:
            below, factor = defaults.slow_down_below_percent, defaults.slow_down_step_percent
        pauses = []
        for pause in self.pauses:
            if pause.step is not None or pause.extra_days is not None:
                pauses.append(
                    pause_from_json({"step": pause.step or 0, "extra_days": pause.extra_days or 0})
                )
            if pause.first_day is not None and pause.last_day is not None:
                pauses.append(
                    pause_from_json(
                        {
                            "first_day": pause.first_day.isoformat(),
                            "last_day": pause.last_day.isoformat(),
                        }
                    )
                )
        return Pace(
            start_date=self.start_date or defaults.start_date,
            step_percent=self.step_percent
            if self.step_percent is not None
            else defaults.step_percent,
            interval_days=self.interval_days
            if self.interval_days is not None
            else defaults.interval_days,
            target_kind=self.target.kind,
            target_omeq_mg_per_day=self.target.omeq_mg_per_day,
            target_product_id=self.target.product_id,
            target_daily_amount=self.target.daily_amount,
            step_basis=self.step_basis,
            slow_down_below_percent=below,
            slow_down_step_percent=factor,
            pauses=tuple(pauses),
            order=tuple(self.order),
        )

    def schedule_map(self) -> dict[int, dict[str, Decimal]] | None:
        if not self.schedules:
            return None
        return {
            s.line_id: {
                t: getattr(s, t) for t in ("morning", "noon", "evening", "night") if getattr(s, t)
            }
            for s in self.schedules
        }


class PlanCreateIn(PlanIn):
    activate: bool = False
    reason: Annotated[str, Field(max_length=REASON_MAX_LENGTH)] = ""


class StatusIn(Schema):
    action: Literal["activate", "pause", "resume", "complete", "abandon"]
    reason: Annotated[str, Field(max_length=REASON_MAX_LENGTH)] = ""


class CodedOut(Schema):
    code: str
    params: dict[str, str]
    message: str


class StepOut(Schema):
    number: int
    kind: str
    start_date: datetime.date
    end_date: datetime.date | None
    omeq_mg_per_day: DecimalText
    scheduled_omeq_mg_per_day: DecimalText
    percent_of_start: DecimalText
    cut_mg_per_day: DecimalText
    cut_limit_mg_per_day: DecimalText
    pause_days: int
    reduced_product_id: str
    doses: list[dict[str, Any]]
    supply: list[dict[str, Any]]
    supply_days: int
    notes: list[CodedOut]


class PreviewOut(Schema):
    start_date: datetime.date
    interval_days: int
    table: dict[str, str]
    baseline: list[dict[str, Any]]
    baseline_omeq_mg_per_day: DecimalText
    final_omeq_mg_per_day: DecimalText
    last_change_date: datetime.date
    suggestions: list[CodedOut]
    excluded_lines: list[dict[str, str]]
    steps: list[StepOut]


class EventOut(Schema):
    occurred_at: datetime.datetime
    by: str | None
    from_status: str
    to_status: str
    reason: str


class PlanOut(PreviewOut):
    id: int
    patient_id: uuid.UUID
    status: str
    version_number: int
    previous_plan_id: int | None
    course_id: int | None
    step_percent: DecimalText
    step_basis: str
    target: dict[str, Any]
    catalogue: dict[str, str]
    created_at: datetime.datetime
    created_by: str | None
    ended_on: datetime.date | None
    end_reason: str
    events: list[EventOut]


class PlanSummaryOut(Schema):
    id: int
    status: str
    version_number: int
    start_date: datetime.date
    last_change_date: datetime.date
    baseline_omeq_mg_per_day: DecimalText
    final_omeq_mg_per_day: DecimalText
    created_at: datetime.datetime


class ProblemOut(Schema):
    field: str | None
    message: str


class PlanProblemsOut(Schema):
    detail: list[ProblemOut]
    codes: list[str]
