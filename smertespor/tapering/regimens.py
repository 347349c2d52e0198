"""The regimen a plan starts from: the patient's current medication lines as `PlanLine`s
(and the lines a taper plan leaves alone, as `ExcludedLine`s), or a stored step's doses as the
regimen of an adjusted plan.

The medication list records "units x doses a day"; a taper plans by time of day. A scheduled
line's doses are placed at fixed times (1 a day: morning; 2: morning and evening; 3: morning,
noon, evening; 4: all four), which the GP may change per line before the plan is made; a
patch's units go at the one time it is changed (morning). A line whose doses a day cannot be
placed (1.5 a day, or more than 4) gets no time, and the domain says so (`empty_schedule`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.catalogue import Catalogue, CatalogueError, Form, Product
from domain.tapering import DoseSchedule, PrnLine, TaperLine, TimeOfDay
from smertespor.entry.numbers import json_number
from smertespor.medication.models import MedicationLine
from smertespor.medication.regimens import plain_decimal, strength_label
from smertespor.medication.selectors import is_substitution_treatment

TIMES = tuple(t.value for t in TimeOfDay)
_DEFAULT_TIMES: dict[int, tuple[TimeOfDay, ...]] = {
    1: (TimeOfDay.MORNING,),
    2: (TimeOfDay.MORNING, TimeOfDay.EVENING),
    3: (TimeOfDay.MORNING, TimeOfDay.NOON, TimeOfDay.EVENING),
    4: tuple(TimeOfDay),
}


@dataclass(frozen=True)
class PlanLine:
    """One line of the regimen a plan starts from (a medication line, times of day placed)."""

    product_id: str
    strength: Decimal
    label: str
    name: str = ""  # the product's name (the label adds the strength)
    is_prn: bool = False
    schedule: Mapping[str, Decimal] = field(default_factory=dict)  # time of day -> units
    units_per_dose: Decimal = Decimal(0)  # PRN only
    max_doses_per_day: Decimal = Decimal(0)  # PRN only
    source_line_id: int | None = None
    is_patch: bool = False

    def to_domain(self) -> TaperLine | PrnLine:
        if self.is_prn:
            maximum: Any = self.max_doses_per_day
            if maximum == maximum.to_integral_value():
                maximum = int(maximum)  # a fraction is passed on, for the domain to refuse
            return PrnLine(self.product_id, self.strength, self.units_per_dose, maximum)
        units = {t: self.schedule.get(t, Decimal(0)) for t in TIMES}
        return TaperLine(self.product_id, self.strength, DoseSchedule(**units))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": "prn" if self.is_prn else "scheduled",
            "product_id": self.product_id,
            "strength": json_number(self.strength),
            "label": self.label,
            "name": self.name,
            "source_line_id": self.source_line_id,
        }
        if self.is_prn:
            data["units_per_dose"] = json_number(self.units_per_dose)
            data["max_doses_per_day"] = json_number(self.max_doses_per_day)
        else:
            data.update({t: json_number(self.schedule.get(t, Decimal(0))) for t in TIMES})
            data["is_patch"] = self.is_patch
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanLine:
        common = {
            "product_id": data["product_id"],
            "strength": Decimal(data["strength"]),
            "label": data.get("label", data["product_id"]),
            "name": data.get("name", ""),
            "source_line_id": data.get("source_line_id"),
        }
        if data["kind"] == "prn":
            return cls(
                **common,
                is_prn=True,
                units_per_dose=Decimal(data["units_per_dose"]),
                max_doses_per_day=Decimal(data["max_doses_per_day"]),
            )
        schedule = {t: Decimal(data.get(t, "0")) for t in TIMES}
        return cls(**common, schedule=schedule, is_patch=bool(data.get("is_patch")))


class ExcludedReason(StrEnum):
    NOT_AN_OPIOID = "not_an_opioid"
    SUBSTITUTION = "substitution"


@dataclass(frozen=True)
class ExcludedLine:
    """A current line the plan leaves as it is, and why (never dropped silently)."""

    label: str
    reason: str  # an ExcludedReason

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "reason": str(self.reason)}


def default_schedule(line: MedicationLine, product: Product | None) -> dict[str, Decimal]:
    """Where the line's units go through the day, before the GP changes anything."""
    units = plain_decimal(line.units_per_dose)
    if product is not None and product.form is Form.PATCH:
        return {TimeOfDay.MORNING.value: units}
    per_day = line.doses_per_day
    if per_day is None or per_day != per_day.to_integral_value():
        return {}
    times = _DEFAULT_TIMES.get(int(per_day), ())
    return {t.value: units for t in times}


def line_label(line: MedicationLine, product: Product | None) -> str:
    if product is None:
        return f"{line.product_id} {plain_decimal(line.strength)}"
    return f"{product.name} {strength_label(product, line.strength)}"


def plan_lines(
    lines: Iterable[MedicationLine],
    catalogue: Catalogue,
    schedules: Mapping[int, Mapping[str, Decimal]] | None = None,
) -> tuple[list[PlanLine], list[ExcludedLine]]:
    """The current medication lines as the plan's regimen (with the GP's times of day, by
    line id), and the lines a taper plan does not touch."""
    chosen = schedules or {}
    planned: list[PlanLine] = []
    excluded: list[ExcludedLine] = []
    for line in lines:
        try:
            product: Product | None = catalogue.by_id(line.product_id)
        except CatalogueError:
            product = None  # kept: the domain refuses it by name (unknown_product)
        label = line_label(line, product)
        name = product.name if product is not None else line.product_id
        if product is not None and not product.is_opioid:
            excluded.append(ExcludedLine(label, ExcludedReason.NOT_AN_OPIOID))
            continue
        if is_substitution_treatment(line):
            excluded.append(ExcludedLine(label, ExcludedReason.SUBSTITUTION))
            continue
        strength = plain_decimal(line.strength)
        if line.prn:
            planned.append(
                PlanLine(
                    product_id=line.product_id,
                    strength=strength,
                    label=label,
                    name=name,
                    is_prn=True,
                    units_per_dose=plain_decimal(line.units_per_dose),
                    max_doses_per_day=plain_decimal(line.max_doses_per_day or Decimal(0)),
                    source_line_id=line.pk,
                )
            )
            continue
        schedule = dict(chosen.get(line.pk) or default_schedule(line, product))
        planned.append(
            PlanLine(
                product_id=line.product_id,
                strength=strength,
                label=label,
                name=name,
                schedule={t: plain_decimal(v) for t, v in schedule.items() if v},
                source_line_id=line.pk,
                is_patch=product is not None and product.form is Form.PATCH,
            )
        )
    return planned, excluded


def lines_of_step(doses: Sequence[Mapping[str, Any]]) -> list[PlanLine]:
    """A stored step's doses as the regimen of an adjusted plan (one line per strength)."""
    lines: list[PlanLine] = []
    for dose in doses:
        name = dose["name"]
        if dose["prn"] is not None:
            prn = dose["prn"]
            for unit in prn["units"]:
                lines.append(
                    PlanLine(
                        product_id=dose["product_id"],
                        strength=Decimal(unit["strength"]),
                        label=f"{name} {unit['label']} {dose['unit']}",
                        name=name,
                        is_prn=True,
                        units_per_dose=Decimal(unit["units"]),
                        max_doses_per_day=Decimal(prn["max_doses_per_day"]),
                    )
                )
            continue
        by_strength: dict[str, dict[str, Decimal]] = {}
        labels: dict[str, str] = {}
        for time, units in dose["times"].items():
            for unit in units:
                by_strength.setdefault(unit["strength"], {})[time] = Decimal(unit["units"])
                labels[unit["strength"]] = unit["label"]
        for strength, schedule in by_strength.items():
            lines.append(
                PlanLine(
                    product_id=dose["product_id"],
                    strength=Decimal(strength),
                    label=f"{name} {labels[strength]} {dose['unit']}",
                    name=name,
                    schedule=schedule,
                    is_patch=dose["form"] == Form.PATCH.value,
                )
            )
    return lines
