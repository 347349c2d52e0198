"""The plan form (target, rate, interval, slow-down, pauses, order, start date and each
line's times of day), the adjustment form and the status form. Fields check what they can
on their own; the domain checks the rest and its reasons come back next to these fields."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from domain.tapering import MAX_STEP_PERCENT, PauseAtStep, PauseBetween, TaperErrorCode
from smertespor.tapering.labels import TAPER_ERROR_MESSAGES, fill
from smertespor.tapering.models import REASON_MAX_LENGTH, StepBasis, TargetKind
from smertespor.tapering.pace import Pace
from smertespor.tapering.regimens import TIMES, PlanLine
from smertespor.tapering.transitions import Action

TIME_LABELS = {
    "morning": _("Morning"),
    "noon": _("Noon"),
    "evening": _("Evening"),
    "night": _("Night"),
}
MAX_INTERVAL_DAYS = 365
MAX_UNITS_AT_A_TIME = Decimal(20)


def _number(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(required=False, max_digits=12, decimal_places=4, **kwargs)


class PaceForm(forms.Form):
    target_kind = forms.ChoiceField(
        label=_("Target"),
        choices=TargetKind.choices,
        initial=TargetKind.STOP,
        widget=forms.RadioSelect,
    )
    target_omeq_mg_per_day = _number(label=_("Target OMEQ (mg/day)"), min_value=0)
    target_product_id = forms.ChoiceField(label=_("Product"), required=False, choices=())
    target_daily_amount = _number(label=_("Target amount a day"), min_value=0)
    step_percent = forms.DecimalField(
        label=_("Step (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Each step reduces the OMEQ by up to this share."),
    )
    step_basis = forms.ChoiceField(
        label=_("Share of"), choices=StepBasis.choices, initial=StepBasis.STARTING_DOSE
    )
    interval_days = forms.IntegerField(label=_("Every (days)"))
    start_date = forms.DateField(
        label=_("First change on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    slow_down = forms.BooleanField(label=_("Slow down near the end"), required=False)
    slow_down_below_percent = _number(label=_("Below (% of the starting OMEQ)"))
    slow_down_step_percent = _number(label=_("Steps (% of the usual step)"))
    pause_step = forms.IntegerField(label=_("Hold step"), required=False, min_value=1)
    pause_extra_days = forms.IntegerField(label=_("for extra days"), required=False, min_value=1)
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

    def __init__(
        self,
        *args: Any,
        products: Sequence[tuple[str, str]] = (),
        scheduled: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        automatic = [("", _("Automatic: as needed, then short-acting, then depot"))]
        self.fields["reduce_first"].choices = automatic + list(products)
        self.fields["target_product_id"].choices = [("", "—"), *scheduled]

    def clean_step_percent(self) -> Decimal:
        value: Decimal = self.cleaned_data["step_percent"]
        if not 0 < value <= MAX_STEP_PERCENT:
            template = TAPER_ERROR_MESSAGES[TaperErrorCode.STEP_SIZE_OUT_OF_RANGE]
            raise forms.ValidationError(
                fill(template, {"percent": str(value), "maximum": str(MAX_STEP_PERCENT)})
            )
        return value

    def clean_interval_days(self) -> int:
        value: int = self.cleaned_data["interval_days"]
        if value < 1:
            template = TAPER_ERROR_MESSAGES[TaperErrorCode.INTERVAL_TOO_SHORT]
            raise forms.ValidationError(fill(template, {"days": str(value)}))
        if value > MAX_INTERVAL_DAYS:
            raise forms.ValidationError(
                _("The interval is at most %(days)s days.") % {"days": MAX_INTERVAL_DAYS}
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("target_kind")
        if kind == TargetKind.OMEQ and data.get("target_omeq_mg_per_day") is None:
            self.add_error("target_omeq_mg_per_day", _("Give the target OMEQ."))
        if kind == TargetKind.DOSE:
            if not data.get("target_product_id"):
                self.add_error("target_product_id", _("Choose the product."))
            if data.get("target_daily_amount") is None:
                self.add_error("target_daily_amount", _("Give the target amount a day."))
        if data.get("slow_down"):
            below, factor = data.get("slow_down_below_percent"), data.get("slow_down_step_percent")
            if below is None or not 0 < below < 100:
                self.add_error(
                    "slow_down_below_percent", _("Give a share above 0 and below 100 %.")
                )
            if factor is None or not 0 < factor <= 100:
                self.add_error("slow_down_step_percent", _("Give a share above 0 and up to 100 %."))
        if (data.get("pause_step") is None) != (data.get("pause_extra_days") is None):
            self.add_error("pause_step", _("Give both the step and the extra days, or neither."))
        first, last = data.get("pause_first_day"), data.get("pause_last_day")
        if (first is None) != (last is None):
            self.add_error("pause_first_day", _("Give both days of the pause, or neither."))
        elif first is not None and last is not None and last < first:
            self.add_error("pause_last_day", _("The pause cannot end before it begins."))
        return data

    def pace(self) -> Pace:
        data = self.cleaned_data
        pauses: list[PauseAtStep | PauseBetween] = []
        if data.get("pause_step") and data.get("pause_extra_days"):
            pauses.append(PauseAtStep(data["pause_step"], data["pause_extra_days"]))
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
        )


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
                self.fields[name] = forms.DecimalField(
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
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StatusForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, a.value) for a in Action])
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
