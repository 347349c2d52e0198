"""The handover letter and the discharge summary as MedCom-shaped message Bundles, for
download from the course they belong to (read through the patient scope, audited as an
export), each with the receiver's acknowledgement as it would come back."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone

from smertespor.accounts.models import Requester
from smertespor.audit.services import AuditAction
from smertespor.centres.models import DischargeSummary as CentreDischargeSummary
from smertespor.entry.rules import require
from smertespor.interop.export_selectors import organisation_record, patient_record
from smertespor.interop.medcom import (
    Attachment,
    Letter,
    acknowledgement_message,
    care_communication_message,
    referral_message,
)
from smertespor.interop.permissions import can_export_records
from smertespor.patients.access import patient_for
from smertespor.referrals.models import Referral, ReferralAttachment, ReferralCommunication
from smertespor.tracks.models import DischargeSummary, Handover


def _handover_letter(handover: Handover) -> Letter:
    course = handover.course
    parts = [handover.reason, handover.gp_comment]
    if handover.expected_duration:
        parts.append(f"Forventet varighed: {handover.expected_duration}")
    if handover.planned_follow_up:
        parts.append(f"Planlagt opfølgning: {handover.planned_follow_up}")
    return Letter(
        id=f"handover-{handover.pk}",
        event="handover-letter",
        category="carecoordination",
        title="Overdragelse til smerteklinikkens hospitalsspor",
        text="\n\n".join(part for part in parts if part),
        sent_at=handover.proposed_at,
        sender=organisation_record(course.responsible_organisation),
        receiver=organisation_record(handover.clinic),
        patient=patient_record(course.patient),
    )


def _discharge_letter(summary: DischargeSummary) -> Letter:
    course = summary.course
    parts = [summary.summary, summary.medication_at_discharge, summary.recommendations]
    if summary.omeq_at_discharge_mg_per_day is not None:
        omeq = summary.omeq_at_discharge_mg_per_day.quantize(1)
        parts.append(f"OMEQ ved afslutning: {omeq} mg/døgn ({summary.omeq_table})")
    return Letter(
        id=f"discharge-{summary.pk}",
        event="discharge-summary",
        category="discharge",
        title="Epikrise fra smerteklinikken",
        text="\n\n".join(part for part in parts if part),
        sent_at=summary.written_at,
        sender=organisation_record(course.responsible_organisation),
        receiver=organisation_record(summary.sent_to),
        patient=patient_record(course.patient),
    )


def _centre_discharge_letter(summary: CentreDischargeSummary) -> Letter:
    course = summary.course
    parts = [
        summary.course_summary,
        summary.plan_after,
        summary.municipality_continues,
        summary.physiotherapy_continues,
    ]
    if summary.omeq_at_discharge_mg_per_day is not None:
        omeq = summary.omeq_at_discharge_mg_per_day.quantize(1)
        parts.append(f"OMEQ ved afslutning: {omeq} mg/døgn ({summary.omeq_table})")
    return Letter(
        id=f"centre-discharge-{summary.pk}",
        event="discharge-summary",
        category="discharge",
        title="Epikrise fra smertecentret",
        text="\n\n".join(part for part in parts if part),
        sent_at=summary.sent_at,
        sender=organisation_record(course.centre),
        receiver=organisation_record(summary.sent_to),
        patient=patient_record(course.patient),
    )


def _attachment(stored: ReferralAttachment) -> Attachment:
    with stored.file.open("rb") as handle:
        return Attachment(stored.original_name, stored.content_type, handle.read())


def _referral_messages(referral: Referral) -> list[dict[str, Any]]:
    """The referral, then each request for information and each supplement in its thread."""
    practice = organisation_record(referral.practice)
    centre = organisation_record(referral.recipient)
    patient = patient_record(referral.patient)
    parts = [referral.question, referral.history, referral.gp_expectations]
    letter = Letter(
        id=f"referral-{referral.pk}",
        event="referral",
        category="regarding-referral",
        title="Henvisning til tværfagligt smertecenter",
        text="\n\n".join(part for part in parts if part),
        sent_at=referral.sent_at or referral.created_at,
        sender=practice,
        receiver=centre,
        patient=patient,
        priority="asap" if referral.priority == "urgent" else "routine",
    )
    messages = [referral_message(letter, referral.diagnosis_code, referral.diagnosis_text)]
    dialogue = ReferralCommunication.objects.filter(
        referral=referral,
        kind__in=[
            ReferralCommunication.Kind.INFORMATION_REQUEST,
            ReferralCommunication.Kind.SUPPLEMENT,
        ],
    ).order_by("created_at", "pk")
    for message in dialogue.prefetch_related("attachments"):
        from_practice = message.side == "practice"
        attachments = tuple(_attachment(a) for a in message.attachments.order_by("pk"))
        messages.append(
            care_communication_message(
                Letter(
                    id=f"referralmessage-{message.pk}",
                    event="supplement" if from_practice else "supplement-request",
                    category="regarding-referral",
                    title=str(message.get_kind_display()),
                    text=message.body,
                    sent_at=message.created_at,
                    sender=practice if from_practice else centre,
                    receiver=centre if from_practice else practice,
                    patient=patient,
                    based_on_referral=letter.id,
                    attachments=attachments,
                )
            )
        )
    return messages


def letter_messages(
    *, user: Requester, patient_id: object, kind: str, letter_id: int
) -> dict[str, Any]:
    """The message Bundle and its acknowledgement: ``{"message": ..., "acknowledgement": ...}``.
    404 for a letter that is not this patient's (or a patient out of scope)."""
    require(user, can_export_records, object_type="medcom_message")
    patient = patient_for(
        user,
        patient_id,
        action=AuditAction.EXPORT,
        object_type="medcom_message",
        detail={"kind": kind, "id": letter_id},
    )
    if kind == "referral":
        referral = (
            Referral.objects.select_related("practice", "recipient", "patient")
            .filter(pk=letter_id, patient=patient)
            .exclude(status="draft")
            .first()
        )
        if referral is None:
            raise Http404
        now = timezone.now()
        messages = _referral_messages(referral)
        return {
            "messages": messages,
            "acknowledgements": [
                acknowledgement_message(m, accepted=True, at=now) for m in messages
            ],
        }
    if kind == "handover":
        handover = (
            Handover.objects.select_related("course__patient", "course__responsible_organisation")
            .filter(pk=letter_id, course__patient=patient)
            .first()
        )
        if handover is None:
            raise Http404
        letter = _handover_letter(handover)
    elif kind == "centre_discharge":
        centre_summary = (
            CentreDischargeSummary.objects.select_related(
                "course__patient", "course__centre", "sent_to"
            )
            .filter(pk=letter_id, course__patient=patient)
            .first()
        )
        if centre_summary is None:
            raise Http404
        letter = _centre_discharge_letter(centre_summary)
    else:
        summary = (
            DischargeSummary.objects.select_related("course__patient", "sent_to")
            .filter(pk=letter_id, course__patient=patient)
            .first()
        )
        if summary is None:
            raise Http404
        letter = _discharge_letter(summary)
    message = care_communication_message(letter)
    ack = acknowledgement_message(message, accepted=True, at=timezone.now())
    return {"message": message, "acknowledgement": ack}
