"""Template helpers for OMEQ: a dose for reading (`mg`; other numbers use `{% load numbers %}`),
the names of substances and routes, the patient page's summary panel, the patient list's
OMEQ column (`page.object_list|with_latest_omeq`, one query per page), and the sign-off page's
rules, outcomes and standings."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from domain.omeq import Outcome, Rule, Standing
from smertespor.medication.labels import (
    OUTCOME_LABELS,
    STANDING_LABELS,
    format_mg,
    route_name,
    rule_summary,
    substance_name,
    unit_label,
)
from smertespor.medication.selectors import (
    attach_latest_omeq,
    catalogue_for_page,
    patient_evaluation,
)

register = template.Library()


@register.filter
def mg(value: Any) -> str:
    """An OMEQ or dose for reading: one decimal at most, in the user's locale."""
    if value is None or value == "":
        return "—"
    return format_mg(value)


@register.filter
def substance(value: str) -> str:
    return substance_name(value or "")


@register.filter
def route(value: Any) -> str:
    return route_name(str(value or ""))


@register.filter
def per_day_unit(unit: Any) -> str:
    """What a factor multiplies: mg/day, mcg/day or mcg/h of patch worn."""
    return {
        "mg": _("mg/day"),
        "mcg": _("mcg/day"),
        "mcg/h": _("mcg/h worn"),
    }.get(str(unit or ""), str(unit or ""))


@register.filter
def rule_factor(rule: Rule | None) -> str:
    """A conversion rule's factor for reading (the sign-off page's before and after)."""
    return rule_summary(rule)


@register.filter
def outcome_label(outcome: Outcome) -> str:
    return str(OUTCOME_LABELS.get(outcome, outcome))


@register.filter
def standing_label(standing: Standing) -> str:
    return str(STANDING_LABELS.get(standing, standing))


@register.filter
def with_latest_omeq(patients: Any) -> list[Any]:
    """Each patient with `.latest_omeq` (the newest snapshot or None); one query in all."""
    return attach_latest_omeq(patients)


@register.inclusion_tag("medication/_omeq_summary.html", takes_context=True)
def omeq_summary(context: template.Context, patient: Any) -> dict[str, Any]:
    """The patient page's medication panel. The page's view loaded `patient` through
    `patients.access` (and audited it); this only reads the patient's lines."""
    return {
        "patient": patient,
        "evaluation": patient_evaluation(patient, catalogue=catalogue_for_page(patient)),
        "request": context.get("request"),
    }


@register.filter
def unit(value: Any) -> str:
    """A strength unit in the user's language ("mcg/h" reads "mikrog/t" in Danish)."""
    return unit_label(str(value or ""))
