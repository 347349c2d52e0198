"""Writes to taper plans: make one (a draft, or active at once), change its status, adjust it
from the current step. Each runs in one transaction, lets the domain make the plan, stores
request and steps, records who/when/why and writes its audit row. Who may call them is
checked by `tapering.actions`, the one way in for pages, API and commands.

`preview_taper_plan` is the same path without the write: the live preview, the API's preview
and the services all generate through it, so what the GP saw is what is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from domain.catalogue import Catalogue
from domain.errors import DomainError
from domain.omeq import ConversionTable, Thresholds
from domain.tapering import MAX_DAYS_IN_PAST, generate_taper_plan
from domain.tapering import TaperPlan as DomainPlan
from smertespor.accounts.models import User
from smertespor.audit.services import AuditAction, record_event
from smertespor.medication.models import ConversionTableVersion
from smertespor.medication.selectors import current_catalogue, current_lines, region_omeq_thresholds
from smertespor.medication.table_selectors import active_table_version, domain_table
from smertespor.patients.models import Patient
from smertespor.tapering.labels import input_error
from smertespor.tapering.models import (
    CLOSED,
    IN_FORCE,
    REASON_MAX_LENGTH,
    Status,
    StepKind,
    TaperPlan,
    TaperPlanEvent,
    TaperPlanStep,
)
from smertespor.tapering.pace import (
    Pace,
    default_stop_threshold,
    taper_request,
    thresholds_json,
    thresholds_of,
)
from smertespor.tapering.plan_rows import plan_fields, product_names, step_fields
from smertespor.tapering.regimens import ExcludedLine, PlanLine, lines_of_step, plan_lines
from smertespor.tapering.transitions import ADJUSTABLE, TRANSITIONS, Action
from smertespor.tracks.selectors import open_course_of
from smertespor.versions import ExpectedVersion, check_version, claim_version

Schedules = Mapping[int, Mapping[str, Decimal]]


@dataclass(frozen=True)
class Preview:
    """A generated plan not (yet) saved, with everything it was generated from."""

    plan: DomainPlan
    lines: list[PlanLine]
    excluded: list[ExcludedLine]
    pace: Pace
    table_version: ConversionTableVersion
    table: ConversionTable
    thresholds: Thresholds
    catalogue: Catalogue
    today: date


def preview_taper_plan(
    *,
    patient: Patient,
    pace: Pace,
    schedules: Schedules | None = None,
    lines: Sequence[PlanLine] | None = None,
    excluded: Sequence[ExcludedLine] = (),
    today: date | None = None,
    table_version: ConversionTableVersion | None = None,
    thresholds: Thresholds | None = None,
) -> Preview:
    """The plan from the patient's current medication list (times of day as `schedules`
    give them, by line id) or from `lines`; a `ValidationError` says why not (the domain's
    codes, at the API's field paths)."""
    today = today or timezone.localdate()
    catalogue = current_catalogue()
    version = table_version or active_table_version()
    table = domain_table(version)
    thresholds = thresholds or region_omeq_thresholds()
    if lines is None:
        found, skipped = plan_lines(current_lines(patient), catalogue, schedules)
    else:
        found, skipped = list(lines), list(excluded)
    request = taper_request(found, pace, table=table, thresholds=thresholds, catalogue=catalogue)
    try:
        plan = generate_taper_plan(request, today=today)
    except DomainError as error:
        raise input_error(
            error,
            catalogue=catalogue,
            table=table,
            line_labels=[line.label for line in found],
            pace=pace,
        ) from None
    return Preview(plan, found, skipped, pace, version, table, thresholds, catalogue, today)


def _invalid(message: str, *, code: str, field: str = NON_FIELD_ERRORS) -> NoReturn:
    raise ValidationError({field: ValidationError(message, code=code)})


def _record(plan: TaperPlan, *, by: User, from_status: str, reason: str = "") -> None:
    TaperPlanEvent.objects.create(
        plan=plan,
        from_status=from_status,
        to_status=plan.status,
        occurred_at=plan.status_changed_at,
        by=by,
        reason=reason,
    )


def _audit(plan: TaperPlan, *, by: User, action: str, **detail: Any) -> None:
    record_event(
        user=by,
        action=action,
        object_type="taper_plan",
        object_id=str(plan.pk),
        patient=plan.patient,
        detail=detail,
    )


def _save(preview: Preview, *, patient: Patient, by: User, previous: TaperPlan | None) -> TaperPlan:
    practice = by.organisation
    if practice is None:  # a plan maker always belongs to one (permissions.can_make_taper_plans)
        raise PermissionDenied
    now = timezone.now()
    catalogue_info = preview.catalogue.info
    plan = TaperPlan(
        patient=patient,
        practice=practice,
        course=previous.course if previous else open_course_of(patient),
        previous_plan=previous,
        version_number=previous.version_number + 1 if previous else 1,
        status=Status.DRAFT,
        lines=[line.to_json() for line in preview.lines],
        excluded_lines=[line.to_json() for line in preview.excluded],
        made_on=preview.today,
        conversion_table=preview.table_version,
        table_id=preview.table.id,
        table_version=preview.table.version,
        catalogue_id=catalogue_info.id,
        catalogue_version=catalogue_info.version,
        thresholds=thresholds_json(preview.thresholds),
        created_at=now,
        created_by=by,
        status_changed_at=now,
        **{
            **preview.pace.model_fields(),
            **plan_fields(preview.plan),
            # the threshold the plan was made with, the region's default resolved
            "stop_threshold_mg_per_day": preview.plan.stop_threshold_mg_per_day,
        },
    )
    plan.full_clean(exclude=["patient", "practice", "course", "previous_plan", "conversion_table"])
    plan.save()
    names = product_names(preview.plan)
    TaperPlanStep.objects.bulk_create(
        TaperPlanStep(plan=plan, **step_fields(step, preview.pace.interval_days, names))
        for step in preview.plan.steps
    )
    _record(plan, by=by, from_status="")
    return plan


def create_taper_plan(
    *,
    patient: Patient,
    by: User,
    pace: Pace,
    schedules: Schedules | None = None,
    activate: bool = False,
    reason: str = "",
    today: date | None = None,
) -> TaperPlan:
    """A plan from the patient's current medication list: a draft, or active at once.

    Refused while the patient has a plan in force (active or paused): that plan is adjusted
    instead (`adjust_taper_plan`), so nobody fills in a new plan that cannot be used."""
    in_force = patient.taper_plans.filter(status__in=IN_FORCE).first()
    if in_force is not None:
        _invalid(in_force_message(in_force), code="plan_in_force")
    with transaction.atomic():
        preview = preview_taper_plan(patient=patient, pace=pace, schedules=schedules, today=today)
        plan = _save(preview, patient=patient, by=by, previous=None)
        _audit(
            plan,
            by=by,
            action=AuditAction.CREATE,
            status=plan.status,
            steps=plan.step_count,
            table=f"{plan.table_id} {plan.table_version}",
        )
        if activate:
            _move(plan, Action.ACTIVATE, by=by, reason=reason, today=preview.today)
    return plan


def in_force_message(plan: TaperPlan) -> str:
    """Why no new plan is made while `plan` is in force, and what to do instead."""
    return _(
        "The patient already has a taper plan in force (version %(version)s from %(date)s). "
        "Adjust that plan instead of making a new one: the adjusted plan replaces it, and "
        "the old one is kept."
    ) % {
        "version": plan.version_number,
        "date": formats.date_format(plan.start_date, "SHORT_DATE_FORMAT"),
    }


def _in_force_refusal(patient: Patient, excluding: TaperPlan) -> None:
    other = patient.taper_plans.filter(status__in=IN_FORCE).exclude(pk=excluding.pk).first()
    if other is not None:
        _invalid(
            _(
                "The patient already has an active taper plan (version %(version)s from "
                "%(date)s): complete, abandon or adjust it first."
            )
            % {"version": other.version_number, "date": other.start_date.isoformat()},
            code="plan_in_force",
        )


def _regimen_changed(plan: TaperPlan) -> bool:
    """Whether the medication list differs from the one a draft was made from."""
    if any(line.get("source_line_id") is None for line in plan.lines):
        return False  # an adjusted plan starts from a step, not from the list
    stored = {line["source_line_id"]: line for line in plan.lines}
    schedules = {
        line_id: {t: Decimal(line[t]) for t in ("morning", "noon", "evening", "night") if t in line}
        for line_id, line in stored.items()
    }
    now, _excluded = plan_lines(current_lines(plan.patient), current_catalogue(), schedules)
    current = {line.source_line_id: line.to_json() for line in now}
    return current != stored


def _move(
    plan: TaperPlan,
    action: Action,
    *,
    by: User,
    reason: str,
    today: date,
    expected_version: ExpectedVersion = None,
) -> TaperPlan:
    check_version(plan, expected_version)
    transition = TRANSITIONS[action]
    if plan.status not in transition.sources:
        _invalid(
            _("A plan that is %(status)s cannot be changed this way (%(action)s).")
            % {"status": plan.get_status_display().lower(), "action": transition.label},
            code="transition_not_allowed",
        )
    if transition.needs_reason and not reason.strip():
        _invalid(_("Give a reason."), field="reason", code="reason_required")
    if action is Action.ACTIVATE:
        _in_force_refusal(plan.patient, plan)
        if (today - plan.start_date).days > MAX_DAYS_IN_PAST:
            _invalid(
                _(
                    "The plan starts on %(date)s, more than %(days)s days ago: make a new plan "
                    "from today."
                )
                % {"date": plan.start_date.isoformat(), "days": MAX_DAYS_IN_PAST},
                code="start_date_too_far_in_past",
            )
        if _regimen_changed(plan):
            _invalid(
                _(
                    "The medication list has changed since this draft was made: make a new plan "
                    "from the current list."
                ),
                code="regimen_changed",
            )
    before = plan.status
    plan.status = transition.target
    plan.status_changed_at = timezone.now()
    if plan.status in CLOSED:
        plan.ended_on = today
        plan.end_reason = reason.strip()
    try:
        with transaction.atomic():
            claim_version(plan, expected_version)
            plan.save(
                update_fields=["status", "status_changed_at", "ended_on", "end_reason", "version"]
            )
    except IntegrityError:  # another plan became active at the same moment
        plan.status = before
        _in_force_refusal(plan.patient, plan)
        raise
    _record(plan, by=by, from_status=before, reason=reason.strip())
    _audit(
        plan,
        by=by,
        action=AuditAction.UPDATE,
        action_taken=action.value,
        from_status=before,
        to_status=plan.status,
    )
    return plan


def change_taper_plan_status(
    *,
    plan: TaperPlan,
    by: User,
    action: str,
    reason: str = "",
    today: date | None = None,
    expected_version: ExpectedVersion = None,
) -> TaperPlan:
    """Activate, pause, resume, complete or abandon a plan (with a reason where needed).
    `expected_version`: the plan's version the user read (`StaleVersion` if it moved on)."""
    if action not in Action._value2member_map_:
        _invalid(_("Choose an action."), field="action", code="unknown_action")
    if len(reason) > REASON_MAX_LENGTH:
        _invalid(_("The reason is at most 1000 characters."), field="reason", code="too_long")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = TaperPlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
        return _move(
            locked,
            Action(action),
            by=by,
            reason=reason,
            today=today,
            expected_version=expected_version,
        )


def adjust_taper_plan(
    *,
    plan: TaperPlan,
    by: User,
    pace: Pace,
    reason: str,
    today: date | None = None,
    expected_version: ExpectedVersion = None,
) -> TaperPlan:
    """A new version from the dose the patient takes now (the current step) with a new pace;
    the old version is kept, marked replaced, and the new one is active at once."""
    if not reason.strip():
        _invalid(_("Give a reason."), field="reason", code="reason_required")
    today = today or timezone.localdate()
    with transaction.atomic():
        old = TaperPlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
        check_version(old, expected_version)
        if old.status not in ADJUSTABLE:
            _invalid(_("Only an active or paused plan can be adjusted."), code="not_adjustable")
        begun = [s for s in old.steps.order_by("number") if s.start_date <= today]
        current = begun[-1] if begun else None
        if current is not None and current.kind == StepKind.EVERY_OTHER_DAY:
            _invalid(
                _(
                    "The current step is the smallest dose every other day, the last before "
                    "stopping: pause or complete the plan instead."
                ),
                code="every_other_day",
            )
        doses = current.doses if current is not None else old.baseline
        if not doses:
            _invalid(_("The plan has reached its end: complete it."), code="plan_finished")
        preview = preview_taper_plan(
            patient=old.patient,
            pace=pace,
            lines=lines_of_step(doses),
            excluded=[ExcludedLine(**line) for line in old.excluded_lines],
            today=today,
            table_version=old.conversion_table,
            thresholds=thresholds_of(old.thresholds),
        )
        before = old.status
        old.status = Status.SUPERSEDED
        old.status_changed_at = timezone.now()
        old.ended_on = today
        old.end_reason = reason.strip()
        claim_version(old, expected_version)
        old.save(update_fields=["status", "status_changed_at", "ended_on", "end_reason", "version"])
        _record(old, by=by, from_status=before, reason=reason.strip())
        new = _save(preview, patient=old.patient, by=by, previous=old)
        _audit(new, by=by, action=AuditAction.CREATE, adjusted_from=old.pk, steps=new.step_count)
        _move(new, Action.ACTIVATE, by=by, reason=reason, today=today)
        _audit(
            old,
            by=by,
            action=AuditAction.UPDATE,
            action_taken="adjust",
            from_status=before,
            to_status=old.status,
        )
    return new


def regenerate(plan: TaperPlan) -> DomainPlan:
    """The plan generated again from its stored request (same table version, same day)."""
    lines = [PlanLine.from_json(line) for line in plan.lines]
    preview = preview_taper_plan(
        patient=plan.patient,
        pace=Pace.of_plan(plan),
        lines=lines,
        today=plan.made_on,
        table_version=plan.conversion_table,
        thresholds=thresholds_of(plan.thresholds),
    )
    return preview.plan


def default_pace(today: date) -> Pace:
    """The defaults (settings TAPER_DEFAULT_*): 10 % of the starting dose every 28 days from
    today, steps halved below half the starting dose (tapering-and-care.md: CDC 2022, HHS
    2019 — 10 % a month or slower after long-term use; slow down near the end), and no stop
    from more than the region's stop threshold."""
    below = settings.TAPER_DEFAULT_SLOW_DOWN_BELOW_PERCENT
    return Pace(
        stop_threshold_mg_per_day=default_stop_threshold(),
        start_date=today,
        step_percent=Decimal(settings.TAPER_DEFAULT_STEP_PERCENT),
        interval_days=settings.TAPER_DEFAULT_INTERVAL_DAYS,
        slow_down_below_percent=Decimal(below) if below else None,
        slow_down_step_percent=Decimal(settings.TAPER_DEFAULT_SLOW_DOWN_STEP_PERCENT)
        if below
        else None,
    )


def preview_window(plan: TaperPlan) -> tuple[date, date]:
    """The days a chart of the plan covers: from a week before it starts to one interval
    after its last change."""
    return plan.start_date - timedelta(days=7), plan.last_change_date + timedelta(
        days=plan.interval_days
    )
