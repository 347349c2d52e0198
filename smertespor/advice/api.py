"""Advice endpoints: requests, messages, telephone advice, the figures and the knowledge base.

Each write calls the same action (`advice.actions`) as the page that does it, so the rules,
the validation and the messages are the same; errors are the API's problem details. Asking
and replying take JSON, or a multipart form with `attachments` (PDF, PNG, JPEG).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Router, Schema, UploadedFile
from ninja import errors as ninja_errors
from ninja.responses import Status
from pydantic import ValidationError as SchemaError

from domain.deidentification import Finding
from smertespor.accounts.models import User
from smertespor.accounts.requests import SignedInRequest
from smertespor.advice import actions
from smertespor.advice.access import advice_request_for
from smertespor.advice.article_services import article_warnings
from smertespor.advice.categories import CATEGORY_VALUES
from smertespor.advice.models import AdviceMessage, AdviceRequest, Article
from smertespor.advice.permissions import (
    can_read_articles,
    can_see_advice_counts,
    can_use_advice,
    is_advice_clinician,
)
from smertespor.advice.response_time import is_overdue
from smertespor.advice.schemas import (
    ArticleCheckIn,
    ArticleIn,
    ArticleOut,
    ArticlePage,
    ArticleWarningOut,
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
    TelephoneIn,
)
from smertespor.advice.selectors import (
    REQUEST_FILTERS,
    REQUEST_SORTS,
    advice_counts_for,
    advice_requests_for,
    article_for,
    articles_for,
    thread_of,
)
from smertespor.advice.sources import SOURCES, source_of_kind
from smertespor.audit.services import record_listed
from smertespor.entry.doors import performs
from smertespor.entry.rules import require
from smertespor.entry.schemas import Id, one_of
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

router = Router(tags=["advice"])
PAGE_SIZE = 50
MULTIPART = "multipart/form-data"
S = TypeVar("S", bound=Schema)
T = TypeVar("T")

# --- JSON or a multipart form with files ----------------------------------------------------


def payload_of(request: HttpRequest, schema: type[S]) -> S:
    """The body as ``schema``: JSON, or a multipart form's fields when files come with it.

    Invalid input is the same 422 problem ninja gives for any other body.
    """
    try:
        if request.content_type == MULTIPART:
            fields = {key: value for key, value in request.POST.items() if value != ""}
            return schema.model_validate(fields)
        return schema.model_validate_json(request.body or b"")
    except SchemaError as error:
        raise ninja_errors.ValidationError(
            [dict(detail) for detail in error.errors(include_url=False)]
        ) from None


def _inline_definitions(node: Any, definitions: dict[str, Any]) -> Any:
    """``node`` with each ``{"$ref": "#/$defs/Name"}`` replaced by that definition: pydantic's
    `$defs` point into the schema itself, which is not the root of the OpenAPI document."""
    if isinstance(node, dict):
        reference = node.get("$ref", "")
        if reference.startswith("#/$defs/"):
            return _inline_definitions(definitions[reference.removeprefix("#/$defs/")], definitions)
        return {key: _inline_definitions(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_definitions(item, definitions) for item in node]
    return node


def json_or_multipart(schema: type[Schema]) -> dict[str, Any]:
    """The operation's OpenAPI body: ``schema`` as JSON, or its fields plus `attachments`."""
    json_schema = schema.model_json_schema()
    json_schema = _inline_definitions(json_schema, json_schema.pop("$defs", {}))
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": json_schema},
                MULTIPART: {
                    "schema": {
                        "properties": json_schema["properties"],
                        "required": json_schema.get("required", []),
                    }
                },
            },
        }
    }


Attachments = File[list[UploadedFile] | None]

# --- shapes ---------------------------------------------------------------------------------


def _name(user: User | None) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def request_out(advice_request: AdviceRequest) -> dict[str, Any]:
    # Lists annotate whether the reader may see the patient; a loaded request was checked.
    visible = getattr(advice_request, "patient_visible", True)
    patient = advice_request.patient if advice_request.patient_id is not None and visible else None
    return {
        "id": advice_request.pk,
        "subject": advice_request.subject,
        "category": advice_request.category,
        "urgency": advice_request.urgency,
        "channel": advice_request.channel,
        "status": advice_request.status,
        "practice": advice_request.practice.name,
        "source": source_of_kind(advice_request.practice.kind),
        "clinic": advice_request.clinic.name,
        "asked_by": _name(advice_request.asked_by),
        "assigned_to": _name(advice_request.assigned_to),
        "patient_id": patient.pk if patient is not None else None,
        "patient_name": patient.name if patient is not None else None,
        "course_id": advice_request.course_id,
        "asked_at": advice_request.asked_at,
        "due_on": advice_request.due_on,
        "is_overdue": is_overdue(status=advice_request.status, due_on=advice_request.due_on),
        "first_response_at": advice_request.first_response_at,
        "response_working_days": advice_request.response_working_days,
        "closed_at": advice_request.closed_at,
        "outcome": advice_request.outcome,
        "outcome_note": advice_request.outcome_note,
        "version": advice_request.version,
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


def warnings_out(warnings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [
        {"kind": f.kind, "text": f.text, "start": f.start, "end": f.end, "blocking": f.blocks}
        for f in warnings
    ]


def article_out(article: Article, warnings: Iterable[Finding] = ()) -> dict[str, Any]:
    return {
        "id": article.pk,
        "title": article.title,
        "body": article.body,
        "category": article.category,
        "status": article.status,
        "source_request_id": article.source_request_id,
        "published_at": article.published_at,
        "version": article.version,
        "warnings": warnings_out(warnings),
    }


def _with_warnings(user: User, article: Article) -> dict[str, Any]:
    """An article; a draft, for its clinic, with what in it may identify a patient."""
    if article.is_published or not is_advice_clinician(user):
        return article_out(article)
    found = article_warnings(
        title=article.title,
        body=article.body,
        advice_request=actions.source_request_of(user, article),
    )
    return article_out(article, found)


def _page(items: Any, page: int, convert: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    paginator = Paginator(items, PAGE_SIZE)
    current = paginator.get_page(max(page, 1))
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [convert(item) for item in current.object_list],
    }


_FALLBACK = "Unknown values fall back to the default."
RequestFilter = Annotated[str, one_of(REQUEST_FILTERS, _FALLBACK)]
RequestSort = Annotated[str, one_of(REQUEST_SORTS, _FALLBACK)]
ArticleCategory = Annotated[str, one_of(["", *sorted(CATEGORY_VALUES)], "Empty: every category.")]
ArticleStatus = Annotated[str, one_of(["", *Article.Status.values], "Empty: every status.")]
RequestSource = Annotated[
    str,
    one_of(
        ["", *SOURCES],
        "From general practice or from hospital departments; empty (or unknown): from both.",
    ),
]


# --- requests -------------------------------------------------------------------------------


@router.get("/requests", response=RequestPage, url_name="advice_requests_list")
def list_requests(
    request: SignedInRequest,
    show: RequestFilter = "open",
    sort: RequestSort = "due",
    page: int = 1,
    source: RequestSource = "",
) -> dict[str, Any]:
    """Your practice's or department's requests, or your clinic's worklist (`show`: open,
    mine, unassigned, overdue, answered, closed, all; `source`: from general practice or
    from hospital departments)."""
    require(request.user, can_use_advice, object_type="api_advice_requests")
    requests = advice_requests_for(
        request.user,
        show=show if show in REQUEST_FILTERS else "open",
        sort=sort,
        source=source if source in SOURCES else "",
    )
    result = _page(requests, page, request_out)
    record_listed(
        user=request.user,
        patients=[item["patient_id"] for item in result["items"] if item["patient_id"]],
        object_type="advice_requests",
    )
    return result


@router.post(
    "/requests",
    response={201: RequestDetailOut},
    url_name="advice_requests_create",
    openapi_extra=json_or_multipart(AskIn),
)
@performs(actions.ask_for_advice)
def create_request(
    request: SignedInRequest, attachments: Attachments = None
) -> Status[dict[str, Any]]:
    """Ask the pain clinic; with `patient_id`, about a patient listed at your practice."""
    payload = payload_of(request, AskIn)
    advice_request = actions.ask_for_advice(
        user=request.user,
        subject=payload.subject,
        question=payload.question,
        category=payload.category,
        urgency=payload.urgency,
        clinic_id=payload.clinic_id,
        patient_id=payload.patient_id,
        course_id=payload.course_id,
        files=attachments or [],
    )
    return Status(201, detail_out(advice_request))


@router.get(
    "/requests/{request_id}",
    response=RequestDetailOut,
    url_name="advice_requests_detail",
    openapi_extra=VERSIONED_READ,
)
def get_request(request: SignedInRequest, response: HttpResponse, request_id: Id) -> dict[str, Any]:
    advice_request = advice_request_for(request.user, request_id)
    send_etag(response, advice_request)
    return detail_out(advice_request)


@router.get(
    "/requests/{request_id}/messages",
    response=list[MessageOut],
    url_name="advice_messages_list",
)
def list_messages(request: SignedInRequest, request_id: Id) -> list[dict[str, Any]]:
    advice_request = advice_request_for(request.user, request_id)
    return [message_out(m) for m in thread_of(advice_request)]


@router.post(
    "/requests/{request_id}/messages",
    response={201: MessageOut},
    url_name="advice_messages_create",
    openapi_extra={**json_or_multipart(MessageIn), **versioned_write(201)},
)
@performs(actions.reply_to_advice_request)
def create_message(
    request: SignedInRequest,
    response: HttpResponse,
    request_id: Id,
    attachments: Attachments = None,
) -> Status[dict[str, Any]]:
    """Reply in the thread: the clinic answers (`kind`: answer or clarification), the
    practice asks again. A closed request takes no more messages (422). `If-Match` names
    the request's version read (its ETag), so a reply is written to the thread as it is;
    the answer's `ETag` is the request's new version."""
    payload = payload_of(request, MessageIn)
    message = actions.reply_to_advice_request(
        user=request.user,
        request_id=request_id,
        body=payload.body,
        kind=payload.kind,
        by_telephone=payload.by_telephone,
        files=attachments or [],
        expected_version=if_match(request),
    )
    send_etag(response, message.request)
    return Status(201, message_out(message))


@router.post(
    "/requests/{request_id}/assign",
    response=RequestOut,
    url_name="advice_requests_assign",
    openapi_extra=versioned_write(),
)
@performs(actions.assign_advice_request)
def assign_request(
    request: SignedInRequest, response: HttpResponse, request_id: Id, payload: AssignIn
) -> dict[str, Any]:
    """Give the request to a colleague; `If-Match` names the request's version read."""
    advice_request = actions.assign_advice_request(
        user=request.user,
        request_id=request_id,
        assignee_id=payload.user_id,
        expected_version=if_match(request),
    )
    send_etag(response, advice_request)
    return request_out(advice_request)


@router.post(
    "/requests/{request_id}/close",
    response=RequestOut,
    url_name="advice_requests_close",
    openapi_extra=versioned_write(),
)
@performs(actions.close_advice_request)
def close_request(
    request: SignedInRequest, response: HttpResponse, request_id: Id, payload: CloseIn
) -> dict[str, Any]:
    """Close with the close-out answer: advice_sufficient, hospital_track or
    referred_elsewhere. `If-Match` names the request's version read."""
    closed = actions.close_advice_request(
        user=request.user,
        request_id=request_id,
        outcome=payload.outcome,
        note=payload.note,
        expected_version=if_match(request),
    )
    send_etag(response, closed)
    return request_out(closed)


@router.post(
    "/practices/{practice_id}/telephone",
    response={201: RequestDetailOut},
    url_name="advice_telephone_create",
)
@performs(actions.record_telephone_advice)
def record_telephone(
    request: SignedInRequest, practice_id: Id, payload: TelephoneIn
) -> Status[dict[str, Any]]:
    """Record advice the clinic gave the practice by telephone (no patient data), so all
    advice is counted; the caller is notified and closes it like any request."""
    advice_request = actions.record_telephone_advice(
        user=request.user,
        practice_id=practice_id,
        subject=payload.subject,
        question=payload.question,
        advice=payload.advice,
        category=payload.category,
        urgency=payload.urgency,
        asked_by_id=payload.asked_by_id,
        called_at=payload.called_at,
    )
    return Status(201, detail_out(advice_request))


@router.get("/counts", response=CountsOut, url_name="advice_counts")
def counts(request: SignedInRequest, source: RequestSource = "") -> dict[str, Any]:
    """Aggregates only (planners; the clinic sees its own); `by_source` counts the requests
    from general practice and from hospital departments, `source` keeps one of them."""
    require(request.user, can_see_advice_counts, object_type="api_advice_counts")
    figures = advice_counts_for(request.user, source=source if source in SOURCES else "")

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
        "by_source": rows(figures.by_source),
    }


# --- the knowledge base ---------------------------------------------------------------------


@router.get("/articles", response=ArticlePage, url_name="advice_articles_list")
def list_articles(
    request: SignedInRequest,
    q: str = "",
    category: ArticleCategory = "",
    status: ArticleStatus = "",
    page: int = 1,
) -> dict[str, Any]:
    """Search the knowledge base (published; the clinic also sees its drafts)."""
    require(request.user, can_read_articles, object_type="api_advice_articles")
    articles = articles_for(request.user, query=q[:100], category=category, status=status)
    return _page(articles, page, article_out)


@router.post("/articles/check", response=list[ArticleWarningOut], url_name="advice_articles_check")
@performs(actions.check_article_text)
def check_article(request: SignedInRequest, payload: ArticleCheckIn) -> list[Any]:
    """What in a text may identify a patient, before it is saved: CPR numbers, dates and the
    names in the request it is written from."""
    found = actions.check_article_text(
        user=request.user, title=payload.title, body=payload.body, request_id=payload.request_id
    )
    return warnings_out(found)


@router.get(
    "/articles/{article_id}",
    response=ArticleOut,
    url_name="advice_articles_detail",
    openapi_extra=VERSIONED_READ,
)
def get_article(request: SignedInRequest, response: HttpResponse, article_id: Id) -> dict[str, Any]:
    require(request.user, can_read_articles, object_type="api_advice_articles")
    article = article_for(request.user, article_id)
    send_etag(response, article)
    return _with_warnings(request.user, article)


@router.post(
    "/requests/{request_id}/articles",
    response={201: ArticleOut},
    url_name="advice_articles_create",
)
@performs(actions.start_article)
def create_article(
    request: SignedInRequest, request_id: Id, payload: ArticleIn
) -> Status[dict[str, Any]]:
    """A draft article written from an answered request; the warnings come back with it."""
    article = actions.start_article(user=request.user, request_id=request_id, **payload.dict())
    return Status(201, _with_warnings(request.user, article))


@router.patch(
    "/articles/{article_id}",
    response=ArticleOut,
    url_name="advice_articles_update",
    openapi_extra=versioned_write(),
)
@performs(actions.update_article)
def patch_article(
    request: SignedInRequest, response: HttpResponse, article_id: Id, payload: ArticleIn
) -> dict[str, Any]:
    """A new text for a draft; `If-Match` names the version read (its ETag)."""
    updated = actions.update_article(
        user=request.user,
        article_id=article_id,
        expected_version=if_match(request),
        **payload.dict(),
    )
    send_etag(response, updated)
    return _with_warnings(request.user, updated)


@router.post(
    "/articles/{article_id}/submit",
    response=ArticleOut,
    url_name="advice_articles_submit",
    openapi_extra=versioned_write(),
)
@performs(actions.submit_article)
def submit(
    request: SignedInRequest, response: HttpResponse, article_id: Id, payload: SubmitIn
) -> dict[str, Any]:
    """Ask a colleague to approve; `If-Match` names the version of the text read."""
    submitted = actions.submit_article(
        user=request.user,
        article_id=article_id,
        warnings_checked=payload.warnings_checked,
        expected_version=if_match(request),
    )
    send_etag(response, submitted)
    return _with_warnings(request.user, submitted)


@router.post(
    "/articles/{article_id}/approve",
    response=ArticleOut,
    url_name="advice_articles_approve",
    openapi_extra=versioned_write(),
)
@performs(actions.approve_article)
def approve(request: SignedInRequest, response: HttpResponse, article_id: Id) -> dict[str, Any]:
    """A second clinician approves; the article is published to every practice.
    `If-Match` names the version of the text the approver read: a text changed since is
    refused (409), never published unread."""
    approved = actions.approve_article(
        user=request.user, article_id=article_id, expected_version=if_match(request)
    )
    send_etag(response, approved)
    return article_out(approved)
