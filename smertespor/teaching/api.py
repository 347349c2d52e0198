"""Teaching endpoints: sessions, registrations and attendance. The same permissions,
selectors and services as the pages; a service's ValidationError becomes a 422."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from smertespor.accounts.models import User
from smertespor.audit.services import AuditAction, record_event
from smertespor.teaching.models import Registration, TeachingSession, education_hours
from smertespor.teaching.permissions import can_see_teaching, can_take_part_in_teaching
from smertespor.teaching.selectors import (
    SESSION_SORTS,
    WHEN,
    attended_registrations,
    managed_session_for,
    registration_of,
    registrations_for,
    session_for,
    teaching_sessions,
    waiting_position,
)
from smertespor.teaching.services import (
    cancel_registration,
    create_teaching_sessions,
    give_feedback,
    mark_attendance,
    register_for_session,
    update_teaching_session,
)

router = Router(tags=["teaching"])

Title = Annotated[str, Field(max_length=200)]
Text = Annotated[str, Field(max_length=5000)]
Url = Annotated[str, Field(max_length=500)]
Whole = Annotated[int, Field(strict=True)]  # a JSON number: neither true nor "5"
PAGE_SIZE = 50


class MaterialOut(Schema):
    id: int
    kind: str
    title: str
    url: str | None

    @staticmethod
    def resolve_url(obj: Any) -> str | None:
        return obj.url or None


class SessionOut(Schema):
    id: int
    title: str
    description: str
    topics: list[str]
    audience: list[str]
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    hours: Decimal
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

    @staticmethod
    def resolve_topics(obj: TeachingSession) -> list[str]:
        return sorted(obj.topic_values)

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
    def resolve_materials(obj: TeachingSession) -> list[Any]:
        return list(obj.materials.all())  # prefetched without the file contents


class SessionPage(Schema):
    count: int
    page: int
    pages: int
    items: list[SessionOut]


class SessionIn(Schema):
    title: Title
    description: Text = ""
    topics: list[str]
    audience: list[str]
    starts_at: datetime
    ends_at: datetime
    location: Title = ""
    online_url: Url = ""
    capacity: Whole
    teacher_ids: list[int] = []
    external_teachers: Annotated[str, Field(max_length=300)] = ""
    repeat: str = ""
    occurrences: Whole = 1


class SessionUpdateIn(Schema):
    title: Title | None = None
    description: Text | None = None
    topics: list[str] | None = None
    audience: list[str] | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: Title | None = None
    online_url: Url | None = None
    capacity: Whole | None = None
    teacher_ids: list[int] | None = None
    external_teachers: Annotated[str, Field(max_length=300)] | None = None


class CreatedSessions(Schema):
    items: list[SessionOut]


class RegistrationOut(Schema):
    id: int
    session_id: int
    status: str
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
    status: str
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
    hours: Decimal
    certificate_url: str

    @staticmethod
    def resolve_title(obj: Registration) -> str:
        return obj.session.title

    @staticmethod
    def resolve_starts_at(obj: Registration) -> datetime:
        return obj.session.starts_at

    @staticmethod
    def resolve_hours(obj: Registration) -> Decimal:
        return obj.session.hours

    @staticmethod
    def resolve_certificate_url(obj: Registration) -> str:
        return reverse("teaching:certificate", kwargs={"registration_id": obj.pk})


class MyHoursOut(Schema):
    hours: Decimal
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


def _require(request: HttpRequest, allowed: bool) -> None:
    if not allowed:
        record_event(user=request.user, action=AuditAction.REFUSED, object_type="api_teaching")
        raise PermissionDenied


def _teachers(ids: list[int]) -> list[Any]:
    found = list(User.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"teacher_ids": _("Unknown teacher.")}, code="invalid_teacher")
    return found


@router.get("/sessions", response=SessionPage, url_name="teaching_sessions_list")
def list_sessions(
    request: HttpRequest, when: str = "upcoming", topic: str = "", sort: str = "", page: int = 1
) -> dict[str, object]:
    """The programme: ``when`` is upcoming, past or all; filter by topic."""
    _require(request, can_see_teaching(request.user))
    sessions = teaching_sessions(
        when=when if when in WHEN else "upcoming",
        topic=topic,
        sort=sort if sort in SESSION_SORTS else "",
    )
    paginator = Paginator(sessions, PAGE_SIZE)
    current = paginator.get_page(max(page, 1))
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": list(current.object_list),
    }


@router.post("/sessions", response={201: CreatedSessions}, url_name="teaching_sessions_create")
def create_sessions(request: HttpRequest, payload: SessionIn) -> Status[dict[str, object]]:
    """One session, or a series with ``repeat`` (weekly, fortnightly, monthly) and
    ``occurrences``."""
    data = payload.dict()
    data["teachers"] = _teachers(data.pop("teacher_ids"))
    created = create_teaching_sessions(by=request.user, **data)
    return Status(201, {"items": [session_for(request.user, s.pk) for s in created]})


@router.get("/sessions/{session_id}", response=SessionOut, url_name="teaching_sessions_detail")
def get_session(request: HttpRequest, session_id: int) -> TeachingSession:
    _require(request, can_see_teaching(request.user))
    return session_for(request.user, session_id)


@router.patch("/sessions/{session_id}", response=SessionOut, url_name="teaching_sessions_update")
def patch_session(
    request: HttpRequest, session_id: int, payload: SessionUpdateIn
) -> TeachingSession:
    _require(request, can_see_teaching(request.user))
    session = managed_session_for(request.user, session_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "teacher_ids" in changes:
        changes["teachers"] = _teachers(changes.pop("teacher_ids"))
    update_teaching_session(by=request.user, session=session, **changes)
    return session_for(request.user, session_id)


@router.get(
    "/sessions/{session_id}/registrations",
    response=list[ParticipantOut],
    url_name="teaching_registrations_list",
)
def list_registrations(request: HttpRequest, session_id: int) -> list[Registration]:
    """Who has a place or is queued: for the organising clinic and the teachers."""
    _require(request, can_see_teaching(request.user))
    return list(registrations_for(managed_session_for(request.user, session_id)))


@router.post(
    "/sessions/{session_id}/registration",
    response={201: RegistrationOut},
    url_name="teaching_registration_create",
)
def register(request: HttpRequest, session_id: int) -> Status[Registration]:
    """Sign yourself up. ``status`` says whether you got a place or are on the waiting list."""
    _require(request, can_take_part_in_teaching(request.user))
    registration = register_for_session(
        by=request.user, session=session_for(request.user, session_id)
    )
    return Status(201, registration)


@router.get(
    "/sessions/{session_id}/registration",
    response=RegistrationOut,
    url_name="teaching_registration_detail",
)
def my_registration(request: HttpRequest, session_id: int) -> Registration:
    _require(request, can_take_part_in_teaching(request.user))
    registration = registration_of(request.user, session_for(request.user, session_id))
    if registration is None:
        raise Http404
    return registration


@router.delete(
    "/sessions/{session_id}/registration",
    response=RegistrationOut,
    url_name="teaching_registration_cancel",
)
def cancel(request: HttpRequest, session_id: int) -> Registration:
    """Cancel your place (the waiting list moves up) or leave the waiting list."""
    _require(request, can_take_part_in_teaching(request.user))
    return cancel_registration(by=request.user, session=session_for(request.user, session_id))


@router.put(
    "/sessions/{session_id}/attendance",
    response=list[ParticipantOut],
    url_name="teaching_attendance_mark",
)
def put_attendance(request: HttpRequest, session_id: int, payload: AttendanceIn) -> list[Any]:
    """Mark who came, by registration id. Only once the session has begun."""
    _require(request, can_see_teaching(request.user))
    session = managed_session_for(request.user, session_id)
    mark_attendance(
        by=request.user,
        session=session,
        attendance={line.registration_id: line.attended for line in payload.attendance},
    )
    return list(registrations_for(session))


@router.post(
    "/sessions/{session_id}/feedback",
    response={201: FeedbackOut},
    url_name="teaching_feedback_create",
)
def post_feedback(request: HttpRequest, session_id: int, payload: FeedbackIn) -> Status[object]:
    """Rate a session you attended, 1 to 5, with an optional comment."""
    _require(request, can_take_part_in_teaching(request.user))
    feedback = give_feedback(
        by=request.user, session=session_for(request.user, session_id), **payload.dict()
    )
    return Status(201, feedback)


@router.get("/hours/mine", response=MyHoursOut, url_name="teaching_hours_mine")
def my_hours(request: HttpRequest) -> dict[str, object]:
    """Your education hours: every session you attended, with its certificate."""
    _require(request, can_take_part_in_teaching(request.user))
    attended = list(attended_registrations(participant=request.user))
    return {
        "hours": education_hours(sum(r.session.duration_minutes for r in attended)),
        "sessions": attended,
    }
