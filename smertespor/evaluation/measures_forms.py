"""The small form on the region dashboard that recomputes a month's measures."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from smertespor.evaluation.measures_work import check_month


class MonthInput(forms.DateInput):
    input_type = "month"


class ComputeForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=MonthInput(format="%Y-%m"),
        error_messages={"invalid": _("Enter a month as YYYY-MM.")},
    )

    def clean_month(self) -> datetime.date:
        month: datetime.date = self.cleaned_data["month"]
        return check_month(month)
