"""Loading medication lists from a CSV extract: a preview that saves nothing, then the
import the user confirms, all or nothing per patient, through the medication services.

The page and the API call these two with the file's bytes; both re-read the file, so what
is imported is exactly what the preview showed for the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from smertespor.accounts.models import Requester, User
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.rules import require
from smertespor.interop.csv_medication import CsvReport, RowProblem, parse_medication_csv
from smertespor.interop.permissions import can_import_records
from smertespor.medication.models import MedicationLine
from smertespor.medication.selectors import current_catalogue
from smertespor.medication.services import add_medication_line
from smertespor.patients.access import visible_patients
from smertespor.patients.models import Patient


@dataclass
class PatientOutcome:
    patient: Patient | None
    cpr_masked: str
    rows: list[int]
    status: str  # ready / imported / refused
    messages: list[str] = field(default_factory=list)


@dataclass
class CsvImportResult:
    report: CsvReport
    patients: list[PatientOutcome]
    problems: list[RowProblem]

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    def as_json(self) -> dict[str, Any]:
        return {
            "encoding": self.report.encoding,
            "separator": self.report.separator,
            "problems": [
                {"row": p.row, "column": p.column, "message": p.message} for p in self.problems
            ],
            "patients": [
                {
                    "patient_id": str(o.patient.pk) if o.patient else None,
                    "cpr": o.cpr_masked,
                    "rows": o.rows,
                    "status": o.status,
                    "messages": o.messages,
                }
                for o in self.patients
            ],
        }


def _masked(cpr: str) -> str:
    return f"{cpr[:6]}-****"


def _read(user: Requester, data: bytes) -> tuple[User, CsvReport, dict[str, Patient]]:
    by = require(user, can_import_records, object_type="medication_csv")
    report = parse_medication_csv(data, current_catalogue())
    patients = {p.cpr: p for p in visible_patients(by).filter(cpr__in=report.cprs())}
    # Out of scope and unknown read the same: the file says nothing about other practices.
    for cpr, rows in report.by_patient().items():
        if cpr not in patients:
            for row in rows:
                report.problems.append(
                    RowProblem(row.row, "cpr", _("The patient is not on your patient list."))
                )
    report.problems.sort(key=lambda problem: problem.row)
    return by, report, patients


def _outcomes(report: CsvReport, patients: dict[str, Patient]) -> list[PatientOutcome]:
    bad_rows = report.problem_rows()
    rows_by_cpr = report.by_patient()
    outcomes = []
    for cpr in report.cprs():
        numbers = sorted(
            [row.row for row in rows_by_cpr.get(cpr, [])] + report.refused_rows.get(cpr, [])
        )
        patient = patients.get(cpr)
        refused = patient is None or bool(bad_rows & set(numbers))
        outcome = PatientOutcome(patient, _masked(cpr), numbers, "refused" if refused else "ready")
        if refused and patient is not None:
            outcome.messages.append(_("Not imported: another row for this patient has a problem."))
        outcomes.append(outcome)
    return outcomes


def preview_medication_csv(*, user: Requester, data: bytes) -> CsvImportResult:
    """What the import would do, row by row. Saves nothing; the patients it names are
    written to their access logs."""
    by, report, patients = _read(user, data)
    for patient in patients.values():
        record_event(
            user=by,
            action=AuditAction.VIEW,
            object_type="medication_csv_preview",
            object_id=str(patient.pk),
            patient=patient,
        )
    return CsvImportResult(report, _outcomes(report, patients), report.problems)


def import_medication_csv(*, user: Requester, data: bytes) -> CsvImportResult:
    """Import every patient whose rows are all sound, each in one transaction: a patient's
    lines are saved together or not at all. Patients with a problem are left untouched."""
    by, report, patients = _read(user, data)
    outcomes = _outcomes(report, patients)
    rows_by_cpr = report.by_patient()
    for outcome in outcomes:
        if outcome.status != "ready" or outcome.patient is None:
            continue
        patient = outcome.patient
        try:
            with transaction.atomic():
                for row in rows_by_cpr.get(patient.cpr, []):
                    line = row.line
                    try:
                        add_medication_line(
                            patient=patient,
                            by=by,
                            product_id=line.product_id,
                            strength=line.strength,
                            units_per_dose=line.units_per_dose,
                            doses_per_day=line.doses_per_day,
                            prn=line.prn,
                            max_doses_per_day=line.max_doses_per_day,
                            indication=line.indication,
                            start_date=line.start_date,
                            note=line.note,
                            source=MedicationLine.Source.CSV_IMPORT,
                        )
                    except ValidationError as error:
                        for message in error.messages:
                            report.problems.append(RowProblem(row.row, "", str(message)))
                        raise
        except ValidationError:
            outcome.status = "refused"
            outcome.messages.append(_("Not imported: a row was refused; nothing was saved."))
            continue
        outcome.status = "imported"
    return CsvImportResult(report, outcomes, report.problems)
