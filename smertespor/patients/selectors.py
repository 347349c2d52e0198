"""Reads of patient data. Every search is logged with its criteria (CPR masked)."""

import re
from typing import Any

from django.db.models import QuerySet

from smertespor.audit.logging import mask_cpr
from smertespor.audit.services import AuditAction, record_event
from smertespor.patients.access import visible_patients
from smertespor.patients.models import Patient

_DIGITS = re.compile(r"^[\d\s-]+$")
SORTS = {
    "name": ("name",),
    "-name": ("-name",),
    "birth_date": ("birth_date", "name"),
    "-birth_date": ("-birth_date", "name"),
}


def _masked_query(query: str) -> str:
    if _DIGITS.match(query):
        digits = re.sub(r"\D", "", query)
        return digits[:6] + ("-****" if len(digits) > 6 else "")
    return mask_cpr(query)


def search_patients(*, user: Any, query: str = "", sort: str = "name") -> QuerySet[Patient]:
    """Patients in ``user``'s scope matching a name or (part of) a CPR number."""
    query = query.strip()
    patients = visible_patients(user).select_related("listed_practice")
    if query and _DIGITS.match(query):
        patients = patients.filter(cpr__startswith=re.sub(r"\D", "", query))
    elif query:
        for word in query.split():
            patients = patients.filter(name__icontains=word)
    record_event(
        user=user,
        action=AuditAction.SEARCH,
        object_type="patient",
        detail={"query": _masked_query(query), "sort": sort if sort in SORTS else "name"},
    )
    return patients.order_by(*SORTS.get(sort, SORTS["name"]))


def access_log_for(patient: Patient) -> QuerySet[Any]:
    """Who has looked at (or was refused) this record, newest first."""
    return patient.audit_events.select_related("organisation").order_by("-sequence")
