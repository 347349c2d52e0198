"""The rows of the measure pages, their CSV files and the API, built once from the selectors.

Every figure passes through `measures_tables.show`: in full only for the patients' own
practice, suppressed for anyone else (planners, and a practice looking at the region).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.measures import Level, Measure
from smertespor.accounts.models import Organisation
from smertespor.evaluation import measures_selectors as selectors
from smertespor.evaluation.measures_charts import decile_chart, region_chart
from smertespor.evaluation.measures_models import MeasureFigure
from smertespor.evaluation.measures_tables import (
    Shown,
    show,
    show_column,
    title,
    unit_label,
)

# Measures counted per practice from registrations, not patients: no list of patients.
WITHOUT_PATIENTS = frozenset({"teaching_attendance", "teaching_hours"})


@dataclass(frozen=True)
class MeasureRow:
    measure: Measure
    title: str
    unit: str
    mine: Shown | None  # the organisation's figure (None on the region's own page)
    region: Shown
    previous: Shown
    has_patients: bool


def overview_rows(
    region_id: int,
    month: datetime.date,
    *,
    organisation_id: int | None = None,
    full: bool = False,
) -> list[MeasureRow]:
    """Each measure: the organisation's figure (in full for its own staff), the region's
    and the region's the month before."""
    minimum = selectors.min_denominator()
    region = selectors.region_figures(region_id, month)
    before = selectors.region_figures(region_id, _previous(month))
    own = selectors.organisation_figures(organisation_id, month) if organisation_id else {}
    rows = []
    for measure in selectors.measures():
        mine = None
        if organisation_id is not None:
            mine = show(measure, own.get(measure.code), full=full, minimum=minimum)
        rows.append(
            MeasureRow(
                measure=measure,
                title=title(measure),
                unit=unit_label(measure.unit),
                mine=mine,
                region=show(measure, region.get(measure.code), full=False, minimum=minimum),
                previous=show(measure, before.get(measure.code), full=False, minimum=minimum),
                has_patients=measure.code not in WITHOUT_PATIENTS
                and Level.PRACTICE in measure.levels,
            )
        )
    return rows


def _previous(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    shown: Shown


def level_rows(
    region_id: int,
    measure: Measure,
    month: datetime.date,
    level: Level,
    *,
    own_organisation: int | None = None,
    sort: str = "name",
) -> list[OrganisationRow]:
    """The organisations at ``level`` for one measure and month, suppressed as one column
    shown with the region's total; sorted by name or figure (hidden figures last)."""
    figures = list(selectors.level_figures(region_id, measure.code, month, level))
    shown = show_column(
        measure, figures, own_organisation=own_organisation, minimum=selectors.min_denominator()
    )
    rows = [
        OrganisationRow(figure.organisation, cell)
        for figure, cell in zip(figures, shown, strict=True)
        if figure.organisation is not None
    ]
    if sort.lstrip("-") == "value":
        shown_rows = [r for r in rows if r.shown.number is not None]
        hidden_rows = [r for r in rows if r.shown.number is None]
        shown_rows.sort(key=lambda r: r.shown.number or Decimal(0), reverse=sort.startswith("-"))
        return shown_rows + hidden_rows
    if sort == "-name":
        rows.reverse()
    return rows


SORTS = ("name", "-name", "value", "-value")


def sort_of(value: object) -> str:
    return next((s for s in SORTS if s == value), "name")


@dataclass(frozen=True)
class SeriesRow:
    month: datetime.date
    region: Shown
    p10: Decimal | None
    p50: Decimal | None
    p90: Decimal | None
    organisation: Shown | None


def series(
    region_id: int,
    measure: Measure,
    *,
    organisation_id: int | None = None,
    full: bool = False,
) -> tuple[list[SeriesRow], dict[str, Any], dict[str, Any], str]:
    """Month by month: the region's figure, the practices' deciles and one practice's
    figure; with the two charts (region over time; deciles with the practice) and the
    practice's name."""
    minimum = selectors.min_denominator()
    region = {row.month: row for row in selectors.region_series(region_id, measure.code)}
    deciles = {row.month: row for row in selectors.decile_series(region_id, measure)}
    own: dict[datetime.date, MeasureFigure] = {}
    name = ""
    if organisation_id is not None:
        own = {
            row.month: row for row in selectors.organisation_series(organisation_id, measure.code)
        }
        name = (
            Organisation.objects.filter(pk=organisation_id).values_list("name", flat=True).first()
            or ""
        )
    rows = []
    for month in sorted(set(region) | set(deciles)):
        decile = deciles.get(month)
        rows.append(
            SeriesRow(
                month=month,
                region=show(measure, region.get(month), full=False, minimum=minimum),
                p10=decile.p10 if decile else None,
                p50=decile.p50 if decile else None,
                p90=decile.p90 if decile else None,
                organisation=(
                    show(measure, own.get(month), full=full, minimum=minimum)
                    if organisation_id is not None
                    else None
                ),
            )
        )
    unit = unit_label(measure.unit)
    region_spec = region_chart([(r.month, r.region.number) for r in rows], unit)
    practice_points = (
        [(r.month, r.organisation.number if r.organisation else None) for r in rows]
        if organisation_id is not None
        else []
    )
    decile_spec = decile_chart(list(deciles.values()), practice_points, name, unit)
    return rows, region_spec, decile_spec, name
