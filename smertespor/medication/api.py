"""OMEQ and medication-list endpoints: the same calculation, access rules and services as the
web pages. The schemas, and how numbers are read and written, are in `schemas`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from smertespor.accounts.permissions import can_see_patient_data
from smertespor.audit.services import AuditAction, record_event
from smertespor.medication.calculation import Evaluation, OmeqInputError, calculate
from smertespor.medication.models import ConversionTableVersion, MedicationLine
from smertespor.medication.permissions import can_record_medication, can_use_omeq_calculator
from smertespor.medication.regimens import plain_decimal, strength_label
from smertespor.medication.schemas import (
    EndLineIn,
    FactorSetOut,
    LineVersionOut,
    MedicationLineChangeIn,
    MedicationLineIn,
    MedicationListOut,
    OmeqIn,
    OmeqOut,
    ProblemsOut,
    ProductOut,
)
from smertespor.medication.selectors import (
    current_catalogue,
    current_lines,
    medication_history,
    patient_evaluation,
)
from smertespor.medication.services import (
    add_medication_line,
    change_medication_line,
    end_medication_line,
)
from smertespor.medication.table_selectors import (
    active_table_version,
    domain_table,
    usable_table_version,
    usable_table_versions,
)
from smertespor.patients.access import patient_for, patient_for_change

omeq_router = Router(tags=["omeq"])
medication_router = Router(tags=["medication"])


def _refuse(request: HttpRequest, object_type: str) -> None:
    record_event(user=request.user, action=AuditAction.REFUSED, object_type=object_type)
    raise PermissionDenied


# --- schemas -----------------------------------------------------------------------------


# --- payloads ------------------------------------------------------------------------------


def evaluation_payload(evaluation: Evaluation) -> dict[str, Any]:
    result = evaluation.result
    assert result is not None  # noqa: S101 - callers send problems instead
    lines = []
    for index, working in enumerate(evaluation.entries):
        entry, line_result = working.entry, working.result
        line = entry.regimen_line
        lines.append(
            {
                "index": index,
                "label": entry.label,
                "kind": "opioid" if line is not None else "co_medication",
                "substance": line.substance_key if line else None,
                "route": line.route.value if line else None,
                "prn": line.prn if line else False,
                "counted": bool(line_result and line_result.is_counted),
                "factor": line_result.factor if line_result else None,
                "factor_unit": line_result.factor_unit.value
                if line_result and line_result.factor_unit
                else None,
                "daily_dose": line_result.daily_dose if line_result else None,
                "omeq_mg_per_day": line_result.contribution_mg_per_day if line_result else None,
                "band_from_morphine_mg_per_day": line_result.band.from_morphine_mg_per_day
                if line_result and line_result.band
                else None,
                "not_counted_reason": line_result.not_counted_reason.value
                if line_result and line_result.not_counted_reason
                else None,
                "atc": entry.atc or (entry.product.atc if entry.product else None),
                "rule_note": line_result.rule_note if line_result else "",
            }
        )
    messages = dict(evaluation.warnings)
    warnings = [
        {
            "code": w.code.value,
            "message": messages[w.code.value],
            "params": w.params_dict(),
            "lines": [evaluation.entry_index(i) for i in w.line_indexes],
        }
        for w in result.warnings
    ]
    return {
        "omeq_mg_per_day": result.scheduled_mg_per_day,
        "omeq_max_mg_per_day": result.max_mg_per_day,
        "factor_set": {
            "id": evaluation.table.id,
            "version": evaluation.table.version,
            "title": evaluation.table.title,
        },
        "lines": lines,
        "warnings": warnings,
        "thresholds": {
            "reassess_mg_per_day": result.thresholds.reassess_mg_per_day,
            "high_mg_per_day": result.thresholds.high_mg_per_day,
        },
    }


def _problems(error: OmeqInputError) -> dict[str, Any]:
    return {
        "detail": [
            {"line": p.index, "field": p.field, "code": p.code, "message": p.message}
            for p in error.problems
        ]
    }


def _factor_set(version: ConversionTableVersion) -> dict[str, Any]:
    return {
        "id": version.table_id,
        "version": version.version,
        "title": version.title,
        "source": version.source,
        "published": version.published,
        "note": version.note,
        "origin": version.origin,
        "is_active": version.is_active_for_region,
        "signed_off_at": version.signed_off_at,
        "signed_off_by": version.signed_off_by.username if version.signed_off_by else None,
        "copied_from": f"{version.copied_from.table_id}@{version.copied_from.version}"
        if version.copied_from
        else None,
    }


# --- OMEQ --------------------------------------------------------------------------------


@omeq_router.post("", response={200: OmeqOut, 422: ProblemsOut}, url_name="omeq_compute")
def compute(request: HttpRequest, payload: OmeqIn) -> Status[dict[str, Any]]:
    """OMEQ of a regimen. `factor_set` (a table id) defaults to the region's active table;
    without `factor_set_version` an id means the region's version of that table. A line that
    cannot be converted answers 422 with every line's index, field, code and reason."""
    if not can_use_omeq_calculator(request.user):
        _refuse(request, "api_omeq")
    if payload.factor_set:
        try:
            version = usable_table_version(payload.factor_set, payload.factor_set_version)
        except ConversionTableVersion.DoesNotExist:
            message = _("There is no usable conversion table %(table)s.") % {
                "table": " ".join(filter(None, [payload.factor_set, payload.factor_set_version]))
            }
            problem = {"line": None, "field": "factor_set", "code": "unknown_factor_set"}
            return Status(422, {"detail": [{**problem, "message": message}]})
    else:
        version = active_table_version()
    inputs = [line.line_input() for line in payload.lines]
    atc = [code.strip().upper() for code in payload.co_medication_atc]
    try:
        evaluation = calculate(
            inputs, version, domain_table(version), current_catalogue(), co_medication_atc=atc
        )
    except OmeqInputError as error:
        return Status(422, _problems(error))
    return Status(200, evaluation_payload(evaluation))


@omeq_router.get("/factor-sets", response=list[FactorSetOut], url_name="omeq_factor_sets")
def factor_sets(request: HttpRequest) -> list[dict[str, Any]]:
    """The conversion tables a calculation may use (shipped and signed-off versions)."""
    versions = usable_table_versions().select_related("signed_off_by", "copied_from")
    return [_factor_set(version) for version in versions]


@omeq_router.get("/products", response=list[ProductOut], url_name="omeq_products")
def products(request: HttpRequest) -> list[dict[str, Any]]:
    """The product catalogue: opioids and the co-medication that OMEQ warns about."""
    return [
        {
            "id": p.id,
            "name": p.name,
            "brands": list(p.brands),
            "atc": p.atc,
            "category": p.category.value,
            "form": p.form.value,
            "route": p.route,
            "release": p.release.value,
            "unit": p.unit,
            "strengths": [s.amount for s in p.strengths],
            "strength_labels": [s.label for s in p.strengths],
            "substance": p.substance,
            "splittable": p.splittable,
            "is_substitution": p.is_substitution,
        }
        for p in current_catalogue()
    ]


# --- a patient's medication list ---------------------------------------------------------


def _optional(value: Decimal | None) -> Decimal | None:
    return None if value is None else plain_decimal(value)


def _line_payload(line: MedicationLine, products: dict[str, Any]) -> dict[str, Any]:
    product = products.get(line.product_id)
    return {
        "id": line.pk,
        "product_id": line.product_id,
        "product_name": product.name if product else None,
        "atc": product.atc if product else None,
        "strength": plain_decimal(line.strength),
        "strength_label": strength_label(product, line.strength)
        if product
        else str(plain_decimal(line.strength)),
        "units_per_dose": plain_decimal(line.units_per_dose),
        "doses_per_day": _optional(line.doses_per_day),
        "prn": line.prn,
        "max_doses_per_day": _optional(line.max_doses_per_day),
        "indication": line.indication,
        "start_date": line.start_date,
        "ended_on": line.ended_on,
        "end_reason": line.end_reason,
        "note": line.note,
    }


def _list_payload(patient: Any) -> dict[str, Any]:
    catalogue = current_catalogue()
    evaluation = patient_evaluation(patient, catalogue=catalogue)
    products = {p.id: p for p in catalogue}
    return {
        "patient_id": patient.pk,
        "lines": [_line_payload(line, products) for line in current_lines(patient)],
        "factor_set": {
            "id": evaluation.table.id,
            "version": evaluation.table.version,
            "title": evaluation.table.title,
        },
        "omeq": evaluation_payload(evaluation) if evaluation.is_computable else None,
        "problems": [
            {"line": p.index, "field": p.field, "code": p.code, "message": p.message}
            for p in evaluation.problems
        ],
    }


def _require_recorder(request: HttpRequest) -> None:
    if not can_record_medication(request.user):
        _refuse(request, "api_medication")


def _line_of(patient: Any, line_id: int) -> MedicationLine:
    line = patient.medication_lines.filter(pk=line_id).first()
    if line is None:
        raise Http404
    return line


@medication_router.get(
    "/{patient_id}/medication", response=MedicationListOut, url_name="medication_list"
)
def medication_list(request: HttpRequest, patient_id: str) -> dict[str, Any]:
    """The patient's current lines with OMEQ under the active table (or why it cannot be
    computed: `problems`)."""
    if not can_see_patient_data(request.user):
        _refuse(request, "api_medication")
    patient = patient_for(request.user, patient_id, object_type="medication_list")
    return _list_payload(patient)


@medication_router.post(
    "/{patient_id}/medication",
    response={201: MedicationListOut},
    url_name="medication_add_line",
)
def add_line(
    request: HttpRequest, patient_id: str, payload: MedicationLineIn
) -> Status[dict[str, Any]]:
    _require_recorder(request)
    patient = patient_for_change(request.user, patient_id, object_type="medication_line")
    add_medication_line(patient=patient, by=request.user, **payload.dict())
    return Status(201, _list_payload(patient))


@medication_router.patch(
    "/{patient_id}/medication/{int:line_id}",
    response=MedicationListOut,
    url_name="medication_change_line",
)
def change_line(
    request: HttpRequest, patient_id: str, line_id: int, payload: MedicationLineChangeIn
) -> dict[str, Any]:
    _require_recorder(request)
    patient = patient_for_change(request.user, patient_id, object_type="medication_line")
    line = _line_of(patient, line_id)
    changes = payload.dict(exclude_unset=True)
    change_medication_line(line=line, by=request.user, **changes)
    return _list_payload(patient)


@medication_router.post(
    "/{patient_id}/medication/{int:line_id}/end",
    response=MedicationListOut,
    url_name="medication_end_line",
)
def end_line(
    request: HttpRequest, patient_id: str, line_id: int, payload: EndLineIn
) -> dict[str, Any]:
    _require_recorder(request)
    patient = patient_for_change(request.user, patient_id, object_type="medication_line")
    line = _line_of(patient, line_id)
    end_medication_line(
        line=line, by=request.user, ended_on=payload.ended_on, reason=payload.reason
    )
    return _list_payload(patient)


@medication_router.get(
    "/{patient_id}/medication/history",
    response=list[LineVersionOut],
    url_name="medication_history",
)
def history(request: HttpRequest, patient_id: str) -> list[dict[str, Any]]:
    """Every saved version of every line, newest first."""
    if not can_see_patient_data(request.user):
        _refuse(request, "api_medication")
    patient = patient_for(request.user, patient_id, object_type="medication_history")
    return [
        {
            "line_id": v.id,
            "history_date": v.history_date,
            "history_type": v.history_type,
            "changed_by": v.history_user.username if v.history_user else None,
            "product_id": v.product_id,
            "strength": plain_decimal(v.strength),
            "units_per_dose": plain_decimal(v.units_per_dose),
            "doses_per_day": _optional(v.doses_per_day),
            "prn": v.prn,
            "max_doses_per_day": _optional(v.max_doses_per_day),
            "indication": v.indication,
            "start_date": v.start_date,
            "ended_on": v.ended_on,
            "note": v.note,
        }
        for v in medication_history(patient)[:500]
    ]
