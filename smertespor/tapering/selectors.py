"""Reads of taper plans. Callers load the patient through `patients.access` first, which
applies the role rules and writes the audit row; nothing here checks access again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from smertespor.patients.models import Patient
from smertespor.tapering.models import IN_FORCE, Status, TaperPlan, TaperPlanEvent, TaperPlanStep
from smertespor.tapering.pace import Pace


def plans_of(patient: Patient) -> QuerySet[TaperPlan]:
    return patient.taper_plans.select_related("created_by").order_by("-created_at", "-pk")


def plan_of(patient: Patient, plan_id: int) -> TaperPlan:
    """The patient's plan `plan_id`, or 404 (a plan of another patient is not found)."""
    plan = (
        TaperPlan.objects.select_related(
            "patient", "practice", "created_by", "previous_plan", "conversion_table"
        )
        .filter(patient=patient, pk=plan_id)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def plan_in_force(patient: Patient) -> TaperPlan | None:
    """The patient's active or paused plan (at most one: a database constraint)."""
    return patient.taper_plans.filter(status__in=IN_FORCE).first()


def plan_to_show(patient: Patient) -> TaperPlan | None:
    """The plan for the patient page: the one in force, else the newest draft."""
    return plan_in_force(patient) or patient.taper_plans.filter(status=Status.DRAFT).first()


def steps_of(plan: TaperPlan) -> list[TaperPlanStep]:
    return list(plan.steps.order_by("number"))


def current_step(steps: list[TaperPlanStep], today: date) -> TaperPlanStep | None:
    """The step taken on `today`: the last one begun; None before the plan starts."""
    begun = [s for s in steps if s.start_date <= today]
    return begun[-1] if begun else None


def events_of(plan: TaperPlan) -> list[TaperPlanEvent]:
    return list(plan.events.select_related("by").order_by("occurred_at", "pk"))


def versions_of(plan: TaperPlan) -> list[TaperPlan]:
    """Every version of the plan, oldest first (an adjustment makes a new version)."""
    first = plan
    while first.previous_plan_id is not None:
        first = TaperPlan.objects.get(pk=first.previous_plan_id)
    versions = [first]
    while True:
        following = versions[-1].adjusted_versions.order_by("pk").first()
        if following is None:
            return versions
        versions.append(following)


def adjust_start_date(plan: TaperPlan, today: date) -> date:
    """When the adjusted plan's first change falls: the next planned change, or today."""
    steps = list(plan.steps.order_by("number"))
    upcoming = [s.start_date for s in steps if s.start_date > today]
    return upcoming[0] if upcoming else today


def adjustment_pace(plan: TaperPlan, today: date) -> Pace:
    """What an adjustment starts from: the plan's own pace, from its next planned change."""
    return replace(Pace.of_plan(plan), start_date=adjust_start_date(plan, today))


# Added for rule:
from dataclasses import dataclass  # noqa: E402 - kept with the code added for the rule
from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402


@dataclass(frozen=True)
class PlannedDoses:
    """A taper plan's doses by date as other apps read them: OMEQ incl. as-needed (mg/day)
    from the plan's start, each step's first day and dose, and the day a paused plan was
    paused (its dose holds from then)."""

    plan_id: int
    label: str  # e.g. "Taper plan 2026-01-05 v1"
    start_mg_per_day: Decimal
    steps: tuple[tuple[date, Decimal], ...]
    held_from: date | None


def planned_doses(patient: Patient, *, since: date) -> PlannedDoses | None:
    """The doses the patient's plan expects: the plan in force (active or paused), else the
    newest plan completed on or after ``since``; None when there is neither."""
    plan = plan_in_force(patient) or (
        patient.taper_plans.filter(status=Status.COMPLETED, ended_on__gte=since)
        .order_by("-ended_on", "-pk")
        .first()
    )
    if plan is None:
        return None
    steps = plan.steps.order_by("number").values_list("start_date", "omeq_mg_per_day")
    held = timezone.localdate(plan.status_changed_at) if plan.status == Status.PAUSED else None
    return PlannedDoses(
        plan_id=plan.pk,
        label=str(plan),
        start_mg_per_day=plan.baseline_omeq_mg_per_day,
        steps=tuple(steps),
        held_from=held,
    )


# Added for the patient's timeline (patients.timeline):


def steps_of_patient(patient: Patient) -> QuerySet[TaperPlanStep]:
    """Every step of every plan of the patient, with its plan (one query)."""
    return (
        TaperPlanStep.objects.filter(plan__patient=patient)
        .select_related("plan")
        .order_by("plan_id", "number")
    )


def plan_events_of_patient(patient: Patient) -> QuerySet[TaperPlanEvent]:
    """Every status change of every plan of the patient, with its plan (one query)."""
    return (
        TaperPlanEvent.objects.filter(plan__patient=patient)
        .select_related("plan", "by")
        .order_by("-occurred_at", "-pk")
    )


def expected_step_today(patient: Patient, today: date) -> tuple[TaperPlan, TaperPlanStep] | None:
    """The plan in force and the step it expects on ``today`` (None before it starts, or
    when there is no plan in force): what a visit's dose is compared with."""
    plan = plan_in_force(patient)
    if plan is None:
        return None
    step = current_step(steps_of(plan), today)
    return None if step is None else (plan, step)


# Added for the home page ("I dag"):
def without_plan_in_force(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Those of `patients` with no active or paused taper plan (one subquery, no loop)."""
    in_force = TaperPlan.objects.filter(patient_id=OuterRef("pk"), status__in=IN_FORCE)
    return patients.exclude(Exists(in_force))


def taper_plans_of_any_patient() -> QuerySet[TaperPlan]:
    """Every taper plan (`patients.page_reads.has_records` asks for one patient's)."""
    return TaperPlan.objects.all()
