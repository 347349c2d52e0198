"""Taper plan endpoints: preview without saving, create, read, change status. The same
access rules, services and messages as the web pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.numbers import for_json
from smertespor.patients.access import patient_for, patient_for_change
from smertespor.tapering.labels import TaperPlanInputError, note_message, suggestion_message
from smertespor.tapering.models import TaperPlan
from smertespor.tapering.permissions import can_make_taper_plans, can_read_taper_plans
from smertespor.tapering.plan_rows import dose_json, plan_fields, product_names, step_fields
from smertespor.tapering.schemas import (
    PlanCreateIn,
    PlanIn,
    PlanOut,
    PlanProblemsOut,
    PlanSummaryOut,
    PreviewOut,
    StatusIn,
)
from smertespor.tapering.selectors import events_of, plan_of, plans_of, steps_of
from smertespor.tapering.services import (
    Preview,
    change_taper_plan_status,
    create_taper_plan,
    default_pace,
    preview_taper_plan,
)

router = Router(tags=["tapering"])
PATIENT = "/patients/{patient_id}"
PLAN = PATIENT + "/plans/{int:plan_id}"


def _require(request: HttpRequest, check: Any) -> None:
    if not check(request.user):
        record_event(user=request.user, action=AuditAction.REFUSED, object_type="api_tapering")
        raise PermissionDenied


def _problems(error: ValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        detail = [
            {"field": None if field == "__all__" else field, "message": str(message)}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        detail = [{"field": None, "message": str(m)} for m in error.messages]
    codes = list(getattr(error, "codes", ()))
    if not codes:
        errors = (
            [e for es in error.error_dict.values() for e in es]
            if hasattr(error, "error_dict")
            else error.error_list
        )
        codes = [e.code or "invalid" for e in errors]
    return {"detail": detail, "codes": codes}


def _coded(items: list[dict[str, Any]], render: Any) -> list[dict[str, Any]]:
    return [
        {
            "code": i["code"],
            "params": i.get("params", {}),
            "message": render(i["code"], i.get("params", {})),
        }
        for i in items
    ]


def _step(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "notes": _coded(row["notes"], note_message)}


def _preview_payload(preview: Preview) -> dict[str, Any]:
    plan = preview.plan
    return {
        "start_date": preview.pace.start_date,
        "interval_days": preview.pace.interval_days,
        "table": {"id": preview.table.id, "version": preview.table.version},
        "baseline": [dose_json(d) for d in plan.baseline],
        "baseline_omeq_mg_per_day": plan.baseline_omeq.max_mg_per_day,
        "final_omeq_mg_per_day": plan.final_omeq_mg_per_day,
        "last_change_date": plan.last_change_date,
        "suggestions": _coded(plan_fields(plan)["suggestions"], suggestion_message),
        "excluded_lines": [line.to_json() for line in preview.excluded],
        "steps": [
            _step(step_fields(s, preview.pace.interval_days, product_names(plan)))
            for s in plan.steps
        ],
    }


def _plain(value: Decimal | None) -> str | None:
    return for_json(value)


def plan_payload(plan: TaperPlan) -> dict[str, Any]:
    steps = [
        _step(
            {
                field: getattr(s, field)
                for field in (
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
            }
        )
        for s in steps_of(plan)
    ]
    return {
        "id": plan.pk,
        "patient_id": plan.patient_id,
        "status": plan.status,
        "version_number": plan.version_number,
        "previous_plan_id": plan.previous_plan_id,
        "course_id": plan.course_id,
        "start_date": plan.start_date,
        "interval_days": plan.interval_days,
        "step_percent": plan.step_percent,
        "step_basis": plan.step_basis,
        "target": {
            "kind": plan.target_kind,
            "omeq_mg_per_day": _plain(plan.target_omeq_mg_per_day),
            "product_id": plan.target_product_id,
            "daily_amount": _plain(plan.target_daily_amount),
        },
        "table": {"id": plan.table_id, "version": plan.table_version},
        "catalogue": {"id": plan.catalogue_id, "version": plan.catalogue_version},
        "baseline": plan.baseline,
        "baseline_omeq_mg_per_day": plan.baseline_omeq_mg_per_day,
        "final_omeq_mg_per_day": plan.final_omeq_mg_per_day,
        "last_change_date": plan.last_change_date,
        "suggestions": _coded(plan.suggestions, suggestion_message),
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


@router.post(
    PATIENT + "/preview",
    response={200: PreviewOut, 422: PlanProblemsOut},
    url_name="taper_plan_preview",
)
def preview(request: HttpRequest, patient_id: str, payload: PlanIn) -> Status[dict[str, Any]]:
    """The plan the request would make from the current medication list; nothing saved."""
    _require(request, can_make_taper_plans)
    patient = patient_for(request.user, patient_id, object_type="taper_plan_preview")
    try:
        made = preview_taper_plan(
            patient=patient,
            pace=payload.pace(default_pace(timezone.localdate())),
            schedules=payload.schedule_map(),
        )
    except TaperPlanInputError as error:
        return Status(422, _problems(error))
    return Status(200, _preview_payload(made))


@router.post(
    PATIENT + "/plans",
    response={201: PlanOut, 422: PlanProblemsOut},
    url_name="taper_plan_create",
)
def create(request: HttpRequest, patient_id: str, payload: PlanCreateIn) -> Status[dict[str, Any]]:
    """Save a plan as a draft, or active at once (`activate`)."""
    _require(request, can_make_taper_plans)
    patient = patient_for_change(request.user, patient_id, object_type="taper_plan")
    try:
        plan = create_taper_plan(
            patient=patient,
            by=request.user,
            pace=payload.pace(default_pace(timezone.localdate())),
            schedules=payload.schedule_map(),
            activate=payload.activate,
            reason=payload.reason,
        )
    except ValidationError as error:
        return Status(422, _problems(error))
    return Status(201, plan_payload(plan))


@router.get(PATIENT + "/plans", response=list[PlanSummaryOut], url_name="taper_plan_list")
def plan_list(request: HttpRequest, patient_id: str) -> list[TaperPlan]:
    _require(request, can_read_taper_plans)
    patient = patient_for(request.user, patient_id, object_type="taper_plans")
    return list(plans_of(patient))


@router.get(PLAN, response=PlanOut, url_name="taper_plan_detail")
def plan_detail(request: HttpRequest, patient_id: str, plan_id: int) -> dict[str, Any]:
    _require(request, can_read_taper_plans)
    patient = patient_for(request.user, patient_id, object_type="taper_plan")
    return plan_payload(plan_of(patient, plan_id))


@router.post(
    PLAN + "/status",
    response={200: PlanOut, 422: PlanProblemsOut},
    url_name="taper_plan_status",
)
def plan_status(
    request: HttpRequest, patient_id: str, plan_id: int, payload: StatusIn
) -> Status[dict[str, Any]]:
    """Activate, pause, resume, complete or abandon (a reason is needed for the last three
    and for pausing)."""
    _require(request, can_make_taper_plans)
    patient = patient_for_change(request.user, patient_id, object_type="taper_plan")
    plan = plan_of(patient, plan_id)
    try:
        change_taper_plan_status(
            plan=plan, by=request.user, action=payload.action, reason=payload.reason
        )
    except ValidationError as error:
        return Status(422, _problems(error))
    plan.refresh_from_db()
    return Status(200, plan_payload(plan))
