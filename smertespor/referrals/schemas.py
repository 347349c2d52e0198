"""The referral API's request and response shapes (coded fields list their values; a test
keeps each list equal to its TextChoices). Errors are RFC 9457 problem details."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from smertespor.entry.schemas import Id
from smertespor.referrals.models import MESSAGE_MAX_LENGTH, REASON_MAX_LENGTH, TEXT_MAX_LENGTH

StatusCode = Literal[
    "draft",
    "received",
    "in_triage",
    "awaiting_information",
    "accepted",
    "rejected",
    "appointment_booked",
    "discharged",
    "withdrawn",
]
EventCode = Literal[
    "send",
    "start_triage",
    "request_information",
    "supplement",
    "accept",
    "reject",
    "forward",
    "book_first_appointment",
    "discharge",
    "withdraw",
]
PriorityCode = Literal["routine", "urgent"]
WorkStatusCode = Literal[
    "",
    "working",
    "part_time_sick_leave",
    "sick_leave",
    "flexjob",
    "unemployed",
    "student",
    "pension",
    "other",
]
RejectionCode = Literal["indication", "capacity", "wrong_track"]
AnswerCode = Literal["yes", "no", "unknown"]
CriterionStatusCode = Literal["met", "not_met", "unknown"]
SideCode = Literal["practice", "centre"]
CommunicationKindCode = Literal["message", "information_request", "supplement"]

Text = Annotated[str, Field(max_length=TEXT_MAX_LENGTH)]
Short = Annotated[str, Field(max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=REASON_MAX_LENGTH)]
MessageText = Annotated[str, Field(min_length=1, max_length=MESSAGE_MAX_LENGTH)]


class ReferralCriterionAnswerIn(Schema):
    answer: AnswerCode = "unknown"
    options: dict[str, AnswerCode] = Field(default_factory=dict)
    evidence: Annotated[str, Field(max_length=1000)] = ""


class ReferralContentIn(Schema):
    """The referral's content; every field may be left empty in a draft, and the mandatory
    ones (diagnosis, history, question, function and work, work status, expectations) must
    be filled in before it is sent."""

    priority: PriorityCode = "routine"
    contact: Short = ""
    diagnosis_code: Annotated[str, Field(max_length=10)] = Field(
        default="", description="ICD-10 (SKS), e.g. DM545."
    )
    diagnosis_text: Short = ""
    comorbidity: Text = ""
    history: Text = Field(default="", description="History and findings.")
    question: Text = Field(default="", description="The question asked of the centre.")
    results: Text = ""
    interpreter_language: Annotated[str, Field(max_length=100)] = Field(
        default="", description="The language, when an interpreter is needed."
    )
    special_needs: Text = ""
    pain_since: date | None = None
    function_and_work: Text = ""
    work_status: WorkStatusCode = ""
    social_situation: Text = ""
    earlier_treatment: Text = ""
    earlier_centre_courses: Text = ""
    patient_expectations: Text = ""
    gp_expectations: Text = ""
    criteria: dict[str, ReferralCriterionAnswerIn] | None = Field(
        default=None,
        description="The referrer's answers by criterion code (see GET /criteria); "
        "left out: unchanged.",
    )


class ReferralDraftIn(ReferralContentIn):
    patient_id: uuid.UUID = Field(description="A patient listed at your practice.")
    recipient_id: Id = Field(description="A pain centre or pain clinic of your region.")


class ReferralDraftChangeIn(ReferralContentIn):
    recipient_id: Id


class ReferralSendIn(Schema):
    exception_reason: Annotated[str, Field(max_length=REASON_MAX_LENGTH)] = Field(
        default="",
        description="Required when a criterion is not met or unknown; shown to the centre.",
    )


class ReferralMessageIn(Schema):
    body: MessageText


class ReferralRequestInformationIn(Schema):
    question: MessageText


class ReferralAcceptIn(Schema):
    priority: PriorityCode
    expected_wait_weeks: Annotated[int, Field(ge=0, le=104)]
    note: Annotated[str, Field(max_length=REASON_MAX_LENGTH)] = ""


class ReferralRejectIn(Schema):
    rejection_reason: RejectionCode
    advice_to_gp: Reason


class ReferralForwardIn(Schema):
    to_id: Id = Field(description="Another pain centre or clinic of the region.")
    reason: Reason


class ReferralAppointmentIn(Schema):
    at: datetime


class ReferralWithdrawIn(Schema):
    reason: Reason


class ReferralCriterionOut(Schema):
    code: str
    kind: str
    text: str
    status: CriterionStatusCode
    evidence: str
    months_of_pain: int | None
    options: list[dict[str, Any]]


class ReferralTaskOut(Schema):
    event: EventCode
    from_status: StatusCode
    to_status: StatusCode
    by: str
    organisation: str
    at: datetime
    reason: str
    rejection_reason: str
    advice_to_gp: str
    forwarded_to: str | None
    priority: str
    expected_wait_weeks: int | None
    appointment_at: datetime | None


class ReferralAttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class ReferralMessageOut(Schema):
    id: int
    side: SideCode
    kind: CommunicationKindCode
    author: str
    body: str
    created_at: datetime
    attachments: list[ReferralAttachmentOut]


class ReferralOut(Schema):
    id: int
    status: StatusCode
    priority: PriorityCode
    patient_id: uuid.UUID | None
    patient_name: str | None
    practice: str
    referred_by: str
    recipient_id: int
    recipient: str
    created_at: datetime
    sent_at: datetime | None
    flagged: bool
    triage_priority: str
    expected_wait_weeks: int | None
    first_appointment_at: datetime | None
    closed_at: datetime | None


class ReferralDetailOut(ReferralOut):
    content: dict[str, Any]
    criteria_version: str
    criteria_version_id: int | None = Field(
        description="The stored criteria version the sent referral was judged on "
        "(GET /criteria/versions); null for a draft."
    )
    criteria: list[ReferralCriterionOut]
    missing_criteria: list[str]
    missing_content: list[str]
    criteria_exception_reason: str
    snapshot: dict[str, Any]
    tasks: list[ReferralTaskOut]
    attachments: list[ReferralAttachmentOut]


class ReferralPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ReferralOut]


class ReferralCountRow(Schema):
    code: str
    label: str
    count: int


class ReferralCountsOut(Schema):
    total_sent: int
    flagged: int
    by_status: list[ReferralCountRow]
    by_recipient: list[ReferralCountRow]


class ReferralCriterionDefinitionOut(Schema):
    code: str
    kind: str
    text: str
    options: list[dict[str, str]]


class ReferralCriteriaOut(Schema):
    version: str
    source: str
    minimum_pain_months: int
    criteria: list[ReferralCriterionDefinitionOut]


class ReferralRecipientOut(Schema):
    id: int
    name: str
    kind: str


class CriteriaVersionIn(Schema):
    """The referral criteria file (TOML) to publish, as text."""

    text: Annotated[str, Field(max_length=200_000)]
    note: Annotated[str, Field(max_length=500)] = ""


class CriteriaVersionOut(ReferralCriteriaOut):
    id: int
    origin: Literal["builtin", "published"]
    published_at: datetime
    published_by: str | None
    note: str
    is_current: bool
