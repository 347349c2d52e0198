"""Referral pages: the list (the practice's referrals, the centre's triage worklist), the
referral form, a referral's page (content, criteria checklist, status steps, thread) and
every step on it, attachments and the figures. Thin: parse with a form, call the action
(`referrals.actions`), render; a refused form answers 422 (409 when stale) like the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.accounts.requests import SignedInRequest
from smertespor.advice.views import posted_data, upload_too_large
from smertespor.audit.services import record_listed
from smertespor.documents import kind_for, named_for_content
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import require, requires
from smertespor.patients.access import patient_for_request
from smertespor.referrals import actions
from smertespor.referrals.access import referral_for
from smertespor.referrals.forms import (
    AcceptForm,
    AppointmentForm,
    ForwardForm,
    InformationForm,
    MessageForm,
    ReasonForm,
    ReferralForm,
    RejectForm,
    SendForm,
    VersionOnlyForm,
)
from smertespor.referrals.labels import criteria_rows
from smertespor.referrals.models import Referral, ReferralAttachment, Side, Status
from smertespor.referrals.permissions import (
    can_book_for,
    can_change_as_referrer,
    can_refer,
    can_refer_patient,
    can_see_referral_counts,
    can_triage_referral,
    can_use_referrals,
    is_recipient_staff,
    side_of,
)
from smertespor.referrals.prefill import referral_prefill
from smertespor.referrals.selectors import (
    REFERRAL_FILTERS,
    referral_attachments,
    referral_counts_for,
    referrals_for,
    tasks_of,
    thread_of,
)
from smertespor.referrals.services import missing_content

PAGE_SIZE = 25
TRIAGE_STATUSES = {Status.RECEIVED, Status.IN_TRIAGE, Status.AWAITING_INFORMATION}


@login_required
@requires(can_use_referrals)
@require_GET
def referral_list(request: SignedInRequest) -> HttpResponse:
    is_centre = is_recipient_staff(request.user)
    show = request.GET.get("show", "triage" if is_centre else "open")
    if show not in REFERRAL_FILTERS:
        show = "open"
    page = Paginator(referrals_for(request.user, show=show), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record_listed(
        user=request.user,
        patients=[item.patient_id for item in page.object_list if item.patient_visible],
        object_type="referrals",
    )
    filters = [
        ("open", _("Open")),
        ("triage", _("To triage")),
        ("awaiting_information", _("Awaiting information")),
        ("accepted", _("Accepted")),
        ("closed", _("Closed")),
    ]
    if not is_centre:
        filters.append(("drafts", _("Drafts")))
    filters.append(("all", _("All")))
    context = {"page": page, "show": show, "is_centre": is_centre, "filters": filters}
    return render(request, "referrals/list.html", context)


def _form_page(
    request: SignedInRequest, form: ReferralForm, patient: Any, referral: Referral | None
) -> HttpResponse:
    context = {
        "form": form,
        "patient": patient,
        "referral": referral,
        "prefill": referral_prefill(request.user, patient),
        "tab": "referrals",
    }
    return render(request, "referrals/form.html", context, status=form_status(form))


def _bound_referral_form(request: SignedInRequest, **kwargs: Any) -> ReferralForm:
    if request.method == "POST" and upload_too_large(request):
        form = ReferralForm({}, user=request.user, **kwargs)
        form.full_clean()
        form.errors.clear()
        form.add_error(None, _("The files are too large."))
        return form
    files = request.FILES if request.method == "POST" else None
    return ReferralForm(posted_data(request), files, user=request.user, **kwargs)


@login_required
@requires(can_refer)
@require_http_methods(["GET", "POST"])
@performs(actions.draft_referral)
def referral_create(request: SignedInRequest, patient_id: str) -> HttpResponse:
    """A new referral of a patient listed at the GP's practice (saved as a draft)."""
    patient = patient_for_request(request, patient_id, object_type="referral")
    require(
        request.user,
        can_refer_patient(request.user, patient),
        object_type="referral",
        object_id=str(patient.pk),
        patient=patient,
    )
    form = _bound_referral_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            referral = actions.draft_referral(
                user=request.user,
                patient_id=patient.pk,
                recipient_id=form.cleaned_data["recipient"].pk,
                content=form.content(),
                criteria=form.criteria(),
                files=form.cleaned_data.get("attachments") or [],
            )
        except ValidationError as error:
            apply_errors(form, error, fields=_form_fields())
        else:
            messages.success(request, _("The referral is saved as a draft. Check it and send it."))
            return redirect("referrals:detail", referral_id=referral.pk)
    return _form_page(request, form, patient, None)


def _form_fields() -> dict[str, str]:
    return {"recipient_id": "recipient"}


@login_required
@requires(can_refer)
@require_http_methods(["GET", "POST"])
@performs(actions.change_referral_draft)
def referral_edit(request: SignedInRequest, referral_id: int) -> HttpResponse:
    referral = referral_for(request.user, referral_id, change=request.method == "POST")
    require(
        request.user,
        can_change_as_referrer(request.user, referral) and referral.is_draft,
        object_type="referral",
        object_id=str(referral.pk),
        patient=referral.patient,
    )
    form = _bound_referral_form(request, referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_referral_draft(
                user=request.user,
                referral_id=referral.pk,
                recipient_id=form.cleaned_data["recipient"].pk,
                content=form.content(),
                criteria=form.criteria(),
                files=form.cleaned_data.get("attachments") or [],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_errors(form, error, fields=_form_fields())
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("referrals:detail", referral_id=referral.pk)
    return _form_page(request, form, referral.patient, referral)


def _detail_page(
    request: SignedInRequest,
    referral: Referral,
    bound: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    """The referral's page with the forms the reader may use (`bound`: the refused one)."""
    user = request.user
    bound = bound or {}
    side = side_of(user, referral)
    initial = {"version": referral.version}
    available: dict[str, forms.Form | None] = {
        "send_form": SendForm(initial=initial)
        if referral.is_draft and can_change_as_referrer(user, referral)
        else None,
        "message_form": MessageForm(initial=initial)
        if side is not None and not referral.is_closed and not referral.is_draft
        else None,
        "withdraw_form": ReasonForm(initial=initial)
        if can_change_as_referrer(user, referral)
        and not referral.is_closed
        and not referral.is_draft
        else None,
    }
    if can_triage_referral(user, referral) and referral.status in TRIAGE_STATUSES:
        available.update(
            {
                "triage_form": VersionOnlyForm(initial=initial)
                if referral.status == Status.RECEIVED
                else None,
                "information_form": InformationForm(initial=initial)
                if referral.status != Status.AWAITING_INFORMATION
                else None,
                "accept_form": AcceptForm(initial={**initial, "priority": referral.priority}),
                "reject_form": RejectForm(initial=initial),
                "forward_form": ForwardForm(initial=initial, referral=referral),
            }
        )
    if can_book_for(user, referral) and referral.status == Status.ACCEPTED:
        available["appointment_form"] = AppointmentForm(initial=initial)
    available.update(bound)
    context: dict[str, Any] = {
        "referral": referral,
        "patient": referral.patient,
        "side": side,
        "is_centre": side == Side.CENTRE,
        "criteria": criteria_rows(referral),
        "missing_content": missing_content(referral) if referral.is_draft else [],
        "missing_labels": [
            str(getattr(Referral._meta.get_field(name), "verbose_name", name))
            for name in (missing_content(referral) if referral.is_draft else [])
        ],
        "snapshot": referral.snapshot
        if not referral.is_draft
        else referral_prefill(user, referral.patient),
        "tasks": tasks_of(referral),
        "thread": thread_of(referral),
        "attachments": list(referral_attachments(referral)),
        "can_edit": referral.is_draft and can_change_as_referrer(user, referral),
        **available,
    }
    status = max([form_status(f) for f in bound.values()] or [200])
    return render(request, "referrals/detail.html", context, status=status)


@login_required
@requires(can_use_referrals)
@require_GET
def referral_detail(request: SignedInRequest, referral_id: int) -> HttpResponse:
    referral = referral_for(request.user, referral_id)
    return _detail_page(request, referral)


def _step_view(
    request: SignedInRequest,
    referral_id: int,
    *,
    form_name: str,
    form: forms.Form,
    run: Callable[[Referral, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    referral = referral_for(request.user, referral_id, change=True)
    if form.is_valid():
        try:
            run(referral, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("referrals:detail", referral_id=referral.pk)
    # Show the page as it is now, with the refused form (its own view of the patient).
    current = referral_for(request.user, referral_id)
    return _detail_page(request, current, {form_name: form})


@login_required
@requires(can_refer)
@require_POST
@performs(actions.send_referral)
def referral_send(request: SignedInRequest, referral_id: int) -> HttpResponse:
    return _step_view(
        request,
        referral_id,
        form_name="send_form",
        form=SendForm(request.POST),
        run=lambda referral, data: actions.send_referral(
            user=request.user,
            referral_id=referral.pk,
            exception_reason=data.get("exception_reason") or "",
            expected_version=data["version"],
        ),
        done=_("The referral is sent."),
    )


@login_required
@requires(can_use_referrals)
@require_POST
@performs(actions.write_referral_message)
def referral_message(request: SignedInRequest, referral_id: int) -> HttpResponse:
    if upload_too_large(request):
        form = MessageForm({})
        form.full_clean()
        form.errors.clear()
        form.add_error(None, _("The files are too large."))
        return _detail_page(
            request, referral_for(request.user, referral_id), {"message_form": form}
        )
    return _step_view(
        request,
        referral_id,
        form_name="message_form",
        form=MessageForm(request.POST, request.FILES),
        run=lambda referral, data: actions.write_referral_message(
            user=request.user,
            referral_id=referral.pk,
            body=data["body"],
            files=data.get("attachments") or [],
            expected_version=data["version"],
        ),
        done=_("Your message is sent."),
    )


@login_required
@requires(can_refer)
@require_POST
@performs(actions.withdraw_referral)
def referral_withdraw(request: SignedInRequest, referral_id: int) -> HttpResponse:
    return _step_view(
        request,
        referral_id,
        form_name="withdraw_form",
        form=ReasonForm(request.POST),
        run=lambda referral, data: actions.withdraw_referral(
            user=request.user,
            referral_id=referral.pk,
            reason=data["reason"],
            expected_version=data["version"],
        ),
        done=_("The referral is withdrawn."),
    )


@login_required
@requires(can_use_referrals)
@require_POST
@performs(actions.start_triage)
def referral_triage(request: SignedInRequest, referral_id: int) -> HttpResponse:
    return _step_view(
        request,
        referral_id,
        form_name="triage_form",
        form=VersionOnlyForm(request.POST),
        run=lambda referral, data: actions.start_triage(
            user=request.user, referral_id=referral.pk, expected_version=data["version"]
        ),
        done=_("Triage started; the GP can see it."),
    )


@login_required
@requires(can_use_referrals)
@require_POST
@performs(actions.request_information)
def referral_request_information(request: SignedInRequest, referral_id: int) -> HttpResponse:
    return _step_view(
        request,
        referral_id,
        form_name="information_form",
        form=InformationForm(request.POST),
        run=lambda referral, data: actions.request_information(
            user=request.user,
            referral_id=referral.pk,
            question=data["question"],
            expected_version=data["version"],
        ),
        done=_("The GP has been asked; the referral waits for the answer."),
    )


@login_required
@requires(can_use_referrals)
@require_POST
@performs(actions.accept_referral)
def referral_accept(request: SignedInRequest, referral_id: int) -> HttpResponse:
    return _step_view(
        request,
        referral_id,
        form_name="accept_form",
        form=AcceptForm(request.POST),
        run=lambda referral, data: actions.accept_referral(
            user=request.user,
            referral_id=referral.pk,
            priority=data["priority"],
            expected_wait_weeks=data["expected_wait_weeks"],
            note=data.get("note") or "",
            expected_version=data["version"],
        ),
        done=_("The referral is accepted."),
    )


@login_required
@requires(can_use_referrals)
@require_POST
@performs(actions.reject_referral)
def referral_reject(request: SignedInRequest, referral_id: int) -> HttpResponse:
    return _step_view(
        request,
        referral_id,
        form_name="reject_form",
        form=RejectForm(request.POST),
        run=lambda referral, data: actions.reject_referral(
            user=request.user,
            referral_id=referral.pk,
            rejection_reason=data["rejection_reason"],
            advice_to_gp=data["advice_to_gp"],
            expected_version=data["version"],
        ),
        done=_("The referral is rejected and the GP has your advice."),
    )


@login_required
@requires(can_use_referrals)
@require_POST
@performs(actions.forward_referral)
def referral_forward(request: SignedInRequest, referral_id: int) -> HttpResponse:
    referral = referral_for(request.user, referral_id)
    form = ForwardForm(request.POST, referral=referral)

    def run(current: Referral, data: dict[str, Any]) -> object:
        return actions.forward_referral(
            user=request.user,
            referral_id=current.pk,
            to_id=data["forward_to"].pk,
            reason=data["reason"],
            expected_version=data["version"],
        )

    if form.is_valid():
        try:
            run(referral, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error, fields={"to_id": "forward_to"})
        else:
            messages.success(request, _("The referral is forwarded."))
            return redirect("referrals:list")
    return _detail_page(request, referral, {"forward_form": form})


@login_required
@requires(can_use_referrals)
@require_POST
@performs(actions.book_first_appointment)
def referral_appointment(request: SignedInRequest, referral_id: int) -> HttpResponse:
    return _step_view(
        request,
        referral_id,
        form_name="appointment_form",
        form=AppointmentForm(request.POST),
        run=lambda referral, data: actions.book_first_appointment(
            user=request.user,
            referral_id=referral.pk,
            at=data["appointment_at"],
            expected_version=data["version"],
        ),
        done=_("The first appointment is booked; the GP can see it."),
    )


@login_required
@requires(can_use_referrals)
@require_GET
def attachment_download(request: SignedInRequest, attachment_id: int) -> FileResponse:
    attachment = ReferralAttachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    # Loading the referral checks the user's side and logs the access to the patient.
    referral_for(request.user, attachment.referral_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
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
@requires(can_see_referral_counts)
@require_GET
def counts(request: SignedInRequest) -> HttpResponse:
    return render(request, "referrals/counts.html", {"counts": referral_counts_for(request.user)})
