"""The taper plan API's request and response schemas. Numbers are read as in the medication
API (a JSON number or an exact decimal string) and written as exact decimal strings; every
coded field lists its values in the OpenAPI schema."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from domain.catalogue import Form
from domain.tapering import (
    NoteCode,
    PauseAtStep,
    PauseBetween,
    StepKind,
    SuggestionCode,
    SwitchReason,
    TimeOfDay,
)
from smertespor.entry.schemas import DecimalText, ExactNumber, Id, one_of
from smertespor.tapering.models import REASON_MAX_LENGTH, StepBasis, TargetKind
from smertespor.tapering.models import Status as PlanStatus
from smertespor.tapering.pace import (
    MAX_INTERVAL_DAYS,
    MAX_PAUSE_DAYS,
    MAX_PAUSE_STEP,
    MAX_UNITS_AT_A_TIME,
    Pace,
    step_pause,
)
from smertespor.tapering.regimens import TIMES, ExcludedReason
from smertespor.tapering.transitions import Action

TargetKindCode = Annotated[TargetKind, one_of(TargetKind.values)]
StepBasisCode = Annotated[
    StepBasis, one_of(StepBasis.values, "A step's share of the starting or of the current OMEQ.")
]
ActionCode = Annotated[Action, one_of(a.value for a in Action)]
StatusCode = Annotated[PlanStatus, one_of(PlanStatus.values)]
TimeCode = Annotated[TimeOfDay, one_of(t.value for t in TimeOfDay)]
StepKindCode = Annotated[StepKind, one_of(k.value for k in StepKind)]
FormCode = Annotated[Form, one_of(f.value for f in Form)]
NoteCodeOut = Annotated[NoteCode, one_of(c.value for c in NoteCode)]
SuggestionCodeOut = Annotated[SuggestionCode, one_of(c.value for c in SuggestionCode)]
ExcludedReasonCode = Annotated[ExcludedReason, one_of(r.value for r in ExcludedReason)]
SwitchReasonCode = Annotated[SwitchReason, one_of(r.value for r in SwitchReason)]
ProductId = Annotated[str, Field(max_length=64)]
Units = Annotated[ExactNumber, Field(ge=0, le=MAX_UNITS_AT_A_TIME)]
Reason = Annotated[str, Field(max_length=REASON_MAX_LENGTH)]


class TargetIn(Schema):
    kind: TargetKindCode = TargetKind.STOP
    omeq_mg_per_day: ExactNumber | None = None
    product_id: ProductId = ""
    daily_amount: ExactNumber | None = None


class SlowDownIn(Schema):
    below_percent: ExactNumber = Field(description="Slower below this % of the starting OMEQ.")
    step_percent: ExactNumber = Field(description="The slower steps, as % of the usual step.")


class PauseIn(Schema):
    """One pause: hold `step` for `extra_days` more days, or no change from `first_day` to
    `last_day`."""

    step: Annotated[int, Field(ge=0, le=MAX_PAUSE_STEP)] | None = None
    extra_days: Annotated[int, Field(ge=0, le=MAX_PAUSE_DAYS)] | None = None
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None


class ScheduleIn(Schema):
    """A medication line's units at each time of day (instead of the default placing)."""

    line_id: Id
    morning: Units = Decimal(0)
    noon: Units = Decimal(0)
    evening: Units = Decimal(0)
    night: Units = Decimal(0)


def _pauses(pauses: list[PauseIn]) -> tuple[PauseAtStep | PauseBetween, ...]:
    """The pauses asked for, in order (a refusal names `pauses.<i>`); a pause that is of
    neither kind or of both, or has one of its two days, is refused at its field."""
    parsed: list[PauseAtStep | PauseBetween] = []
    errors: dict[str, ValidationError] = {}
    for index, pause in enumerate(pauses):
        by_step = pause.step is not None or pause.extra_days is not None
        by_days = pause.first_day is not None or pause.last_day is not None
        if by_step == by_days:
            errors[f"pauses.{index}"] = ValidationError(
                _("Give either a step and extra days, or two days, in one pause."), code="invalid"
            )
        elif by_days and (pause.first_day is None or pause.last_day is None):
            missing = "first_day" if pause.first_day is None else "last_day"
            errors[f"pauses.{index}.{missing}"] = ValidationError(
                _("Give both days of the pause, or neither."), code="required"
            )
        elif pause.first_day is not None and pause.last_day is not None:
            parsed.append(PauseBetween(pause.first_day, pause.last_day))
        elif (at_step := step_pause(pause.step, pause.extra_days)) is not None:
            parsed.append(at_step)
    if errors:
        raise ValidationError(errors)
    return tuple(parsed)


class PaceIn(Schema):
    """The pace of a plan. Left out: the defaults (for a new plan 10 % of the starting dose
    every 28 days from today, steps halved below half the start; for an adjustment the old
    plan's pace from its next change); send `"slow_down": null` for no slow-down."""

    target: TargetIn = Field(default_factory=TargetIn)
    step_percent: ExactNumber | None = None
    step_basis: StepBasisCode | None = None
    interval_days: Annotated[int, Field(ge=0, le=MAX_INTERVAL_DAYS)] | None = None
    start_date: datetime.date | None = None
    slow_down: SlowDownIn | None = None
    pauses: Annotated[list[PauseIn], Field(max_length=20)] = []
    order: Annotated[list[ProductId], Field(max_length=10)] = []
    stop_threshold_mg_per_day: ExactNumber | None = Field(
        default=None,
        description="Never stop a product from more than this OMEQ a day (left out: the "
        "region's setting, 30 by default); a coarser stop is avoided by a switch to a finer "
        "product, or the plan is refused.",
    )

    def pace(self, defaults: Pace) -> Pace:
        """The pace asked for, with `defaults` for what was left out."""
        given = self.model_fields_set
        if "slow_down" in given:
            below = self.slow_down.below_percent if self.slow_down else None
            factor = self.slow_down.step_percent if self.slow_down else None
        else:
            below, factor = defaults.slow_down_below_percent, defaults.slow_down_step_percent
        target = self.target if "target" in given else None
        return Pace(
            start_date=self.start_date or defaults.start_date,
            step_percent=defaults.step_percent if self.step_percent is None else self.step_percent,
            interval_days=defaults.interval_days
            if self.interval_days is None
            else self.interval_days,
            target_kind=target.kind if target else defaults.target_kind,
            target_omeq_mg_per_day=target.omeq_mg_per_day
            if target
            else defaults.target_omeq_mg_per_day,
            target_product_id=target.product_id if target else defaults.target_product_id,
            target_daily_amount=target.daily_amount if target else defaults.target_daily_amount,
            step_basis=self.step_basis or defaults.step_basis,
            slow_down_below_percent=below,
            slow_down_step_percent=factor,
            pauses=_pauses(self.pauses) if "pauses" in given else defaults.pauses,
            order=tuple(self.order) if "order" in given else defaults.order,
            stop_threshold_mg_per_day=defaults.stop_threshold_mg_per_day
            if self.stop_threshold_mg_per_day is None
            else self.stop_threshold_mg_per_day,
        )


class PlanIn(PaceIn):
    """A plan from the patient's current medication list."""

    schedules: Annotated[list[ScheduleIn], Field(max_length=50)] = []

    def schedule_map(self) -> dict[int, dict[str, Decimal]] | None:
        if not self.schedules:
            return None
        return {
            s.line_id: {t: getattr(s, t) for t in TIMES if getattr(s, t)} for s in self.schedules
        }


class PlanCreateIn(PlanIn):
    activate: bool = False
    reason: Reason = ""


class AdjustIn(PaceIn):
    """A new version from the dose the patient takes now; the old plan's pace for what is left
    out. A reason is needed."""

    reason: Reason = ""


class StatusIn(Schema):
    action: ActionCode
    reason: Reason = ""


# --- answers -----------------------------------------------------------------------------


class CodedOut(Schema):
    code: str
    params: dict[str, str]
    message: str


class NoteOut(CodedOut):
    code: NoteCodeOut


class SuggestionOut(CodedOut):
    code: SuggestionCodeOut


class VersionOut(Schema):
    id: str
    version: str


class UnitsOut(Schema):
    strength: DecimalText
    label: str
    units: DecimalText


class PrnOut(Schema):
    amount: DecimalText
    units: list[UnitsOut]
    max_doses_per_day: int


class DoseOut(Schema):
    """A product's dose in a step (or at the start), with what a handout needs to describe it."""

    product_id: str
    name: str
    brands: list[str]
    form: FormCode
    unit: str
    dose_unit: str
    patch_change_hours: int | None
    is_prn: bool
    is_every_other_day: bool
    daily_amount: DecimalText
    times: dict[TimeCode, list[UnitsOut]]
    prn: PrnOut | None


class SupplyOut(Schema):
    product_id: str
    name: str
    units: list[UnitsOut]


class ExcludedLineOut(Schema):
    label: str
    reason: ExcludedReasonCode


class StepOut(Schema):
    number: int
    kind: StepKindCode
    start_date: datetime.date
    end_date: datetime.date | None
    days: int | None = Field(
        description="How long the step lasts, pauses included (none for the last step): "
        "longer than the interval where it cuts more than a step (note stretched) or follows "
        "a patch's change days."
    )
    omeq_mg_per_day: DecimalText
    scheduled_omeq_mg_per_day: DecimalText
    percent_of_start: DecimalText
    cut_mg_per_day: DecimalText
    cut_limit_mg_per_day: DecimalText
    pause_days: int
    reduced_product_id: str
    doses: list[DoseOut]
    supply: list[SupplyOut]
    supply_days: int
    notes: list[NoteOut]


class SwitchOut(Schema):
    """A switch to a finer product the plan makes, to be shown before the plan."""

    step: int
    reason: SwitchReasonCode
    from_dose: DoseOut
    to_dose: DoseOut
    from_omeq_mg_per_day: DecimalText
    to_omeq_mg_per_day: DecimalText
    stop_mg_per_day: DecimalText = Field(description="What the old product's stop would cut.")
    limit_mg_per_day: DecimalText = Field(description="The step size at that stop.")
    threshold_mg_per_day: DecimalText
    table: VersionOut
    message: str
    reason_message: str


class PreviewOut(Schema):
    start_date: datetime.date
    interval_days: int
    stop_threshold_mg_per_day: DecimalText | None = Field(
        description="The most a product may be stopped from (none: a plan made before it)."
    )
    switches: list[SwitchOut]
    table: VersionOut
    baseline: list[DoseOut]
    baseline_omeq_mg_per_day: DecimalText
    final_omeq_mg_per_day: DecimalText
    last_change_date: datetime.date
    suggestions: list[SuggestionOut]
    excluded_lines: list[ExcludedLineOut]
    steps: list[StepOut]


class EventOut(Schema):
    occurred_at: datetime.datetime
    by: str | None
    from_status: Literal[""] | StatusCode = Field(description='"" for the plan\'s creation.')
    to_status: StatusCode
    reason: str


class TargetOut(Schema):
    kind: TargetKindCode
    omeq_mg_per_day: DecimalText | None
    product_id: str
    daily_amount: DecimalText | None


class PlanOut(PreviewOut):
    id: int
    patient_id: uuid.UUID
    status: StatusCode
    version_number: int
    # The record's version (not its number among adjustments): the ETag, sent back in
    # If-Match to change its status or adjust it.
    version: int
    previous_plan_id: int | None
    course_id: int | None
    step_percent: DecimalText
    step_basis: StepBasisCode
    target: TargetOut
    catalogue: VersionOut
    created_at: datetime.datetime
    created_by: str | None
    ended_on: datetime.date | None
    end_reason: str
    events: list[EventOut]


class PlanSummaryOut(Schema):
    id: int
    status: StatusCode
    version_number: int
    version: int
    start_date: datetime.date
    last_change_date: datetime.date
    baseline_omeq_mg_per_day: DecimalText
    final_omeq_mg_per_day: DecimalText
    created_at: datetime.datetime
