"""Advice objects for tests, made through the services (as the pages and the API make them)."""

from __future__ import annotations

from typing import Any

from smertespor.accounts.models import Organisation, Role, User
from smertespor.advice.article_services import approve_article, start_article, submit_article
from smertespor.advice.models import AdviceRequest, Article
from smertespor.advice.services import ask_for_advice, reply_to_advice_request
from smertespor.patients.models import Patient
from tests.factories import UserFactory

ARTICLE_TEXT = "Switch to one long-acting opioid at fixed times, then reduce by 10 % a month."


def clinic_doctor_of(clinic: Any, username: str = "clinic-doctor") -> Any:
    return UserFactory(username=username, role=Role.CLINIC_DOCTOR, organisation=clinic)


def ask(
    by: User, *, patient: Patient | None = None, clinic: Organisation | None = None, **fields: Any
) -> AdviceRequest:
    values: dict[str, Any] = {
        "subject": "Tapering oxycodone",
        "question": "How fast can we taper?",
        "category": "taper_strategy",
        "urgency": "routine",
    }
    values.update(fields)
    clinic_id = clinic.pk if clinic is not None else None
    return ask_for_advice(by=by, patient=patient, clinic_id=clinic_id, **values)


def answered(
    by: User, clinician: User, *, patient: Patient | None = None, **fields: Any
) -> AdviceRequest:
    advice_request = ask(by, patient=patient, **fields)
    reply_to_advice_request(
        advice_request=advice_request, by=clinician, body="Reduce by 10 % a month.", kind="answer"
    )
    advice_request.refresh_from_db()
    return advice_request


def draft_article(advice_request: AdviceRequest, clinician: Any, **fields: Any) -> Article:
    values = {
        "title": "Tapering long-term oxycodone",
        "body": ARTICLE_TEXT,
        "category": "taper_strategy",
    }
    values.update(fields)
    return start_article(advice_request=advice_request, by=clinician, **values)


def submitted_article(advice_request: AdviceRequest, clinician: Any, **fields: Any) -> Article:
    article = draft_article(advice_request, clinician, **fields)
    return submit_article(article=article, by=clinician, source_request=advice_request)


def published_article(
    advice_request: AdviceRequest, writer: Any, approver: Any, **fields: Any
) -> Article:
    article = submitted_article(advice_request, writer, **fields)
    return approve_article(article=article, by=approver)


def matrix_objects(*, gp: User, clinic: Organisation) -> dict[str, int]:
    """Ids for the URL x persona matrix: a general (patient-free) request from the GP's
    practice, answered by a clinic doctor; articles in each state; an attachment; the GP's
    practice (for telephone advice) and the GP's notification of the answer."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smertespor.advice.models import AdviceAttachment
    from smertespor.notifications.models import Notification

    doctor = clinic_doctor_of(clinic, username="matrix-clinic-doctor")
    advice_request = answered(gp, doctor)
    pdf = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 matrix", content_type="application/pdf")
    reply_to_advice_request(advice_request=advice_request, by=gp, body="Thanks", files=[pdf])
    attachment = AdviceAttachment.objects.filter(message__request=advice_request).get()
    other_writer = clinic_doctor_of(clinic, username="matrix-clinic-doctor-2")
    notification = Notification.objects.get(recipient=gp, kind="advice_answered")
    return {
        "request_id": advice_request.pk,
        "practice_id": advice_request.practice_id,
        "notification_id": notification.pk,
        "attachment_id": attachment.pk,
        "draft_id": draft_article(advice_request, doctor).pk,
        "awaiting_id": submitted_article(advice_request, doctor).pk,
        "published_id": published_article(advice_request, doctor, other_writer).pk,
    }
