"""The patient API's input and output shapes. Coded fields list their values in OpenAPI."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from smertespor.accounts.models import Role
from smertespor.audit.models import AuditEvent
from smertespor.patients.models import Patient, RegistrationRequest
from smertespor.patients.selectors import PatientSort
from smertespor.patients.timeline import EntryKind

ShortText = Annotated[str, Field(max_length=200)]
Phone = Annotated[str, Field(max_length=20)]
Email = Annotated[str, Field(max_length=254)]


class PatientOut(Schema):
    id: uuid.UUID
    cpr: str
    name: str
    birth_date: date
    sex: Patient.Sex
    listed_practice_id: int
    listed_practice_name: str
    address: str
    phone: str
    email: str
    # Raised by every change; the GET's ETag, sent back in If-Match to change the details.
    version: int

    @staticmethod
    def resolve_listed_practice_name(obj: Patient) -> str:
        return obj.listed_practice.name


class PatientPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PatientOut]


class PatientCreateIn(Schema):
    cpr: Annotated[str, Field(max_length=11)]
    name: ShortText
    address: ShortText = ""
    phone: Phone = ""
    email: Email = ""


class RegistrationSentOut(Schema):
    """A registration sent for review: no patient data, the same for every CPR number."""

    status: Literal["sent_for_review"]
    message: str


class PatientUpdateIn(Schema):
    name: ShortText | None = None
    address: ShortText | None = None
    phone: Phone | None = None
    email: Email | None = None


class SearchIn(Schema):
    query: Annotated[str, Field(max_length=100)] = ""
    sort: PatientSort = "name"
    page: Annotated[int, Field(ge=1)] = 1


class AccessEventOut(Schema):
    occurred_at: datetime
    username: str
    # Empty for an attempt nobody was signed in for.
    role: Role | Literal[""]
    organisation: str | None
    action: AuditEvent.Action
    object_type: str

    @staticmethod
    def resolve_organisation(obj: AuditEvent) -> str | None:
        return obj.organisation.name if obj.organisation else None


class HistoryVersionOut(Schema):
    history_date: datetime
    # simple_history's codes: created, changed, deleted.
    history_type: Literal["+", "~", "-"]
    changed_by: str | None
    name: str
    address: str
    phone: str
    email: str

    @staticmethod
    def resolve_changed_by(obj: object) -> str | None:
        user = getattr(obj, "history_user", None)
        return user.username if user else None


class RegistrationRequestOut(Schema):
    """A registration request, as the patient's practice (who decides it) sees it."""

    id: int
    patient_id: uuid.UUID
    patient_name: str
    patient_cpr: str
    requesting_practice_id: int
    requesting_practice_name: str
    requested_at: datetime
    attempts: int
    status: RegistrationRequest.Status
    decided_at: datetime | None
    # Raised by the decision; send it back in If-Match to decide.
    version: int

    @staticmethod
    def resolve_patient_name(obj: RegistrationRequest) -> str:
        return obj.patient.name

    @staticmethod
    def resolve_patient_cpr(obj: RegistrationRequest) -> str:
        return obj.patient.cpr_formatted

    @staticmethod
    def resolve_requesting_practice_id(obj: RegistrationRequest) -> int:
        return obj.practice_id

    @staticmethod
    def resolve_requesting_practice_name(obj: RegistrationRequest) -> str:
        return obj.practice.name


class RegistrationDecisionIn(Schema):
    reason: Annotated[str, Field(max_length=500)]


class TimelineEntryOut(Schema):
    """One thing that happened to the patient; `url` is the page that shows it."""

    kind: EntryKind
    occurred_at: datetime
    # False: only the day is known (a visit, a taper step); `occurred_at` is its midnight.
    has_time: bool
    title: str
    detail: str
    url: str


class TimelinePage(Schema):
    count: int
    page: int
    pages: int
    items: list[TimelineEntryOut]
