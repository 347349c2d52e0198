"""Teaching endpoints: the programme, sessions, registrations, attendance, feedback,
invitations and materials. Each operation is the same action as on the pages
(``actions.py``); an endpoint parses, calls it and shapes the answer. Refusals and invalid
input are raised and answered as problems (RFC 9457) by ``config/api.py``."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from smertespor.entry.doors import performs
from smertespor.entry.numbers import json_number
from smertespor.entry.rules import require
from smertespor.entry.schemas import Id
from smertespor.teaching import actions
from smertespor.teaching.models import (
    Feedback,
    Invitation,
    Registration,
    SessionMaterial,
    TeachingSession,
)
from smertespor.teaching.permissions import can_see_teaching, can_take_part_in_teaching
from smertespor.teaching.schemas import (
    AttendanceIn,
    CreatedSessions,
    FeedbackIn,
    FeedbackOut,
    InvitationIn,
    InvitationOut,
    MaterialLinkIn,
    MaterialOut,
    MyHoursOut,
    ParticipantOut,
    RegistrationOut,
    SessionIn,
    SessionOut,
    SessionPage,
    SessionUpdateIn,
    TopicCode,
)
from smertespor.teaching.selectors import (
    SessionSort,
    When,
    education_record,
    managed_session_for,
    materials_for,
    practices_named,
    registration_of,
    registrations_for,
    session_for,
    teachers_named,
    teaching_sessions,
)
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

router = Router(tags=["teaching"])
PAGE_SIZE = 50
PROGRAMME = "teaching_programme"


@router.get("/sessions", response=SessionPage, url_name="teaching_sessions_list")
def list_sessions(
    request: HttpRequest,
    when: When = "upcoming",
    topic: TopicCode | None = None,
    sort: SessionSort | None = None,
    page: int = 1,
) -> dict[str, object]:
    """The programme: ``when`` is upcoming, past or all; filter by topic."""
    require(request.user, can_see_teaching, object_type=PROGRAMME)
    sessions = teaching_sessions(when=when, topic=topic or "", sort=sort or "")
    paginator = Paginator(sessions, PAGE_SIZE)
    current = paginator.get_page(max(page, 1))
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": list(current.object_list),
    }


@router.post("/sessions", response={201: CreatedSessions}, url_name="teaching_sessions_create")
@performs(actions.plan_teaching_sessions)
def create_sessions(request: HttpRequest, payload: SessionIn) -> Status[dict[str, object]]:
    """One session, or a series with ``repeat`` (weekly, fortnightly, monthly) and
    ``occurrences``."""
    details = payload.dict()
    details["teachers"] = teachers_named(details.pop("teacher_ids"))
    created = actions.plan_teaching_sessions(user=request.user, **details)
    return Status(201, {"items": [session_for(request.user, s.pk) for s in created]})


@router.get(
    "/sessions/{session_id}",
    response=SessionOut,
    url_name="teaching_sessions_detail",
    openapi_extra=VERSIONED_READ,
)
def get_session(request: HttpRequest, response: HttpResponse, session_id: Id) -> TeachingSession:
    session = session_for(request.user, session_id)
    send_etag(response, session)
    return session


@router.patch(
    "/sessions/{session_id}",
    response=SessionOut,
    url_name="teaching_sessions_update",
    openapi_extra=versioned_write(),
)
@performs(actions.change_teaching_session)
def patch_session(
    request: HttpRequest, response: HttpResponse, session_id: Id, payload: SessionUpdateIn
) -> TeachingSession:
    """Change the fields sent; `If-Match` names the session's version read (its ETag)."""
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "teacher_ids" in changes:
        changes["teachers"] = teachers_named(changes.pop("teacher_ids"))
    actions.change_teaching_session(
        user=request.user, session_id=session_id, expected_version=if_match(request), **changes
    )
    session = session_for(request.user, session_id)
    send_etag(response, session)
    return session


@router.get(
    "/sessions/{session_id}/registrations",
    response=list[ParticipantOut],
    url_name="teaching_registrations_list",
)
def list_registrations(request: HttpRequest, session_id: Id) -> list[Registration]:
    """Who has a place or is queued: for the organising clinic and the teachers."""
    return list(registrations_for(managed_session_for(request.user, session_id)))


@router.post(
    "/sessions/{session_id}/registration",
    response={201: RegistrationOut},
    url_name="teaching_registration_create",
)
@performs(actions.sign_up_for_session)
def register(request: HttpRequest, session_id: Id) -> Status[Registration]:
    """Sign yourself up. ``status`` says whether you got a place or are on the waiting list."""
    return Status(201, actions.sign_up_for_session(user=request.user, session_id=session_id))


@router.get(
    "/sessions/{session_id}/registration",
    response=RegistrationOut,
    url_name="teaching_registration_detail",
)
def my_registration(request: HttpRequest, session_id: Id) -> Registration:
    require(request.user, can_take_part_in_teaching, object_type=PROGRAMME)
    registration = registration_of(request.user, session_for(request.user, session_id))
    if registration is None:
        raise Http404
    return registration


@router.delete(
    "/sessions/{session_id}/registration",
    response=RegistrationOut,
    url_name="teaching_registration_cancel",
)
@performs(actions.cancel_registration)
def cancel(request: HttpRequest, session_id: Id) -> Registration:
    """Cancel your place (the waiting list moves up) or leave the waiting list."""
    return actions.cancel_registration(user=request.user, session_id=session_id)


@router.put(
    "/sessions/{session_id}/attendance",
    response=list[ParticipantOut],
    url_name="teaching_attendance_mark",
)
@performs(actions.mark_attendance)
def put_attendance(
    request: HttpRequest, session_id: Id, payload: AttendanceIn
) -> list[Registration]:
    """Mark who came, by registration id. From an hour before the session starts."""
    actions.mark_attendance(
        user=request.user,
        session_id=session_id,
        attendance={line.registration_id: line.attended for line in payload.attendance},
    )
    return list(registrations_for(session_for(request.user, session_id)))


@router.post(
    "/sessions/{session_id}/feedback",
    response={201: FeedbackOut},
    url_name="teaching_feedback_create",
)
@performs(actions.give_feedback)
def post_feedback(request: HttpRequest, session_id: Id, payload: FeedbackIn) -> Status[Feedback]:
    """Rate a session you attended, 1 to 5, with an optional comment."""
    feedback = actions.give_feedback(
        user=request.user, session_id=session_id, rating=payload.rating, comment=payload.comment
    )
    return Status(201, feedback)


@router.post(
    "/sessions/{session_id}/invitations",
    response={201: list[InvitationOut]},
    url_name="teaching_invitations_create",
)
@performs(actions.invite_practices)
def invite(request: HttpRequest, session_id: Id, payload: InvitationIn) -> Status[list[Invitation]]:
    """Invite general practices; their staff get a notification. Practices invited before are
    skipped; if every one was, that is a 422 so nothing happens unnoticed."""
    invitations = actions.invite_practices(
        user=request.user, session_id=session_id, practices=practices_named(payload.practices)
    )
    return Status(201, invitations)


@router.get(
    "/sessions/{session_id}/materials",
    response=list[MaterialOut],
    url_name="teaching_materials_list",
)
def list_materials(request: HttpRequest, session_id: Id) -> list[SessionMaterial]:
    """The session's files and links; a file downloads from its ``download_url``."""
    return list(materials_for(session_for(request.user, session_id)))


@router.post(
    "/sessions/{session_id}/materials/links",
    response={201: MaterialOut},
    url_name="teaching_material_links_create",
)
@performs(actions.add_material_link)
def add_link(
    request: HttpRequest, session_id: Id, payload: MaterialLinkIn
) -> Status[SessionMaterial]:
    material = actions.add_material_link(
        user=request.user, session_id=session_id, title=payload.title, url=payload.url
    )
    return Status(201, material)


@router.post(
    "/sessions/{session_id}/materials/files",
    response={201: MaterialOut},
    url_name="teaching_material_files_create",
)
@performs(actions.add_material_file)
def add_file(
    request: HttpRequest,
    session_id: Id,
    file: File[UploadedFile],
    title: Form[str] = "",
) -> Status[SessionMaterial]:
    """Upload a PDF, PNG or JPEG (multipart/form-data), at most 10 MB. The type is read from
    the content, never from the name; ``title`` defaults to the file name."""
    material = actions.add_material_file(
        user=request.user, session_id=session_id, title=title, upload=file
    )
    return Status(201, material)


@router.delete(
    "/materials/{material_id}", response=list[MaterialOut], url_name="teaching_material_delete"
)
@performs(actions.remove_material)
def delete_material(request: HttpRequest, material_id: Id) -> list[SessionMaterial]:
    """Remove a file or link; the answer is the session's materials that are left."""
    session = actions.remove_material(user=request.user, material_id=material_id)
    return list(materials_for(session))


@router.get("/hours/mine", response=MyHoursOut, url_name="teaching_hours_mine")
def my_hours(request: HttpRequest) -> dict[str, object]:
    """Your education hours: every session you attended, with its certificate."""
    require(request.user, can_take_part_in_teaching, object_type=PROGRAMME)
    record = education_record(request.user)
    return {"hours": json_number(record.hours), "sessions": record.attended}
