"""The OMEQ a course records: from the patient's medication list when it can tell one.

A course's baseline and every visit store OMEQ (mg/day, the maximum including as-needed
doses, so "stopped" means no opioid at all). When the medication list is recorded and every
line converts under the region's active table, the list's figure is used and the table is
named; otherwise the clinician enters the figure, and it is marked as entered. An entered
figure that contradicts a computable list is refused rather than silently preferred.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from smertespor.entry.numbers import for_people
from smertespor.medication.selectors import patient_evaluation
from smertespor.patients.models import Patient
from smertespor.tracks.facts import stored_omeq
from smertespor.tracks.models import OmeqSource

# What the column holds (10 digits before the decimal point): a guard, not a clinical bound.
_COLUMN_LIMIT = Decimal(10) ** 10


@dataclass(frozen=True)
class ListOmeq:
    """What the medication list says now: OMEQ (None if it cannot tell) and co-medication."""

    mg_per_day: Decimal | None
    table: str
    atc_codes: tuple[str, ...]
    has_lines: bool


@dataclass(frozen=True)
class RecordedOmeq:
    mg_per_day: Decimal
    source: str
    table: str
    atc_codes: tuple[str, ...]


def list_omeq(patient: Patient) -> ListOmeq:
    """The patient's current OMEQ under the active table, if the list is recorded and
    converts; a patient whose every line has ended has stopped (0 mg/day)."""
    if not patient.medication_lines.exists():
        return ListOmeq(None, "", (), has_lines=False)
    evaluation = patient_evaluation(patient)
    table = f"{evaluation.table.id} {evaluation.table.version}"
    atc = tuple(sorted({e.entry.atc for e in evaluation.co_medication_entries if e.entry.atc}))
    if evaluation.result is None:
        return ListOmeq(None, table, atc, has_lines=True)
    return ListOmeq(stored_omeq(evaluation.result.max_mg_per_day), table, atc, has_lines=True)


def recorded_omeq(patient: Patient, entered: Decimal | None, *, field: str) -> RecordedOmeq:
    """The OMEQ to store for `patient` now, or a ValidationError on `field` saying why not."""
    from_list = list_omeq(patient)
    if from_list.mg_per_day is not None:
        if entered is not None and stored_omeq(entered) != from_list.mg_per_day:
            raise ValidationError(
                {
                    field: _(
                        "The medication list gives %(mg)s mg/day. Record the regimen the "
                        "patient actually takes rather than a different OMEQ."
                    )
                    % {"mg": for_people(from_list.mg_per_day)}
                },
                code="omeq_differs_from_list",
            )
        return RecordedOmeq(
            from_list.mg_per_day, OmeqSource.MEDICATION_LIST, from_list.table, from_list.atc_codes
        )
    if entered is None:
        reason = (
            _("a line cannot be converted with the region's table")
            if from_list.has_lines
            else _("no medication list is recorded")
        )
        raise ValidationError(
            {field: _("Enter the OMEQ: it cannot be computed (%(reason)s).") % {"reason": reason}},
            code="omeq_required",
        )
    if not entered.is_finite() or not 0 <= entered < _COLUMN_LIMIT:
        raise ValidationError(
            {field: _("OMEQ is a number of 0 mg/day or more.")}, code="omeq_not_a_dose"
        )
    return RecordedOmeq(stored_omeq(entered), OmeqSource.ENTERED, "", from_list.atc_codes)
