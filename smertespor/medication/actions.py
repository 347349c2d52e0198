"""Each medication operation once: who may do it, then the service that does it.

The web views, the API endpoints and the Django admin call these, never the services
directly, so every door refuses the same people with the same audit row and hands the
same input to the same checks. A patient is loaded through `patients.access` (which scopes
and audits it) after the role check, so a role that may never record medication is refused
(403) before anyone looks for the patient.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from domain.omeq import ConversionTable
from smertespor.accounts.models import Requester
from smertespor.entry.rules import require
from smertespor.medication import catalogue_services, services, table_services
from smertespor.medication.models import CatalogueProduct, ConversionTableVersion, MedicationLine
from smertespor.medication.permissions import (
    can_manage_catalogue,
    can_manage_conversion_tables,
    can_record_medication,
    can_sign_off_conversion_tables,
    is_not_a_drafter_of,
)
from smertespor.medication.selectors import line_of
from smertespor.medication.table_services import table_key
from smertespor.patients.access import patient_for_change
from smertespor.versions import ExpectedVersion

LINE = "medication_line"
TABLE = "conversion_table"


# --- a patient's medication list ---------------------------------------------------------


def add_medication_line(*, user: Requester, patient_id: object, **line: Any) -> MedicationLine:
    """``line``: the fields `services.add_medication_line` takes (product, strength, dose...)."""
    by = require(user, can_record_medication, object_type=LINE)
    patient = patient_for_change(by, patient_id, object_type=LINE)
    return services.add_medication_line(patient=patient, by=by, **line)


def change_medication_line(
    *,
    user: Requester,
    patient_id: object,
    line_id: int,
    expected_version: ExpectedVersion,
    **changes: Any,
) -> MedicationLine:
    """Change what the service allows (`services.CHANGEABLE_FIELDS`); others are refused.
    `expected_version`: the line's version the user read (form or If-Match)."""
    by = require(user, can_record_medication, object_type=LINE, object_id=str(line_id))
    patient = patient_for_change(by, patient_id, object_type=LINE)
    line = line_of(patient, line_id)
    return services.change_medication_line(
        line=line, by=by, expected_version=expected_version, **changes
    )


def end_medication_line(
    *,
    user: Requester,
    patient_id: object,
    line_id: int,
    expected_version: ExpectedVersion,
    ended_on: datetime.date | None = None,
    reason: str = "",
) -> MedicationLine:
    by = require(user, can_record_medication, object_type=LINE, object_id=str(line_id))
    patient = patient_for_change(by, patient_id, object_type=LINE)
    line = line_of(patient, line_id)
    return services.end_medication_line(
        line=line, by=by, ended_on=ended_on, reason=reason, expected_version=expected_version
    )


# --- conversion tables and the catalogue (administrators) --------------------------------


def copy_conversion_table(
    *, user: Requester, source: ConversionTableVersion, table_id: str, version: str
) -> ConversionTableVersion:
    by = require(user, can_manage_conversion_tables, object_type=TABLE, object_id=table_key(source))
    return table_services.copy_conversion_table(
        source=source, by=by, table_id=table_id, version=version
    )


def edit_draft_table(
    *,
    user: Requester,
    table_version: ConversionTableVersion,
    meta: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
) -> ConversionTable:
    by = require(
        user, can_manage_conversion_tables, object_type=TABLE, object_id=table_key(table_version)
    )
    return table_services.edit_draft_table(table_version=table_version, by=by, meta=meta, rows=rows)


def sign_off_conversion_table(
    *, user: Requester, table_version: ConversionTableVersion, confirm: str, revision: int
) -> ConversionTableVersion:
    """Two people: an administrator, or a clinician with the sign-off permission, who did not
    draft this version. `revision` is the one reviewed, `confirm` repeats the version's name."""
    key = table_key(table_version)
    by = require(user, can_sign_off_conversion_tables, object_type=TABLE, object_id=key)
    require(by, is_not_a_drafter_of(table_version), object_type=TABLE, object_id=key)
    return table_services.sign_off_conversion_table(
        table_version=table_version, by=by, confirm=confirm, revision=revision
    )


def import_catalogue_products(*, user: Requester, csv_text: str) -> list[CatalogueProduct]:
    by = require(user, can_manage_catalogue, object_type="catalogue_product")
    return catalogue_services.add_catalogue_products(by=by, csv_text=csv_text)
