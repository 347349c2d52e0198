"""Teaching pages for participants. Thin: parse, call selector or service, render.

The organising clinic's pages (create, edit, attendance, materials, invitations, hours,
need) are in ``organiser_views``.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smertespor.accounts.permissions import require
from smertespor.teaching.announcements import session_calendar
from smertespor.teaching.forms import FeedbackForm
from smertespor.teaching.models import Feedback, Registration, SessionMaterial, education_hours
from smertespor.teaching.permissions import (
    can_manage_session,
    can_organise_teaching,
    can_see_teaching,
    can_take_part_in_teaching,
)
from smertespor.teaching.selectors import (
    SESSION_SORTS,
    WHEN,
    attended_registrations,
    education_minutes,
    feedback_summary,
    invited_practices,
    is_practice_invited,
    materials_for,
    practices_to_invite,
    registration_of,
    registrations_for,
    session_for,
    teaching_sessions,
    waiting_position,
)
from smertespor.teaching.services import (
    cancel_registration,
    give_feedback,
    register_for_session,
)
from smertespor.teaching.topics import Topic

PAGE_SIZE = 20


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require(can_see_teaching)
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
    mine = {
        r.session_id: r
        for r in Registration.objects.filter(participant=request.user, session__in=sessions)
    }
    invited = set(
        request.user.organisation.teaching_invitations.filter(session__in=sessions).values_list(
            "session_id", flat=True
        )
    )
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


def _registration_context(request: HttpRequest, session: Any) -> dict[str, Any]:
    registration = registration_of(request.user, session)
    return {
        "session": session,
        "registration": registration,
        "position": waiting_position(registration) if registration else None,
        "can_take_part": can_take_part_in_teaching(request.user),
        "has_feedback": registration is not None
        and Feedback.objects.filter(registration=registration).exists(),
    }


@login_required
@require(can_see_teaching)
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = session_for(request.user, session_id)
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
    return render(request, "teaching/detail.html", context)


def _after_registration_change(
    request: HttpRequest, session_id: int, success: str | None, error: ValidationError | None
) -> HttpResponse:
    session = session_for(request.user, session_id)  # fresh counts
    if is_htmx(request):
        context = {
            **_registration_context(request, session),
            "flash": success,
            "errors": error.messages if error else [],
        }
        return render(request, "teaching/_registration.html", context)
    if error:
        for message in error.messages:
            messages.error(request, message)
    elif success:
        messages.success(request, success)
    return redirect("teaching:detail", session_id=session.pk)


@login_required
@require(can_take_part_in_teaching)
@require_POST
def register(request: HttpRequest, session_id: int) -> HttpResponse:
    session = session_for(request.user, session_id)
    try:
        registration = register_for_session(by=request.user, session=session)
    except ValidationError as error:
        return _after_registration_change(request, session_id, None, error)
    success = (
        _("You are registered.")
        if registration.status == Registration.Status.REGISTERED
        else _("The session is full: you are on the waiting list and will move up automatically.")
    )
    return _after_registration_change(request, session_id, success, None)


@login_required
@require(can_take_part_in_teaching)
@require_POST
def cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    session = session_for(request.user, session_id)
    try:
        cancel_registration(by=request.user, session=session)
    except ValidationError as error:
        return _after_registration_change(request, session_id, None, error)
    return _after_registration_change(
        request, session_id, _("Your registration is cancelled."), None
    )


@login_required
@require(can_see_teaching)
def calendar_file(request: HttpRequest, session_id: int) -> HttpResponse:
    session = session_for(request.user, session_id)
    response = HttpResponse(session_calendar(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"teaching-{session.pk}.ics")
    return response


@login_required
@require(can_see_teaching)
def material_download(request: HttpRequest, material_id: int) -> HttpResponse:
    material = SessionMaterial.objects.filter(
        pk=material_id, kind=SessionMaterial.Kind.FILE
    ).first()
    if material is None:
        raise Http404
    response = HttpResponse(bytes(material.content or b""), content_type=material.content_type)
    response["Content-Disposition"] = content_disposition_header(True, material.filename)
    return response


@login_required
@require(can_take_part_in_teaching)
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, session_id: int) -> HttpResponse:
    session = session_for(request.user, session_id)
    registration = registration_of(request.user, session)
    existing = Feedback.objects.filter(registration=registration).first() if registration else None
    initial = {"rating": existing.rating, "comment": existing.comment} if existing else None
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            give_feedback(by=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("teaching:detail", session_id=session.pk)
    context = {
        "session": session,
        "form": form,
        "attended": bool(registration and registration.attended),
    }
    return render(request, "teaching/feedback.html", context)


@login_required
@require(can_take_part_in_teaching)
def my_teaching(request: HttpRequest) -> HttpResponse:
    """The participant's own hours and certificates, and their practice's total."""
    attended = list(attended_registrations(participant=request.user))
    with_feedback = set(
        Feedback.objects.filter(registration__in=attended).values_list("registration_id", flat=True)
    )
    upcoming = (
        Registration.objects.filter(
            participant=request.user,
            status__in=(Registration.Status.REGISTERED, Registration.Status.WAITING),
            session__starts_at__gt=timezone.now(),
        )
        .select_related("session")
        .order_by("session__starts_at")
    )
    practice_minutes = education_minutes(organisation=request.user.organisation)
    practice_people = (
        Registration.objects.filter(organisation=request.user.organisation, attended=True)
        .values("participant")
        .distinct()
        .count()
    )
    context = {
        "attended": [(r, r.pk in with_feedback) for r in attended],
        "upcoming": upcoming,
        "hours": education_hours(sum(r.session.duration_minutes for r in attended)),
        "practice_hours": education_hours(practice_minutes),
        "practice_people": practice_people,
    }
    return render(request, "teaching/mine.html", context)


@login_required
@require(can_see_teaching)
def certificate(request: HttpRequest, registration_id: int) -> HttpResponse:
    """A printable attendance certificate: for the participant, or the organising clinic."""
    registration = (
        Registration.objects.select_related("session__organiser", "participant", "organisation")
        .filter(pk=registration_id, attended=True)
        .first()
    )
    if registration is None or not (
        registration.participant_id == request.user.pk
        or can_manage_session(request.user, registration.session)
    ):
        raise Http404
    return render(
        request,
        "teaching/certificate.html",
        {"registration": registration, "session": registration.session},
    )
