"""Taper plan pages: the patient's plans, making one with a live preview, a plan with its
chart and history, status changes, adjustment, and the exports (handout page and PDF, the
GP's summary, the calendar file).

Thin: parse (a form), call the action (`tapering.actions`: the role rule, the patient through
`patients.access`, the service) or a selector, render. A refused form is shown again with
status 422, as the API answers it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.audit.services import AuditAction
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import requires
from smertespor.medication.selectors import current_catalogue, current_lines
from smertespor.patients.access import patient_for, patient_for_request
from smertespor.patients.models import Patient
from smertespor.tapering import actions
from smertespor.tapering.forms import AdjustForm, PaceForm, PlanForm, StatusForm, pace_initial
from smertespor.tapering.handout import build_handout
from smertespor.tapering.ics import calendar
from smertespor.tapering.labels import suggestion_message
from smertespor.tapering.models import Status, TaperPlan, TaperPlanStep
from smertespor.tapering.pdf import handout_pdf
from smertespor.tapering.permissions import can_make_taper_plans, can_read_taper_plans
from smertespor.tapering.plan_chart import preview_chart, stored_plan_chart
from smertespor.tapering.plan_rows import dose_json, plan_fields, product_names, step_fields
from smertespor.tapering.regimens import ExcludedLine, plan_lines
from smertespor.tapering.selectors import (
    adjustment_pace,
    current_step,
    events_of,
    plan_in_force,
    plan_of,
    plan_to_show,
    plans_of,
    steps_of,
    versions_of,
)
from smertespor.tapering.services import Preview, default_pace, in_force_message
from smertespor.tapering.transitions import ADJUSTABLE, actions_from
from smertespor.versions import StaleVersion, stale_form

SAVE_ACTIONS = {"draft", "activate"}


def _status(request: HttpRequest, form: PaceForm) -> int:
    """422 for a submitted form that was refused; a page opened with GET is never refused."""
    return form_status(form) if request.method == "POST" else 200


def _refused(form: PaceForm, error: ValidationError) -> None:
    apply_errors(form, error, fields=form.error_fields())


def _adjust_initial(plan: TaperPlan) -> dict[str, Any]:
    """The adjust form for the plan as stored: its pace from its next change, its version."""
    return {**pace_initial(adjustment_pace(plan, timezone.localdate())), "version": plan.version}


def _preview_context(patient: Patient, preview: Preview | None) -> dict[str, Any]:
    if preview is None:
        return {"preview": None}
    names = product_names(preview.plan)
    steps = [step_fields(s, preview.pace.interval_days, names) for s in preview.plan.steps]
    return {
        "preview": preview,
        "preview_steps": steps,
        "preview_baseline": [dose_json(d) for d in preview.plan.baseline],
        "preview_suggestions": [
            suggestion_message(s["code"], s["params"])
            for s in plan_fields(preview.plan)["suggestions"]
        ],
        "preview_switches": plan_fields(preview.plan)["switches"],
        "plan_chart": preview_chart(preview, patient),
    }


def _try_preview(
    request: HttpRequest, patient: Patient, form: PlanForm, *, page_logged: bool = False
) -> Preview | None:
    """The preview for the form; ``page_logged`` when the page's door has already written
    this request's audit row (a GET of the form page), so the preview writes none."""
    try:
        return actions.preview_taper_plan(
            user=request.user,
            patient_id=patient.pk,
            pace=form.pace(),
            schedules=form.schedules(),
            shown_with=patient if page_logged else None,
        )
    except ValidationError as error:
        _refused(form, error)
        return None


def _plan_form(request: HttpRequest, patient: Patient) -> tuple[PlanForm, list[ExcludedLine]]:
    """The plan form, bound to what was posted, or to the defaults (so the first page
    shows the default plan, or why it cannot be made, straight away)."""
    lines, excluded = plan_lines(current_lines(patient), current_catalogue())
    initial = pace_initial(default_pace(timezone.localdate()))
    if request.method == "POST":
        return PlanForm(request.POST, lines=lines, initial=initial), excluded
    blank = PlanForm(lines=lines, initial=initial)
    defaults = {name: blank[name].value() for name in blank.fields}
    data = {name: value for name, value in defaults.items() if value is not None}
    return PlanForm(data, lines=lines, initial=initial), excluded


@login_required
@requires(can_read_taper_plans)
@require_GET
def patient_plans(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="taper_plans")
    shown = plan_to_show(patient)
    context: dict[str, Any] = {
        "patient": patient,
        "tab": "tapering",
        "plans": list(plans_of(patient)),
        "shown": shown,
        "can_make": can_make_taper_plans(request.user),
    }
    if shown is not None:
        steps = steps_of(shown)
        today = timezone.localdate()
        context.update(
            steps=steps,
            current=current_step(steps, today),
            plan_chart=stored_plan_chart(shown, steps, today),
        )
    return render(request, "tapering/patient_plans.html", context)


@login_required
@requires(can_make_taper_plans)
@require_http_methods(["GET", "POST"])
@performs(actions.create_taper_plan, actions.preview_taper_plan)
def plan_create(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = patient_for_request(request, patient_id, object_type="taper_plan_form")
    in_force = plan_in_force(patient)
    if in_force is not None:
        # Only what can be done: a plan in force is adjusted, never a new one filled in.
        context = {
            "patient": patient,
            "tab": "tapering",
            "plan": in_force,
            "reason": in_force_message(in_force),
        }
        status = 200 if request.method == "GET" else 422
        return render(request, "tapering/plan_in_force.html", context, status=status)
    form, excluded = _plan_form(request, patient)
    submit = request.POST.get("submit", "")
    if form.is_valid() and request.method == "POST" and submit in SAVE_ACTIONS:
        try:
            plan = actions.create_taper_plan(
                user=request.user,
                patient_id=patient.pk,
                pace=form.pace(),
                schedules=form.schedules(),
                activate=submit == "activate",
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            done = (
                _("The plan is active.")
                if plan.status == Status.ACTIVE
                else _("The plan has been saved as a draft.")
            )
            messages.success(request, done)
            return redirect("tapering:plan_detail", patient_id=patient.pk, plan_id=plan.pk)
    preview = None
    if form.is_valid():
        preview = _try_preview(request, patient, form, page_logged=request.method == "GET")
    context = {
        "patient": patient,
        "tab": "tapering",
        "form": form,
        "excluded": excluded,
        **_preview_context(patient, preview),
    }
    return render(request, "tapering/plan_create.html", context, status=_status(request, form))


@login_required
@requires(can_make_taper_plans)
@require_POST
@performs(actions.preview_taper_plan)
def plan_preview(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """The live preview (htmx): the plan for the form as it stands, nothing saved; the
    form's errors go next to their fields out of band."""
    # A preview changes nothing: the patient is read (and the read logged) here, once, and
    # the preview uses this instance instead of loading and logging the patient again.
    patient = patient_for(request.user, patient_id, object_type="taper_plan_preview")
    form, excluded = _plan_form(request, patient)
    preview = _try_preview(request, patient, form, page_logged=True) if form.is_valid() else None
    context = {
        "patient": patient,
        "form": form,
        "oob": True,
        "excluded": excluded,
        **_preview_context(patient, preview),
    }
    return render(request, "tapering/_preview.html", context, status=form_status(form))


def _plan_page_context(request: HttpRequest, patient: Patient, plan: TaperPlan) -> dict[str, Any]:
    today = timezone.localdate()
    steps = steps_of(plan)
    can_make = can_make_taper_plans(request.user)
    return {
        "patient": patient,
        "tab": "tapering",
        "plan": plan,
        "steps": steps,
        "current": current_step(steps, today),
        "today": today,
        "events": events_of(plan),
        "versions": versions_of(plan),
        "plan_chart": stored_plan_chart(plan, steps, today),
        "actions": actions_from(plan.status) if can_make else [],
        "can_adjust": can_make and plan.status in ADJUSTABLE,
    }


@login_required
@requires(can_read_taper_plans)
@require_GET
def plan_detail(request: HttpRequest, patient_id: UUID, plan_id: int) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="taper_plan")
    plan = plan_of(patient, plan_id)
    return render(request, "tapering/plan_detail.html", _plan_page_context(request, patient, plan))


@login_required
@requires(can_make_taper_plans)
@require_POST
@performs(actions.change_taper_plan_status)
def plan_status(request: HttpRequest, patient_id: UUID, plan_id: int) -> HttpResponse:
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            plan = actions.change_taper_plan_status(
                user=request.user,
                patient_id=patient_id,
                plan_id=plan_id,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            # The page below shows the plan as it is now (status, events); the hidden
            # version in it is the current one, so choosing again applies to it.
            stale_form(form, {}, error, version=TaperPlan.objects.get(pk=plan_id).version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The plan is now %(status)s.") % {"status": plan.get_status_display().lower()},
            )
            return redirect("tapering:plan_detail", patient_id=patient_id, plan_id=plan_id)
    patient = patient_for_request(request, patient_id, object_type="taper_plan")
    context = _plan_page_context(request, patient, plan_of(patient, plan_id))
    context["status_form"] = form
    return render(request, "tapering/plan_detail.html", context, status=form_status(form))


@login_required
@requires(can_make_taper_plans)
@require_http_methods(["GET", "POST"])
@performs(actions.adjust_taper_plan)
def plan_adjust(request: HttpRequest, patient_id: UUID, plan_id: int) -> HttpResponse:
    patient = patient_for_request(request, patient_id, object_type="taper_plan_form")
    plan = plan_of(patient, plan_id)
    form = AdjustForm(
        request.POST or None,
        initial=_adjust_initial(plan),
        products=[(d["product_id"], d["name"]) for d in plan.baseline],
        scheduled=[(d["product_id"], d["name"]) for d in plan.baseline if d["prn"] is None],
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = actions.adjust_taper_plan(
                user=request.user,
                patient_id=patient.pk,
                plan_id=plan.pk,
                pace=form.pace(),
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            plan.refresh_from_db()
            stale_form(form, _adjust_initial(plan), error, version=plan.version)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The adjusted plan is active; the old one is kept."))
            return redirect("tapering:plan_detail", patient_id=patient.pk, plan_id=new.pk)
    context = _plan_page_context(request, patient, plan)
    context["form"] = form
    return render(request, "tapering/plan_adjust.html", context, status=_status(request, form))


# --- exports (each an EXPORT row in the audit log) ---------------------------------------


def _export(
    request: HttpRequest, patient_id: UUID, plan_id: int, what: str
) -> tuple[Patient, TaperPlan, list[TaperPlanStep]]:
    patient = patient_for(
        request.user,
        patient_id,
        action=AuditAction.EXPORT,
        object_type=what,
        detail={"plan": plan_id},
    )
    plan = plan_of(patient, plan_id)
    return patient, plan, steps_of(plan)


@login_required
@requires(can_read_taper_plans)
@require_GET
def plan_handout(request: HttpRequest, patient_id: UUID, plan_id: int) -> HttpResponse:
    patient, plan, steps = _export(request, patient_id, plan_id, "taper_plan_handout")
    context = {
        "patient": patient,
        "plan": plan,
        "handout": build_handout(plan, steps, timezone.localdate()),
    }
    return render(request, "tapering/handout.html", context)


@login_required
@requires(can_read_taper_plans)
@require_GET
def plan_handout_pdf(request: HttpRequest, patient_id: UUID, plan_id: int) -> HttpResponse:
    _patient, plan, steps = _export(request, patient_id, plan_id, "taper_plan_handout_pdf")
    response = HttpResponse(
        handout_pdf(build_handout(plan, steps, timezone.localdate())),
        content_type="application/pdf",
    )
    name = f"nedtrapningsplan-{plan.start_date.isoformat()}-v{plan.version_number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@requires(can_read_taper_plans)
@require_GET
def plan_summary(request: HttpRequest, patient_id: UUID, plan_id: int) -> HttpResponse:
    patient, plan, steps = _export(request, patient_id, plan_id, "taper_plan_summary")
    context = {"patient": patient, "plan": plan, "steps": steps, "events": events_of(plan)}
    return render(request, "tapering/summary.html", context)


@login_required
@requires(can_read_taper_plans)
@require_GET
def plan_calendar(request: HttpRequest, patient_id: UUID, plan_id: int) -> HttpResponse:
    _patient, plan, steps = _export(request, patient_id, plan_id, "taper_plan_calendar")
    handout = build_handout(plan, steps)
    practice = ", ".join(p for p in (plan.practice.name, plan.practice.phone) if p)
    ics = calendar(
        uid_prefix=f"taper-plan-{plan.pk}",
        stamp=plan.created_at,
        periods=handout.periods,
        title="Nedtrapningsplan",
        location=practice,
    )
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="nedtrapning-{plan.start_date.isoformat()}.ics"'
    )
    return response


def plan_url(plan: TaperPlan) -> str:
    return reverse("tapering:plan_detail", args=[plan.patient_id, plan.pk])
