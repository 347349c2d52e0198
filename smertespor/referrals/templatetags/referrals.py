"""The patient page's referral panel: the status of each referral the reader takes part in,
at all times (received, in triage, accepted or rejected, first appointment, discharged);
the GP's home page section of referrals that need them; and `user|can_see_criteria_versions`
for the link to the criteria's versions."""

from __future__ import annotations

from typing import Any

from django import template

from smertespor.patients.models import Patient
from smertespor.referrals.permissions import (
    can_refer_patient,
    can_see_criteria_versions,
    can_use_referrals,
)
from smertespor.referrals.selectors import referrals_shown

register = template.Library()
register.filter("can_see_criteria_versions", can_see_criteria_versions)


@register.inclusion_tag("referrals/_patient_panel.html", takes_context=True)
def referral_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    """The page's view loaded `patient` through `patients.access` (and audited it)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_use_referrals(user):
        return {"patient": patient, "referrals": [], "can_refer": False, "hidden": True}
    return {
        "patient": patient,
        "referrals": referrals_shown(user, patient)[:10],
        "can_refer": can_refer_patient(user, patient),
        "hidden": False,
    }
