"""Template helpers for OMEQ: a dose for reading (`mg`; other numbers use `{% load numbers %}`),
the names of substances and routes, the patient page's summary panel, the patient list's
OMEQ column (`page.object_list|with_latest_omeq`, one query per page), and the sign-off page's
rules, outcomes and standings."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
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


@register.simple_tag
def omeq_cell(omeq: Any) -> SafeString:
    """A list row's OMEQ: the maximum (in red from the high-dose threshold), with the
    scheduled part when as-needed doses add to it; "?" when the active table cannot compute it.
    A tag, not an include: the patient list draws one a row."""
    if omeq is None:
        return format_html('<span class="omeq-cell">{}</span>', "—")
    if not omeq.is_computable:
        return format_html(
            '<span class="omeq-cell"><span title="{}">?</span></span>',
            _("OMEQ cannot be computed with the active table"),
        )
    shown = format_html(
        '<span class="high">{}</span>' if "high_dose" in omeq.warning_codes else "<span>{}</span>",
        mg(omeq.max_mg_per_day),
    )
    if omeq.max_mg_per_day != omeq.scheduled_mg_per_day:
        scheduled = _("%(scheduled)s scheduled") % {"scheduled": mg(omeq.scheduled_mg_per_day)}
        shown = format_html('{} <small class="muted">({})</small>', shown, scheduled)
    return format_html('<span class="omeq-cell">{}</span>', shown)


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
