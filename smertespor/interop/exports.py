"""A patient's whole record as one FHIR R4 Bundle, read through the patient scope and
written to the audit log as an export."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from smertespor.accounts.models import Requester
from smertespor.audit.services import AuditAction
from smertespor.entry.rules import require
from smertespor.interop.export_selectors import patient_record_set
from smertespor.interop.fhir_care import care_resources
from smertespor.interop.fhir_export import patient_resources, searchset_bundle
from smertespor.interop.permissions import can_export_records
from smertespor.patients.access import patient_for


def export_patient_record(*, user: Requester, patient_id: object) -> dict[str, Any]:
    """The Bundle of ``patient_id``'s record (403 for a role that may not export, 404 out of
    scope); one EXPORT row in the audit log, which names the patient."""
    require(user, can_export_records, object_type="fhir_bundle")
    patient = patient_for(
        user,
        patient_id,
        action=AuditAction.EXPORT,
        object_type="fhir_bundle",
        detail={"format": "FHIR R4"},
    )
    records = patient_record_set(patient)
    now = timezone.now()
    resources = patient_resources(records, timezone.localdate())
    resources += care_resources(records.care, records.patient.id, now)
    return searchset_bundle(resources, now)
