"""The organising clinic's teaching pages: plan sessions, mark attendance, add materials,
invite practices, and see hours, reach and where teaching is needed. Thin, like ``views``:
each operation is an action (``actions.py``), the same as in the API."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import requires
from smertespor.teaching import actions
from smertespor.teaching.forms import (
    AttendanceForm,
    InviteForm,
    MaterialFileForm,
    MaterialLinkForm,
    SessionCreateForm,
    SessionEditForm,
)
from smertespor.teaching.labels import MEASURE_LABELS
from smertespor.teaching.need import teaching_need
from smertespor.teaching.permissions import can_organise_teaching, can_see_teaching_reach
from smertespor.teaching.selectors import (
    HOURS_SORTS,
    hours_by_participant,
    hours_by_practice,
    managed_session_for,
    practices_to_invite,
    registrations_for,
    teaching_reach,
)
from smertespor.versions import StaleVersion, stale_form

YEAR = timedelta(days=365)
NEED_PAGE_SIZE = 50
# The services name a session's times; the form asks for a date, a start and an end.
SESSION_FIELDS = {"starts_at": "date", "ends_at": "end_time"}


@login_required
@requires(can_organise_teaching)
@require_http_methods(["GET", "POST"])
@performs(actions.plan_teaching_sessions)
def session_create(request: HttpRequest) -> HttpResponse:
    form = SessionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sessions = actions.plan_teaching_sessions(user=request.user, **form.service_kwargs())
        except ValidationError as error:
            apply_errors(form, error, fields=SESSION_FIELDS)
        else:
            messages.success(
                request,
                ngettext(
                    "The session has been created.",
                    "%(count)d sessions have been created.",
                    len(sessions),
                )
                % {"count": len(sessions)},
            )
            return redirect("teaching:detail", session_id=sessions[0].pk)
    context = {"form": form, "session": None}
    return render(request, "teaching/session_form.html", context, status=form_status(form))


@login_required
@requires(can_organise_teaching)
@require_http_methods(["GET", "POST"])
@performs(actions.change_teaching_session)
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = managed_session_for(request.user, session_id)
    form = SessionEditForm(request.POST or None, initial=SessionEditForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_teaching_session(
                user=request.user,
                session_id=session.pk,
                expected_version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except StaleVersion as error:
            session.refresh_from_db()
            current = SessionEditForm.initial_for(session)
            stale_form(form, current, error, version=session.version)
        except ValidationError as error:
            apply_errors(form, error, fields=SESSION_FIELDS)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("teaching:detail", session_id=session.pk)
    context = {"form": form, "session": session}
    return render(request, "teaching/session_form.html", context, status=form_status(form))


@login_required
@requires(can_organise_teaching)
@require_http_methods(["GET", "POST"])
@performs(actions.mark_attendance)
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    session = managed_session_for(request.user, session_id)
    registrations = list(registrations_for(session))
    form = AttendanceForm(request.POST or None, registrations=registrations)
    if request.method == "POST" and form.is_valid():
        try:
            actions.mark_attendance(
                user=request.user, session_id=session.pk, attendance=form.attendance()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Attendance has been saved."))
            return redirect("teaching:detail", session_id=session.pk)
    context = {"session": session, "form": form}
    return render(request, "teaching/attendance.html", context, status=form_status(form))


@login_required
@requires(can_organise_teaching)
@require_http_methods(["GET", "POST"])
@performs(actions.add_material_link, actions.add_material_file)
def material_add(request: HttpRequest, session_id: int) -> HttpResponse:
    session = managed_session_for(request.user, session_id)
    kind = request.POST.get("kind", "")
    link_form = MaterialLinkForm(request.POST if kind == "link" else None, prefix="link")
    file_form = MaterialFileForm(
        request.POST if kind == "file" else None,
        request.FILES if kind == "file" else None,
        prefix="file",
    )
    if request.method == "POST" and kind == "link" and link_form.is_valid():
        try:
            actions.add_material_link(
                user=request.user, session_id=session.pk, **link_form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(link_form, error)
        else:
            messages.success(request, _("The material has been added."))
            return redirect("teaching:detail", session_id=session.pk)
    elif request.method == "POST" and kind == "file" and file_form.is_valid():
        try:
            actions.add_material_file(
                user=request.user,
                session_id=session.pk,
                title=file_form.cleaned_data["title"],
                upload=file_form.cleaned_data["file"],
            )
        except ValidationError as error:
            apply_errors(file_form, error)
        else:
            messages.success(request, _("The material has been added."))
            return redirect("teaching:detail", session_id=session.pk)
    context = {"session": session, "link_form": link_form, "file_form": file_form}
    status = form_status(link_form, file_form)
    return render(request, "teaching/material_form.html", context, status=status)


@login_required
@requires(can_organise_teaching)
@require_POST
@performs(actions.remove_material)
def material_delete(request: HttpRequest, material_id: int) -> HttpResponse:
    session = actions.remove_material(user=request.user, material_id=material_id)
    messages.success(request, _("The material has been removed."))
    return redirect("teaching:detail", session_id=session.pk)


@login_required
@requires(can_organise_teaching)
@require_http_methods(["GET", "POST"])
@performs(actions.invite_practices)
def invite(request: HttpRequest, session_id: int) -> HttpResponse:
    """Invite practices to a session. The need page posts here too, and goes back there once
    the practices are invited (a refusal shows this page with the error)."""
    session = managed_session_for(request.user, session_id)
    form = InviteForm(request.POST or None, practices=practices_to_invite(session))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse("teaching:detail", kwargs={"session_id": session.pk})
    if request.method == "POST" and form.is_valid():
        try:
            invitations = actions.invite_practices(
                user=request.user,
                session_id=session.pk,
                practices=list(form.cleaned_data["practices"]),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d practice has been invited.",
                    "%(count)d practices have been invited.",
                    len(invitations),
                )
                % {"count": len(invitations)},
            )
            return redirect(next_url)
    context = {"session": session, "form": form, "next": next_url}
    return render(request, "teaching/invite.html", context, status=form_status(form))


@login_required
@requires(can_organise_teaching)
@require_GET
def hours(request: HttpRequest) -> HttpResponse:
    """Education hours per practice and per participant over the last 12 months."""
    since = timezone.now() - YEAR
    sort = request.GET.get("sort", "hours")
    sort = sort if sort in HOURS_SORTS else "hours"
    people = Paginator(hours_by_participant(since=since), NEED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "since": since,
        "practices": hours_by_practice(since=since, sort=sort),
        "page": people,
        "sort": sort,
    }
    return render(request, "teaching/hours.html", context)


@login_required
@requires(can_see_teaching_reach)
@require_GET
def reach(request: HttpRequest) -> HttpResponse:
    """Aggregate teaching reach for planners and the clinic: no names of people."""
    now = timezone.now()
    since = now - YEAR
    context = {
        "since": since,
        "reach": teaching_reach(since=since, now=now),
        "practices": hours_by_practice(since=since),
    }
    return render(request, "teaching/reach.html", context)


NEED_SORTS = {"rank", "name", "hours"}


@login_required
@requires(can_organise_teaching)
@require_GET
def need(request: HttpRequest) -> HttpResponse:
    result = teaching_need(now=timezone.now())
    sort = request.GET.get("sort", "rank")
    sort = sort if sort in NEED_SORTS else "rank"
    rows = list(result.rows)
    if sort == "name":
        rows.sort(key=lambda row: row.practice.name)
    elif sort == "hours":
        rows.sort(key=lambda row: (row.need.figures.teaching_minutes, row.need.rank))
    page = Paginator(rows, NEED_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "sort": sort,
        "ranking": result.ranking,
        "since": result.since,
        "measure_labels": [MEASURE_LABELS[measure] for measure in result.shown],
        "missing_labels": [str(MEASURE_LABELS[m]) for m in result.ranking.measures_without_data],
    }
    return render(request, "teaching/need.html", context)
