"""Patient endpoints. Same access rules, selectors and services as the web pages."""

import uuid
from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from smertespor.accounts.permissions import can_see_patient_data
from smertespor.audit.services import AuditAction, record_event
from smertespor.patients.access import patient_for, patient_for_change
from smertespor.patients.models import Patient
from smertespor.patients.selectors import SORTS, access_log_for, search_patients
from smertespor.patients.services import register_patient, update_patient

router = Router(tags=["patients"])

ShortText = Annotated[str, Field(max_length=200)]


class PatientOut(Schema):
    id: uuid.UUID
    cpr: str
    name: str
    birth_date: date
    sex: str
    listed_practice_id: int
    listed_practice_name: str
    address: str
    phone: str
    email: str

    @staticmethod
    def resolve_listed_practice_name(obj: Patient) -> str:
        return obj.listed_practice.name


class PatientPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PatientOut]


class PatientCreateIn(Schema):
    cpr: Annotated[str, Field(max_length=11)]
    name: ShortText
    address: ShortText = ""
    phone: Annotated[str, Field(max_length=20)] = ""
    email: Annotated[str, Field(max_length=254)] = ""


class PatientUpdateIn(Schema):
    name: ShortText | None = None
    address: ShortText | None = None
    phone: Annotated[str, Field(max_length=20)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None


class SearchIn(Schema):
    query: Annotated[str, Field(max_length=100)] = ""
    sort: str = "name"
    page: Annotated[int, Field(ge=1)] = 1


class AccessEventOut(Schema):
    occurred_at: datetime
    username: str
    role: str
    organisation: str | None
    action: str
    object_type: str

    @staticmethod
    def resolve_organisation(obj: object) -> str | None:
        organisation = getattr(obj, "organisation", None)
        return organisation.name if organisation else None


class HistoryVersionOut(Schema):
    history_date: datetime
    history_type: str
    changed_by: str | None
    name: str
    address: str
    phone: str
    email: str

    @staticmethod
    def resolve_changed_by(obj: object) -> str | None:
        user = getattr(obj, "history_user", None)
        return user.username if user else None


PAGE_SIZE = 50


def _require_patient_access(request: HttpRequest) -> None:
    if not can_see_patient_data(request.user):
        record_event(user=request.user, action=AuditAction.REFUSED, object_type="api_patients")
        raise PermissionDenied


def _page(request: HttpRequest, query: str, sort: str, page: int) -> dict[str, object]:
    paginator = Paginator(
        search_patients(user=request.user, query=query, sort=sort if sort in SORTS else "name"),
        PAGE_SIZE,
    )
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": list(current.object_list),
    }


@router.get("", response=PatientPage, url_name="patients_list")
def list_patients(request: HttpRequest, page: int = 1, sort: str = "name") -> dict[str, object]:
    """The patients you may see, paginated. Search with POST /search (keeps CPR out of URLs)."""
    _require_patient_access(request)
    return _page(request, "", sort, max(page, 1))


@router.post("/search", response=PatientPage, url_name="patients_search")
def search(request: HttpRequest, payload: SearchIn) -> dict[str, object]:
    _require_patient_access(request)
    return _page(request, payload.query, payload.sort, payload.page)


@router.post("", response={201: PatientOut}, url_name="patients_create")
def create_patient(request: HttpRequest, payload: PatientCreateIn) -> Status[Patient]:
    return Status(201, register_patient(by=request.user, **payload.dict()))


@router.get("/{patient_id}", response=PatientOut, url_name="patients_detail")
def get_patient(request: HttpRequest, patient_id: str) -> Patient:
    return patient_for(request.user, patient_id)


@router.patch("/{patient_id}", response=PatientOut, url_name="patients_update")
def patch_patient(request: HttpRequest, patient_id: str, payload: PatientUpdateIn) -> Patient:
    patient = patient_for_change(request.user, patient_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return update_patient(by=request.user, patient=patient, **changes)


@router.get(
    "/{patient_id}/access-log", response=list[AccessEventOut], url_name="patients_access_log"
)
def access_log(request: HttpRequest, patient_id: str) -> list[object]:
    patient = patient_for(request.user, patient_id, object_type="access_log")
    return list(access_log_for(patient)[:500])


@router.get("/{patient_id}/history", response=list[HistoryVersionOut], url_name="patients_history")
def history(request: HttpRequest, patient_id: str) -> list[object]:
    patient = patient_for(request.user, patient_id, object_type="patient_history")
    return list(patient.history.select_related("history_user").order_by("-history_date"))
