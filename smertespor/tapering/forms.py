"""The plan form (target, rate, interval, slow-down, pauses, order, start date and each
line's times of day), the adjustment form and the status form.

The forms only parse: numbers, dates, choices and which fields go together. Whether a pace is
allowed (a step above 0 and at most 50 %, an interval of a day or more, a slow-down, a pause,
a target) is the domain's rule, checked once; its reasons come back at the API's field paths
(`labels.field_path`) and `error_fields` puts them next to these fields."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from domain.tapering import PauseAtStep, PauseBetween
from smertespor.entry.forms import DecimalField, IntegerField
from smertespor.tapering.models import REASON_MAX_LENGTH, StepBasis, TargetKind
from smertespor.tapering.pace import (
    MAX_INTERVAL_DAYS,
    MAX_PAUSE_DAYS,
    MAX_PAUSE_STEP,
    MAX_UNITS_AT_A_TIME,
    Pace,
    step_pause,
)
from smertespor.tapering.regimens import TIMES, PlanLine
from smertespor.tapering.transitions import Action
from smertespor.versions import VersionField

TIME_LABELS = {
    "morning": _("Morning"),
    "noon": _("Noon"),
    "evening": _("Evening"),
    "night": _("Night"),
}
# The API's field paths (labels.field_path) that this form names differently.
FIELD_NAMES = {
    "target.kind": "target_kind",
    "target.omeq_mg_per_day": "target_omeq_mg_per_day",
    "target.product_id": "target_product_id",
    "target.daily_amount": "target_daily_amount",
    "slow_down.below_percent": "slow_down_below_percent",
    "slow_down.step_percent": "slow_down_step_percent",
    "order.0": "reduce_first",
    "order": "reduce_first",
    "pauses": "pause_step",
}


def _number(**kwargs: Any) -> forms.DecimalField:
    return DecimalField(required=False, max_digits=12, decimal_places=4, **kwargs)


class PaceForm(forms.Form):
    target_kind = forms.ChoiceField(
        label=_("Target"),
        choices=TargetKind.choices,
        initial=TargetKind.STOP,
        widget=forms.RadioSelect,
    )
    target_omeq_mg_per_day = _number(label=_("Target OMEQ (mg/day)"))
    target_product_id = forms.ChoiceField(label=_("Product"), required=False, choices=())
    target_daily_amount = _number(label=_("Target amount a day"))
    step_percent = DecimalField(
        label=_("Step (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Each step reduces the OMEQ by up to this share."),
    )
    step_basis = forms.ChoiceField(
        label=_("Share of"), choices=StepBasis.choices, initial=StepBasis.STARTING_DOSE
    )
    interval_days = IntegerField(label=_("Every (days)"), min_value=0, max_value=MAX_INTERVAL_DAYS)
    start_date = forms.DateField(
        label=_("First change on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    slow_down = forms.BooleanField(label=_("Slow down near the end"), required=False)
    slow_down_below_percent = _number(label=_("Below (% of the starting OMEQ)"))
    slow_down_step_percent = _number(label=_("Steps (% of the usual step)"))
    pause_step = IntegerField(
        label=_("Hold step"), required=False, min_value=0, max_value=MAX_PAUSE_STEP
    )
    pause_extra_days = IntegerField(
        label=_("for extra days"), required=False, min_value=0, max_value=MAX_PAUSE_DAYS
    )
    pause_first_day = forms.DateField(
        label=_("No change from"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    pause_last_day = forms.DateField(
        label=_("to"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    reduce_first = forms.ChoiceField(label=_("Reduce first"), required=False, choices=())
    stop_threshold_mg_per_day = _number(
        label=_("Never stop from more than (mg OMEQ/day)"),
        help_text=_(
            "A product whose last step would remove more, or more than a step, is first switched "
            "to a finer one."
        ),
    )

    def __init__(
        self,
        *args: Any,
        products: Sequence[tuple[str, str]] = (),
        scheduled: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        automatic = [("", _("Automatic: as needed, then patches and coarse depots, then the rest"))]
        cast(forms.ChoiceField, self.fields["reduce_first"]).choices = automatic + list(products)
        cast(forms.ChoiceField, self.fields["target_product_id"]).choices = [
            ("", "—"),
            *scheduled,
        ]

    def clean(self) -> dict[str, Any]:
        """Fields that only make sense together: a ticked slow-down needs both its numbers, a
        pause between days needs both days (whether the values are allowed is the domain's)."""
        data = super().clean() or {}
        if data.get("slow_down"):
            for name in ("slow_down_below_percent", "slow_down_step_percent"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
        first, last = data.get("pause_first_day"), data.get("pause_last_day")
        if (first is None) != (last is None):
            missing = "pause_first_day" if first is None else "pause_last_day"
            if missing not in self.errors:
                self.add_error(missing, _("Give both days of the pause, or neither."))
        return data

    def pace(self) -> Pace:
        data = self.cleaned_data
        pauses: list[PauseAtStep | PauseBetween] = []
        at_step = step_pause(data.get("pause_step"), data.get("pause_extra_days"))
        if at_step is not None:
            pauses.append(at_step)
        if data.get("pause_first_day") and data.get("pause_last_day"):
            pauses.append(PauseBetween(data["pause_first_day"], data["pause_last_day"]))
        slow = bool(data.get("slow_down"))
        return Pace(
            start_date=data["start_date"],
            step_percent=data["step_percent"],
            interval_days=data["interval_days"],
            target_kind=data["target_kind"],
            target_omeq_mg_per_day=data.get("target_omeq_mg_per_day"),
            target_product_id=data.get("target_product_id") or "",
            target_daily_amount=data.get("target_daily_amount"),
            step_basis=data.get("step_basis") or StepBasis.STARTING_DOSE,
            slow_down_below_percent=data.get("slow_down_below_percent") if slow else None,
            slow_down_step_percent=data.get("slow_down_step_percent") if slow else None,
            pauses=tuple(pauses),
            order=(data["reduce_first"],) if data.get("reduce_first") else (),
            stop_threshold_mg_per_day=data.get("stop_threshold_mg_per_day"),
        )

    def error_fields(self) -> dict[str, str]:
        """Where a refusal at an API field path shows on this form (for `apply_errors`)."""
        names = dict(FIELD_NAMES)
        for index, pause in enumerate(self.pace().pauses):
            if isinstance(pause, PauseAtStep):
                names[f"pauses.{index}.step"] = "pause_step"
                names[f"pauses.{index}.extra_days"] = "pause_extra_days"
            else:
                names[f"pauses.{index}.first_day"] = "pause_first_day"
                names[f"pauses.{index}.last_day"] = "pause_last_day"
        return names


def pace_initial(pace: Pace) -> dict[str, Any]:
    """Form values for a pace: the defaults, or an old plan's for an adjustment."""
    initial: dict[str, Any] = {
        "target_kind": pace.target_kind,
        "target_omeq_mg_per_day": pace.target_omeq_mg_per_day,
        "target_product_id": pace.target_product_id,
        "target_daily_amount": pace.target_daily_amount,
        "step_percent": pace.step_percent,
        "step_basis": pace.step_basis,
        "interval_days": pace.interval_days,
        "start_date": pace.start_date,
        "slow_down": pace.slow_down_below_percent is not None,
        "slow_down_below_percent": pace.slow_down_below_percent or Decimal(50),
        "slow_down_step_percent": pace.slow_down_step_percent or Decimal(50),
        "reduce_first": pace.order[0] if pace.order else "",
        "stop_threshold_mg_per_day": pace.stop_threshold_mg_per_day,
    }
    for pause in pace.pauses:
        if isinstance(pause, PauseAtStep):
            initial.update(pause_step=pause.step, pause_extra_days=pause.extra_days)
        else:
            initial.update(pause_first_day=pause.first_day, pause_last_day=pause.last_day)
    return initial


class PlanForm(PaceForm):
    """A new plan: the pace, and each scheduled line's units at each time of day."""

    def __init__(self, *args: Any, lines: Sequence[PlanLine] = (), **kwargs: Any) -> None:
        products: dict[str, str] = {}
        scheduled: dict[str, str] = {}
        for line in lines:
            name = line.name or line.product_id
            products.setdefault(line.product_id, name)
            if not line.is_prn:
                scheduled.setdefault(line.product_id, name)
        super().__init__(
            *args, products=list(products.items()), scheduled=list(scheduled.items()), **kwargs
        )
        self.lines = list(lines)
        self.schedule_rows: list[tuple[PlanLine, list[forms.BoundField]]] = []
        for line in self.lines:
            if line.is_prn or line.source_line_id is None:
                continue
            names = []
            for time in TIMES:
                name = f"line_{line.source_line_id}_{time}"
                self.fields[name] = DecimalField(
                    label=TIME_LABELS[time],
                    required=False,
                    min_value=0,
                    max_value=MAX_UNITS_AT_A_TIME,
                    max_digits=5,
                    decimal_places=2,
                    initial=line.schedule.get(time),
                    widget=forms.NumberInput(attrs={"step": "0.5", "class": "units"}),
                )
                names.append(name)
            self.schedule_rows.append((line, [self[n] for n in names]))

    def schedules(self) -> dict[int, dict[str, Decimal]]:
        chosen: dict[int, dict[str, Decimal]] = {}
        for line, fields in self.schedule_rows:
            assert line.source_line_id is not None  # noqa: S101 - rows are list lines
            units = {}
            for time, field in zip(TIMES, fields, strict=True):
                value = self.cleaned_data.get(field.name)
                if value:
                    units[time] = value
            chosen[line.source_line_id] = units
        return chosen


class AdjustForm(PaceForm):
    reason = forms.CharField(
        label=_("Why adjust"),
        required=False,  # the service asks for one (reason_required), as the API does
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()


class StatusForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, a.value) for a in Action])
    version = VersionField()
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
