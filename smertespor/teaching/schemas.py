"""The teaching API's input and output shapes.

Coded fields are the models' choices, listed inline in OpenAPI (``coded``) so a client sees
every allowed value; times carry their UTC offset; education hours are exact decimal text
("1.5"), as every number in the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.urls import reverse
from ninja import Field, Schema

from smertespor.entry.numbers import json_number
from smertespor.entry.schemas import Id, coded
from smertespor.teaching.models import (
    Audience,
    Invitation,
    Registration,
    SessionMaterial,
    SessionSeries,
    TeachingSession,
)
from smertespor.teaching.selectors import waiting_position
from smertespor.teaching.topics import Topic

TopicCode = Annotated[Topic, coded(Topic)]
AudienceCode = Annotated[Audience, coded(Audience)]
RepeatCode = Annotated[SessionSeries.Repeat, coded(SessionSeries.Repeat)]
RegistrationStatus = Annotated[Registration.Status, coded(Registration.Status)]
MaterialKind = Annotated[SessionMaterial.Kind, coded(SessionMaterial.Kind)]

Title = Annotated[str, Field(max_length=200)]
Text = Annotated[str, Field(max_length=5000)]
Url = Annotated[str, Field(max_length=500)]
Teachers = Annotated[str, Field(max_length=300)]
# A JSON number (neither true nor "5") that fits a database integer column.
Whole = Annotated[int, Field(strict=True, ge=-(2**31), le=2**31 - 1)]
Hours = Annotated[str, Field(description='Education hours as exact decimal text, e.g. "1.5".')]


def _is_file(material: SessionMaterial) -> bool:
    return material.kind == SessionMaterial.Kind.FILE


class MaterialOut(Schema):
    id: int
    kind: MaterialKind
    title: str
    url: str | None = Field(description="The link, for a link material.")
    filename: str | None = Field(description="The file's name, for a file material.")
    content_type: str | None
    size: int | None = Field(description="The file's size in bytes.")
    download_url: str | None = Field(description="Where a file material is downloaded.")
    added_at: datetime

    @staticmethod
    def resolve_url(obj: SessionMaterial) -> str | None:
        return obj.url or None

    @staticmethod
    def resolve_filename(obj: SessionMaterial) -> str | None:
        return obj.filename if _is_file(obj) else None

    @staticmethod
    def resolve_content_type(obj: SessionMaterial) -> str | None:
        return obj.content_type if _is_file(obj) else None

    @staticmethod
    def resolve_size(obj: SessionMaterial) -> int | None:
        return obj.size if _is_file(obj) else None

    @staticmethod
    def resolve_download_url(obj: SessionMaterial) -> str | None:
        if not _is_file(obj):
            return None
        return reverse("teaching:material", kwargs={"material_id": obj.pk})


class MaterialLinkIn(Schema):
    title: Title
    url: Url


class SessionOut(Schema):
    id: int
    title: str
    description: str
    topics: list[TopicCode]
    audience: list[AudienceCode]
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    hours: Hours
    location: str
    online_url: str
    capacity: int
    registered: int
    waiting: int
    organiser: str
    teachers: list[str]
    external_teachers: str
    series_id: int | None
    materials: list[MaterialOut]
    # Raised by every change: the ETag, sent back in If-Match to change the session.
    version: int

    @staticmethod
    def resolve_topics(obj: TeachingSession) -> list[str]:
        return sorted(obj.topic_values)

    @staticmethod
    def resolve_hours(obj: TeachingSession) -> str:
        return json_number(obj.hours)

    @staticmethod
    def resolve_registered(obj: Any) -> int:
        return int(getattr(obj, "registered_count", 0))

    @staticmethod
    def resolve_waiting(obj: Any) -> int:
        return int(getattr(obj, "waiting_count", 0))

    @staticmethod
    def resolve_organiser(obj: TeachingSession) -> str:
        return obj.organiser.name

    @staticmethod
    def resolve_teachers(obj: TeachingSession) -> list[str]:
        return [str(teacher) for teacher in obj.teachers.all()]

    @staticmethod
    def resolve_materials(obj: TeachingSession) -> list[SessionMaterial]:
        return list(obj.materials.all())  # prefetched without the file contents


class SessionPage(Schema):
    count: int
    page: int
    pages: int
    items: list[SessionOut]


class SessionIn(Schema):
    title: Title
    description: Text = ""
    topics: list[TopicCode]
    audience: list[AudienceCode]
    starts_at: datetime
    ends_at: datetime
    location: Title = ""
    online_url: Url = ""
    capacity: Whole
    teacher_ids: list[Id] = []
    external_teachers: Teachers = ""
    repeat: RepeatCode | Literal[""] = ""
    occurrences: Whole = 1


class SessionUpdateIn(Schema):
    title: Title | None = None
    description: Text | None = None
    topics: list[TopicCode] | None = None
    audience: list[AudienceCode] | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: Title | None = None
    online_url: Url | None = None
    capacity: Whole | None = None
    teacher_ids: list[Id] | None = None
    external_teachers: Teachers | None = None


class CreatedSessions(Schema):
    items: list[SessionOut]


class RegistrationOut(Schema):
    id: int
    session_id: int
    status: RegistrationStatus
    waiting_position: int | None
    attended: bool | None

    @staticmethod
    def resolve_waiting_position(obj: Registration) -> int | None:
        return waiting_position(obj)


class ParticipantOut(Schema):
    id: int
    participant_id: int
    name: str
    practice: str
    status: RegistrationStatus
    attended: bool | None

    @staticmethod
    def resolve_name(obj: Registration) -> str:
        return str(obj.participant)

    @staticmethod
    def resolve_practice(obj: Registration) -> str:
        return obj.organisation.name


class MyRegistrationOut(Schema):
    id: int
    session_id: int
    title: str
    starts_at: datetime
    hours: Hours
    certificate_url: str

    @staticmethod
    def resolve_title(obj: Registration) -> str:
        return obj.session.title

    @staticmethod
    def resolve_starts_at(obj: Registration) -> datetime:
        return obj.session.starts_at

    @staticmethod
    def resolve_hours(obj: Registration) -> str:
        return json_number(obj.session.hours)

    @staticmethod
    def resolve_certificate_url(obj: Registration) -> str:
        return reverse("teaching:certificate", kwargs={"registration_id": obj.pk})


class MyHoursOut(Schema):
    hours: Hours
    sessions: list[MyRegistrationOut]


class AttendanceLine(Schema):
    registration_id: int
    attended: bool


class AttendanceIn(Schema):
    attendance: list[AttendanceLine]


class FeedbackIn(Schema):
    rating: Whole
    comment: Annotated[str, Field(max_length=2000)] = ""


class FeedbackOut(Schema):
    rating: int
    comment: str


class InvitationIn(Schema):
    practices: list[Id] = Field(description="Ids of the general practices to invite.")


class InvitationOut(Schema):
    practice_id: int
    practice: str
    invited_at: datetime

    @staticmethod
    def resolve_practice(obj: Invitation) -> str:
        return obj.practice.name
