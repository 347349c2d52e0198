"""OMEQ and medication-list endpoints: the same calculation, access rules and services as the
web pages.

Numbers: requests may send doses as JSON numbers or as decimal strings ("2.5"); a number is
read through its shortest decimal text, so 0.1 is exactly 0.1. Responses give every dose,
factor and OMEQ as an exact decimal string, never a binary float.
"""

from __future__ import annotations

import datetime
import math
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import BeforeValidator, WithJsonSchema

from smertespor.accounts.permissions import can_see_patient_data
from smertespor.audit.services import AuditAction, record_event
from smertespor.medication.calculation import (
    Evaluation,
    LineInput,
    OmeqInputError,
    calculate,
)
from smertespor.medication.mapper import plain_decimal, strength_label
from smertespor.medication.models import ConversionTableVersion, MedicationLine
from smertespor.medication.permissions import can_record_medication, can_use_omeq_calculator
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


def _exact(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("give a number, not true or false")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("give a finite number")
        number = Decimal(repr(value))  # the shortest text that reads back as this float
    elif isinstance(value, str) and len(value) <= 40:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError('give a number such as 10 or "2.5"') from None
    else:
        raise ValueError('give a number such as 10 or "2.5"')
    if not number.is_finite():
        raise ValueError("give a finite number")
    return number


ExactNumber = Annotated[
    Decimal,
    BeforeValidator(_exact),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}],
            "description": "A JSON number or an exact decimal string.",
        }
    ),
]
DecimalText = Annotated[
    Decimal,
    WithJsonSchema({"type": "string", "description": "An exact decimal number as text."}),
]


def _refuse(request: HttpRequest, object_type: str) -> None:
    record_event(user=request.user, action=AuditAction.REFUSED, object_type=object_type)
    raise PermissionDenied


# --- schemas -----------------------------------------------------------------------------


class OmeqLineIn(Schema):
    substance: Annotated[str, Field(max_length=64)] | None = None
    route: Annotated[str, Field(max_length=16)] | None = None
    dose: ExactNumber | None = None
    dose_unit: Annotated[str, Field(max_length=8)] | None = None
    doses_per_day: ExactNumber | None = None
    prn: bool = False
    max_doses_per_day: ExactNumber | None = None
    indication: Annotated[str, Field(max_length=32)] = "pain"
    product_id: Annotated[str, Field(max_length=64)] | None = None
    strength: ExactNumber | None = None
    units_per_dose: ExactNumber | None = None

    def line_input(self) -> LineInput:
        return LineInput(
            product_id=self.product_id or "",
            strength=self.strength,
            units_per_dose=self.units_per_dose,
            substance=self.substance or "",
            route=self.route or "",
            dose=self.dose,
            dose_unit=self.dose_unit or "",
            doses_per_day=self.doses_per_day,
            prn=self.prn,
            max_doses_per_day=self.max_doses_per_day,
            indication=self.indication,
        )


class OmeqIn(Schema):
    factor_set: Annotated[str, Field(max_length=64)] | None = None
    factor_set_version: Annotated[str, Field(max_length=32)] | None = None
    lines: Annotated[list[OmeqLineIn], Field(min_length=1, max_length=50)]
    co_medication_atc: Annotated[
        list[Annotated[str, Field(max_length=8)]], Field(max_length=50)
    ] = []


class FactorSetRef(Schema):
    id: str
    version: str
    title: str


class LineOut(Schema):
    index: int
    label: str
    kind: str  # "opioid" or "co_medication"
    substance: str | None
    route: str | None
    prn: bool
    counted: bool
    factor: DecimalText | None
    factor_unit: str | None
    daily_dose: DecimalText | None
    omeq_mg_per_day: DecimalText | None
    band_from_morphine_mg_per_day: DecimalText | None
    not_counted_reason: str | None
    atc: str | None
    rule_note: str


class WarningOut(Schema):
    code: str
    message: str
    params: dict[str, str]
    lines: list[int]


class ThresholdsOut(Schema):
    reassess_mg_per_day: DecimalText
    high_mg_per_day: DecimalText


class OmeqOut(Schema):
    omeq_mg_per_day: DecimalText
    omeq_max_mg_per_day: DecimalText
    factor_set: FactorSetRef
    lines: list[LineOut]
    warnings: list[WarningOut]
    thresholds: ThresholdsOut


class ProblemOut(Schema):
    line: int | None
    field: str | None
    code: str
    message: str


class ProblemsOut(Schema):
    detail: list[ProblemOut]


class FactorSetOut(Schema):
    id: str
    version: str
    title: str
    source: str
    published: datetime.date
    note: str
    origin: str
    is_active: bool
    signed_off_at: datetime.datetime | None
    signed_off_by: str | None
    copied_from: str | None


class ProductOut(Schema):
    id: str
    name: str
    brands: list[str]
    atc: str
    category: str
    form: str
    route: str
    release: str
    unit: str
    strengths: list[DecimalText]
    strength_labels: list[str]
    substance: str
    splittable: bool
    is_substitution: bool


# --- payloads ----------------------------------------------------------------------------


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


class MedicationLineIn(Schema):
    product_id: Annotated[str, Field(max_length=64)]
    strength: ExactNumber
    units_per_dose: ExactNumber = Decimal(1)
    doses_per_day: ExactNumber | None = None
    prn: bool = False
    max_doses_per_day: ExactNumber | None = None
    indication: Annotated[str, Field(max_length=32)] = MedicationLine.Indication.PAIN.value
    start_date: datetime.date | None = None
    note: Annotated[str, Field(max_length=500)] = ""


class MedicationLineChangeIn(Schema):
    strength: ExactNumber | None = None
    units_per_dose: ExactNumber | None = None
    doses_per_day: ExactNumber | None = None
    prn: bool | None = None
    max_doses_per_day: ExactNumber | None = None
    indication: Annotated[str, Field(max_length=32)] | None = None
    start_date: datetime.date | None = None
    note: Annotated[str, Field(max_length=500)] | None = None


class EndLineIn(Schema):
    ended_on: datetime.date | None = None
    reason: Annotated[str, Field(max_length=200)] = ""


class MedicationLineOut(Schema):
    id: int
    product_id: str
    product_name: str | None
    atc: str | None
    strength: DecimalText
    strength_label: str
    units_per_dose: DecimalText
    doses_per_day: DecimalText | None
    prn: bool
    max_doses_per_day: DecimalText | None
    indication: str
    start_date: datetime.date
    ended_on: datetime.date | None
    end_reason: str
    note: str


class MedicationListOut(Schema):
    patient_id: uuid.UUID
    lines: list[MedicationLineOut]
    factor_set: FactorSetRef
    omeq: OmeqOut | None
    problems: list[ProblemOut]


class LineVersionOut(Schema):
    line_id: int
    history_date: datetime.datetime
    history_type: str
    changed_by: str | None
    product_id: str
    strength: DecimalText
    units_per_dose: DecimalText
    doses_per_day: DecimalText | None
    prn: bool
    max_doses_per_day: DecimalText | None
    indication: str
    start_date: datetime.date
    ended_on: datetime.date | None
    note: str


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
