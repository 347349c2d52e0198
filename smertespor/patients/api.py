"""Patient endpoints. The same rules, selectors and actions as the web pages."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status

from smertespor.accounts.permissions import can_see_patient_data
from smertespor.accounts.requests import SignedInRequest
from smertespor.audit.models import AuditEvent
from smertespor.audit.services import record_listed
from smertespor.entry.doors import performs
from smertespor.entry.problems import MEDIA_TYPE
from smertespor.entry.rules import requires
from smertespor.patients import actions
from smertespor.patients.access import patient_for
from smertespor.patients.models import Patient
from smertespor.patients.schemas import (
    AccessEventOut,
    HistoryVersionOut,
    PatientCreateIn,
    PatientOut,
    PatientPage,
    PatientUpdateIn,
    RegistrationSentOut,
    SearchIn,
)
from smertespor.patients.selectors import PatientSort, access_log_for, search_patients
from smertespor.patients.services import SENT_FOR_REVIEW, RegistrationLimitReached
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

router = Router(tags=["patients"])

PAGE_SIZE = 50


def _page(request: SignedInRequest, query: str, sort: PatientSort, page: int) -> dict[str, object]:
    paginator = Paginator(search_patients(user=request.user, query=query, sort=sort), PAGE_SIZE)
    current = paginator.get_page(page)
    record_listed(
        user=request.user,
        patients=current.object_list,
        object_type="patient_search" if query else "patient_list",
    )
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": list(current.object_list),
    }


@router.get("", response=PatientPage, url_name="patients_list")
@requires(can_see_patient_data)
def list_patients(
    request: SignedInRequest, page: int = 1, sort: PatientSort = "name"
) -> dict[str, object]:
    """The patients you may see, paginated. Search with POST /search (keeps CPR out of URLs)."""
    return _page(request, "", sort, max(page, 1))


@router.post("/search", response=PatientPage, url_name="patients_search")
@requires(can_see_patient_data)
def search(request: SignedInRequest, payload: SearchIn) -> dict[str, object]:
    return _page(request, payload.query, payload.sort, payload.page)


@router.post(
    "",
    response={201: PatientOut, 202: RegistrationSentOut},
    url_name="patients_create",
    openapi_extra={
        "responses": {
            "429": {
                "description": "Too many registrations by this user within the hour.",
                "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
        }
    },
)
@performs(actions.register_patient)
def create_patient(request: SignedInRequest, payload: PatientCreateIn) -> Status[object]:
    """201 with the new patient; 202 when the registration was sent for review (the same
    answer for any CPR number it is given for); 429 over the hourly limit."""
    try:
        patient = actions.register_patient(user=request.user, **payload.dict())
    except RegistrationLimitReached as error:
        raise HttpError(429, str(error)) from None
    if patient is None:
        return Status(202, {"status": "sent_for_review", "message": str(SENT_FOR_REVIEW)})
    return Status(201, patient)


@router.get(
    "/{patient_id}",
    response=PatientOut,
    url_name="patients_detail",
    openapi_extra=VERSIONED_READ,
)
def get_patient(request: SignedInRequest, response: HttpResponse, patient_id: str) -> Patient:
    patient = patient_for(request.user, patient_id)
    send_etag(response, patient)
    return patient


@router.patch(
    "/{patient_id}",
    response=PatientOut,
    url_name="patients_update",
    openapi_extra=versioned_write(),
)
@performs(actions.edit_patient)
def patch_patient(
    request: SignedInRequest, response: HttpResponse, patient_id: str, payload: PatientUpdateIn
) -> Patient:
    """Change the name or contact details; `If-Match` names the version read (its ETag)."""
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    patient = actions.edit_patient(
        user=request.user,
        patient_id=patient_id,
        expected_version=if_match(request),
        **changes,
    )
    send_etag(response, patient)
    return patient


@router.get(
    "/{patient_id}/access-log", response=list[AccessEventOut], url_name="patients_access_log"
)
def access_log(request: SignedInRequest, patient_id: str) -> list[AuditEvent]:
    patient = patient_for(request.user, patient_id, object_type="access_log")
    return list(access_log_for(patient)[:500])


@router.get("/{patient_id}/history", response=list[HistoryVersionOut], url_name="patients_history")
def history(request: SignedInRequest, patient_id: str) -> list[object]:
    patient = patient_for(request.user, patient_id, object_type="patient_history")
    return list(patient.history.select_related("history_user").order_by("-history_date"))
