"""Teaching pages everyone in teaching sees, and the participants' own: the programme, a
session, signing up, feedback, hours and certificates. Thin: parse, call a selector or an
action, render.

The organising clinic's pages (plan, edit, attendance, materials, invitations, hours, reach,
need) are in ``organiser_views``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.entry.doors import performs
from smertespor.entry.forms import INVALID_STATUS, apply_errors, form_status
from smertespor.entry.rules import requires
from smertespor.teaching import actions
from smertespor.teaching.announcements import session_calendar
from smertespor.teaching.forms import FeedbackForm
from smertespor.teaching.models import Registration, TeachingSession
from smertespor.teaching.permissions import (
    can_manage_session,
    can_organise_teaching,
    can_see_teaching,
    can_take_part_in_teaching,
)
from smertespor.teaching.selectors import (
    SESSION_SORTS,
    WHEN,
    certificate_for,
    education_record,
    feedback_of,
    feedback_summary,
    has_given_feedback,
    invited_practices,
    is_practice_invited,
    material_file,
    materials_for,
    practice_education,
    practices_to_invite,
    registration_of,
    registrations_for,
    registrations_of,
    session_for,
    sessions_invited_to,
    teaching_sessions,
    upcoming_registrations,
    waiting_position,
    with_feedback,
)
from smertespor.teaching.topics import Topic

PAGE_SIZE = 20


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@requires(can_see_teaching)
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    when = request.GET.get("when", "upcoming")
    when = when if when in WHEN else "upcoming"
    topic = request.GET.get("topic", "")
    topic = topic if topic in Topic.values else ""
    sort = request.GET.get("sort", "")
    sort = sort if sort in SESSION_SORTS else ("-starts_at" if when == "past" else "starts_at")
    page = Paginator(teaching_sessions(when=when, topic=topic, sort=sort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    sessions = list(page.object_list)
    mine = registrations_of(request.user, sessions)
    invited = sessions_invited_to(request.user, sessions)
    rows = [
        {"session": s, "registration": mine.get(s.pk), "invited": s.pk in invited} for s in sessions
    ]
    context = {
        "page": page,
        "rows": rows,
        "when": when,
        "topic": topic,
        "sort": sort,
        "topics": Topic.choices,
        "can_organise": can_organise_teaching(request.user),
        "can_take_part": can_take_part_in_teaching(request.user),
    }
    return render(request, "teaching/list.html", context)


def _registration_context(request: HttpRequest, session: TeachingSession) -> dict[str, object]:
    registration = registration_of(request.user, session)
    return {
        "session": session,
        "registration": registration,
        "position": waiting_position(registration) if registration else None,
        "can_take_part": can_take_part_in_teaching(request.user),
        "has_feedback": has_given_feedback(registration),
    }


def _detail_context(request: HttpRequest, session: TeachingSession) -> dict[str, object]:
    can_manage = can_manage_session(request.user, session)
    context = {
        **_registration_context(request, session),
        "materials": materials_for(session),
        "can_manage": can_manage,
        "is_invited": can_take_part_in_teaching(request.user)
        and is_practice_invited(request.user, session),
    }
    if can_manage:
        context |= {
            "registrations": registrations_for(session),
            "feedback": feedback_summary(session),
            "invited_practices": invited_practices(session),
            "has_practices_to_invite": practices_to_invite(session).exists(),
        }
    return context


@login_required
@requires(can_see_teaching)
@require_GET
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = session_for(request.user, session_id)
    return render(request, "teaching/detail.html", _detail_context(request, session))


def _after_registration_change(
    request: HttpRequest, session_id: int, success: str | None, error: ValidationError | None
) -> HttpResponse:
    """The registration box again (htmx), or the session's page: refused with 422 and the
    reason, or after the change."""
    session = session_for(request.user, session_id)  # fresh counts
    if is_htmx(request):
        context = {
            **_registration_context(request, session),
            "flash": success,
            "errors": error.messages if error else [],
        }
        status = INVALID_STATUS if error else 200
        return render(request, "teaching/_registration_changed.html", context, status=status)
    if error:
        for message in error.messages:
            messages.error(request, message)
        context = _detail_context(request, session)
        return render(request, "teaching/detail.html", context, status=INVALID_STATUS)
    if success:
        messages.success(request, success)
    return redirect("teaching:detail", session_id=session.pk)


@login_required
@requires(can_take_part_in_teaching)
@require_POST
@performs(actions.sign_up_for_session)
def register(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        registration = actions.sign_up_for_session(user=request.user, session_id=session_id)
    except ValidationError as error:
        return _after_registration_change(request, session_id, None, error)
    success = (
        _("You are registered.")
        if registration.status == Registration.Status.REGISTERED
        else _("The session is full: you are on the waiting list and will move up automatically.")
    )
    return _after_registration_change(request, session_id, success, None)


@login_required
@requires(can_take_part_in_teaching)
@require_POST
@performs(actions.cancel_registration)
def cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        actions.cancel_registration(user=request.user, session_id=session_id)
    except ValidationError as error:
        return _after_registration_change(request, session_id, None, error)
    return _after_registration_change(
        request, session_id, _("Your registration is cancelled."), None
    )


@login_required
@requires(can_see_teaching)
@require_GET
def calendar_file(request: HttpRequest, session_id: int) -> HttpResponse:
    session = session_for(request.user, session_id)
    response = HttpResponse(session_calendar(session), content_type="text/calendar; charset=utf-8")
    name = f"teaching-{session.pk}.ics"
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


@login_required
@requires(can_see_teaching)
@require_GET
def material_download(request: HttpRequest, material_id: int) -> HttpResponse:
    material = material_file(material_id)
    response = HttpResponse(bytes(material.content or b""), content_type=material.content_type)
    response["Content-Disposition"] = content_disposition_header(True, material.filename) or ""
    return response


@login_required
@requires(can_take_part_in_teaching)
@require_http_methods(["GET", "POST"])
@performs(actions.give_feedback)
def feedback(request: HttpRequest, session_id: int) -> HttpResponse:
    session = session_for(request.user, session_id)
    registration = registration_of(request.user, session)
    existing = feedback_of(registration)
    initial = {"rating": existing.rating, "comment": existing.comment} if existing else None
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.give_feedback(user=request.user, session_id=session.pk, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("teaching:detail", session_id=session.pk)
    context = {
        "session": session,
        "form": form,
        "attended": bool(registration and registration.attended),
    }
    return render(request, "teaching/feedback.html", context, status=form_status(form))


@login_required
@requires(can_take_part_in_teaching)
@require_GET
def my_teaching(request: HttpRequest) -> HttpResponse:
    """The participant's own hours and certificates, and their practice's total."""
    record = education_record(request.user)
    practice = practice_education(request.user)
    given = with_feedback(record.attended)
    context = {
        "attended": [(r, r.pk in given) for r in record.attended],
        "upcoming": upcoming_registrations(request.user),
        "hours": record.hours,
        "practice_hours": practice.hours,
        "practice_people": practice.participants,
    }
    return render(request, "teaching/mine.html", context)


@login_required
@requires(can_see_teaching)
@require_GET
def certificate(request: HttpRequest, registration_id: int) -> HttpResponse:
    """A printable attendance certificate: for the participant, or the organising clinic."""
    registration = certificate_for(request.user, registration_id)
    return render(
        request,
        "teaching/certificate.html",
        {"registration": registration, "session": registration.session},
    )
