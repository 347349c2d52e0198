"""Hospital-contact endpoints. The same rules, selectors and actions as the web pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status

from smertespor.accounts.requests import SignedInRequest
from smertespor.audit.services import record_listed
from smertespor.departments import actions
from smertespor.departments.models import HospitalContact
from smertespor.departments.permissions import can_record_hospital_contacts
from smertespor.departments.schemas import (
    ContactIn,
    ContactOut,
    ContactRecordedOut,
    EndContactIn,
)
from smertespor.departments.selectors import contact_for, open_contacts_for
from smertespor.departments.services import RECORDED
from smertespor.departments.views import LIST_LIMIT
from smertespor.entry.doors import performs
from smertespor.entry.problems import MEDIA_TYPE
from smertespor.entry.rules import requires
from smertespor.entry.schemas import Id
from smertespor.patients.services import RegistrationLimitReached
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

router = Router(tags=["hospital departments"])


def contact_out(contact: HospitalContact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "patient_id": contact.patient_id,
        "patient_name": contact.patient.name,
        "kind": contact.kind,
        "reason": contact.reason,
        "started_on": contact.started_on,
        "recorded_at": contact.recorded_at,
        "ended_on": contact.ended_on,
        "version": contact.version,
    }


@router.get("/contacts", response=list[ContactOut], url_name="departments_contacts")
@requires(can_record_hospital_contacts)
def list_contacts(request: SignedInRequest) -> list[dict[str, Any]]:
    """Your department's open contacts: the patients in its care now (hospital department
    doctors)."""
    contacts = list(open_contacts_for(request.user)[:LIST_LIMIT])
    record_listed(
        user=request.user,
        patients=[contact.patient_id for contact in contacts],
        object_type="hospital_contacts",
    )
    return [contact_out(contact) for contact in contacts]


@router.post(
    "/contacts",
    response={202: ContactRecordedOut},
    url_name="departments_contacts_create",
    openapi_extra={
        "responses": {
            "429": {
                "description": "Too many contacts recorded by this user within the hour.",
                "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
        }
    },
)
@performs(actions.record_hospital_contact)
def record_contact(request: SignedInRequest, payload: ContactIn) -> Status[object]:
    """Take a patient into the department's care (an admission or an outpatient course).
    202 with the same answer whether or not the CPR number and name match a patient in
    Smertespor (a match appears in `GET /contacts`); 422 for invalid input or a patient
    already in the department's care; 429 over the hourly limit."""
    try:
        actions.record_hospital_contact(user=request.user, **payload.dict())
    except RegistrationLimitReached as error:
        raise HttpError(429, str(error)) from None
    return Status(202, {"status": "recorded", "message": str(RECORDED)})


@router.get(
    "/contacts/{contact_id}",
    response=ContactOut,
    url_name="departments_contact_detail",
    openapi_extra=VERSIONED_READ,
)
@requires(can_record_hospital_contacts)
def get_contact(request: SignedInRequest, response: HttpResponse, contact_id: Id) -> Any:
    """One open contact of your department (its `ETag` is the version to end it with)."""
    contact = contact_for(request.user, contact_id)
    send_etag(response, contact)
    return contact_out(contact)


@router.post(
    "/contacts/{contact_id}/end",
    response=ContactOut,
    url_name="departments_contact_end",
    openapi_extra=versioned_write(),
)
@performs(actions.end_hospital_contact)
def end_contact(
    request: SignedInRequest, response: HttpResponse, contact_id: Id, payload: EndContactIn
) -> Any:
    """End the contact: the department's care relation to the patient closes (`If-Match`
    names the version read)."""
    contact = actions.end_hospital_contact(
        user=request.user,
        contact_id=contact_id,
        ended_on=payload.ended_on,
        expected_version=if_match(request),
    )
    send_etag(response, contact)
    return contact_out(contact)
