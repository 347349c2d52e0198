"""Computing a month's measures and storing them, replacing that month whole (idempotent)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from domain.calendar_months import add_calendar_months
from domain.measures import SHIPPED_FILE, Level, MeasureSet, aggregate, parse_measures
from smertespor.evaluation.measures_facts import SOURCES, MonthData
from smertespor.evaluation.measures_models import MeasureFigure

Progress = Callable[[int, int, str], None]


@cache
def measure_set() -> MeasureSet:
    """The shipped measures; one this code cannot compute makes the file a refused one."""
    text = resources.files("domain").joinpath("data", SHIPPED_FILE).read_text(encoding="utf-8")
    return parse_measures(text, known_codes=SOURCES)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    """The last whole month (the daily job's default)."""
    today = today or timezone.localdate()
    return add_calendar_months(today.replace(day=1), -1)


@dataclass(frozen=True)
class ComputeReport:
    month: datetime.date
    figures: int
    measures: int


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """All the month's figures in one statement (executemany), whatever their number: the
    query count of a month must not grow with the number of practices."""
    if not rows:
        return
    table = connection.ops.quote_name(MeasureFigure._meta.db_table)
    columns = (
        "measure",
        "month",
        "level",
        "region_id",
        "organisation_id",
        "numerator",
        "denominator",
        "value",
        "hits",
        "basis",
        "definition_version",
        "computed_at",
    )
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def compute_measures(month: datetime.date, progress: Progress | None = None) -> ComputeReport:
    """Compute every measure for ``month`` (any day of it) and replace its stored figures.

    ``progress(done, total, message)`` is told after each measure (for a background job)."""
    measures = measure_set()
    data = MonthData(month)
    first = data.first
    now = timezone.now()
    total = len(measures.measures)
    rows: list[tuple[Any, ...]] = []
    for done, measure in enumerate(measures.measures, start=1):
        figures = aggregate(measure, SOURCES[measure.code](measure, data))
        for (level, key), fig in sorted(figures.items()):
            is_region = level is Level.REGION
            rows.append(
                (
                    measure.code,
                    first,
                    level.value,
                    key if is_region else data.region_of(key),
                    None if is_region else key,
                    fig.numerator,
                    fig.denominator,
                    fig.value,
                    fig.hits,
                    fig.basis,
                    measures.version,
                    now,
                )
            )
        if progress is not None:
            progress(done, total, measure.code)
    with transaction.atomic():
        MeasureFigure.objects.filter(month=first).delete()
        _insert(rows)
    return ComputeReport(month=first, figures=len(rows), measures=total)
