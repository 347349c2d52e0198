"""The API's request and response schemas (django-ninja / pydantic).

Numbers: requests may send doses as JSON numbers or as decimal strings ("2.5"); a number is
read through its shortest decimal text, so 0.1 is exactly 0.1. Responses give every dose,
factor and OMEQ as an exact decimal string (`smertespor.entry.numbers.json_number`), never a
binary float.

Coded values (routes, units, indications, warning codes...) list their allowed values in the
OpenAPI schema. The domain checks input codes, once, and refuses an unknown one with its own
code and reason (e.g. ``unknown_route``) rather than a generic schema error.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from domain.catalogue import ROUTES, UNITS, Category, Form, Product
from domain.catalogue import Release as ProductRelease
from domain.omeq import DoseUnit, NotCountedReason, Outcome, Route, RuleKind, Standing, WarningCode
from smertespor.entry.schemas import DecimalText, ExactNumber, one_of
from smertespor.medication.calculation import LineInput
from smertespor.medication.models import ConversionTableVersion, MedicationLine

RouteCode = Annotated[str, Field(max_length=16), one_of(Route)]
DoseUnitCode = Annotated[str, Field(max_length=8), one_of(DoseUnit)]
IndicationCode = Annotated[
    str,
    Field(max_length=32),
    one_of(MedicationLine.Indication.values, "pain, or opioid substitution treatment."),
]
RuleKindCode = Annotated[str, Field(max_length=16), one_of(RuleKind)]


# --- OMEQ ----------------------------------------------------------------------------------


class OmeqLineIn(Schema):
    """A product (`product_id`, `strength`, `units_per_dose`) or a substance (`substance`,
    `route`, `dose`, `dose_unit`), taken `doses_per_day` or as needed (`prn`)."""

    substance: Annotated[str, Field(max_length=64)] | None = None
    route: RouteCode | None = None
    dose: ExactNumber | None = None
    dose_unit: DoseUnitCode | None = None
    doses_per_day: ExactNumber | None = None
    prn: bool = False
    max_doses_per_day: ExactNumber | None = None
    indication: IndicationCode = MedicationLine.Indication.PAIN.value
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
    kind: Literal["opioid", "co_medication"]
    substance: str | None
    route: Annotated[str, one_of(Route)] | None
    prn: bool
    counted: bool
    factor: DecimalText | None
    factor_unit: Annotated[str, one_of(DoseUnit)] | None
    daily_dose: DecimalText | None
    omeq_mg_per_day: DecimalText | None
    band_from_morphine_mg_per_day: DecimalText | None
    not_counted_reason: Annotated[str, one_of(NotCountedReason)] | None
    atc: str | None
    rule_note: str


class WarningOut(Schema):
    code: Annotated[str, one_of(WarningCode)]
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


class LineProblemOut(Schema):
    """Why OMEQ cannot be computed: line `line` (its index in `lines`; None: the list)."""

    line: int | None
    field: str | None
    code: str
    message: str


class ProductOut(Schema):
    """A catalogue product (read from `domain.catalogue.Product`)."""

    id: str
    name: str
    brands: list[str]
    atc: str
    category: Annotated[str, one_of(Category)]
    form: Annotated[str, one_of(Form)]
    route: Annotated[str, one_of(ROUTES)]
    release: Annotated[str, one_of(ProductRelease)]
    unit: Annotated[str, one_of(UNITS)]
    strengths: list[DecimalText]
    strength_labels: list[str]
    substance: str
    splittable: bool
    is_substitution: bool

    @staticmethod
    def resolve_strengths(product: Product) -> list[Decimal]:
        return [s.amount for s in product.strengths]

    @staticmethod
    def resolve_strength_labels(product: Product) -> list[str]:
        return [s.label for s in product.strengths]


class ProductsIn(Schema):
    csv_text: Annotated[
        str,
        Field(
            max_length=2_000_000,
            description="A products CSV with the columns of domain/data/products.csv.",
        ),
    ]


# --- conversion tables (factor sets) -----------------------------------------------------


class FactorSetKey(Schema):
    id: Annotated[str, Field(max_length=64)]
    version: Annotated[str, Field(max_length=32)]


class FactorSetOut(Schema):
    id: str
    version: str
    title: str
    source: str
    published: datetime.date
    note: str
    origin: Annotated[str, one_of(ConversionTableVersion.Origin.values)]
    is_active: bool
    signed_off_at: datetime.datetime | None
    signed_off_by: str | None
    copied_from: str | None
    revision: int = Field(description="Saved edits of a draft; a sign-off names the one reviewed.")
    drafted_by: list[str] = Field(description="Who copied or edited the version (usernames).")


class BandIn(Schema):
    from_morphine_mg_per_day: ExactNumber
    factor: ExactNumber


class BandOut(Schema):
    from_morphine_mg_per_day: DecimalText
    factor: DecimalText


class RuleIn(Schema):
    """One rule: `linear` (a factor per unit), `dose_banded` (factors by daily morphine
    dose) or `excluded` (deliberately no factor, with the reason)."""

    substance: Annotated[str, Field(max_length=64)]
    route: RouteCode
    kind: RuleKindCode
    factor: ExactNumber | None = None
    per_unit: DoseUnitCode | None = None
    bands: Annotated[list[BandIn], Field(max_length=50)] | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None
    note: Annotated[str, Field(max_length=2000)] = ""

    def row(self) -> dict[str, Any]:
        """The rule as the plain row `ConversionTable.from_rows` checks."""
        return {
            "substance": self.substance.strip().lower(),
            "route": self.route,
            "kind": self.kind,
            "factor": self.factor,
            "per_unit": self.per_unit,
            "reason": self.reason,
            "bands": None if self.bands is None else [band.dict() for band in self.bands],
            "note": self.note,
        }


class RuleOut(Schema):
    substance: str
    route: Annotated[str, one_of(Route)]
    kind: Annotated[str, one_of(RuleKind)]
    factor: DecimalText | None
    per_unit: Annotated[str, one_of(DoseUnit)] | None
    bands: list[BandOut] | None
    reason: str | None
    note: str


class FactorSetWithRulesOut(FactorSetOut):
    rules: list[RuleOut]


class FactorSetSignOffIn(Schema):
    """Sign off a draft: someone who did not draft it names the `revision` they reviewed (the
    impact's) and repeats the version's name in `confirm` (the impact's `confirmation`)."""

    id: Annotated[str, Field(max_length=64)]
    version: Annotated[str, Field(max_length=32)]
    revision: Annotated[int, Field(ge=0)]
    confirm: Annotated[str, Field(max_length=100)]


class OutcomeCountOut(Schema):
    outcome: Annotated[str, one_of(Outcome)]
    patients: int


class OmeqChangeOut(Schema):
    """One patient's OMEQ (mg/day) now and after sign-off; no identity."""

    outcome: Annotated[str, one_of(Outcome)]
    scheduled_before: DecimalText
    max_before: DecimalText
    scheduled_after: DecimalText
    max_after: DecimalText
    change_mg_per_day: DecimalText
    change_percent: DecimalText | None


class CrossingOut(Schema):
    threshold_mg_per_day: DecimalText
    now_at_or_above: int
    now_below: int


class FactorCheckOut(Schema):
    factor: DecimalText
    per_unit: Annotated[str, one_of(DoseUnit)]
    band_from_morphine_mg_per_day: DecimalText | None
    standing: Annotated[str, one_of(Standing)]
    published_low: DecimalText | None
    published_high: DecimalText | None
    published_per_unit: Annotated[str, one_of(DoseUnit)] | None
    sources: list[str]


class RuleChangeOut(Schema):
    substance: str
    route: Annotated[str, one_of(Route)]
    before: RuleOut | None
    after: RuleOut | None
    patients: int = Field(description="Patients with a current line on this substance and route.")
    checks: list[FactorCheckOut]


class FactorSetImpactOut(Schema):
    """What signing off the version changes for the region's patients: counts and sizes only."""

    factor_set: FactorSetOut
    replaces: FactorSetKey
    confirmation: str = Field(description="What a sign-off repeats in `confirm`.")
    patients: int = Field(description="Patients with a current opioid line.")
    moved: int = Field(description="Patients whose OMEQ changes or stops/starts being computable.")
    outcomes: list[OutcomeCountOut]
    crossings: list[CrossingOut]
    largest_changes: list[OmeqChangeOut]
    rule_changes: list[RuleChangeOut]
    problems: list[str] = Field(description="Why a sign-off would be refused as it stands.")


class FactorSetCopyIn(Schema):
    source: FactorSetKey
    table_id: Annotated[str, Field(max_length=64)]
    version: Annotated[str, Field(max_length=32)]


class FactorSetDraftIn(Schema):
    title: Annotated[str, Field(max_length=300)]
    source: Annotated[str, Field(max_length=2000)]
    published: datetime.date
    note: Annotated[str, Field(max_length=4000)] = ""
    rules: Annotated[list[RuleIn], Field(max_length=200)]


# --- a patient's medication list ---------------------------------------------------------


class MedicationLineIn(Schema):
    product_id: Annotated[str, Field(max_length=64)]
    strength: ExactNumber
    units_per_dose: ExactNumber = Decimal(1)
    doses_per_day: ExactNumber | None = None
    prn: bool = False
    max_doses_per_day: ExactNumber | None = None
    indication: IndicationCode = MedicationLine.Indication.PAIN.value
    start_date: datetime.date | None = None
    note: Annotated[str, Field(max_length=500)] = ""


class MedicationLineChangeIn(Schema):
    strength: ExactNumber | None = None
    units_per_dose: ExactNumber | None = None
    doses_per_day: ExactNumber | None = None
    prn: bool | None = None
    max_doses_per_day: ExactNumber | None = None
    indication: IndicationCode | None = None
    start_date: datetime.date | None = None
    note: Annotated[str, Field(max_length=500)] | None = None


class EndLineIn(Schema):
    ended_on: datetime.date | None = None
    reason: Annotated[str, Field(max_length=200)] = ""


class _LineFieldsOut(Schema):
    """A medication line's fields, as it is now or as one of its saved versions was."""

    product_id: str
    strength: DecimalText
    units_per_dose: DecimalText
    doses_per_day: DecimalText | None
    prn: bool
    max_doses_per_day: DecimalText | None
    indication: Annotated[str, one_of(MedicationLine.Indication.values)]
    start_date: datetime.date
    ended_on: datetime.date | None
    note: str
    # Raised by every change; send it back in If-Match to change or end the line.
    version: int


class MedicationLineOut(_LineFieldsOut):
    id: int
    product_name: str | None
    atc: str | None
    strength_label: str
    end_reason: str


class MedicationListOut(Schema):
    patient_id: uuid.UUID
    lines: list[MedicationLineOut]
    factor_set: FactorSetRef
    omeq: OmeqOut | None
    problems: list[LineProblemOut]


class LineVersionOut(_LineFieldsOut):
    line_id: int
    history_date: datetime.datetime
    history_type: Annotated[
        str, one_of(["+", "~", "-"], "+ added, ~ changed (ending a line too), - deleted.")
    ]
    changed_by: str | None
