"""Figures as a reader may see them: suppressed outside the patients' own practice.

Counts of 1-4 people or events are "< 5"; in a column shown with its total a second cell is
hidden so the first cannot be worked out (`domain.suppression`); a rate, mean or median is
not shown when fewer than EVALUATION_MIN_DENOMINATOR people are below the line, or when its
numerator is hidden. The page, the CSV file and the API all build their rows here.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from domain.measures import Kind, Measure, Unit
from domain.suppression import Cell, is_small, suppress_column, suppress_count
from smertespor.entry.numbers import for_json, for_people
from smertespor.evaluation.measures_models import MeasureFigure


def unit_label(unit: Unit) -> str:
    labels = {
        Unit.PERCENT: "%",
        Unit.PER_1000: _("per 1,000"),
        Unit.COUNT: "",
        Unit.MG_PER_DAY_PER_1000: _("mg/day per 1,000"),
        Unit.WORKING_DAYS: _("working days"),
        Unit.DAYS: _("days"),
        Unit.HOURS: _("hours"),
        Unit.PER_PATIENT_YEAR: _("per patient per year"),
    }
    return str(labels[unit])


def title(measure: Measure) -> str:
    return measure.title(get_language() or "da")


@dataclass(frozen=True)
class Shown:
    """One figure as shown: texts for people, the exact value for charts and JSON (None
    when hidden), and why it is hidden."""

    numerator: str
    denominator: str
    value: str
    number: Decimal | None
    hidden: str  # "", "small" (1-4), "secondary", "denominator"

    @property
    def is_hidden(self) -> bool:
        return self.number is None


EMPTY = Shown("", "", "", None, "none")


def _value_text(measure: Measure, value: Decimal | None) -> str:
    if value is None:
        return ""
    places = 0 if measure.kind is Kind.COUNT and measure.unit is Unit.COUNT else 1
    return for_people(value, places)


def show(
    measure: Measure,
    row: MeasureFigure | None,
    *,
    full: bool,
    minimum: int,
    hits: Cell | None = None,
    basis: Cell | None = None,
) -> Shown:
    """``row`` as shown; ``full`` for the patients' own practice (nothing hidden).
    ``hits``/``basis`` are the cells of a column already suppressed with its total."""
    if row is None:
        return EMPTY
    if full:
        return Shown(
            str(row.hits),
            str(row.basis) if measure.has_denominator else "",
            _value_text(measure, row.value),
            row.value,
            "",
        )
    hits_cell = hits or suppress_count(row.hits)
    basis_cell = basis or suppress_count(row.basis)
    denominator = basis_cell.text() if measure.has_denominator else ""
    if hits_cell.hidden:
        reason = "small" if hits_cell.primary else "secondary"
        return Shown(hits_cell.text(), denominator, "", None, reason)
    if measure.has_denominator and (basis_cell.hidden or row.basis < minimum):
        return Shown(hits_cell.text(), denominator, "", None, "denominator")
    if measure.kind is Kind.MEDIAN and is_small(row.basis):
        return Shown(hits_cell.text(), denominator, "", None, "small")
    return Shown(hits_cell.text(), denominator, _value_text(measure, row.value), row.value, "")


def show_column(
    measure: Measure,
    rows: Sequence[MeasureFigure],
    *,
    own_organisation: int | None,
    minimum: int,
) -> list[Shown]:
    """A column of organisations shown with the region's total: primary and secondary
    suppression over the counts above the line and below it. The reader's own practice
    (``own_organisation``) is shown in full."""
    hits = suppress_column([row.hits for row in rows])
    basis = suppress_column([row.basis for row in rows])
    return [
        show(
            measure,
            row,
            full=row.organisation_id is not None and row.organisation_id == own_organisation,
            minimum=minimum,
            hits=hit,
            basis=base,
        )
        for row, hit, base in zip(rows, hits, basis, strict=True)
    ]


def hidden_note(shown: Shown) -> str:
    return {
        "small": _("fewer than 5"),
        "secondary": _("hidden so that a small number cannot be worked out"),
        "denominator": _("too few to give a stable figure"),
    }.get(shown.hidden, "")


def as_json(shown: Shown) -> dict[str, str | None]:
    return {
        "numerator": shown.numerator,
        "denominator": shown.denominator or None,
        "value": for_json(shown.number),
        "hidden": shown.hidden or None,
    }


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A CSV file (UTF-8 with a BOM, so a spreadsheet opens the Danish letters; ';' as the
    separator a Danish spreadsheet expects)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(cell) for cell in row])
    return response


def _cell(cell: object) -> object:
    """A cell a spreadsheet will not run as a formula (names are text, never code)."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "@", "\t", "\r"):
        return "'" + cell
    return cell


def month_label(month: datetime.date) -> str:
    return f"{month:%Y-%m}"
