"""Reads of patient data. A search returns its criteria (CPR masked) for the caller to log
with the patients it shows (`record_listed(..., search=...)`)."""

import re
from typing import Literal

from django.db.models import Count, QuerySet

from smertespor.accounts.models import Organisation, Requester
from smertespor.audit.logging import mask_cpr
from smertespor.audit.models import AuditEvent
from smertespor.audit.services import Search
from smertespor.patients.access import decidable_requests, in_scope, visible_patients
from smertespor.patients.models import CareRelation, Patient, RegistrationRequest

_DIGITS = re.compile(r"^[\d\s-]+$")
PatientSort = Literal["name", "-name", "birth_date", "-birth_date"]
# Each order ends with the primary key, so a page boundary between two patients of the same
# name (or birth date) is the same on every request: no row is shown twice or skipped.
SORTS: dict[PatientSort, tuple[str, ...]] = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "birth_date": ("birth_date", "name", "pk"),
    "-birth_date": ("-birth_date", "name", "pk"),
}


def _masked_query(query: str) -> str:
    if _DIGITS.match(query):
        digits = re.sub(r"\D", "", query)
        return digits[:6] + ("-****" if len(digits) > 6 else "")
    return mask_cpr(query)


def patient_sort(value: object) -> PatientSort:
    """The sort a page's link asked for, or by name for anything else."""
    return next((sort for sort in SORTS if sort == value), "name")


def search_patients(
    *, user: Requester, query: str = "", sort: PatientSort = "name"
) -> tuple[QuerySet[Patient], Search]:
    """Patients in ``user``'s scope matching a name or (part of) a CPR number, and the search
    to log with the patients shown (``record_listed(..., search=...)``: one INSERT)."""
    query = query.strip()
    patients = visible_patients(user).select_related("listed_practice")
    if query and _DIGITS.match(query):
        patients = patients.filter(cpr__startswith=re.sub(r"\D", "", query))
    elif query:
        for word in query.split():
            patients = patients.filter(name__icontains=word)
    search = Search("patient", {"query": _masked_query(query), "sort": sort})
    return patients.order_by(*SORTS[sort]), search


def access_log_for(patient: Patient) -> QuerySet[AuditEvent]:
    """Who has looked at (or was refused) this record, newest first."""
    return patient.audit_events.select_related("organisation", "user").order_by("-sequence")


def practices_by_patient_count() -> list[tuple[Organisation, int]]:
    """Every general practice and how many patients it lists, most first (an aggregate)."""
    listed = dict(
        Patient.objects.order_by()
        .values("listed_practice")
        .annotate(count=Count("pk"))
        .values_list("listed_practice", "count")
    )
    practices = Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE).order_by("name")
    return sorted(((p, listed.get(p.pk, 0)) for p in practices), key=lambda row: -row[1])


def patient_count() -> int:
    return Patient.objects.count()


def pending_registration_requests(
    user: Requester, *, patient: Patient | None = None
) -> QuerySet[RegistrationRequest]:
    """The pending registration requests ``user`` decides (for one patient if given), the
    oldest first."""
    requests = decidable_requests(user).filter(status=RegistrationRequest.Status.PENDING)
    if patient is not None:
        requests = requests.filter(patient=patient)
    return requests.select_related("patient", "practice").order_by("requested_at", "pk")


def has_open_care_relation(patient: Patient, organisation_id: int | None) -> bool:
    """Whether ``organisation_id`` treats ``patient`` now (an open care relation)."""
    return (
        organisation_id is not None
        and CareRelation.objects.filter(
            patient=patient, organisation_id=organisation_id, closed_at__isnull=True
        ).exists()
    )


# Added for the home page ("I dag"):
def practice_patients(user: Requester) -> QuerySet[Patient]:
    """The patients listed at the user's practice that the user may see (not logged here:
    the caller logs what it shows)."""
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        return Patient.objects.none()
    return Patient.objects.filter(in_scope(user), listed_practice_id=organisation_id)
