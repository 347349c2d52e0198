"""Template helpers for advice: the patient page's panel and snapshot timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import formats, timezone

from smertespor.advice.permissions import can_ask_about, can_use_advice
from smertespor.advice.selectors import advice_requests_shown
from smertespor.patients.models import Patient

register = template.Library()


@register.filter
def iso_datetime(value: Any) -> str:
    """A snapshot's ISO timestamp in the reader's locale and time zone."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return str(formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT"))


@register.inclusion_tag("advice/_patient_panel.html", takes_context=True)
def advice_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    """The patient page's advice panel. The page's view loaded `patient` through
    `patients.access` (and audited it); this lists the requests the reader takes part in and
    offers to ask when `can_ask_about` (the same rule the action applies) says so."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_use_advice(user):
        return {"patient": patient, "requests": [], "can_ask": False, "hidden": True}
    return {
        "patient": patient,
        "requests": advice_requests_shown(user, patient)[:10],
        "can_ask": can_ask_about(user, patient),
        "hidden": False,
    }
