"""Template helpers for the pathway: wording of events and stages, and the patient page's
pathway panel."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from smertespor.pathways import labels
from smertespor.pathways.models import Enrolment
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import has_records

register = template.Library()


@register.filter
def pathway_event(kind: object) -> str:
    return labels.event_name(str(kind))


@register.filter
def stage_name(code: object, enrolment: Enrolment) -> str:
    stage = enrolment.pathway.definition.stage(str(code))
    return stage.name if stage is not None else str(code)


@register.filter
def level_name(code: object, enrolment: Enrolment) -> str:
    level = enrolment.pathway.definition.level(str(code))
    return level.name if level is not None else str(code)


@register.filter
def part_state(state: object) -> str:
    return {
        "active": _("Under way"),
        "expected": _("Expected"),
        "ended": _("Ended"),
        "not_started": _("Not started"),
    }.get(str(state), str(state))


@register.inclusion_tag("pathways/_panel.html", takes_context=True)
def pathway_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    """The patient page's pathway panel. The page's view loaded `patient` through
    `patients.access` (and audited it); this only reads the patient's enrolment."""
    from smertespor.pathways.views import pathway_context

    request = context.get("request")
    user = getattr(request, "user", None)
    found = pathway_context(user, patient, enrolled=has_records(patient, "pathways"))
    found["timeline"] = found.get("timeline", [])[:4]
    found["request"] = request
    return found
