"""The API's request and response schemas (django-ninja / pydantic).

Numbers: requests may send doses as JSON numbers or as decimal strings ("2.5"); a number is
read through its shortest decimal text, so 0.1 is exactly 0.1. Responses give every dose,
factor and OMEQ as an exact decimal string, never a binary float.
"""

from __future__ import annotations

import datetime
import math
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema

from smertespor.medication.calculation import LineInput
from smertespor.medication.models import MedicationLine


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


# --- OMEQ ----------------------------------------------------------------------------------


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
