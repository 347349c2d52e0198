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
from smertespor.entry.schemas import Id
from smertespor.patients import actions
from smertespor.patients.access import can_decide_registrations, patient_for
from smertespor.patients.models import Patient, RegistrationRequest
from smertespor.patients.schemas import (
    AccessEventOut,
    HistoryVersionOut,
    PatientCreateIn,
    PatientOut,
    PatientPage,
    PatientUpdateIn,
    RegistrationDecisionIn,
    RegistrationRequestOut,
    RegistrationSentOut,
    SearchIn,
    TimelinePage,
)
from smertespor.patients.selectors import (
    PatientSort,
    access_log_for,
    pending_registration_requests,
    search_patients,
)
from smertespor.patients.services import SENT_FOR_REVIEW, RegistrationLimitReached
from smertespor.patients.timeline import EntryKind, patient_timeline
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

router = Router(tags=["patients"])

PAGE_SIZE = 50


def _page(request: SignedInRequest, query: str, sort: PatientSort, page: int) -> dict[str, object]:
    patients, search = search_patients(user=request.user, query=query, sort=sort)
    paginator = Paginator(patients, PAGE_SIZE)
    current = paginator.get_page(page)
    record_listed(
        user=request.user,
        patients=current.object_list,
        object_type="patient_search" if query else "patient_list",
        search=search,
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


# Before "/{patient_id}": these paths would otherwise be read as a patient id.
@router.get(
    "/registration-requests",
    response=list[RegistrationRequestOut],
    url_name="patients_registration_requests",
)
@requires(can_decide_registrations)
def registration_requests(request: SignedInRequest) -> list[RegistrationRequest]:
    """The pending registration requests for the patients listed at your practice (practice
    staff): another practice registered their CPR number. Decide each with `/transfer` (the
    patient has moved there) or `/decline`, naming its `version` in If-Match."""
    requests = list(pending_registration_requests(request.user)[:500])
    record_listed(
        user=request.user,
        patients=[item.patient_id for item in requests],
        object_type="registration_request",
    )
    return requests


@router.post(
    "/registration-requests/{registration_request_id}/transfer",
    response=RegistrationRequestOut,
    url_name="patients_registration_request_transfer",
    openapi_extra=versioned_write(),
)
@performs(actions.transfer_listing)
def transfer_listing(
    request: SignedInRequest,
    response: HttpResponse,
    registration_request_id: Id,
    payload: RegistrationDecisionIn,
) -> RegistrationRequest:
    """The patient has moved to the requesting practice: list them there (with a reason)."""
    decided = actions.transfer_listing(
        user=request.user,
        request_id=registration_request_id,
        reason=payload.reason,
        expected_version=if_match(request),
    )
    send_etag(response, decided)
    return decided


@router.post(
    "/registration-requests/{registration_request_id}/decline",
    response=RegistrationRequestOut,
    url_name="patients_registration_request_decline",
    openapi_extra=versioned_write(),
)
@performs(actions.decline_registration)
def decline_registration(
    request: SignedInRequest,
    response: HttpResponse,
    registration_request_id: Id,
    payload: RegistrationDecisionIn,
) -> RegistrationRequest:
    """Decline the request (with a reason); the patient stays listed where they are."""
    decided = actions.decline_registration(
        user=request.user,
        request_id=registration_request_id,
        reason=payload.reason,
        expected_version=if_match(request),
    )
    send_etag(response, decided)
    return decided


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


TIMELINE_PAGE_SIZE = 50


@router.get("/{patient_id}/timeline", response=TimelinePage, url_name="patients_timeline")
def timeline(
    request: SignedInRequest, patient_id: str, kind: EntryKind | None = None, page: int = 1
) -> dict[str, object]:
    """What happened to the patient, newest first, as the patient page's timeline shows it
    (of one kind if given): medication and OMEQ changes, taper plans and their steps,
    visits with their scores, advice, courses with handover and discharge, referrals and the
    pain centre, the low back pain pathway. Each entry's `url` is the page that shows it."""
    patient = patient_for(request.user, patient_id, object_type="patient_timeline")
    paginator = Paginator(patient_timeline(request.user, patient, kind=kind), TIMELINE_PAGE_SIZE)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": list(current.object_list),
    }
