"""Advice endpoints: requests, messages, the figures and the knowledge base, with the same
access rules (`advice.access`, `patients.access`) and services as the web pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from smertespor.accounts.models import Organisation, User
from smertespor.advice.access import advice_request_for
from smertespor.advice.api_schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePage,
    AskIn,
    AssignIn,
    CloseIn,
    CountsOut,
    MessageIn,
    MessageOut,
    RequestDetailOut,
    RequestOut,
    RequestPage,
    SubmitIn,
)
from smertespor.advice.article_services import (
    approve_article,
    article_warnings,
    start_article,
    submit_article,
    update_article,
)
from smertespor.advice.models import AdviceMessage, AdviceRequest, Article
from smertespor.advice.permissions import (
    can_ask_for_advice,
    can_read_articles,
    can_see_advice_counts,
    can_use_advice,
    is_advice_clinician,
)
from smertespor.advice.response_time import is_overdue
from smertespor.advice.selectors import (
    REQUEST_FILTERS,
    advice_counts,
    advice_requests_for,
    article_for,
    articles_for,
    thread_of,
)
from smertespor.advice.services import (
    ask_for_advice,
    assign_advice_request,
    close_advice_request,
    reply_to_advice_request,
)
from smertespor.audit.services import AuditAction, record_event
from smertespor.patients.access import patient_for_change

router = Router(tags=["advice"])
PAGE_SIZE = 50


def _require(request: HttpRequest, check: Any, object_type: str) -> None:
    if not check(request.user):
        record_event(user=request.user, action=AuditAction.REFUSED, object_type=object_type)
        raise PermissionDenied


def _name(user: Any) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def request_out(advice_request: Any) -> dict[str, Any]:
    visible = getattr(advice_request, "patient_visible", True)
    has_patient = advice_request.patient_id is not None
    return {
        "id": advice_request.pk,
        "subject": advice_request.subject,
        "category": advice_request.category,
        "urgency": advice_request.urgency,
        "channel": advice_request.channel,
        "status": advice_request.status,
        "practice": advice_request.practice.name,
        "clinic": advice_request.clinic.name,
        "asked_by": _name(advice_request.asked_by),
        "assigned_to": _name(advice_request.assigned_to),
        "patient_id": advice_request.patient_id if has_patient and visible else None,
        "patient_name": advice_request.patient.name if has_patient and visible else None,
        "course_id": advice_request.course_id,
        "asked_at": advice_request.asked_at,
        "due_on": advice_request.due_on,
        "is_overdue": is_overdue(status=advice_request.status, due_on=advice_request.due_on),
        "first_response_at": advice_request.first_response_at,
        "response_working_days": advice_request.response_working_days,
        "closed_at": advice_request.closed_at,
        "outcome": advice_request.outcome,
        "outcome_note": advice_request.outcome_note,
    }


def message_out(message: AdviceMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "side": message.side,
        "kind": message.kind,
        "channel": message.channel,
        "author": _name(message.author),
        "body": message.body,
        "created_at": message.created_at,
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "url": reverse("advice:attachment", args=[a.pk]),
            }
            for a in message.attachments.all()
        ],
    }


def detail_out(advice_request: AdviceRequest) -> dict[str, Any]:
    return {
        **request_out(advice_request),
        "snapshot": advice_request.snapshot,
        "messages": [message_out(m) for m in thread_of(advice_request)],
    }


def _page(items: Any, page: int, convert: Any) -> dict[str, Any]:
    paginator = Paginator(items, PAGE_SIZE)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [convert(item) for item in current.object_list],
    }


@router.get("/requests", response=RequestPage, url_name="advice_requests_list")
def list_requests(
    request: HttpRequest, show: str = "open", sort: str = "due", page: int = 1
) -> dict[str, Any]:
    """Your practice's requests, or your clinic's worklist (`show`: open, mine, unassigned,
    overdue, answered, closed, all)."""
    _require(request, can_use_advice, "api_advice_requests")
    requests = advice_requests_for(
        request.user, show=show if show in REQUEST_FILTERS else "open", sort=sort
    )
    return _page(requests, max(page, 1), request_out)


@router.post("/requests", response={201: RequestDetailOut}, url_name="advice_requests_create")
def create_request(request: HttpRequest, payload: AskIn) -> Status[dict[str, Any]]:
    """Ask the pain clinic; with `patient_id`, about one of your practice's patients."""
    _require(request, can_ask_for_advice, "api_advice_requests")
    patient = None
    if payload.patient_id is not None:
        patient = patient_for_change(request.user, payload.patient_id, object_type="advice_request")
    clinic = None
    if payload.clinic_id is not None:
        clinic = Organisation.objects.filter(pk=payload.clinic_id).first()
        if clinic is None:
            raise ValidationError({"clinic_id": _("There is no such pain clinic.")})
    advice_request = ask_for_advice(
        by=request.user,
        subject=payload.subject,
        question=payload.question,
        category=payload.category,
        urgency=payload.urgency,
        clinic=clinic,
        patient=patient,
        course_id=payload.course_id,
    )
    return Status(201, detail_out(advice_request))


@router.get("/requests/{request_id}", response=RequestDetailOut, url_name="advice_requests_detail")
def get_request(request: HttpRequest, request_id: int) -> dict[str, Any]:
    return detail_out(advice_request_for(request.user, request_id))


@router.get(
    "/requests/{request_id}/messages",
    response=list[MessageOut],
    url_name="advice_messages_list",
)
def list_messages(request: HttpRequest, request_id: int) -> list[dict[str, Any]]:
    advice_request = advice_request_for(request.user, request_id)
    return [message_out(m) for m in thread_of(advice_request)]


@router.post(
    "/requests/{request_id}/messages",
    response={201: MessageOut},
    url_name="advice_messages_create",
)
def create_message(
    request: HttpRequest, request_id: int, payload: MessageIn
) -> Status[dict[str, Any]]:
    """Reply in the thread: the clinic answers (`kind`: answer or clarification), the
    practice asks again. A closed request takes no more messages (422)."""
    advice_request = advice_request_for(request.user, request_id, change=True)
    message = reply_to_advice_request(
        advice_request=advice_request,
        by=request.user,
        body=payload.body,
        kind=payload.kind,
        by_telephone=payload.by_telephone,
    )
    return Status(201, message_out(message))


@router.post(
    "/requests/{request_id}/assign", response=RequestOut, url_name="advice_requests_assign"
)
def assign_request(request: HttpRequest, request_id: int, payload: AssignIn) -> dict[str, Any]:
    _require(request, is_advice_clinician, "api_advice_assign")
    advice_request = advice_request_for(request.user, request_id, change=True)
    to = None
    if payload.user_id is not None:
        to = User.objects.filter(pk=payload.user_id).first()
        if to is None:
            raise ValidationError({"user_id": _("Choose a doctor or nurse of the pain clinic.")})
    return request_out(assign_advice_request(advice_request=advice_request, by=request.user, to=to))


@router.post("/requests/{request_id}/close", response=RequestOut, url_name="advice_requests_close")
def close_request(request: HttpRequest, request_id: int, payload: CloseIn) -> dict[str, Any]:
    """Close with the close-out answer: advice_sufficient, hospital_track or
    referred_elsewhere."""
    _require(request, can_ask_for_advice, "api_advice_close")
    advice_request = advice_request_for(request.user, request_id, change=True)
    closed = close_advice_request(
        advice_request=advice_request, by=request.user, outcome=payload.outcome, note=payload.note
    )
    return request_out(closed)


@router.get("/counts", response=CountsOut, url_name="advice_counts")
def counts(request: HttpRequest) -> dict[str, Any]:
    """Aggregates only (planners; the clinic sees its own)."""
    _require(request, can_see_advice_counts, "api_advice_counts")
    clinic_id = request.user.organisation_id if is_advice_clinician(request.user) else None  # type: ignore[union-attr]
    figures = advice_counts(clinic_id=clinic_id)

    def rows(grouped: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
        return [{"value": v, "label": label, "count": n} for v, label, n in grouped]

    return {
        "total": figures.total,
        "overdue": figures.overdue,
        "answered": figures.answered,
        "median_response_working_days": figures.median_response_working_days,
        "within_target": figures.within_target,
        "closed": figures.closed,
        "advice_sufficient": figures.advice_sufficient,
        "articles_published": figures.articles_published,
        "by_status": rows(figures.by_status),
        "by_category": rows(figures.by_category),
        "by_outcome": rows(figures.by_outcome),
        "by_channel": rows(figures.by_channel),
        "by_urgency": rows(figures.by_urgency),
    }


def article_out(article: Article, warnings: list[Any] | None = None) -> dict[str, Any]:
    return {
        "id": article.pk,
        "title": article.title,
        "body": article.body,
        "category": article.category,
        "status": article.status,
        "source_request_id": article.source_request_id,
        "published_at": article.published_at,
        "warnings": [
            {"kind": f.kind.value, "text": f.text, "start": f.start, "end": f.end}
            for f in warnings or []
        ],
    }


def _source(request: HttpRequest, article: Article) -> AdviceRequest | None:
    if article.source_request_id is None or not is_advice_clinician(request.user):
        return None
    return advice_request_for(request.user, article.source_request_id, object_type="advice_article")


def _with_warnings(request: HttpRequest, article: Article) -> dict[str, Any]:
    if article.is_published or not is_advice_clinician(request.user):
        return article_out(article)
    found = article_warnings(
        title=article.title, body=article.body, advice_request=_source(request, article)
    )
    return article_out(article, found)


@router.get("/articles", response=ArticlePage, url_name="advice_articles_list")
def list_articles(
    request: HttpRequest, q: str = "", category: str = "", status: str = "", page: int = 1
) -> dict[str, Any]:
    """Search the knowledge base (published; the clinic also sees its drafts)."""
    _require(request, can_read_articles, "api_advice_articles")
    articles = articles_for(request.user, query=q[:100], category=category, status=status)
    return _page(articles, max(page, 1), article_out)


@router.get("/articles/{article_id}", response=ArticleOut, url_name="advice_articles_detail")
def get_article(request: HttpRequest, article_id: int) -> dict[str, Any]:
    _require(request, can_read_articles, "api_advice_articles")
    return _with_warnings(request, article_for(request.user, article_id))


@router.post(
    "/requests/{request_id}/articles",
    response={201: ArticleOut},
    url_name="advice_articles_create",
)
def create_article(
    request: HttpRequest, request_id: int, payload: ArticleIn
) -> Status[dict[str, Any]]:
    """A draft article written from an answered request; the warnings come back with it."""
    _require(request, is_advice_clinician, "api_advice_articles")
    source = advice_request_for(request.user, request_id, object_type="advice_article")
    article = start_article(advice_request=source, by=request.user, **payload.dict())
    found = article_warnings(title=article.title, body=article.body, advice_request=source)
    return Status(201, article_out(article, found))


@router.patch("/articles/{article_id}", response=ArticleOut, url_name="advice_articles_update")
def patch_article(request: HttpRequest, article_id: int, payload: ArticleIn) -> dict[str, Any]:
    _require(request, is_advice_clinician, "api_advice_articles")
    article = article_for(request.user, article_id)
    updated = update_article(article=article, by=request.user, **payload.dict())
    return _with_warnings(request, updated)


@router.post(
    "/articles/{article_id}/submit", response=ArticleOut, url_name="advice_articles_submit"
)
def submit(request: HttpRequest, article_id: int, payload: SubmitIn) -> dict[str, Any]:
    _require(request, is_advice_clinician, "api_advice_articles")
    article = article_for(request.user, article_id)
    submitted = submit_article(
        article=article,
        by=request.user,
        warnings_checked=payload.warnings_checked,
        source_request=_source(request, article),
    )
    return _with_warnings(request, submitted)


@router.post(
    "/articles/{article_id}/approve", response=ArticleOut, url_name="advice_articles_approve"
)
def approve(request: HttpRequest, article_id: int) -> dict[str, Any]:
    """A second clinician approves; the article is published to every practice."""
    _require(request, is_advice_clinician, "api_advice_articles")
    return article_out(
        approve_article(article=article_for(request.user, article_id), by=request.user)
    )
