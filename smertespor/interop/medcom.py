"""Correspondence as FHIR message Bundles shaped like MedCom's (CareCommunication and the
draft referral model): a MessageHeader naming sender and receiver by SOR code, then the
Communication or ServiceRequest, the Patient and both Organizations. Plain functions.

Shaped like, not conformant to: the codes are Smertespor's own (docs/interop.md says what
certification would need). The rules MedCom states are kept: a category is mandatory,
priority only with the category "regarding referral", attachments PDF or images only and
at most 50 MB in all, and every message is acknowledged.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from dataclasses import dataclass, field

from smertespor.interop import codes
from smertespor.interop.fhir_export import (
    Resource,
    organization_resource,
    patient_resource,
    reference,
    validated,
)
from smertespor.interop.records import OrganisationRecord, PatientRecord

MESSAGE_EVENT = f"{codes.BASE}/CodeSystem/message-event"
# MedCom's own code system for CareCommunication categories (DK MedCom Terminology); the four
# codes used here are among its codes.
CATEGORY = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-careCommunication-categoryCodes"
# The categories Smertespor's letters use, named as in CareCommunication.
CATEGORIES = frozenset({"regarding-referral", "carecoordination", "discharge", "other"})
PRIORITIES = frozenset({"routine", "asap"})
ATTACHMENT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/tiff"})
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


class MessageRefused(ValueError):
    """The letter breaks a rule of the message standard; ``code`` says which."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Attachment:
    title: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Letter:
    """One letter between two organisations about one patient."""

    id: str
    event: str  # handover-letter, discharge-summary, referral, supplement-request
    category: str
    title: str
    text: str
    sent_at: datetime.datetime
    sender: OrganisationRecord
    receiver: OrganisationRecord
    patient: PatientRecord
    priority: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    in_response_to: str | None = None  # the id of the letter this one answers
    based_on_referral: str | None = None  # the referral (ServiceRequest) it is about


def _check(letter: Letter) -> None:
    if letter.category not in CATEGORIES:
        raise MessageRefused(f"Unknown category {letter.category!r}.", "category_unknown")
    if letter.priority is not None:
        if letter.category != "regarding-referral":
            raise MessageRefused(
                "Priority is allowed only with the category regarding-referral.",
                "priority_not_allowed",
            )
        if letter.priority not in PRIORITIES:
            raise MessageRefused(f"Unknown priority {letter.priority!r}.", "priority_unknown")
    for attachment in letter.attachments:
        if attachment.content_type not in ATTACHMENT_TYPES:
            raise MessageRefused(
                f"{attachment.title}: only PDF and images may be attached.", "attachment_type"
            )
    if sum(len(a.data) for a in letter.attachments) > MAX_ATTACHMENT_BYTES:
        raise MessageRefused("Attachments may be at most 50 MB in all.", "attachments_too_large")
    for organisation in (letter.sender, letter.receiver):
        if not organisation.sor_code:
            raise MessageRefused(f"{organisation.name} has no SOR code.", "sor_missing")


def _sor_endpoint(organisation: OrganisationRecord) -> str:
    return f"urn:oid:{codes.SOR.removeprefix('urn:oid:')}:{organisation.sor_code}"


def _entry(resource: Resource) -> Resource:
    return {
        "fullUrl": f"{codes.BASE}/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
    }


def _header(
    header_id: str, event: str, sender: OrganisationRecord, receiver: OrganisationRecord
) -> Resource:
    return {
        "resourceType": "MessageHeader",
        "id": header_id,
        "eventCoding": {"system": MESSAGE_EVENT, "code": event},
        "destination": [
            {
                "endpoint": _sor_endpoint(receiver),
                "receiver": reference("Organization", receiver.id),
            }
        ],
        "sender": reference("Organization", sender.id),
        "source": {"endpoint": _sor_endpoint(sender), "software": "Smertespor"},
    }


def _message_bundle(letter: Letter, header: Resource, focus: list[Resource]) -> Resource:
    resources = [
        header,
        *focus,
        patient_resource(letter.patient),
        organization_resource(letter.sender),
        organization_resource(letter.receiver),
    ]
    return validated(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{codes.BASE}/letter/{letter.id}")),
            "type": "message",
            "timestamp": letter.sent_at.isoformat(),
            "entry": [_entry(validated(r)) for r in resources],
        }
    )


def care_communication_message(letter: Letter) -> Resource:
    """A letter (handover, discharge summary, supplement request) as a message Bundle."""
    _check(letter)
    payload: list[Resource] = [{"contentString": letter.text}]
    payload += [
        {
            "contentAttachment": {
                "contentType": a.content_type,
                "title": a.title,
                "size": len(a.data),
                "data": base64.b64encode(a.data).decode("ascii"),
            }
        }
        for a in letter.attachments
    ]
    communication: Resource = {
        "resourceType": "Communication",
        "id": letter.id,
        "status": "completed",
        "category": [{"coding": [{"system": CATEGORY, "code": letter.category}]}],
        "subject": reference("Patient", letter.patient.id),
        "topic": {"text": letter.title},
        "sent": letter.sent_at.isoformat(),
        "sender": reference("Organization", letter.sender.id),
        "recipient": [reference("Organization", letter.receiver.id)],
        "payload": payload,
    }
    if letter.priority:
        communication["priority"] = letter.priority
    if letter.in_response_to:
        communication["inResponseTo"] = [reference("Communication", letter.in_response_to)]
    if letter.based_on_referral:
        communication["basedOn"] = [reference("ServiceRequest", letter.based_on_referral)]
    header = _header(f"{letter.id}-header", letter.event, letter.sender, letter.receiver)
    header["focus"] = [reference("Communication", letter.id)]
    return _message_bundle(letter, header, [communication])


def referral_message(letter: Letter, reason_code: str = "", reason_text: str = "") -> Resource:
    """A referral as a message Bundle with a ServiceRequest (MedCom's draft referral model)."""
    _check(letter)
    request: Resource = {
        "resourceType": "ServiceRequest",
        "id": letter.id,
        "status": "active",
        "intent": "order",
        "category": [{"coding": [{"system": CATEGORY, "code": letter.category}]}],
        "code": {"text": letter.title},
        "subject": reference("Patient", letter.patient.id),
        "authoredOn": letter.sent_at.isoformat(),
        "requester": reference("Organization", letter.sender.id),
        "performer": [reference("Organization", letter.receiver.id)],
        "note": [{"text": letter.text}],
    }
    if letter.priority:
        request["priority"] = letter.priority
    if reason_code:
        request["reasonCode"] = [
            {"coding": [{"system": codes.ICD10, "code": reason_code}], "text": reason_text}
        ]
    header = _header(f"{letter.id}-header", letter.event, letter.sender, letter.receiver)
    header["focus"] = [reference("ServiceRequest", letter.id)]
    return _message_bundle(letter, header, [request])


def acknowledgement_message(
    message: Resource, *, accepted: bool, at: datetime.datetime, detail: str = ""
) -> Resource:
    """The receiver's answer to a message: its MessageHeader's id, ok or fatal-error, from
    the receiver back to the sender."""
    [first, *_rest] = message["entry"]
    original = first["resource"]
    header: Resource = {
        "resourceType": "MessageHeader",
        "id": f"{original['id']}-ack",
        "eventCoding": {"system": MESSAGE_EVENT, "code": "acknowledgement"},
        "destination": [
            {"endpoint": original["source"]["endpoint"], "receiver": original["sender"]}
        ],
        "sender": original["destination"][0]["receiver"],
        "source": {"endpoint": original["destination"][0]["endpoint"]},
        "response": {
            "identifier": original["id"],
            "code": "ok" if accepted else "fatal-error",
        },
    }
    entries = [_entry(validated(header))]
    if detail:
        outcome_id = f"{original['id']}-outcome"
        outcome: Resource = {
            "resourceType": "OperationOutcome",
            "id": outcome_id,
            "issue": [
                {
                    "severity": "information" if accepted else "error",
                    "code": "informational" if accepted else "processing",
                    "diagnostics": detail,
                }
            ],
        }
        header["response"]["details"] = reference("OperationOutcome", outcome_id)
        entries = [_entry(validated(header)), _entry(validated(outcome))]
    return validated(
        {
            "resourceType": "Bundle",
            "id": f"{message['id']}-ack",
            "type": "message",
            "timestamp": at.isoformat(),
            "entry": entries,
        }
    )
