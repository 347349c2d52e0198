"""The advice API's request and response shapes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema

from smertespor.advice.models import (
    ARTICLE_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
)

Subject = Annotated[str, Field(min_length=1, max_length=SUBJECT_MAX_LENGTH)]
MessageText = Annotated[str, Field(min_length=1, max_length=MESSAGE_MAX_LENGTH)]


class AskIn(Schema):
    subject: Subject
    question: MessageText
    category: Annotated[str, Field(max_length=32)]
    urgency: Annotated[str, Field(max_length=16)] = "routine"
    clinic_id: int | None = None
    patient_id: uuid.UUID | None = None
    course_id: int | None = None


class MessageIn(Schema):
    body: MessageText
    kind: Annotated[str, Field(max_length=16)] | None = None
    by_telephone: bool = False


class AssignIn(Schema):
    user_id: int | None = Field(default=None, description="A colleague; leave out to take it.")


class CloseIn(Schema):
    outcome: Annotated[str, Field(max_length=32)]
    note: Annotated[str, Field(max_length=500)] = ""


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    id: int
    side: str
    kind: str
    channel: str
    author: str | None
    body: str
    created_at: datetime
    attachments: list[AttachmentOut]


class RequestOut(Schema):
    id: int
    subject: str
    category: str
    urgency: str
    channel: str
    status: str
    practice: str
    clinic: str
    asked_by: str | None
    assigned_to: str | None
    patient_id: uuid.UUID | None
    patient_name: str | None
    course_id: int | None
    asked_at: datetime
    due_on: date
    is_overdue: bool
    first_response_at: datetime | None
    response_working_days: int | None
    closed_at: datetime | None
    outcome: str
    outcome_note: str


class RequestDetailOut(RequestOut):
    snapshot: dict[str, Any]
    messages: list[MessageOut]


class RequestPage(Schema):
    count: int
    page: int
    pages: int
    items: list[RequestOut]


class CountRow(Schema):
    value: str
    label: str
    count: int


class CountsOut(Schema):
    total: int
    overdue: int
    answered: int
    median_response_working_days: float | None
    within_target: int
    closed: int
    advice_sufficient: int
    articles_published: int
    by_status: list[CountRow]
    by_category: list[CountRow]
    by_outcome: list[CountRow]
    by_channel: list[CountRow]
    by_urgency: list[CountRow]


class ArticleIn(Schema):
    title: Subject
    body: Annotated[str, Field(min_length=1, max_length=ARTICLE_MAX_LENGTH)]
    category: Annotated[str, Field(max_length=32)]


class SubmitIn(Schema):
    warnings_checked: bool = False


class WarningOut(Schema):
    kind: str
    text: str
    start: int
    end: int


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    category: str
    status: str
    source_request_id: int | None
    published_at: datetime | None
    warnings: list[WarningOut] = []


class ArticlePage(Schema):
    count: int
    page: int
    pages: int
    items: list[ArticleOut]
