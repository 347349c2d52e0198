"""The advice API's request and response shapes.

Coded fields list their allowed values in the OpenAPI schema (`Literal` of the models'
choices; a test keeps each list equal to its TextChoices). Errors are the API's one shape,
RFC 9457 problem details (`smertespor.entry.problems`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from domain.deidentification import FindingKind
from smertespor.advice.models import (
    ARTICLE_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
)
from smertespor.entry.schemas import Id

# The models' codes, written out so the schema can list them (tests/test_schemas.py keeps
# each equal to its model's choices).
CategoryCode = Literal[
    "taper_strategy",
    "switching",
    "withdrawal",
    "addiction_psychiatry",
    "alternatives",
    "other",
]
UrgencyCode = Literal["routine", "urgent"]
StatusCode = Literal["new", "assigned", "answered", "awaiting_gp", "closed"]
ChannelCode = Literal["written", "telephone"]
OutcomeCode = Literal["advice_sufficient", "hospital_track", "referred_elsewhere"]
SideCode = Literal["practice", "clinic"]
# The asking organisation's kind (`advice.sources`).
SourceCode = Literal["general_practice", "hospital_department"]
KindCode = Literal["question", "answer", "clarification"]
ReplyKindCode = Literal["answer", "clarification"]
ArticleStatusCode = Literal["draft", "awaiting_approval", "published"]

Subject = Annotated[str, Field(min_length=1, max_length=SUBJECT_MAX_LENGTH)]
MessageText = Annotated[str, Field(min_length=1, max_length=MESSAGE_MAX_LENGTH)]


class AskIn(Schema):
    subject: Subject
    question: MessageText
    category: CategoryCode
    urgency: UrgencyCode = "routine"
    clinic_id: Id | None = Field(
        default=None, description="A pain clinic of your region; leave out if it has one."
    )
    patient_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "A patient listed at your practice (a hospital department: one in its care); "
            "leave out for a general question."
        ),
    )
    course_id: Id | None = Field(
        default=None, description="The patient's open course, if the question is about it."
    )


class MessageIn(Schema):
    body: MessageText
    kind: ReplyKindCode | None = Field(
        default=None, description="The clinic's message: advice (answer) or a question to the GP."
    )
    by_telephone: bool = False


class TelephoneIn(Schema):
    subject: Subject
    question: MessageText
    advice: MessageText
    category: CategoryCode
    urgency: UrgencyCode = "routine"
    asked_by_id: Id | None = Field(
        default=None,
        description="The practice's GP or nurse, or the department's doctor, who called.",
    )
    called_at: datetime | None = Field(default=None, description="Leave out for now.")


class AssignIn(Schema):
    user_id: Id | None = Field(default=None, description="A colleague; leave out to take it.")


class CloseIn(Schema):
    outcome: OutcomeCode
    note: Annotated[str, Field(max_length=500)] = ""


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: Literal["application/pdf", "image/png", "image/jpeg"]
    size: int
    url: str = Field(description="Download (the parties only; the access is logged).")


class MessageOut(Schema):
    id: int
    side: SideCode
    kind: KindCode
    channel: ChannelCode
    author: str | None
    body: str
    created_at: datetime
    attachments: list[AttachmentOut]


class RequestOut(Schema):
    id: int
    subject: str
    category: CategoryCode
    urgency: UrgencyCode
    channel: ChannelCode
    status: StatusCode
    practice: str = Field(description="The asking organisation: a practice or a department.")
    source: SourceCode
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
    outcome: OutcomeCode | Literal[""]
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
    by_source: list[CountRow]


class ArticleIn(Schema):
    title: Subject
    body: Annotated[str, Field(min_length=1, max_length=ARTICLE_MAX_LENGTH)]
    category: CategoryCode


class ArticleCheckIn(Schema):
    title: Annotated[str, Field(max_length=1000)] = ""
    body: Annotated[str, Field(max_length=50_000)] = ""
    request_id: Id | None = Field(
        default=None, description="The request the text is written from (its names are checked)."
    )


class SubmitIn(Schema):
    warnings_checked: bool = False


class ArticleWarningOut(Schema):
    kind: FindingKind
    text: str
    start: int
    end: int
    # A CPR number or the patient's name: refuses submitting and approving (no acknowledgement).
    blocking: bool


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    category: CategoryCode
    status: ArticleStatusCode
    source_request_id: int | None
    published_at: datetime | None
    # Raised by every edit, submission and approval: the ETag, sent back in If-Match.
    version: int
    warnings: list[ArticleWarningOut] = []


class ArticlePage(Schema):
    count: int
    page: int
    pages: int
    items: list[ArticleOut]
