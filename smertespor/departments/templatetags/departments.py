"""Template helpers for hospital departments: the patient page's contact panel."""

from __future__ import annotations

from typing import Any

from django import template

from smertespor.departments.selectors import open_contacts_of_patient
from smertespor.patients.models import Patient

register = template.Library()


@register.inclusion_tag("departments/_contact_panel.html", takes_context=True)
def contact_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    """The reader's department's open contact with the patient (the page's view loaded the
    patient through `patients.access`); nothing for anyone outside a hospital department."""
    request = context.get("request")
    user = getattr(request, "user", None)
    contacts = open_contacts_of_patient(user, patient) if user is not None else []
    return {"patient": patient, "contacts": contacts}
