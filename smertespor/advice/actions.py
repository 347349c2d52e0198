"""Every advice operation, written once: who may do it, then the service that does it.

The pages, the API and any command call these; each loads what it works on through
`advice.access` / `patients.access` (404 out of scope, audited), refuses with
`entry.rules.require` (403, audited), and leaves validation to the services (422).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.http import Http404

from domain.deidentification import Finding
from smertespor.accounts.models import Organisation, User
from smertespor.advice import article_services, services
from smertespor.advice.access import advice_request_for
from smertespor.advice.models import AdviceMessage, AdviceRequest, Article, Urgency
from smertespor.advice.permissions import (
    can_ask_about,
    can_ask_for_advice,
    can_edit_article,
    can_write_article_from,
    is_advice_clinician,
    side_of,
)
from smertespor.advice.selectors import article_for
from smertespor.entry.rules import require
from smertespor.patients.access import patient_for_change
from smertespor.versions import ExpectedVersion


def ask_for_advice(
    *,
    user: User,
    subject: str,
    question: str,
    category: str,
    urgency: str = Urgency.ROUTINE,
    clinic_id: int | None = None,
    patient_id: object = None,
    course_id: int | None = None,
    files: Sequence[UploadedFile] = (),
) -> AdviceRequest:
    """A practice's question to the pain clinic; about a patient only from the listed practice."""
    require(user, can_ask_for_advice, object_type="advice_request")
    patient = None
    if patient_id is not None:
        patient = patient_for_change(user, patient_id, object_type="advice_request")
        require(
            user,
            can_ask_about(user, patient),
            object_type="advice_request",
            object_id=str(patient.pk),
            patient=patient,
        )
    return services.ask_for_advice(
        by=user,
        subject=subject,
        question=question,
        category=category,
        urgency=urgency,
        clinic_id=clinic_id,
        patient=patient,
        course_id=course_id,
        files=files,
    )


def reply_to_advice_request(
    *,
    user: User,
    request_id: object,
    body: str,
    kind: str | None = None,
    expected_version: ExpectedVersion,
    by_telephone: bool = False,
    files: Sequence[UploadedFile] = (),
) -> AdviceMessage:
    """A message in the thread, from either side of the request (the version read)."""
    advice_request = advice_request_for(user, request_id, change=True)
    return services.reply_to_advice_request(
        advice_request=advice_request,
        by=user,
        body=body,
        kind=kind,
        by_telephone=by_telephone,
        files=files,
        expected_version=expected_version,
    )


def assign_advice_request(
    *,
    user: User,
    request_id: object,
    expected_version: ExpectedVersion,
    assignee_id: int | None = None,
) -> AdviceRequest:
    """The clinic gives the request to a colleague (or takes it: no `assignee_id`)."""
    require(user, is_advice_clinician, object_type="advice_request")
    advice_request = advice_request_for(user, request_id, change=True)
    return services.assign_advice_request(
        advice_request=advice_request, by=user, to_id=assignee_id, expected_version=expected_version
    )


def close_advice_request(
    *,
    user: User,
    request_id: object,
    outcome: str,
    expected_version: ExpectedVersion,
    note: str = "",
) -> AdviceRequest:
    """The practice closes the request with the close-out answer."""
    require(user, can_ask_for_advice, object_type="advice_request")
    advice_request = advice_request_for(user, request_id, change=True)
    require(
        user,
        side_of(user, advice_request) == "practice",
        object_type="advice_request",
        object_id=str(advice_request.pk),
    )
    return services.close_advice_request(
        advice_request=advice_request,
        by=user,
        outcome=outcome,
        note=note,
        expected_version=expected_version,
    )


def record_telephone_advice(
    *,
    user: User,
    practice_id: int,
    subject: str,
    question: str,
    advice: str,
    category: str,
    urgency: str = Urgency.ROUTINE,
    asked_by_id: int | None = None,
    called_at: datetime | None = None,
) -> AdviceRequest:
    """Advice the clinic gave a practice on the phone, recorded so all advice counts."""
    require(user, is_advice_clinician, object_type="advice_request")
    practice = Organisation.objects.filter(pk=practice_id).first()
    if practice is None:
        raise Http404
    return services.record_telephone_advice(
        by=user,
        practice=practice,
        subject=subject,
        question=question,
        advice=advice,
        category=category,
        urgency=urgency,
        asked_by_id=asked_by_id,
        called_at=called_at,
    )


# --- the knowledge base ---------------------------------------------------------------------


def source_request_of(user: User, article: Article) -> AdviceRequest | None:
    """The request an article was written from, for its clinic's clinicians (loaded through
    `advice.access`, which logs the patient access), so its names can be checked."""
    if article.source_request_id is None or not is_advice_clinician(user):
        return None
    return advice_request_for(user, article.source_request_id, object_type="advice_article")


def start_article(
    *, user: User, request_id: object, title: str, body: str, category: str
) -> Article:
    """A draft article written from a request the clinic has answered."""
    require(user, is_advice_clinician, object_type="advice_article")
    source = advice_request_for(user, request_id, object_type="advice_article")
    require(
        user,
        can_write_article_from(user, source),
        object_type="advice_article",
        object_id=str(source.pk),
    )
    return article_services.start_article(
        advice_request=source, by=user, title=title, body=body, category=category
    )


def _editable_article(user: User, article_id: object) -> Article:
    require(user, is_advice_clinician, object_type="advice_article")
    article = article_for(user, article_id)
    require(
        user,
        can_edit_article(user, article.clinic_id),
        object_type="advice_article",
        object_id=str(article.pk),
    )
    return article


def update_article(
    *,
    user: User,
    article_id: object,
    title: str,
    body: str,
    category: str,
    expected_version: ExpectedVersion,
) -> Article:
    """A new text for a draft (a submitted one goes back to draft)."""
    article = _editable_article(user, article_id)
    return article_services.update_article(
        article=article,
        by=user,
        title=title,
        body=body,
        category=category,
        expected_version=expected_version,
    )


def submit_article(
    *,
    user: User,
    article_id: object,
    expected_version: ExpectedVersion,
    warnings_checked: bool = False,
) -> Article:
    """Ask a colleague to approve the draft (the version the writer read)."""
    article = _editable_article(user, article_id)
    return article_services.submit_article(
        article=article,
        by=user,
        warnings_checked=warnings_checked,
        source_request=source_request_of(user, article),
        expected_version=expected_version,
    )


def approve_article(
    *, user: User, article_id: object, expected_version: ExpectedVersion
) -> Article:
    """A second clinician publishes the article to every practice (the version they read)."""
    article = _editable_article(user, article_id)
    return article_services.approve_article(
        article=article,
        by=user,
        source_request=source_request_of(user, article),
        expected_version=expected_version,
    )


def check_article_text(
    *, user: User, title: str, body: str, request_id: object = None
) -> list[Finding]:
    """What in a text may identify a patient (names from the request, CPR numbers, dates);
    nothing is saved."""
    require(user, is_advice_clinician, object_type="advice_article")
    source = (
        advice_request_for(user, request_id, object_type="advice_article")
        if request_id not in (None, "")
        else None
    )
    return article_services.article_warnings(title=title, body=body, advice_request=source)
