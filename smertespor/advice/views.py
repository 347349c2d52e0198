"""Advice pages: the lists, asking, a request's thread, replying, assigning, closing,
telephone advice, a patient's requests, attachments and the figures. Thin: parse, load
through `advice.access` / `patients.access` (which audit), call a service, render."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.accounts.permissions import require
from smertespor.advice.access import advice_request_for
from smertespor.advice.article_services import can_write_article_from
from smertespor.advice.forms import AskForm, AssignForm, CloseForm, ReplyForm, TelephoneForm
from smertespor.advice.models import AdviceAttachment, AdviceRequest
from smertespor.advice.permissions import (
    can_ask_for_advice,
    can_see_advice_counts,
    can_use_advice,
    is_advice_clinician,
    side_of,
)
from smertespor.advice.response_time import is_overdue, target_working_days
from smertespor.advice.selectors import (
    REQUEST_FILTERS,
    REQUEST_SORTS,
    advice_counts,
    advice_requests_for,
    advice_requests_of_patient,
    colleagues_for_assignment,
    thread_of,
)
from smertespor.advice.services import (
    ask_for_advice,
    assign_advice_request,
    close_advice_request,
    record_telephone_advice,
    reply_to_advice_request,
)
from smertespor.audit.services import AuditAction, record_event
from smertespor.patients.access import patient_for, patient_for_change

PAGE_SIZE = 25
# Room for the form fields around the files in a multipart body.
UPLOAD_OVERHEAD_BYTES = 1024 * 1024


def posted_data(request: HttpRequest) -> Any:
    """The POST data, or None on GET (an empty POST still binds the form and is refused)."""
    return request.POST if request.method == "POST" else None


def apply_errors(form: Any, error: ValidationError) -> None:
    """Put a service's errors on the form's fields where it has them, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _upload_too_large(request: HttpRequest) -> bool:
    # Refuse before Django reads a huge body to disk; the exact checks come later.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.ADVICE_ATTACHMENT_MAX_BYTES + UPLOAD_OVERHEAD_BYTES


def _refuse_upload(form: Any) -> Any:
    """`form` (bound to no data) showing only that the upload is too large."""
    form.full_clean()
    form._errors.clear()
    message = _("The files are too large; the limit is %(limit)s in total.") % {
        "limit": filesizeformat(settings.ADVICE_ATTACHMENT_MAX_BYTES)
    }
    form.add_error(None, message)
    return form


def _open_course(patient: Any) -> Any:
    if not apps.is_installed("smertespor.tracks"):
        return None
    from smertespor.tracks.selectors import open_course_of

    return open_course_of(patient)


def handover_url(advice_request: AdviceRequest) -> str | None:
    """The tracks app's early-handover step for the request's course, if it still applies."""
    if advice_request.course_id is None or not apps.is_installed("smertespor.tracks"):
        return None
    course = (advice_request.snapshot or {}).get("course") or {}
    if course.get("track") != "practice":
        return None
    try:
        url = reverse(
            "tracks:course_step", args=[advice_request.patient_id, advice_request.course_id]
        )
    except NoReverseMatch:
        return None
    return f"{url}?event=hand_over_early"


@login_required
@require(can_use_advice)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    is_clinic = is_advice_clinician(request.user)
    show = request.GET.get("show", "open")
    if show not in REQUEST_FILTERS or (not is_clinic and show in {"mine", "unassigned"}):
        show = "open"
    sort = request.GET.get("sort", "due" if is_clinic else "-asked")
    if sort not in REQUEST_SORTS:
        sort = "due"
    page = Paginator(advice_requests_for(request.user, show=show, sort=sort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "show": show,
        "sort": sort,
        "is_clinic": is_clinic,
        "can_ask": can_ask_for_advice(request.user),
        "filters": _filters(is_clinic),
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


def _ask_page(request: HttpRequest, patient: Any = None) -> HttpResponse:
    course = _open_course(patient) if patient is not None else None
    if request.method == "POST" and _upload_too_large(request):
        form = _refuse_upload(AskForm({}, course=course))
    else:
        form = AskForm(
            posted_data(request), request.FILES if request.method == "POST" else None, course=course
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            advice_request = ask_for_advice(
                by=request.user,
                subject=data["subject"],
                question=data["question"],
                category=data["category"],
                urgency=data["urgency"],
                clinic=data.get("clinic"),
                patient=patient,
                course_id=course.pk if course is not None and data.get("about_course") else None,
                files=data.get("attachments") or [],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your question has been sent to the pain clinic."))
            return redirect("advice:detail", request_id=advice_request.pk)
    preview = None
    if patient is not None:
        from smertespor.advice.snapshot import patient_snapshot

        preview = patient_snapshot(patient)
    context = {
        "form": form,
        "patient": patient,
        "snapshot": preview,
        "course": course,
        "tab": "advice",
        "targets": {
            "routine": target_working_days("routine"),
            "urgent": target_working_days("urgent"),
        },
    }
    return render(request, "advice/ask.html", context)


@login_required
@require(can_ask_for_advice)
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """A general question, without patient data."""
    return _ask_page(request)


@login_required
@require(can_ask_for_advice)
@require_http_methods(["GET", "POST"])
def request_create_for_patient(request: HttpRequest, patient_id: str) -> HttpResponse:
    if request.method == "POST":
        patient = patient_for_change(request.user, patient_id, object_type="advice_request")
    else:
        patient = patient_for(request.user, patient_id, object_type="advice_request_form")
    if patient.listed_practice_id != request.user.organisation_id:  # type: ignore[union-attr]
        raise PermissionDenied
    return _ask_page(request, patient)


def _detail_context(
    request: HttpRequest, advice_request: AdviceRequest, **forms: Any
) -> dict[str, Any]:
    side = side_of(request.user, advice_request)
    is_clinic = side == "clinic"
    advice_request.is_overdue = is_overdue(  # type: ignore[attr-defined]
        status=advice_request.status, due_on=advice_request.due_on
    )
    context: dict[str, Any] = {
        "advice_request": advice_request,
        "patient": advice_request.patient if advice_request.patient_id else None,
        "thread": thread_of(advice_request),
        "side": side,
        "is_clinic": is_clinic,
        "snapshot": advice_request.snapshot,
        "handover_url": handover_url(advice_request) if side == "practice" else None,
        "can_write_article": is_clinic and can_write_article_from(request.user, advice_request),
        "articles": list(advice_request.articles.all()) if is_clinic else [],
    }
    if not advice_request.is_closed:
        context["reply_form"] = forms.get("reply_form") or ReplyForm(side=side or "practice")
        if is_clinic:
            context["assign_form"] = forms.get("assign_form") or AssignForm(
                colleagues=colleagues_for_assignment(advice_request),
                initial={"assigned_to": advice_request.assigned_to_id},
            )
        elif advice_request.first_response_at is not None:
            context["close_form"] = forms.get("close_form") or CloseForm()
    return context


@login_required
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    advice_request = advice_request_for(request.user, request_id)
    return render(request, "advice/detail.html", _detail_context(request, advice_request))


@login_required
@require_POST
def request_reply(request: HttpRequest, request_id: int) -> HttpResponse:
    advice_request = advice_request_for(request.user, request_id, change=True)
    side = side_of(request.user, advice_request) or "practice"
    if _upload_too_large(request):
        form = _refuse_upload(ReplyForm({}, side=side))
    else:
        form = ReplyForm(request.POST, request.FILES, side=side)
    if form.is_valid():
        data = form.cleaned_data
        try:
            reply_to_advice_request(
                advice_request=advice_request,
                by=request.user,
                body=data["body"],
                kind=data.get("kind") or None,
                by_telephone=bool(data.get("by_telephone")),
                files=data.get("attachments") or [],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your message has been added."))
            return redirect("advice:detail", request_id=advice_request.pk)
    context = _detail_context(request, advice_request, reply_form=form)
    return render(request, "advice/detail.html", context)


@login_required
@require(is_advice_clinician)
@require_POST
def request_assign(request: HttpRequest, request_id: int) -> HttpResponse:
    advice_request = advice_request_for(request.user, request_id, change=True)
    form = AssignForm(request.POST, colleagues=colleagues_for_assignment(advice_request))
    if form.is_valid():
        try:
            assign_advice_request(
                advice_request=advice_request, by=request.user, to=form.cleaned_data["assigned_to"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The request has been assigned."))
            return redirect("advice:detail", request_id=advice_request.pk)
    context = _detail_context(request, advice_request, assign_form=form)
    return render(request, "advice/detail.html", context)


@login_required
@require(can_ask_for_advice)
@require_http_methods(["GET", "POST"])
def request_close(request: HttpRequest, request_id: int) -> HttpResponse:
    advice_request = advice_request_for(request.user, request_id, change=request.method == "POST")
    form = CloseForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            close_advice_request(
                advice_request=advice_request,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["outcome_note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The request is closed. Thank you for answering."))
            return redirect("advice:detail", request_id=advice_request.pk)
    context = {
        "advice_request": advice_request,
        "form": form,
        "handover_url": handover_url(advice_request),
    }
    return render(request, "advice/close.html", context)


@login_required
@require(is_advice_clinician)
@require_http_methods(["GET", "POST"])
def telephone_advice(request: HttpRequest) -> HttpResponse:
    form = TelephoneForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            advice_request = record_telephone_advice(
                by=request.user,
                practice=data["practice"],
                asked_by=data.get("asked_by"),
                called_at=data.get("called_at"),
                subject=data["subject"],
                question=data["question"],
                advice=data["advice"],
                category=data["category"],
                urgency=data["urgency"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The telephone advice is recorded."))
            return redirect("advice:detail", request_id=advice_request.pk)
    return render(request, "advice/telephone.html", {"form": form})


@login_required
@require(can_use_advice)
@require_GET
def patient_requests(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="advice_requests")
    requests = advice_requests_of_patient(request.user, patient).order_by("-asked_at")
    context = {
        "patient": patient,
        "requests": requests,
        "tab": "advice",
        "can_ask": can_ask_for_advice(request.user)
        and patient.listed_practice_id == request.user.organisation_id,  # type: ignore[union-attr]
    }
    return render(request, "advice/patient_requests.html", context)


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = AdviceAttachment.objects.filter(pk=attachment_id).select_related("message").first()
    if attachment is None:
        if not can_use_advice(request.user):
            raise PermissionDenied
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
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require(can_see_advice_counts)
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    clinic_id = None if not is_advice_clinician(request.user) else request.user.organisation_id  # type: ignore[union-attr]
    return render(request, "advice/counts.html", {"counts": advice_counts(clinic_id=clinic_id)})
