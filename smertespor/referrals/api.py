"""Referral endpoints (/api/referrals): drafts, sending, the thread and every triage step.

Each write calls the same action (`referrals.actions`) as the page that does it, so the
rules, the validation and the messages are the same; errors are problem details. Writes to
a referral name the version read in `If-Match` (its GET's `ETag`). Drafts and messages take
JSON, or a multipart form with `attachments` (PDF, PNG, JPEG).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from ninja import Router
from ninja.responses import Status

from smertespor.accounts.models import User
from smertespor.accounts.requests import SignedInRequest
from smertespor.advice.api import Attachments, json_or_multipart, payload_of
from smertespor.audit.services import record_listed
from smertespor.entry.doors import performs
from smertespor.entry.rules import require, requires
from smertespor.entry.schemas import Id
from smertespor.referrals import actions
from smertespor.referrals.access import referral_for
from smertespor.referrals.labels import (
    criteria_definitions,
    criteria_rows,
    criteria_version_payload,
    missing_criteria,
)
from smertespor.referrals.models import Referral, ReferralAttachment, ReferralCommunication
from smertespor.referrals.permissions import (
    can_refer,
    can_see_criteria_versions,
    can_see_referral_counts,
    can_use_referrals,
)
from smertespor.referrals.schemas import (
    CriteriaVersionIn,
    CriteriaVersionOut,
    ReferralAcceptIn,
    ReferralAppointmentIn,
    ReferralCountsOut,
    ReferralCriteriaOut,
    ReferralDetailOut,
    ReferralDraftChangeIn,
    ReferralDraftIn,
    ReferralForwardIn,
    ReferralMessageIn,
    ReferralMessageOut,
    ReferralOut,
    ReferralPage,
    ReferralRecipientOut,
    ReferralRejectIn,
    ReferralRequestInformationIn,
    ReferralSendIn,
    ReferralWithdrawIn,
)
from smertespor.referrals.selectors import (
    REFERRAL_FILTERS,
    criteria_versions,
    current_criteria_version,
    referral_attachments,
    referral_counts_for,
    referral_recipients,
    referrals_for,
    tasks_of,
    thread_of,
)
from smertespor.referrals.services import CONTENT_FIELDS, missing_content
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

router = Router(tags=["referrals"])
PAGE_SIZE = 50


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def referral_out(referral: Referral) -> dict[str, Any]:
    visible = getattr(referral, "patient_visible", True)
    return {
        "id": referral.pk,
        "status": referral.status,
        "priority": referral.priority,
        "patient_id": referral.patient_id if visible else None,
        "patient_name": referral.patient.name if visible else None,
        "practice": referral.practice.name,
        "referred_by": _name(referral.referred_by),
        "recipient_id": referral.recipient_id,
        "recipient": referral.recipient.name,
        "created_at": referral.created_at,
        "sent_at": referral.sent_at,
        "flagged": referral.is_flagged,
        "triage_priority": referral.triage_priority,
        "expected_wait_weeks": referral.expected_wait_weeks,
        "first_appointment_at": referral.first_appointment_at,
        "closed_at": referral.closed_at,
    }


def _attachment_out(attachment: ReferralAttachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
    }


def detail_out(referral: Referral) -> dict[str, Any]:
    return {
        **referral_out(referral),
        "content": {field: getattr(referral, field) for field in CONTENT_FIELDS},
        "criteria_version": referral.criteria_version,
        "criteria_version_id": referral.criteria_definition_id,
        "criteria": criteria_rows(referral),
        "missing_criteria": missing_criteria(referral),
        "missing_content": missing_content(referral) if referral.is_draft else [],
        "criteria_exception_reason": referral.criteria_exception_reason,
        "snapshot": referral.snapshot,
        "tasks": [
            {
                "event": task.event,
                "from_status": task.from_status,
                "to_status": task.to_status,
                "by": _name(task.by),
                "organisation": task.organisation.name,
                "at": task.at,
                "reason": task.reason,
                "rejection_reason": task.rejection_reason,
                "advice_to_gp": task.advice_to_gp,
                "forwarded_to": task.forwarded_to.name if task.forwarded_to else None,
                "priority": task.priority,
                "expected_wait_weeks": task.expected_wait_weeks,
                "appointment_at": task.appointment_at,
            }
            for task in tasks_of(referral)
        ],
        "attachments": [_attachment_out(a) for a in referral_attachments(referral)],
    }


def message_out(message: ReferralCommunication) -> dict[str, Any]:
    return {
        "id": message.pk,
        "side": message.side,
        "kind": message.kind,
        "author": _name(message.author),
        "body": message.body,
        "created_at": message.created_at,
        "attachments": [_attachment_out(a) for a in message.attachments.all()],
    }


def _content(payload: ReferralDraftIn | ReferralDraftChangeIn) -> dict[str, Any]:
    return {field: getattr(payload, field) for field in CONTENT_FIELDS}


def _criteria(payload: ReferralDraftIn | ReferralDraftChangeIn) -> dict[str, Any] | None:
    if payload.criteria is None:
        return None
    return {code: answer.dict() for code, answer in payload.criteria.items()}


# --- reading ---------------------------------------------------------------------------------


@router.get("", response=ReferralPage, url_name="referrals_list")
def list_referrals(request: SignedInRequest, show: str = "open", page: int = 1) -> dict[str, Any]:
    """Your practice's referrals, or your centre's worklist (`show`: open, triage,
    awaiting_information, accepted, closed, drafts, all; unknown values mean open)."""
    require(request.user, can_use_referrals, object_type="api_referrals")
    items = referrals_for(request.user, show=show if show in REFERRAL_FILTERS else "open")
    paginator = Paginator(items, PAGE_SIZE)
    current = paginator.get_page(max(page, 1))
    rows = [referral_out(r) for r in current.object_list]
    record_listed(
        user=request.user,
        patients=[row["patient_id"] for row in rows if row["patient_id"]],
        object_type="referrals",
    )
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": rows,
    }


@router.get("/criteria", response=ReferralCriteriaOut, url_name="referrals_criteria")
def criteria(request: SignedInRequest) -> dict[str, Any]:
    """The specialty-plan criteria the checklist is evaluated against (data, with version)."""
    require(request.user, can_use_referrals, object_type="api_referrals")
    return criteria_definitions()


@router.get("/recipients", response=list[ReferralRecipientOut], url_name="referrals_recipients")
def recipients(request: SignedInRequest) -> list[dict[str, Any]]:
    """The pain centres and pain clinics of your region."""
    require(request.user, can_refer, object_type="api_referrals")
    return [{"id": o.pk, "name": o.name, "kind": o.kind} for o in referral_recipients(request.user)]


@router.get("/counts", response=ReferralCountsOut, url_name="referrals_counts")
def counts(request: SignedInRequest) -> dict[str, Any]:
    """Counts only, no patient: the region's for planners, a centre's own for its staff."""
    require(request.user, can_see_referral_counts, object_type="referral_counts")
    figures = referral_counts_for(request.user)
    return {
        "total_sent": figures.total_sent,
        "flagged": figures.flagged,
        "by_status": [{"code": c, "label": label, "count": n} for c, label, n in figures.by_status],
        "by_recipient": [
            {"code": "", "label": name, "count": n} for name, n in figures.by_recipient
        ],
    }


@router.get(
    "/{referral_id}",
    response=ReferralDetailOut,
    url_name="referrals_detail",
    openapi_extra=VERSIONED_READ,
)
def get_referral(
    request: SignedInRequest, response: HttpResponse, referral_id: Id
) -> dict[str, Any]:
    referral = referral_for(request.user, referral_id)
    send_etag(response, referral)
    return detail_out(referral)


@router.get(
    "/{referral_id}/messages", response=list[ReferralMessageOut], url_name="referrals_messages"
)
def list_messages(request: SignedInRequest, referral_id: Id) -> list[dict[str, Any]]:
    referral = referral_for(request.user, referral_id)
    return [message_out(m) for m in thread_of(referral)]


# --- the GP's side ---------------------------------------------------------------------------


@router.post(
    "",
    response={201: ReferralDetailOut},
    url_name="referrals_create",
    openapi_extra=json_or_multipart(ReferralDraftIn),
)
@performs(actions.draft_referral)
def create_referral(
    request: SignedInRequest, response: HttpResponse, attachments: Attachments = None
) -> Status[dict[str, Any]]:
    """Start a referral of a patient listed at your practice: saved as a draft."""
    payload = payload_of(request, ReferralDraftIn)
    referral = actions.draft_referral(
        user=request.user,
        patient_id=payload.patient_id,
        recipient_id=payload.recipient_id,
        content=_content(payload),
        criteria=_criteria(payload),
        files=attachments or [],
    )
    send_etag(response, referral)
    return Status(201, detail_out(referral))


@router.put(
    "/{referral_id}",
    response=ReferralDetailOut,
    url_name="referrals_change",
    openapi_extra=versioned_write(),
)
@performs(actions.change_referral_draft)
def change_referral(
    request: SignedInRequest,
    response: HttpResponse,
    referral_id: Id,
    payload: ReferralDraftChangeIn,
) -> dict[str, Any]:
    """Replace the draft's content (a sent referral cannot change: 422)."""
    referral = actions.change_referral_draft(
        user=request.user,
        referral_id=referral_id,
        recipient_id=payload.recipient_id,
        content=_content(payload),
        criteria=_criteria(payload),
        expected_version=if_match(request),
    )
    send_etag(response, referral)
    return detail_out(referral)


@router.post(
    "/{referral_id}/send",
    response=ReferralDetailOut,
    url_name="referrals_send",
    openapi_extra=versioned_write(),
)
@performs(actions.send_referral)
def send(
    request: SignedInRequest, response: HttpResponse, referral_id: Id, payload: ReferralSendIn
) -> dict[str, Any]:
    """Send the draft. Missing mandatory content is a 422 naming the fields; a criterion not
    met or unknown needs `exception_reason` (the referral is then flagged to the centre)."""
    referral = actions.send_referral(
        user=request.user,
        referral_id=referral_id,
        exception_reason=payload.exception_reason,
        expected_version=if_match(request),
    )
    send_etag(response, referral)
    return detail_out(referral)


@router.post(
    "/{referral_id}/withdraw",
    response=ReferralOut,
    url_name="referrals_withdraw",
    openapi_extra=versioned_write(),
)
@performs(actions.withdraw_referral)
def withdraw(
    request: SignedInRequest, response: HttpResponse, referral_id: Id, payload: ReferralWithdrawIn
) -> dict[str, Any]:
    referral = actions.withdraw_referral(
        user=request.user,
        referral_id=referral_id,
        reason=payload.reason,
        expected_version=if_match(request),
    )
    send_etag(response, referral)
    return referral_out(referral)


@router.post(
    "/{referral_id}/messages",
    response={201: ReferralMessageOut},
    url_name="referrals_messages_create",
    openapi_extra={**json_or_multipart(ReferralMessageIn), **versioned_write(201)},
)
@performs(actions.write_referral_message)
def create_message(
    request: SignedInRequest,
    response: HttpResponse,
    referral_id: Id,
    attachments: Attachments = None,
) -> Status[dict[str, Any]]:
    """Write in the thread (either side). The GP's message while the centre awaits
    information is the supplement: the referral returns to triage. Closed: 422."""
    payload = payload_of(request, ReferralMessageIn)
    message = actions.write_referral_message(
        user=request.user,
        referral_id=referral_id,
        body=payload.body,
        files=attachments or [],
        expected_version=if_match(request),
    )
    send_etag(response, message.referral)
    return Status(201, message_out(message))


# --- the centre's side -----------------------------------------------------------------------


@router.post(
    "/{referral_id}/triage",
    response=ReferralOut,
    url_name="referrals_triage",
    openapi_extra=versioned_write(),
)
@performs(actions.start_triage)
def triage(request: SignedInRequest, response: HttpResponse, referral_id: Id) -> dict[str, Any]:
    """Start triage (the GP sees "in triage")."""
    referral = actions.start_triage(
        user=request.user, referral_id=referral_id, expected_version=if_match(request)
    )
    send_etag(response, referral)
    return referral_out(referral)


@router.post(
    "/{referral_id}/information-request",
    response=ReferralOut,
    url_name="referrals_request_information",
    openapi_extra=versioned_write(),
)
@performs(actions.request_information)
def information_request(
    request: SignedInRequest,
    response: HttpResponse,
    referral_id: Id,
    payload: ReferralRequestInformationIn,
) -> dict[str, Any]:
    """Ask the GP for supplementary information; the referral waits for the answer."""
    referral = actions.request_information(
        user=request.user,
        referral_id=referral_id,
        question=payload.question,
        expected_version=if_match(request),
    )
    send_etag(response, referral)
    return referral_out(referral)


@router.post(
    "/{referral_id}/accept",
    response=ReferralOut,
    url_name="referrals_accept",
    openapi_extra=versioned_write(),
)
@performs(actions.accept_referral)
def accept(
    request: SignedInRequest, response: HttpResponse, referral_id: Id, payload: ReferralAcceptIn
) -> dict[str, Any]:
    referral = actions.accept_referral(
        user=request.user,
        referral_id=referral_id,
        priority=payload.priority,
        expected_wait_weeks=payload.expected_wait_weeks,
        note=payload.note,
        expected_version=if_match(request),
    )
    send_etag(response, referral)
    return referral_out(referral)


@router.post(
    "/{referral_id}/reject",
    response=ReferralOut,
    url_name="referrals_reject",
    openapi_extra=versioned_write(),
)
@performs(actions.reject_referral)
def reject(
    request: SignedInRequest, response: HttpResponse, referral_id: Id, payload: ReferralRejectIn
) -> dict[str, Any]:
    """Reject (indication, capacity or wrong track) with advice to the GP."""
    referral = actions.reject_referral(
        user=request.user,
        referral_id=referral_id,
        rejection_reason=payload.rejection_reason,
        advice_to_gp=payload.advice_to_gp,
        expected_version=if_match(request),
    )
    send_etag(response, referral)
    return referral_out(referral)


@router.post(
    "/{referral_id}/forward",
    response=ReferralOut,
    url_name="referrals_forward",
    openapi_extra=versioned_write(),
)
@performs(actions.forward_referral)
def forward(
    request: SignedInRequest, response: HttpResponse, referral_id: Id, payload: ReferralForwardIn
) -> dict[str, Any]:
    """Forward to another centre or clinic of the region (your centre loses access)."""
    referral = actions.forward_referral(
        user=request.user,
        referral_id=referral_id,
        to_id=payload.to_id,
        reason=payload.reason,
        expected_version=if_match(request),
    )
    send_etag(response, referral)
    return referral_out(referral)


@router.post(
    "/{referral_id}/first-appointment",
    response=ReferralOut,
    url_name="referrals_first_appointment",
    openapi_extra=versioned_write(),
)
@performs(actions.book_first_appointment)
def first_appointment(
    request: SignedInRequest,
    response: HttpResponse,
    referral_id: Id,
    payload: ReferralAppointmentIn,
) -> dict[str, Any]:
    referral = actions.book_first_appointment(
        user=request.user,
        referral_id=referral_id,
        at=payload.at,
        expected_version=if_match(request),
    )
    send_etag(response, referral)
    return referral_out(referral)


@router.get(
    "/criteria/versions",
    response=list[CriteriaVersionOut],
    url_name="referrals_criteria_versions",
)
@requires(can_see_criteria_versions)
def list_criteria_versions(request: SignedInRequest) -> list[dict[str, Any]]:
    """Every published version of the referral criteria, newest (the one referrals are
    judged on) first (planners and administrators)."""
    current = current_criteria_version()
    return [criteria_version_payload(v, current) for v in criteria_versions()]


@router.post(
    "/criteria/versions",
    response={201: CriteriaVersionOut},
    url_name="referrals_criteria_publish",
)
@performs(actions.publish_criteria_version)
def publish_criteria_version(
    request: SignedInRequest, payload: CriteriaVersionIn
) -> Status[dict[str, Any]]:
    """Publish a new version of the referral criteria (administrators). The file is checked
    whole: any problem is a 422 naming each, a version number already published is a 422,
    and nothing is saved. Referrals already sent keep the version they were judged on."""
    stored = actions.publish_criteria_version(
        user=request.user, text=payload.text, note=payload.note
    )
    return Status(201, criteria_version_payload(stored, stored))
