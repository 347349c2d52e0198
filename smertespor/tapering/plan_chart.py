"""A taper plan's chart: planned OMEQ per step over the actual OMEQ recorded on the
medication list, drawn by the medication app's chart geometry (`medication.chart`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from smertespor.medication.chart import ChartPoint, OmeqChart, PlannedPoint, omeq_chart
from smertespor.medication.selectors import omeq_snapshots_shown, region_omeq_thresholds
from smertespor.patients.models import Patient

BASELINE_DAYS = 7  # the baseline is drawn for a week before the first change at least


@dataclass(frozen=True)
class PlanChart:
    chart: OmeqChart | None
    planned: tuple[PlannedPoint, ...]  # the data table of the planned series
    actual: tuple[ChartPoint, ...]  # ... and of the recorded one


def planned_points(
    *,
    baseline_omeq: Decimal,
    made_on: date,
    steps: Sequence[tuple[int, date, Decimal]],  # (number, first day, OMEQ incl. PRN)
) -> tuple[PlannedPoint, ...]:
    if not steps:
        return ()
    first_change = steps[0][1]
    baseline_from = min(made_on, first_change - timedelta(days=BASELINE_DAYS))
    points = [PlannedPoint(baseline_from, baseline_omeq, "0")]
    points += [PlannedPoint(day, value, str(number)) for number, day, value in steps]
    return tuple(points)


def actual_points(patient: Patient) -> tuple[ChartPoint, ...]:
    return tuple(
        ChartPoint(
            day=s.recorded_on,
            scheduled=s.scheduled_mg_per_day,
            maximum=s.max_mg_per_day,
            table=f"{s.table_id} {s.table_version}",
        )
        for s in omeq_snapshots_shown(patient)
    )


def plan_chart(
    *,
    patient: Patient,
    planned: tuple[PlannedPoint, ...],
    interval_days: int,
    today: date,
    thresholds: Any = None,
) -> PlanChart:
    thresholds = thresholds or region_omeq_thresholds()
    actual = actual_points(patient)
    until = planned[-1].day + timedelta(days=interval_days) if planned else None
    chart = omeq_chart(
        actual,
        today=today,
        reassess=thresholds.reassess_mg_per_day,
        high=thresholds.high_mg_per_day,
        planned=planned,
        planned_until=until,
    )
    return PlanChart(chart, planned, actual)


def stored_plan_chart(plan: Any, steps: Sequence[Any], today: date) -> PlanChart:
    planned = planned_points(
        baseline_omeq=plan.baseline_omeq_mg_per_day,
        made_on=plan.made_on,
        steps=[(s.number, s.start_date, s.omeq_mg_per_day) for s in steps],
    )
    return plan_chart(
        patient=plan.patient, planned=planned, interval_days=plan.interval_days, today=today
    )


def preview_chart(preview: Any, patient: Patient) -> PlanChart:
    plan = preview.plan
    planned = planned_points(
        baseline_omeq=plan.baseline_omeq.max_mg_per_day,
        made_on=preview.today,
        steps=[(s.number, s.start_date, s.omeq_mg_per_day) for s in plan.steps],
    )
    return plan_chart(
        patient=patient,
        planned=planned,
        interval_days=plan.interval_days,
        today=preview.today,
        thresholds=preview.thresholds,
    )
