"""The 3-month rule's proposal: the GP reads what the rule found and decides, handing the
patient over to the pain clinic or keeping the course in the practice track with a reason.
Reading the page changes nothing; each decision is a POST to its own action, which the API
calls too (`tracks.actions`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import logged_in
from smertespor.tracks import actions
from smertespor.tracks.access import course_for_request
from smertespor.tracks.forms import ConfirmProposalForm, DismissProposalForm
from smertespor.tracks.models import Course
from smertespor.tracks.permissions import can_decide_proposal
from smertespor.tracks.selectors import follow_ups_of, pending_proposal, rule_reviews_of
from smertespor.tracks.views import course_url


def _page(
    request: HttpRequest,
    course: Course,
    confirm: ConfirmProposalForm | None = None,
    dismiss: DismissProposalForm | None = None,
) -> HttpResponse:
    proposal = pending_proposal(course)
    initial = {"version": course.version}
    may_decide = proposal is not None and can_decide_proposal(request.user, course)
    confirm = confirm or ConfirmProposalForm(initial=initial)
    dismiss = dismiss or DismissProposalForm(initial=initial)
    context = {
        "patient": course.patient,
        "tab": "courses",
        "course": course,
        "proposal": proposal,
        "reviews": list(rule_reviews_of(course)),
        "follow_ups": list(follow_ups_of(course)),
        "confirm_form": confirm if may_decide else None,
        "dismiss_form": dismiss if may_decide else None,
    }
    return render(request, "tracks/proposal.html", context, status=form_status(confirm, dismiss))


@login_required
@require_GET
def proposal(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    """What the rule found at each deadline; the pending proposal with the GP's two choices."""
    course = course_for_request(request, patient_id, course_id, object_type="handover_proposal")
    return _page(request, course)


@login_required
@require_POST
@performs(actions.confirm_handover_proposal)
def proposal_confirm(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    user = logged_in(request.user)
    course = course_for_request(request, patient_id, course_id, object_type="handover_proposal")
    form = ConfirmProposalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.confirm_handover_proposal(
                user=user,
                patient_id=course.patient_id,
                course_id=course.pk,
                version=data["version"],
                note=data["note"],
                gp_comment=data["gp_comment"],
                expected_duration=data["expected_duration"],
                planned_follow_up=data["planned_follow_up"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The patient is handed over to the pain clinic."))
            return redirect(course_url(course))
    return _page(request, course, confirm=form)


@login_required
@require_POST
@performs(actions.dismiss_handover_proposal)
def proposal_dismiss(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    user = logged_in(request.user)
    course = course_for_request(request, patient_id, course_id, object_type="handover_proposal")
    form = DismissProposalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.dismiss_handover_proposal(
                user=user,
                patient_id=course.patient_id,
                course_id=course.pk,
                version=data["version"],
                reason=data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The course stays in the practice track."))
            return redirect(course_url(course))
    return _page(request, course, dismiss=form)
