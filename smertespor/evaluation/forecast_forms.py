"""The scenario form: the clinic's slots and the three changes to compare (validated at the
boundary; Django's own messages say what is wrong, in Danish)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

LIMITS = {
    "slots_per_month": (0, 1000),
    "success_points": (0, 50),
    "early_handover_cut_percent": (0, 100),
    "extra_slots": (0, 500),
    "runs": (100, 20_000),
    "seed": (0, 2**31 - 1),
}


def _field(
    name: str, label: StrOrPromise, help_text: StrOrPromise = "", initial: int = 0
) -> forms.IntegerField:
    low, high = LIMITS[name]
    return forms.IntegerField(
        label=label, help_text=help_text, min_value=low, max_value=high, initial=initial
    )


class ForecastForm(forms.Form):
    slots_per_month = _field(
        "slots_per_month",
        _("Clinic slots per month"),
        _("New hospital-track courses the clinic can start each month."),
    )
    success_points = _field(
        "success_points",
        _("More teaching: practice-track success up by (percentage points)"),
        initial=10,
    )
    early_handover_cut_percent = _field(
        "early_handover_cut_percent",
        _("Faster advice: fewer early handovers (%)"),
        initial=50,
    )
    extra_slots = _field("extra_slots", _("More clinic slots: extra slots per month"), initial=5)
    runs = _field("runs", _("Simulated runs"), _("More runs give steadier bands."), initial=1000)
    seed = _field("seed", _("Seed"), _("The same seed gives the same forecast."), initial=1)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["slots_per_month"].initial = settings.FORECAST_DEFAULT_SLOTS_PER_MONTH
