"""Writes to a patient's medication list. Each runs in one transaction, keeps the line's
earlier versions (record history), stores an OMEQ snapshot and writes its audit row.

A line the active table cannot convert (e.g. ketobemidone under a table without it) is still
recorded: it is what the patient takes, and the list then shows why OMEQ cannot be computed.
Input that is wrong in itself is refused with a reason per field and nothing is saved.

Pages and the API reach these through `actions` (which check the role first); the role is
checked here too because other apps' services (a follow-up visit's regimen) call these.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domain.catalogue import Catalogue
from domain.omeq import LineProblemCode as Code
from smertespor.accounts.models import User
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.rules import require
from smertespor.medication.calculation import (
    TABLE_COVERAGE_PROBLEMS,
    LineInput,
    OmeqInputError,
    entries_from_inputs,
    evaluate,
)
from smertespor.medication.labels import LINE_PROBLEM_MESSAGES
from smertespor.medication.models import MedicationLine, OmeqSnapshot
from smertespor.medication.permissions import can_record_medication
from smertespor.medication.selectors import current_catalogue, patient_evaluation
from smertespor.medication.table_selectors import domain_table, usable_table_versions
from smertespor.patients.models import Patient
from smertespor.versions import ExpectedVersion, check_version, claim_version

CHANGEABLE_FIELDS = (
    "strength",
    "units_per_dose",
    "doses_per_day",
    "prn",
    "max_doses_per_day",
    "indication",
    "start_date",
    "note",
)
_COVERAGE_CODES = frozenset(code.value for code in TABLE_COVERAGE_PROBLEMS)


def _line_errors(line: MedicationLine, catalogue: Catalogue) -> dict[str, list[str]]:
    """Everything wrong with a line as entered, by field, in the user's language."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str | None, message: str) -> None:
        messages = errors.setdefault(field or NON_FIELD_ERRORS, [])
        if message not in messages:
            messages.append(message)

    today = timezone.localdate()
    if line.start_date and line.start_date > today:
        refuse("start_date", _("A line starts today or earlier."))
    product = None
    try:
        [entry] = entries_from_inputs([_line_input(line)], catalogue)
        product = entry.product
    except OmeqInputError as error:
        for problem in error.problems:
            refuse(problem.field, problem.message)
        return errors
    assert product is not None  # noqa: S101 - a product line has its product
    is_patch = product.route == "transdermal"
    if line.prn and line.max_doses_per_day is None:
        refuse("max_doses_per_day", str(LINE_PROBLEM_MESSAGES[Code.PRN_MAXIMUM_MISSING]))
    if is_patch and line.doses_per_day is not None:
        refuse(
            "doses_per_day",
            _(
                "A patch is worn continuously; leave doses per day empty (its change interval "
                "does not change OMEQ)."
            ),
        )
    if line.prn and line.doses_per_day is not None:
        refuse("doses_per_day", _("Give an as-needed line's maximum, not doses per day."))
    if not product.is_opioid:
        if line.indication != MedicationLine.Indication.PAIN:
            refuse("indication", _("Only an opioid can be substitution treatment."))
        if not line.prn and not (line.doses_per_day and line.doses_per_day > 0):
            refuse("doses_per_day", str(LINE_PROBLEM_MESSAGES[Code.DOSES_PER_DAY_NOT_POSITIVE]))
        if not line.prn and line.max_doses_per_day is not None:
            refuse("max_doses_per_day", str(LINE_PROBLEM_MESSAGES[Code.MAXIMUM_ON_SCHEDULED_LINE]))
        return errors
    # The line's own input checks (and the plausibility bound) under every usable table;
    # that a table lacks the substance or route is not the line's fault.
    for version in usable_table_versions():
        evaluation = evaluate([entry], version, domain_table(version))
        for problem in evaluation.problems:
            if problem.code not in _COVERAGE_CODES:
                refuse(problem.field, problem.message)
    return errors


def _line_input(line: MedicationLine) -> LineInput:
    return LineInput(
        product_id=line.product_id,
        strength=line.strength,
        units_per_dose=line.units_per_dose,
        doses_per_day=line.doses_per_day,
        prn=line.prn,
        max_doses_per_day=line.max_doses_per_day,
        indication=line.indication,
    )


def _check(line: MedicationLine, catalogue: Catalogue) -> None:
    errors = _line_errors(line, catalogue)
    if errors:
        raise ValidationError(errors)
    line.full_clean(exclude=["patient", "created_by"])


def record_omeq_snapshot(*, patient: Patient, by: User | None) -> OmeqSnapshot:
    """Store the patient's OMEQ under the active table as it is now (a point on the chart)."""
    evaluation = patient_evaluation(patient)
    result = evaluation.result
    snapshot = OmeqSnapshot(
        patient=patient,
        recorded_at=timezone.now(),
        recorded_on=timezone.localdate(),
        recorded_by=by,
        conversion_table=evaluation.table_version,
        table_id=evaluation.table.id,
        table_version=evaluation.table.version,
        is_computable=result is not None,
        scheduled_mg_per_day=result.scheduled_mg_per_day if result else None,
        max_mg_per_day=result.max_mg_per_day if result else None,
        warning_codes=[code for code, _message in evaluation.warnings],
        problems=[{"line": p.index, "field": p.field, "code": p.code} for p in evaluation.problems],
        line_count=len(evaluation.entries),
    )
    snapshot.save(force_insert=True)
    return snapshot


def _about(line: MedicationLine) -> dict[str, Any]:
    """What an audit row (a change, or a refused attempt) says it was about."""
    return {"object_type": "medication_line", "object_id": str(line.pk), "patient": line.patient}


def _audit(by: User, action: str, line: MedicationLine, **detail: Any) -> None:
    record_event(user=by, action=action, detail=detail, **_about(line))


def add_medication_line(
    *,
    patient: Patient,
    by: User,
    product_id: str,
    strength: Decimal,
    units_per_dose: Decimal,
    doses_per_day: Decimal | None = None,
    prn: bool = False,
    max_doses_per_day: Decimal | None = None,
    indication: str = MedicationLine.Indication.PAIN,
    start_date: datetime.date | None = None,
    note: str = "",
    source: str = MedicationLine.Source.TYPED,
) -> MedicationLine:
    """Add a product the patient takes; the list's OMEQ is stored as a new snapshot.

    An imported line (`source` other than typed) counts as reconciled when it is added.
    """
    require(by, can_record_medication, object_type="medication_line", patient=patient)
    line = MedicationLine(
        patient=patient,
        product_id=product_id.strip(),
        strength=strength,
        units_per_dose=units_per_dose,
        doses_per_day=doses_per_day,
        prn=prn,
        max_doses_per_day=max_doses_per_day,
        indication=indication,
        start_date=start_date or timezone.localdate(),
        note=note.strip(),
        source=source,
        reconciled_at=None if source == MedicationLine.Source.TYPED else timezone.now(),
        created_by=by,
        created_at=timezone.now(),
    )
    with transaction.atomic():
        _check(line, current_catalogue())
        line._history_user = by
        line.save(force_insert=True)
        snapshot = record_omeq_snapshot(patient=patient, by=by)
        _audit(
            by,
            AuditAction.CREATE,
            line,
            product_id=line.product_id,
            snapshot=snapshot.pk,
            source=line.source,
        )
    return line


def mark_medication_line_reconciled(*, line: MedicationLine, by: User) -> MedicationLine:
    """Record that an outside list (an import) showed this line unchanged."""
    require(by, can_record_medication, **_about(line))
    with transaction.atomic():
        locked = MedicationLine.objects.select_for_update().get(pk=line.pk)
        locked.reconciled_at = timezone.now()
        locked._history_user = by
        locked.save(update_fields=["reconciled_at"])
        _audit(by, AuditAction.UPDATE, locked, fields=["reconciled_at"])
    return locked


def change_medication_line(
    *, line: MedicationLine, by: User, expected_version: ExpectedVersion = None, **changes: Any
) -> MedicationLine:
    """Change a current line's dose, strength, indication, start date or note; the earlier
    version stays in the line's history. A different product is a new line.

    `expected_version` is the version the user read (`StaleVersion` if someone saved since).
    """
    require(by, can_record_medication, **_about(line))
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        locked = MedicationLine.objects.select_for_update().get(pk=line.pk)
        check_version(locked, expected_version)
        if not locked.is_current:
            raise ValidationError(_("An ended line cannot be changed."), code="line_ended")
        if "note" in changes:
            changes["note"] = (changes["note"] or "").strip()
        changed = sorted(f for f, value in changes.items() if getattr(locked, f) != value)
        for field in changed:
            setattr(locked, field, changes[field])
        snapshot = None
        if changed:
            _check(locked, current_catalogue())
            claim_version(locked, expected_version)
            locked._history_user = by
            locked.save(update_fields=[*changed, "version"])
            snapshot = record_omeq_snapshot(patient=locked.patient, by=by)
        _audit(
            by,
            AuditAction.UPDATE,
            locked,
            fields=changed,
            snapshot=snapshot.pk if snapshot else None,
        )
    return locked


def end_medication_line(
    *,
    line: MedicationLine,
    by: User,
    ended_on: datetime.date | None = None,
    reason: str = "",
    expected_version: ExpectedVersion = None,
) -> MedicationLine:
    """Stop a line (the patient no longer takes it). The line stays readable as ended."""
    require(by, can_record_medication, **_about(line))
    today = timezone.localdate()
    ended_on = ended_on or today
    with transaction.atomic():
        locked = MedicationLine.objects.select_for_update().get(pk=line.pk)
        check_version(locked, expected_version)
        if not locked.is_current:
            raise ValidationError(_("This line has already ended."), code="line_ended")
        errors: dict[str, list[str]] = {}
        if ended_on > today:
            errors["ended_on"] = [_("A line ends today or earlier.")]
        elif ended_on < locked.start_date:
            errors["ended_on"] = [_("A line cannot end before it started.")]
        if errors:
            raise ValidationError(errors)
        locked.ended_on = ended_on
        locked.end_reason = reason.strip()
        locked.full_clean(exclude=["patient", "created_by"])
        claim_version(locked, expected_version)
        locked._history_user = by
        locked.save(update_fields=["ended_on", "end_reason", "version"])
        snapshot = record_omeq_snapshot(patient=locked.patient, by=by)
        _audit(by, AuditAction.UPDATE, locked, ended_on=str(ended_on), snapshot=snapshot.pk)
    return locked
