"""Advice pages: the lists, asking, a request's thread, replying, assigning, closing,
telephone advice, a patient's requests, attachments and the figures. Thin: parse with a form,
call the action (`advice.actions`), render; a refused form answers 422 like the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.accounts.models import User
from smertespor.accounts.permissions import is_hospital_department_staff
from smertespor.accounts.requests import SignedInRequest
from smertespor.advice import actions
from smertespor.advice.access import advice_request_for
from smertespor.advice.forms import AskForm, AssignForm, CloseForm, ReplyForm, TelephoneForm
from smertespor.advice.models import AdviceAttachment, AdviceRequest
from smertespor.advice.permissions import (
    can_ask_about,
    can_ask_for_advice,
    can_see_advice_counts,
    can_use_advice,
    can_write_article_from,
    is_advice_clinician,
    side_of,
)
from smertespor.advice.response_time import is_overdue, target_working_days
from smertespor.advice.selectors import (
    REQUEST_FILTERS,
    REQUEST_SORTS,
    advice_counts_for,
    advice_requests_for,
    advice_requests_of_patient,
    colleagues_for_assignment,
    thread_of,
)
from smertespor.advice.snapshot import patient_snapshot
from smertespor.advice.sources import SOURCE_LABELS, SOURCES
from smertespor.audit.services import AuditAction, record_event, record_listed
from smertespor.documents import kind_for, named_for_content
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.numbers import size_for_people as filesizeformat
from smertespor.entry.rules import require, requires
from smertespor.patients.access import patient_for_request
from smertespor.patients.models import Patient
from smertespor.tracks.selectors import early_handover_url, open_course_of
from smertespor.versions import StaleVersion, stale_form

PAGE_SIZE = 25
# Room for the form fields around the files in a multipart body.
UPLOAD_OVERHEAD_BYTES = 1024 * 1024
# A service's argument -> the form field that shows its errors.
ASK_FIELDS = {"clinic_id": "clinic", "course_id": "about_course"}
TELEPHONE_FIELDS = {"asked_by_id": "asked_by", "practice_id": "practice"}


def posted_data(request: HttpRequest) -> QueryDict | None:
    """The POST data, or None on GET (an empty POST still binds the form and is refused)."""
    return request.POST if request.method == "POST" else None


def upload_too_large(request: HttpRequest) -> bool:
    """Refuse before Django reads a huge body to disk; the exact checks are the service's."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.ADVICE_ATTACHMENT_MAX_BYTES + UPLOAD_OVERHEAD_BYTES


def _refuse_upload(form: AskForm | ReplyForm) -> None:
    """Show on ``form`` (bound to no data) only that the upload is too large."""
    form.full_clean()
    form.errors.clear()
    message = _("The files are too large; the limit is %(limit)s in total.") % {
        "limit": filesizeformat(settings.ADVICE_ATTACHMENT_MAX_BYTES)
    }
    form.add_error(None, message)


def handover_url(user: User, advice_request: AdviceRequest) -> str | None:
    """The course's early handover to the hospital track, if the reader may take it now."""
    course = advice_request.course
    return early_handover_url(user, course) if course is not None else None


@login_required
@requires(can_use_advice)
@require_GET
def request_list(request: SignedInRequest) -> HttpResponse:
    is_clinic = is_advice_clinician(request.user)
    show = request.GET.get("show", "open")
    if show not in REQUEST_FILTERS or (not is_clinic and show in {"mine", "unassigned"}):
        show = "open"
    sort = request.GET.get("sort", "due" if is_clinic else "-asked")
    if sort not in REQUEST_SORTS:
        sort = "due"
    source = request.GET.get("source", "")
    if not is_clinic or source not in SOURCES:
        source = ""
    page = Paginator(
        advice_requests_for(request.user, show=show, sort=sort, source=source), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    record_listed(
        user=request.user,
        patients=[item.patient_id for item in page.object_list if item.patient_visible],
        object_type="advice_requests",
    )
    context = {
        "page": page,
        "show": show,
        "sort": sort,
        "is_clinic": is_clinic,
        "can_ask": can_ask_for_advice(request.user),
        "filters": _filters(is_clinic),
        "source": source,
        "sources": [("", _("All")), *((code, SOURCE_LABELS[code]) for code in SOURCES)],
        "is_department": is_hospital_department_staff(request.user),
    }
    return render(request, "advice/list.html", context)


def _filters(is_clinic: bool) -> list[tuple[str, str]]:
    filters = [("open", _("Open"))]
    if is_clinic:
        filters += [("mine", _("Assigned to me")), ("unassigned", _("Unassigned"))]
    filters += [
        ("overdue", _("Overdue")),
        ("answered", _("Answered")),
        ("closed", _("Closed")),
        ("all", _("All")),
    ]
    return filters


def _ask_page(request: SignedInRequest, patient: Patient | None = None) -> HttpResponse:
    course = open_course_of(patient) if patient is not None else None
    if request.method == "POST" and upload_too_large(request):
        form = AskForm({}, user=request.user, course=course)
        _refuse_upload(form)
    else:
        files = request.FILES if request.method == "POST" else None
        form = AskForm(posted_data(request), files, user=request.user, course=course)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            advice_request = actions.ask_for_advice(
                user=request.user,
                subject=data["subject"],
                question=data["question"],
                category=data["category"],
                urgency=data["urgency"],
                clinic_id=data["clinic"].pk if data.get("clinic") else None,
                patient_id=patient.pk if patient is not None else None,
                course_id=course.pk if course is not None and data.get("about_course") else None,
                files=data.get("attachments") or [],
            )
        except ValidationError as error:
            apply_errors(form, error, fields=ASK_FIELDS)
        else:
            messages.success(request, _("Your question has been sent to the pain clinic."))
            return redirect("advice:detail", request_id=advice_request.pk)
    context = {
        "form": form,
        "patient": patient,
        "snapshot": patient_snapshot(patient) if patient is not None else None,
        "course": course,
        "tab": "advice",
        "targets": {
            "routine": target_working_days("routine"),
            "urgent": target_working_days("urgent"),
        },
    }
    return render(request, "advice/ask.html", context, status=form_status(form))


@login_required
@requires(can_ask_for_advice)
@require_http_methods(["GET", "POST"])
@performs(actions.ask_for_advice)
def request_create(request: SignedInRequest) -> HttpResponse:
    """A general question, without patient data."""
    return _ask_page(request)


@login_required
@requires(can_ask_for_advice)
@require_http_methods(["GET", "POST"])
@performs(actions.ask_for_advice)
def request_create_for_patient(request: SignedInRequest, patient_id: str) -> HttpResponse:
    patient = patient_for_request(
        request,
        patient_id,
        object_type="advice_request" if request.method == "POST" else "advice_request_form",
    )
    require(
        request.user,
        can_ask_about(request.user, patient),
        object_type="advice_request",
        object_id=str(patient.pk),
        patient=patient,
    )
    return _ask_page(request, patient)


def _detail_context(
    request: SignedInRequest, advice_request: AdviceRequest, **forms: Any
) -> dict[str, Any]:
    side = side_of(request.user, advice_request)
    is_clinic = side == "clinic"
    context: dict[str, Any] = {
        "advice_request": advice_request,
        "is_overdue": is_overdue(status=advice_request.status, due_on=advice_request.due_on),
        "patient": advice_request.patient if advice_request.patient_id else None,
        "thread": thread_of(advice_request),
        "side": side,
        "is_clinic": is_clinic,
        "snapshot": advice_request.snapshot,
        "handover_url": handover_url(request.user, advice_request) if side == "practice" else None,
        "can_write_article": is_clinic and can_write_article_from(request.user, advice_request),
        "articles": list(advice_request.articles.all()) if is_clinic else [],
    }
    version = {"version": advice_request.version}
    if not advice_request.is_closed:
        context["reply_form"] = forms.get("reply_form") or ReplyForm(
            side=side or "practice", initial=version
        )
        if is_clinic:
            context["assign_form"] = forms.get("assign_form") or AssignForm(
                colleagues=colleagues_for_assignment(advice_request),
                initial={"assigned_to": advice_request.assigned_to_id, **version},
            )
        elif advice_request.first_response_at is not None:
            context["close_form"] = forms.get("close_form") or CloseForm()
    return context


@login_required
@require_GET
def request_detail(request: SignedInRequest, request_id: int) -> HttpResponse:
    advice_request = advice_request_for(request.user, request_id)
    return render(request, "advice/detail.html", _detail_context(request, advice_request))


@login_required
@require_POST
@performs(actions.reply_to_advice_request)
def request_reply(request: SignedInRequest, request_id: int) -> HttpResponse:
    advice_request = advice_request_for(request.user, request_id, change=True)
    side = side_of(request.user, advice_request) or "practice"
    if upload_too_large(request):
        form = ReplyForm({}, side=side)
        _refuse_upload(form)
    else:
        form = ReplyForm(request.POST, request.FILES, side=side)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.reply_to_advice_request(
                user=request.user,
                request_id=advice_request.pk,
                body=data["body"],
                kind=data.get("kind") or None,
                by_telephone=bool(data.get("by_telephone")),
                files=data.get("attachments") or [],
                expected_version=data["version"],
            )
        except StaleVersion as error:
            # The page shows the thread as it is now (the other message); the form keeps
            # the text, on the current version, to send again.
            advice_request.refresh_from_db()
            stale_form(form, {}, error, version=advice_request.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your message has been added."))
            return redirect("advice:detail", request_id=advice_request.pk)
    context = _detail_context(request, advice_request, reply_form=form)
    return render(request, "advice/detail.html", context, status=form_status(form))


@login_required
@requires(is_advice_clinician)
@require_POST
@performs(actions.assign_advice_request)
def request_assign(request: SignedInRequest, request_id: int) -> HttpResponse:
    advice_request = advice_request_for(request.user, request_id, change=True)
    form = AssignForm(request.POST, colleagues=colleagues_for_assignment(advice_request))
    if form.is_valid():
        assignee = form.cleaned_data["assigned_to"]
        try:
            actions.assign_advice_request(
                user=request.user,
                request_id=advice_request.pk,
                assignee_id=assignee.pk if assignee is not None else None,
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            advice_request.refresh_from_db()
            current = {"assigned_to": advice_request.assigned_to_id}
            stale_form(form, current, error, version=advice_request.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The request has been assigned."))
            return redirect("advice:detail", request_id=advice_request.pk)
    context = _detail_context(request, advice_request, assign_form=form)
    return render(request, "advice/detail.html", context, status=form_status(form))


@login_required
@requires(can_ask_for_advice)
@require_http_methods(["GET", "POST"])
@performs(actions.close_advice_request)
def request_close(request: SignedInRequest, request_id: int) -> HttpResponse:
    advice_request = advice_request_for(request.user, request_id, change=request.method == "POST")
    form = CloseForm(posted_data(request), initial={"version": advice_request.version})
    if request.method == "POST" and form.is_valid():
        try:
            actions.close_advice_request(
                user=request.user,
                request_id=advice_request.pk,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["outcome_note"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            advice_request.refresh_from_db()
            stale_form(form, {}, error, version=advice_request.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The request is closed. Thank you for answering."))
            return redirect("advice:detail", request_id=advice_request.pk)
    context = {
        "advice_request": advice_request,
        "form": form,
        "handover_url": handover_url(request.user, advice_request),
    }
    return render(request, "advice/close.html", context, status=form_status(form))


@login_required
@requires(is_advice_clinician)
@require_http_methods(["GET", "POST"])
@performs(actions.record_telephone_advice)
def telephone_advice(request: SignedInRequest) -> HttpResponse:
    form = TelephoneForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            advice_request = actions.record_telephone_advice(
                user=request.user,
                practice_id=data["practice"].pk,
                asked_by_id=data["asked_by"].pk if data.get("asked_by") else None,
                called_at=data.get("called_at"),
                subject=data["subject"],
                question=data["question"],
                advice=data["advice"],
                category=data["category"],
                urgency=data["urgency"],
            )
        except ValidationError as error:
            apply_errors(form, error, fields=TELEPHONE_FIELDS)
        else:
            messages.success(request, _("The telephone advice is recorded."))
            return redirect("advice:detail", request_id=advice_request.pk)
    return render(request, "advice/telephone.html", {"form": form}, status=form_status(form))


@login_required
@requires(can_use_advice)
@require_GET
def patient_requests(request: SignedInRequest, patient_id: str) -> HttpResponse:
    patient = patient_for_request(request, patient_id, object_type="advice_requests")
    requests = advice_requests_of_patient(request.user, patient).order_by("-asked_at")
    context = {
        "patient": patient,
        "requests": requests,
        "tab": "advice",
        "can_ask": can_ask_about(request.user, patient),
    }
    return render(request, "advice/patient_requests.html", context)


@login_required
@requires(can_use_advice)
@require_GET
def attachment_download(request: SignedInRequest, attachment_id: int) -> FileResponse:
    attachment = AdviceAttachment.objects.filter(pk=attachment_id).select_related("message").first()
    if attachment is None:
        raise Http404
    # Loading the request checks the user's side and (for a patient) logs the access.
    advice_request = advice_request_for(
        request.user, attachment.message.request_id, object_type="advice_attachment"
    )
    if advice_request.patient_id is None:
        record_event(
            user=request.user,
            action=AuditAction.VIEW,
            object_type="advice_attachment",
            object_id=str(attachment.pk),
        )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # The name's extension and the type are the detected ones, whatever the uploader called
    # the file (rows saved before issue 12 may still carry the uploader's extension).
    kind = kind_for(attachment.content_type)
    name = named_for_content(attachment.original_name, kind) if kind else "attachment.bin"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@requires(can_see_advice_counts)
@require_GET
def counts(request: SignedInRequest) -> HttpResponse:
    source = request.GET.get("source", "")
    if source not in SOURCES:
        source = ""
    context = {
        "counts": advice_counts_for(request.user, source=source),
        "source": source,
        "sources": [("", _("All")), *((code, SOURCE_LABELS[code]) for code in SOURCES)],
    }
    return render(request, "advice/counts.html", context)
