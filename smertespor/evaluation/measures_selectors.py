"""Reads of the stored measure figures (no patient data) and the patients behind one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from domain.measures import Kind, Level, Measure, percentile
from smertespor.accounts.models import Organisation, Requester
from smertespor.evaluation.measures_facts import SOURCES, MonthData
from smertespor.evaluation.measures_models import MeasureFigure
from smertespor.evaluation.measures_services import measure_set
from smertespor.patients.access import visible_patients
from smertespor.patients.models import Patient


def min_denominator() -> int:
    return int(settings.EVALUATION_MIN_DENOMINATOR)


def measures() -> tuple[Measure, ...]:
    return measure_set().measures


def measure_by_code(code: str) -> Measure | None:
    return measure_set().get(code)


def months(region_id: int) -> list[datetime.date]:
    """The months with figures, newest first."""
    rows = (
        MeasureFigure.objects.filter(region_id=region_id, level=Level.REGION)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )
    return list(rows)


def chosen_month(region_id: int, text: str | None) -> datetime.date | None:
    """The month a page asked for (YYYY-MM) when it has figures, else the newest."""
    available = months(region_id)
    if text:
        try:
            wanted = datetime.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007
        except ValueError:
            wanted = None
        if wanted in available:
            return wanted
    return available[0] if available else None


def region_figures(region_id: int, month: datetime.date) -> dict[str, MeasureFigure]:
    rows = MeasureFigure.objects.filter(region_id=region_id, level=Level.REGION, month=month)
    return {row.measure: row for row in rows}


def organisation_figures(organisation_id: int, month: datetime.date) -> dict[str, MeasureFigure]:
    rows = MeasureFigure.objects.filter(organisation_id=organisation_id, month=month)
    return {row.measure: row for row in rows}


def region_series(region_id: int, measure: str) -> list[MeasureFigure]:
    return list(
        MeasureFigure.objects.filter(
            region_id=region_id, level=Level.REGION, measure=measure
        ).order_by("month")
    )


def organisation_series(organisation_id: int, measure: str) -> list[MeasureFigure]:
    return list(
        MeasureFigure.objects.filter(organisation_id=organisation_id, measure=measure).order_by(
            "month"
        )
    )


def level_figures(
    region_id: int, measure: str, month: datetime.date, level: Level = Level.PRACTICE
) -> QuerySet[MeasureFigure]:
    """Each organisation's figure at ``level`` (with the organisation, one query)."""
    return (
        MeasureFigure.objects.filter(region_id=region_id, measure=measure, month=month, level=level)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def region_practices(region_id: int) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        region_id=region_id, kind=Organisation.Kind.GP_PRACTICE
    ).order_by("name")


@dataclass(frozen=True)
class Deciles:
    month: datetime.date
    p10: Decimal
    p50: Decimal
    p90: Decimal
    practices: int


def is_stable(measure: Measure, row: MeasureFigure, minimum: int) -> bool:
    """A figure is shown outside the practice only with enough people below the line."""
    return row.value is not None and (measure.kind is Kind.COUNT or row.basis >= minimum)


def decile_series(region_id: int, measure: Measure) -> list[Deciles]:
    """OpenPrescribing's view: per month the 10th, 50th and 90th percentile of the
    practices' figures (those with a figure that may be shown), in one query."""
    minimum = min_denominator()
    by_month: dict[datetime.date, list[Decimal]] = {}
    rows = MeasureFigure.objects.filter(
        region_id=region_id, measure=measure.code, level=Level.PRACTICE
    ).order_by("month")
    for row in rows:
        if is_stable(measure, row, minimum) and row.value is not None:
            by_month.setdefault(row.month, []).append(row.value)
    series = []
    for month, values in sorted(by_month.items()):
        p10, p50, p90 = (percentile(values, f) for f in (0.1, 0.5, 0.9))
        if p10 is not None and p50 is not None and p90 is not None:
            series.append(Deciles(month, p10, p50, p90, len(values)))
    return series


def patients_behind(
    user: Requester, measure: Measure, month: datetime.date, practice_id: int
) -> QuerySet[Patient]:
    """The practice's own patients counted above the line of ``measure`` in ``month`` (or,
    for a median, in it), within what ``user`` may see. The caller audits the list.

    The facts are computed again for the month (a fixed number of queries)."""
    facts = SOURCES[measure.code](measure, MonthData(month))
    wanted = {
        fact.subject
        for fact in facts
        if fact.subject
        and (Level.PRACTICE, practice_id) in fact.units
        and (fact.numerator if measure.kind is not Kind.MEDIAN else fact.sample is not None)
    }
    return (
        visible_patients(user)
        .filter(listed_practice_id=practice_id, pk__in=list(wanted))
        .order_by("name", "pk")
    )
