"""The discharge summary's medication: the medication list at discharge, frozen when sent.

The clinic changes the list on the discharge form (keep a line, change its dose, stop it, add
one: the follow-up visit's `RegimenUpdate`), and the summary then records the list as it is
afterwards, each line with its OMEQ working under the region's active table, so the GP reads
the dose the patient really takes and how its OMEQ was computed, whatever changes later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smertespor.entry.numbers import for_json
from smertespor.medication.selectors import patient_evaluation
from smertespor.patients.models import Patient

if TYPE_CHECKING:  # the selector's result type, for annotations only
    from smertespor.medication.calculation import EntryWorking

MEDICATION_VERSION = 1


def _line(working: EntryWorking) -> dict[str, Any]:
    entry, result = working.entry, working.result
    line = entry.source
    counted = result if result is not None and result.is_counted else None
    return {
        "line": getattr(line, "pk", None),
        "label": entry.label,
        "is_opioid": working.is_opioid,
        "atc": entry.atc,
        "units_per_dose": for_json(getattr(line, "units_per_dose", None)),
        "doses_per_day": for_json(getattr(line, "doses_per_day", None)),
        "prn": bool(getattr(line, "prn", False)),
        "max_doses_per_day": for_json(getattr(line, "max_doses_per_day", None)),
        "patch_change_hours": entry.product.patch_change_hours if entry.product else None,
        "is_counted": counted is not None,
        # Shown, not counted: substitution treatment (the domain's not-counted reason).
        "not_counted": str(result.not_counted_reason or "") if result and not counted else "",
        "daily_dose": for_json(counted.daily_dose) if counted else None,
        "factor_unit": str(counted.factor_unit or "") if counted else "",
        "factor": for_json(counted.factor) if counted else None,
        "contribution_mg_per_day": for_json(counted.contribution_mg_per_day) if counted else None,
        "problems": list(working.problems),
    }


def discharge_medication(patient: Patient) -> dict[str, Any]:
    """The patient's current lines with their OMEQ working, as plain JSON (exact decimals)."""
    evaluation = patient_evaluation(patient)
    result = evaluation.result
    return {
        "version": MEDICATION_VERSION,
        "table": {
            "id": evaluation.table.id,
            "version": evaluation.table.version,
            "title": evaluation.table.title,
        },
        "is_computable": result is not None,
        "scheduled_mg_per_day": for_json(result.scheduled_mg_per_day) if result else None,
        "max_mg_per_day": for_json(result.max_mg_per_day) if result else None,
        "lines": [_line(working) for working in evaluation.entries],
        "warnings": [code for code, _message in evaluation.warnings],
    }
