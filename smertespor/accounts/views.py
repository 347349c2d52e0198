"""Administrators' pages for role changes. Thin: parse, call selector/action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.accounts import actions
from smertespor.accounts.forms import RoleChangeDecisionForm, RoleChangeProposalForm
from smertespor.accounts.permissions import can_administer_users, can_decide_role_change
from smertespor.accounts.requests import SignedInRequest
from smertespor.accounts.selectors import role_change_requests
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import requires


@login_required
@requires(can_administer_users)
@require_GET
def role_requests(request: SignedInRequest) -> HttpResponse:
    rows = [
        (item, can_decide_role_change(request.user, item)) for item in role_change_requests()[:200]
    ]
    return render(
        request,
        "accounts/role_requests.html",
        {"rows": rows, "decision_form": RoleChangeDecisionForm()},
    )


@login_required
@requires(can_administer_users)
@require_http_methods(["GET", "POST"])
@performs(actions.propose_role_change)
def role_request_create(request: SignedInRequest) -> HttpResponse:
    initial = {"target_id": request.GET.get("user")} if request.GET.get("user") else None
    form = RoleChangeProposalForm(request.POST or None, initial=initial, exclude_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.propose_role_change(user=request.user, **form.action_arguments())
        except ValidationError as error:
            apply_errors(form, error, fields={"target_id": "target_id"})
        else:
            messages.success(
                request, _("The change has been proposed. A second administrator must approve it.")
            )
            return redirect("accounts:role_requests")
    return render(
        request, "accounts/role_request_form.html", {"form": form}, status=form_status(form)
    )


@login_required
@requires(can_administer_users)
@require_POST
@performs(actions.approve_role_change)
def role_request_approve(request: SignedInRequest, role_request_id: int) -> HttpResponse:
    try:
        actions.approve_role_change(user=request.user, request_id=role_request_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _list_again(request, status=422)
    messages.success(request, _("The change has been approved and is now in effect."))
    return redirect("accounts:role_requests")


@login_required
@requires(can_administer_users)
@require_POST
@performs(actions.reject_role_change)
def role_request_reject(request: SignedInRequest, role_request_id: int) -> HttpResponse:
    form = RoleChangeDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.reject_role_change(user=request.user, request_id=role_request_id, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _list_again(request, status=422)
    messages.success(request, _("The change has been rejected."))
    return redirect("accounts:role_requests")


def _list_again(request: SignedInRequest, *, status: int) -> HttpResponse:
    rows = [
        (item, can_decide_role_change(request.user, item)) for item in role_change_requests()[:200]
    ]
    return render(
        request,
        "accounts/role_requests.html",
        {"rows": rows, "decision_form": RoleChangeDecisionForm()},
        status=status,
    )
