"""The organising clinic's teaching pages: plan sessions, mark attendance, add materials, invite
practices, and see hours, reach and where teaching is needed. Thin, like ``views``."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from smertespor.accounts.permissions import require
from smertespor.teaching.forms import (
    AttendanceForm,
    InviteForm,
    MaterialFileForm,
    MaterialLinkForm,
    SessionCreateForm,
    SessionForm,
    add_service_errors,
)
from smertespor.teaching.material_services import (
    add_material_file,
    add_material_link,
    remove_material,
)
from smertespor.teaching.models import SessionMaterial
from smertespor.teaching.need import MEASURE_LABELS, teaching_need
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
from smertespor.teaching.services import (
    create_teaching_sessions,
    invite_practices,
    mark_attendance,
    update_teaching_session,
)

YEAR = timedelta(days=365)
NEED_PAGE_SIZE = 50


@login_required
@require(can_organise_teaching)
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    form = SessionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sessions = create_teaching_sessions(by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
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
    return render(request, "teaching/session_form.html", {"form": form, "session": None})


@login_required
@require(can_organise_teaching)
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = managed_session_for(request.user, session_id)
    form = SessionForm(request.POST or None, initial=SessionForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        try:
            update_teaching_session(by=request.user, session=session, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("teaching:detail", session_id=session.pk)
    return render(request, "teaching/session_form.html", {"form": form, "session": session})


@login_required
@require(can_organise_teaching)
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    session = managed_session_for(request.user, session_id)
    registrations = list(registrations_for(session))
    form = AttendanceForm(request.POST or None, registrations=registrations)
    if request.method == "POST" and form.is_valid():
        try:
            mark_attendance(by=request.user, session=session, attendance=form.attendance())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Attendance has been saved."))
            return redirect("teaching:detail", session_id=session.pk)
    return render(request, "teaching/attendance.html", {"session": session, "form": form})


@login_required
@require(can_organise_teaching)
@require_http_methods(["GET", "POST"])
def material_add(request: HttpRequest, session_id: int) -> HttpResponse:
    session = managed_session_for(request.user, session_id)
    kind = request.POST.get("kind", "")
    link_form = MaterialLinkForm(request.POST if kind == "link" else None, prefix="link")
    file_form = MaterialFileForm(
        request.POST if kind == "file" else None,
        request.FILES if kind == "file" else None,
        prefix="file",
    )
    form = link_form if kind == "link" else file_form if kind == "file" else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            if form is link_form:
                add_material_link(by=request.user, session=session, **form.cleaned_data)
            else:
                add_material_file(
                    by=request.user,
                    session=session,
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The material has been added."))
            return redirect("teaching:detail", session_id=session.pk)
    context = {"session": session, "link_form": link_form, "file_form": file_form}
    return render(request, "teaching/material_form.html", context)


@login_required
@require(can_organise_teaching)
@require_POST
def material_delete(request: HttpRequest, material_id: int) -> HttpResponse:
    material = get_object_or_404(SessionMaterial.objects.defer("content"), pk=material_id)
    session = managed_session_for(request.user, material.session_id)
    remove_material(by=request.user, material=material)
    messages.success(request, _("The material has been removed."))
    return redirect("teaching:detail", session_id=session.pk)


@login_required
@require(can_organise_teaching)
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, session_id: int) -> HttpResponse:
    session = managed_session_for(request.user, session_id)
    form = InviteForm(request.POST or None, practices=practices_to_invite(session))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse("teaching:detail", kwargs={"session_id": session.pk})
    if request.method == "POST":
        if form.is_valid():
            try:
                invitations = invite_practices(
                    by=request.user, session=session, practices=form.cleaned_data["practices"]
                )
            except ValidationError as error:
                form.add_error(None, error)
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
        for error in form.errors.values():
            for message in error:
                messages.error(request, message)
        if request.POST.get("next"):
            return redirect(next_url)
    context = {"session": session, "form": form, "next": next_url}
    return render(request, "teaching/invite.html", context)


@login_required
@require(can_organise_teaching)
def hours(request: HttpRequest) -> HttpResponse:
    """Education hours per practice and per participant over the last 12 months."""
    now = timezone.now()
    since = now - YEAR
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
@require(can_see_teaching_reach)
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
@require(can_organise_teaching)
def need(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    result = teaching_need(now=now)
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
        "measure_labels": [
            label
            for measure, label in MEASURE_LABELS.items()
            if measure not in result.ranking.measures_without_data
        ],
        "missing_labels": [str(MEASURE_LABELS[m]) for m in result.ranking.measures_without_data],
    }
    return render(request, "teaching/need.html", context)
