"""Importing a FHIR R4 Bundle: the patient and the medication list, through the same
services the web uses (registration, medication lines with history, OMEQ snapshots, audit).

Each entry is saved in a transaction of its own: an entry is imported whole or not at all,
and the report says for every entry what became of it and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from smertespor.accounts.models import Requester
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.rules import require
from smertespor.interop.fhir_import import BundleRefused, Entry, PatientInput, parse_bundle
from smertespor.interop.permissions import can_import_records
from smertespor.medication.models import MedicationLine
from smertespor.medication.selectors import current_catalogue
from smertespor.medication.services import (
    add_medication_line,
    end_medication_line,
    mark_medication_line_reconciled,
)
from smertespor.patients.access import visible_patients
from smertespor.patients.models import Patient
from smertespor.patients.services import (
    SENT_FOR_REVIEW,
    RegistrationLimitReached,
    register_patient,
    update_patient,
    valid_cpr,
)

__all__ = ["BundleRefused", "ImportReport", "import_fhir_bundle"]


@dataclass
class ImportReport:
    patient: Patient | None
    entries: list[Entry]

    def as_json(self) -> dict[str, Any]:
        return {
            "patient_id": str(self.patient.pk) if self.patient else None,
            "entries": [
                {
                    "index": e.index,
                    "resource_type": e.resource_type,
                    "resource_id": e.resource_id,
                    "status": e.status,
                    "messages": e.messages,
                }
                for e in self.entries
            ],
        }


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(m) for messages in error.message_dict.values() for m in messages]
    return [str(m) for m in error.messages]


def _patient(entry: Entry, data: PatientInput, by: Any) -> Patient | None:
    """The existing patient in the importer's scope (details updated), a newly registered
    one, or None: refused (a patient outside the scope is sent for review, saying nothing
    about them, as registration on the web does)."""
    try:
        cpr = valid_cpr(data.cpr)
    except ValidationError as error:
        entry.refuse(" ".join(_messages(error)))
        return None
    existing = visible_patients(by).filter(cpr=cpr.number).first()
    try:
        with transaction.atomic():
            if existing is not None:
                changes = {
                    field: value
                    for field, value in (
                        ("name", data.name),
                        ("address", data.address),
                        ("phone", data.phone),
                        ("email", data.email),
                    )
                    if value
                }
                patient = update_patient(by=by, patient=existing, **cast("dict[str, Any]", changes))
            else:
                registered = register_patient(
                    by=by,
                    cpr=cpr.number,
                    name=data.name,
                    address=data.address,
                    phone=data.phone,
                    email=data.email,
                )
                if registered is None:
                    entry.refuse(str(SENT_FOR_REVIEW))
                    return None
                patient = registered
    except ValidationError as error:
        entry.refuse(" ".join(_messages(error)))
        return None
    except RegistrationLimitReached as error:
        entry.refuse(str(error))
        return None
    entry.status = "accepted"
    return patient


def _same_line(patient: Patient, entry: Entry) -> MedicationLine | None:
    data = entry.medication
    assert data is not None  # noqa: S101 - only read entries reach here
    if data.ended_on is not None:
        return None
    return (
        patient.medication_lines.filter(
            ended_on__isnull=True,
            product_id=data.product_id,
            strength=data.strength,
            units_per_dose=data.units_per_dose,
            doses_per_day=data.doses_per_day,
            prn=data.prn,
            max_doses_per_day=data.max_doses_per_day,
            indication=data.indication,
        )
        .order_by("pk")
        .first()
    )


def _medication(entry: Entry, patient: Patient, by: Any) -> None:
    data = entry.medication
    assert data is not None  # noqa: S101 - only read entries reach here
    try:
        with transaction.atomic():
            same = _same_line(patient, entry)
            if same is not None:
                mark_medication_line_reconciled(line=same, by=by)
                entry.status = "unchanged"
                return
            line = add_medication_line(
                patient=patient,
                by=by,
                product_id=data.product_id,
                strength=data.strength,
                units_per_dose=data.units_per_dose,
                doses_per_day=data.doses_per_day,
                prn=data.prn,
                max_doses_per_day=data.max_doses_per_day,
                indication=data.indication,
                start_date=data.start_date,
                note=data.note,
                source=MedicationLine.Source.FHIR_IMPORT,
            )
            if data.ended_on is not None:
                end_medication_line(
                    line=line, by=by, ended_on=data.ended_on, reason=data.end_reason
                )
    except ValidationError as error:
        entry.refuse(" ".join(_messages(error)))
        return
    entry.status = "accepted"


def import_fhir_bundle(*, user: Requester, data: bytes | str) -> ImportReport:
    """Import a Bundle of Patient + MedicationStatements (+ Observations, read and skipped).

    `BundleRefused` when the Bundle as a whole cannot be read (nothing is saved); otherwise a
    report per entry. The patient is registered at the importer's own practice.
    """
    by = require(user, can_import_records, object_type="fhir_import")
    if by.organisation is None:
        raise PermissionDenied
    parsed = parse_bundle(data, current_catalogue())
    patient_entry = parsed.patient_entry
    patient = None
    if patient_entry.patient is not None:
        patient = _patient(patient_entry, patient_entry.patient, by)
    for entry in parsed.entries:
        if entry.status != "pending" or entry is patient_entry:
            continue
        if patient is None:
            entry.refuse(_("Not imported: the Bundle's patient was not imported."))
        elif entry.medication is not None:
            _medication(entry, patient, by)
    record_event(
        user=by,
        action=AuditAction.CREATE,
        object_type="fhir_import",
        object_id=str(patient.pk) if patient else "",
        patient=patient,
        detail={
            "entries": len(parsed.entries),
            "accepted": sum(e.status == "accepted" for e in parsed.entries),
            "refused": sum(e.status in ("refused", "unknown_product") for e in parsed.entries),
        },
    )
    return ImportReport(patient, parsed.entries)
