"""Reads of medication data. Callers load the patient through `patients.access` first, which
applies the role rules and writes the audit row; nothing here checks access again."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from domain.catalogue import Catalogue
from domain.omeq import Thresholds
from smertespor.medication.calculation import (
    Evaluation,
    compare,
    entries_from_regimen,
    evaluate,
    omeq_thresholds,
)
from smertespor.medication.catalogue_rows import catalogue_from_products
from smertespor.medication.models import (
    CatalogueProduct,
    ConversionTableVersion,
    MedicationLine,
    OmeqSnapshot,
)
from smertespor.medication.regimens import regimen_from_lines
from smertespor.medication.table_selectors import (
    active_table_version,
    domain_table,
    usable_tables_active_first,
)
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import read_once

if TYPE_CHECKING:  # a typing aid only (django-stubs-ext is a dev dependency)
    from django_stubs_ext import WithAnnotations


class LatestOmeq(TypedDict):
    """What `attach_latest_omeq` adds to each patient."""

    latest_omeq: OmeqSnapshot | None


class LatestOmeqFigures(TypedDict):
    """What `with_latest_omeq` annotates each patient with (None: no snapshot yet)."""

    latest_omeq_max_mg_per_day: Decimal | None
    latest_omeq_scheduled_mg_per_day: Decimal | None
    latest_omeq_table_id: str | None
    latest_omeq_recorded_on: datetime.date | None


def region_omeq_thresholds() -> Thresholds:
    """The region's OMEQ warning thresholds in mg/day (reassess, high): the figures every
    OMEQ warning, chart and high-dose count uses (settings OMEQ_REASSESS/HIGH_MG_PER_DAY)."""
    return omeq_thresholds()


def current_catalogue() -> Catalogue:
    """The shipped catalogue plus the products an administrator added."""
    return catalogue_from_products(list(CatalogueProduct.objects.all()))


def catalogue_for_page(patient: Patient) -> Catalogue:
    """`current_catalogue`, read once for the patient page (its timeline names the products,
    its medication panel evaluates the lines: `patients.page_reads`)."""
    return read_once(patient, "medication.catalogue", current_catalogue)


def current_lines(patient: Patient) -> QuerySet[MedicationLine]:
    return patient.medication_lines.filter(ended_on__isnull=True).order_by("start_date", "pk")


def line_of(patient: Patient, line_id: int) -> MedicationLine:
    """One of the patient's lines; another patient's line (or none) is 404."""
    line = patient.medication_lines.filter(pk=line_id).first()
    if line is None:
        raise Http404
    return line


def ended_lines(patient: Patient) -> QuerySet[MedicationLine]:
    return patient.medication_lines.filter(ended_on__isnull=False).order_by("-ended_on", "-pk")


def patient_evaluation(
    patient: Patient,
    *,
    table_version: ConversionTableVersion | None = None,
    catalogue: Catalogue | None = None,
) -> Evaluation:
    """OMEQ of the patient's current lines under the active table (or `table_version`)."""
    version = table_version or active_table_version()
    regimen = regimen_from_lines(current_lines(patient), catalogue or current_catalogue())
    return evaluate(entries_from_regimen(regimen), version, domain_table(version))


def patient_comparison(patient: Patient) -> list[Evaluation]:
    """The patient's current lines under every usable table, the active one first."""
    catalogue = current_catalogue()
    regimen = regimen_from_lines(current_lines(patient), catalogue)
    tables = [(version, domain_table(version)) for version in usable_tables_active_first()]
    return compare(None, tables, catalogue, entries=entries_from_regimen(regimen))


def omeq_snapshots(patient: Patient) -> QuerySet[OmeqSnapshot]:
    return patient.omeq_snapshots.order_by("recorded_at", "pk")


def omeq_snapshots_shown(patient: Patient) -> list[OmeqSnapshot]:
    """`omeq_snapshots`, read once for a page (the patient page's timeline and its plan
    chart both show them: `patients.page_reads`)."""
    return read_once(patient, "medication.snapshots", lambda: list(omeq_snapshots(patient)))


def medication_history(patient: Patient) -> QuerySet[Any]:
    """Every saved version of every line, newest first (who changed what, and when)."""
    history_model = MedicationLine.history.model
    return (
        history_model.objects.filter(patient_id=patient.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def _newest_snapshot_id() -> Subquery:
    newest = OmeqSnapshot.objects.filter(patient_id=OuterRef("patient_id")).order_by(
        "-recorded_at", "-pk"
    )
    return Subquery(newest.values("pk")[:1])


def latest_omeq_by_patient(patient_ids: Iterable[Any]) -> dict[Any, OmeqSnapshot]:
    """Each patient's newest OMEQ snapshot, in one query."""
    ids = list(patient_ids)
    if not ids:
        return {}
    rows = OmeqSnapshot.objects.filter(patient_id__in=ids, pk=_newest_snapshot_id())
    return {row.patient_id: row for row in rows}


def attach_latest_omeq(patients: Iterable[Patient]) -> list[WithAnnotations[Patient, LatestOmeq]]:
    """The patients (e.g. one page of a list), each with `.latest_omeq` (a snapshot or None),
    in one query for the whole page."""
    # Typed as what they are once the loop below has given each its `latest_omeq`.
    listed = cast("list[WithAnnotations[Patient, LatestOmeq]]", list(patients))
    latest = latest_omeq_by_patient(p.pk for p in listed)
    for patient in listed:
        patient.latest_omeq = latest.get(patient.pk)
    return listed


def with_latest_omeq(
    patients: QuerySet[Patient],
) -> QuerySet[WithAnnotations[Patient, LatestOmeqFigures]]:
    """The queryset annotated with the newest snapshot's figures (no extra query at all)."""
    newest = OmeqSnapshot.objects.filter(patient_id=OuterRef("pk")).order_by("-recorded_at", "-pk")
    return patients.annotate(
        latest_omeq_max_mg_per_day=Subquery(newest.values("max_mg_per_day")[:1]),
        latest_omeq_scheduled_mg_per_day=Subquery(newest.values("scheduled_mg_per_day")[:1]),
        latest_omeq_table_id=Subquery(newest.values("table_id")[:1]),
        latest_omeq_recorded_on=Subquery(newest.values("recorded_on")[:1]),
    )


# Added for tapering:
def is_substitution_treatment(line: MedicationLine) -> bool:
    """Whether ``line`` is opioid substitution treatment, which a taper plan leaves alone."""
    return line.indication == MedicationLine.Indication.SUBSTITUTION


# Added for teaching:


def high_dose_patients_per_practice(practice_ids: Iterable[int]) -> dict[int, int]:
    """How many of each practice's listed patients are at or above the high-dose threshold
    now (their newest OMEQ snapshot's maximum, PRN included): a count, no patients."""
    ids = list(practice_ids)
    rows = (
        OmeqSnapshot.objects.filter(
            pk=_newest_snapshot_id(),
            patient__listed_practice_id__in=ids,
            max_mg_per_day__gte=region_omeq_thresholds().high_mg_per_day,
        )
        .order_by()
        .values("patient__listed_practice_id")
        .annotate(n=Count("patient_id", distinct=True))
        .values_list("patient__listed_practice_id", "n")
    )
    return {**dict.fromkeys(ids, 0), **dict(rows)}


# Added for advice:
@dataclass(frozen=True)
class CurrentLine:
    """One current medication line as other apps read it: what is taken and its OMEQ."""

    label: str
    is_opioid: bool
    units_per_dose: Decimal | None
    doses_per_day: Decimal | None
    prn: bool
    max_doses_per_day: Decimal | None
    start_date: date | None
    omeq_mg_per_day: Decimal | None  # None when the line is not counted
    problems: tuple[str, ...]


@dataclass(frozen=True)
class MedicationSummary:
    """The patient's current medication and OMEQ under the active table, in plain values."""

    lines: tuple[CurrentLine, ...]
    is_computable: bool
    table: str  # the table's id and version, e.g. "cdc-2022 1"
    scheduled_mg_per_day: Decimal | None
    max_mg_per_day: Decimal | None
    warnings: tuple[tuple[str, str], ...]  # (code, message in the reader's language)
    problems: tuple[str, ...]


def medication_summary(patient: Patient) -> MedicationSummary:
    """`patient_evaluation` without its working, for apps that record or show the result."""
    evaluation = patient_evaluation(patient)
    lines = []
    for working in evaluation.entries:
        line = working.entry.source
        result = working.result
        lines.append(
            CurrentLine(
                label=working.entry.label,
                is_opioid=working.is_opioid,
                units_per_dose=getattr(line, "units_per_dose", None),
                doses_per_day=getattr(line, "doses_per_day", None),
                prn=bool(getattr(line, "prn", False)),
                max_doses_per_day=getattr(line, "max_doses_per_day", None),
                start_date=getattr(line, "start_date", None),
                omeq_mg_per_day=result.contribution_mg_per_day
                if result is not None and result.is_counted
                else None,
                problems=tuple(working.problems),
            )
        )
    omeq = evaluation.result
    version = evaluation.table_version
    return MedicationSummary(
        lines=tuple(lines),
        is_computable=evaluation.is_computable,
        table=f"{version.table_id} {version.version}",
        scheduled_mg_per_day=omeq.scheduled_mg_per_day if omeq is not None else None,
        max_mg_per_day=omeq.max_mg_per_day if omeq is not None else None,
        warnings=tuple((code, str(message)) for code, message in evaluation.warnings),
        problems=tuple(str(problem.message) for problem in evaluation.problems),
    )


# Added for the home page ("I dag"):
def at_or_above_high_dose(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Those of `patients` whose newest OMEQ snapshot (maximum, PRN included) is at or above
    the region's high-dose threshold, with `latest_omeq_max_mg_per_day`; highest first."""
    threshold = region_omeq_thresholds().high_mg_per_day
    return (
        with_latest_omeq(patients)
        .filter(latest_omeq_max_mg_per_day__gte=threshold)
        .order_by("-latest_omeq_max_mg_per_day", "name", "pk")
    )
