"""Taper plan endpoints: preview without saving, create, read, change status, adjust. The
same actions (rules, services, messages) as the web pages; a refusal is raised and answered
as a problem (RFC 9457) by `config.api`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from smertespor.entry.doors import performs
from smertespor.entry.rules import requires
from smertespor.entry.schemas import Id
from smertespor.patients.access import patient_for
from smertespor.tapering import actions
from smertespor.tapering.labels import coded_messages, switch_messages
from smertespor.tapering.models import TaperPlan
from smertespor.tapering.permissions import can_read_taper_plans
from smertespor.tapering.plan_rows import dose_json, plan_fields, product_names, step_fields
from smertespor.tapering.schemas import (
    AdjustIn,
    PlanCreateIn,
    PlanIn,
    PlanOut,
    PlanSummaryOut,
    PreviewOut,
    StatusIn,
)
from smertespor.tapering.selectors import events_of, plan_of, plans_of, steps_of
from smertespor.tapering.services import Preview, default_pace
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

router = Router(tags=["tapering"])
PATIENT = "/patients/{patient_id}"
PLAN = PATIENT + "/plans/{id:plan_id}"
STEP_FIELDS = (
    "number",
    "kind",
    "start_date",
    "end_date",
    "omeq_mg_per_day",
    "scheduled_omeq_mg_per_day",
    "percent_of_start",
    "cut_mg_per_day",
    "cut_limit_mg_per_day",
    "pause_days",
    "reduced_product_id",
    "doses",
    "supply",
    "supply_days",
    "notes",
)


def _step(row: dict[str, Any]) -> dict[str, Any]:
    start, end = row["start_date"], row["end_date"]
    days = None if end is None else (end - start).days + 1
    return {**row, "days": days, "notes": coded_messages(row["notes"], "note")}


def _switches(switches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shown = []
    for switch in switches:
        message, reason = switch_messages(switch)
        shown.append({**switch, "message": message, "reason_message": reason})
    return shown


def preview_payload(preview: Preview) -> dict[str, Any]:
    plan = preview.plan
    names = product_names(plan)
    return {
        "start_date": preview.pace.start_date,
        "interval_days": preview.pace.interval_days,
        "stop_threshold_mg_per_day": plan.stop_threshold_mg_per_day,
        "switches": _switches(plan_fields(plan)["switches"]),
        "table": {"id": preview.table.id, "version": preview.table.version},
        "baseline": [dose_json(d) for d in plan.baseline],
        "baseline_omeq_mg_per_day": plan.baseline_omeq.max_mg_per_day,
        "final_omeq_mg_per_day": plan.final_omeq_mg_per_day,
        "last_change_date": plan.last_change_date,
        "suggestions": coded_messages(plan_fields(plan)["suggestions"], "suggestion"),
        "excluded_lines": [line.to_json() for line in preview.excluded],
        "steps": [_step(step_fields(s, preview.pace.interval_days, names)) for s in plan.steps],
    }


def plan_payload(plan: TaperPlan) -> dict[str, Any]:
    steps = [_step({f: getattr(s, f) for f in STEP_FIELDS}) for s in steps_of(plan)]
    return {
        "id": plan.pk,
        "patient_id": plan.patient_id,
        "status": plan.status,
        "version_number": plan.version_number,
        "version": plan.version,
        "previous_plan_id": plan.previous_plan_id,
        "course_id": plan.course_id,
        "start_date": plan.start_date,
        "interval_days": plan.interval_days,
        "stop_threshold_mg_per_day": plan.stop_threshold_mg_per_day,
        "switches": _switches(plan.switches),
        "step_percent": plan.step_percent,
        "step_basis": plan.step_basis,
        "target": {
            "kind": plan.target_kind,
            "omeq_mg_per_day": plan.target_omeq_mg_per_day,
            "product_id": plan.target_product_id,
            "daily_amount": plan.target_daily_amount,
        },
        "table": {"id": plan.table_id, "version": plan.table_version},
        "catalogue": {"id": plan.catalogue_id, "version": plan.catalogue_version},
        "baseline": plan.baseline,
        "baseline_omeq_mg_per_day": plan.baseline_omeq_mg_per_day,
        "final_omeq_mg_per_day": plan.final_omeq_mg_per_day,
        "last_change_date": plan.last_change_date,
        "suggestions": coded_messages(plan.suggestions, "suggestion"),
        "excluded_lines": plan.excluded_lines,
        "steps": steps,
        "created_at": plan.created_at,
        "created_by": plan.created_by.username if plan.created_by else None,
        "ended_on": plan.ended_on,
        "end_reason": plan.end_reason,
        "events": [
            {
                "occurred_at": e.occurred_at,
                "by": e.by.username if e.by else None,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
            }
            for e in events_of(plan)
        ],
    }


@router.post(PATIENT + "/preview", response=PreviewOut, url_name="taper_plan_preview")
@performs(actions.preview_taper_plan)
def preview(request: HttpRequest, patient_id: str, payload: PlanIn) -> dict[str, Any]:
    """The plan the request would make from the current medication list; nothing saved."""
    made = actions.preview_taper_plan(
        user=request.user,
        patient_id=patient_id,
        pace=payload.pace(default_pace(timezone.localdate())),
        schedules=payload.schedule_map(),
    )
    return preview_payload(made)


@router.post(PATIENT + "/plans", response={201: PlanOut}, url_name="taper_plan_create")
@performs(actions.create_taper_plan)
def create(request: HttpRequest, patient_id: str, payload: PlanCreateIn) -> Status[dict[str, Any]]:
    """Save a plan as a draft, or active at once (`activate`)."""
    plan = actions.create_taper_plan(
        user=request.user,
        patient_id=patient_id,
        pace=payload.pace(default_pace(timezone.localdate())),
        schedules=payload.schedule_map(),
        activate=payload.activate,
        reason=payload.reason,
    )
    return Status(201, plan_payload(plan))


@router.get(PATIENT + "/plans", response=list[PlanSummaryOut], url_name="taper_plan_list")
@requires(can_read_taper_plans)
def plan_list(request: HttpRequest, patient_id: str) -> list[TaperPlan]:
    patient = patient_for(request.user, patient_id, object_type="taper_plans")
    return list(plans_of(patient))


@router.get(PLAN, response=PlanOut, url_name="taper_plan_detail", openapi_extra=VERSIONED_READ)
@requires(can_read_taper_plans)
def plan_detail(
    request: HttpRequest, response: HttpResponse, patient_id: str, plan_id: Id
) -> dict[str, Any]:
    patient = patient_for(request.user, patient_id, object_type="taper_plan")
    plan = plan_of(patient, plan_id)
    send_etag(response, plan)
    return plan_payload(plan)


@router.post(
    PLAN + "/status",
    response=PlanOut,
    url_name="taper_plan_status",
    openapi_extra=versioned_write(),
)
@performs(actions.change_taper_plan_status)
def plan_status(
    request: HttpRequest, response: HttpResponse, patient_id: str, plan_id: Id, payload: StatusIn
) -> dict[str, Any]:
    """Activate, pause, resume, complete or abandon (a reason is needed for the last three
    and for pausing). `If-Match` names the plan's version read (its ETag)."""
    plan = actions.change_taper_plan_status(
        user=request.user,
        patient_id=patient_id,
        plan_id=plan_id,
        action=payload.action,
        reason=payload.reason,
        expected_version=if_match(request),
    )
    send_etag(response, plan)
    return plan_payload(plan)


@router.post(
    PLAN + "/adjust",
    response={201: PlanOut},
    url_name="taper_plan_adjust",
    openapi_extra=versioned_write(201),
)
@performs(actions.adjust_taper_plan)
def plan_adjust(
    request: HttpRequest, response: HttpResponse, patient_id: str, plan_id: Id, payload: AdjustIn
) -> Status[dict[str, Any]]:
    """A new version from the dose the patient takes now, with a new pace (what is left out
    stays as in the plan, from its next change), active at once; the old one is kept as
    replaced. Only an active or paused plan can be adjusted, and a reason is needed.
    `If-Match` names the old plan's version read; the answer's `ETag` is the new plan's."""
    new = actions.adjust_taper_plan(
        user=request.user,
        patient_id=patient_id,
        plan_id=plan_id,
        pace=payload.pace,
        reason=payload.reason,
        expected_version=if_match(request),
    )
    send_etag(response, new)
    return Status(201, plan_payload(new))
