"""The one seam between stored data and the taper domain: medication lines and stored plans
in, `TaperRequest`s out; a generated `TaperPlan` back into rows (plain JSON, exact decimal
strings) that keep the plan exactly as it was printed.

The medication list records "units x doses a day"; a taper plans by time of day. A scheduled
line's doses are placed at fixed times (1 a day: morning; 2: morning and evening; 3: morning,
noon, evening; 4: all four), which the GP may change per line before the plan is made; a
patch's units go at the one time it is changed (morning). A line whose doses a day cannot be
placed (1.5 a day, or more than 4) gets no time, and the domain says so (`empty_schedule`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

from domain.catalogue import Catalogue, CatalogueError, Form, Product
from domain.omeq import ConversionTable, Thresholds
from domain.tapering import (
    DoseSchedule,
    PauseAtStep,
    PauseBetween,
    PrnLine,
    ProductDose,
    SlowDown,
    StepBasis,
    TaperLine,
    TaperPlan,
    TaperRequest,
    TaperStep,
    TaperTarget,
    TimeOfDay,
    UnitCount,
)
from smertespor.entry.numbers import json_number
from smertespor.medication.models import MedicationLine
from smertespor.medication.regimens import plain_decimal, strength_label

TIMES = tuple(t.value for t in TimeOfDay)
HUNDRED = Decimal(100)
_DEFAULT_TIMES: dict[int, tuple[TimeOfDay, ...]] = {
    1: (TimeOfDay.MORNING,),
    2: (TimeOfDay.MORNING, TimeOfDay.EVENING),
    3: (TimeOfDay.MORNING, TimeOfDay.NOON, TimeOfDay.EVENING),
    4: tuple(TimeOfDay),
}
_STORED = Decimal("1E-10")  # the steps' OMEQ columns keep 10 decimals


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


@dataclass(frozen=True)
class ExcludedLine:
    """A current line the plan leaves as it is, and why (never dropped silently)."""

    label: str
    reason: str  # "not_an_opioid" or "substitution"

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "reason": self.reason}


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
            excluded.append(ExcludedLine(label, "not_an_opioid"))
            continue
        if line.indication == MedicationLine.Indication.SUBSTITUTION:
            excluded.append(ExcludedLine(label, "substitution"))
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


@dataclass(frozen=True)
class Pace:
    """What the GP chose: target, rate, interval, slow-down, pauses, order and start."""

    start_date: date
    step_percent: Decimal
    interval_days: int
    target_kind: str = "stop"
    target_omeq_mg_per_day: Decimal | None = None
    target_product_id: str = ""
    target_daily_amount: Decimal | None = None
    step_basis: str = StepBasis.STARTING_DOSE.value
    slow_down_below_percent: Decimal | None = None  # None: no slow-down
    slow_down_step_percent: Decimal | None = None
    pauses: tuple[PauseAtStep | PauseBetween, ...] = ()
    order: tuple[str, ...] = ()

    def target(self) -> TaperTarget:
        if self.target_kind == "omeq":
            value = self.target_omeq_mg_per_day
            return TaperTarget.omeq(value if value is not None else Decimal(-1))
        if self.target_kind == "dose":
            amount = self.target_daily_amount
            return TaperTarget.dose(
                self.target_product_id, amount if amount is not None else Decimal(-1)
            )
        return TaperTarget.stop()

    def slow_down(self) -> SlowDown | None:
        below, factor = self.slow_down_below_percent, self.slow_down_step_percent
        if below is None or factor is None:
            return None
        return SlowDown(below_share=below / HUNDRED, step_factor=factor / HUNDRED)

    def model_fields(self) -> dict[str, Any]:
        return {
            "target_kind": self.target_kind,
            "target_omeq_mg_per_day": self.target_omeq_mg_per_day
            if self.target_kind == "omeq"
            else None,
            "target_product_id": self.target_product_id if self.target_kind == "dose" else "",
            "target_daily_amount": self.target_daily_amount if self.target_kind == "dose" else None,
            "step_percent": self.step_percent,
            "step_basis": self.step_basis,
            "interval_days": self.interval_days,
            "slow_down_below_percent": self.slow_down_below_percent,
            "slow_down_step_percent": self.slow_down_step_percent,
            "pauses": [pause_json(p) for p in self.pauses],
            "order": list(self.order),
            "start_date": self.start_date,
        }

    @classmethod
    def of_plan(cls, plan: Any) -> Pace:
        return cls(
            start_date=plan.start_date,
            step_percent=plain_decimal(plan.step_percent),
            interval_days=plan.interval_days,
            target_kind=plan.target_kind,
            target_omeq_mg_per_day=_plain_or_none(plan.target_omeq_mg_per_day),
            target_product_id=plan.target_product_id,
            target_daily_amount=_plain_or_none(plan.target_daily_amount),
            step_basis=plan.step_basis,
            slow_down_below_percent=_plain_or_none(plan.slow_down_below_percent),
            slow_down_step_percent=_plain_or_none(plan.slow_down_step_percent),
            pauses=tuple(pause_from_json(p) for p in plan.pauses),
            order=tuple(plan.order),
        )


def _plain_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else plain_decimal(value)


def pause_json(pause: PauseAtStep | PauseBetween) -> dict[str, Any]:
    if isinstance(pause, PauseAtStep):
        return {"step": pause.step, "extra_days": pause.extra_days}
    return {"first_day": pause.first_day.isoformat(), "last_day": pause.last_day.isoformat()}


def pause_from_json(data: Mapping[str, Any]) -> PauseAtStep | PauseBetween:
    if "step" in data:
        return PauseAtStep(int(data["step"]), int(data["extra_days"]))
    return PauseBetween(date.fromisoformat(data["first_day"]), date.fromisoformat(data["last_day"]))


def taper_request(
    lines: Sequence[PlanLine],
    pace: Pace,
    *,
    table: ConversionTable,
    thresholds: Thresholds,
    catalogue: Catalogue,
) -> TaperRequest:
    return TaperRequest(
        lines=tuple(line.to_domain() for line in lines),
        target=pace.target(),
        step_percent=pace.step_percent,
        interval_days=pace.interval_days,
        start_date=pace.start_date,
        table=table,
        thresholds=thresholds,
        step_basis=StepBasis(pace.step_basis),
        slow_down=pace.slow_down(),
        pauses=pace.pauses,
        order=pace.order,
        catalogue=catalogue,
    )


# --- the generated plan as stored rows --------------------------------------------------


def _units_json(counts: Iterable[UnitCount]) -> list[dict[str, str]]:
    return [
        {
            "strength": json_number(c.strength.amount),
            "label": c.strength.label,
            "units": json_number(c.units),
        }
        for c in counts
    ]


def dose_json(dose: ProductDose) -> dict[str, Any]:
    """A product's dose in a step, with what the handout needs to describe it on its own."""
    product = dose.product
    data: dict[str, Any] = {
        "product_id": product.id,
        "name": product.name,
        "brands": list(product.brands),
        "form": product.form.value,
        "unit": product.unit,
        "dose_unit": product.dose_unit,
        "patch_change_hours": product.patch_change_hours,
        "is_prn": dose.is_prn,
        "is_every_other_day": dose.is_every_other_day,
        "daily_amount": json_number(dose.daily_amount),
        "times": {t.time.value: _units_json(t.dose.counts) for t in dose.doses},
        "prn": None,
    }
    if dose.prn_dose is not None:
        data["prn"] = {
            "amount": json_number(dose.prn_dose.amount),
            "units": _units_json(dose.prn_dose.counts),
            "max_doses_per_day": dose.prn_max_doses_per_day,
        }
    return data


def _coded(items: Iterable[Any], names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Codes with params; a product id's name is kept too, so the text never needs the
    catalogue again."""
    coded = []
    for item in items:
        params = item.params_dict()
        if names and params.get("product") in names:
            params["product_name"] = names[params["product"]]
        if names and params.get("short_acting_products"):
            ids = params["short_acting_products"].split(", ")
            params["short_acting_names"] = ", ".join(names.get(i, i) for i in ids)
        coded.append({"code": str(item.code.value), "params": params})
    return coded


def stored(value: Decimal) -> Decimal:
    """An OMEQ for a 10-decimal column, rounded up so storing never makes a dose look lower."""
    return value.quantize(_STORED, rounding=ROUND_CEILING)


def step_fields(
    step: TaperStep, interval_days: int, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A step as `TaperPlanStep` fields; `names` are product names by id (for the notes)."""
    days = step.days
    if days is None:  # the last step has no end: what to prescribe per usual interval
        supply = [
            {"product_id": d.product.id, "name": d.product.name, "units": _units_json(units)}
            for d in step.doses
            if (units := d.units_needed(interval_days))
        ]
    else:
        supply = [
            {"product_id": s.product.id, "name": s.product.name, "units": _units_json(s.units)}
            for s in step.supply
        ]
    return {
        "number": step.number,
        "kind": step.kind.value,
        "start_date": step.start_date,
        "end_date": step.end_date,
        "omeq_mg_per_day": stored(step.omeq.max_mg_per_day),
        "scheduled_omeq_mg_per_day": stored(step.omeq.scheduled_mg_per_day),
        "percent_of_start": step.percent_of_start,
        "cut_mg_per_day": stored(step.cut_mg_per_day),
        "cut_limit_mg_per_day": stored(step.cut_limit_mg_per_day),
        "pause_days": step.pause_days,
        "reduced_product_id": step.reduced_product_id,
        "reduced_is_prn": step.reduced_is_prn,
        "doses": [dose_json(d) for d in step.doses],
        "supply": supply,
        "supply_days": days if days is not None else interval_days,
        "notes": _coded(step.notes, names),
        "warnings": _coded(step.omeq.warnings),
    }


def product_names(plan: TaperPlan) -> dict[str, str]:
    return {d.product.id: d.product.name for d in plan.baseline}


def plan_fields(plan: TaperPlan) -> dict[str, Any]:
    return {
        "baseline": [dose_json(d) for d in plan.baseline],
        "baseline_omeq_mg_per_day": stored(plan.baseline_omeq.max_mg_per_day),
        "final_omeq_mg_per_day": stored(plan.final_omeq_mg_per_day),
        "last_change_date": plan.last_change_date,
        "step_count": len(plan.steps),
        "suggestions": _coded(plan.suggestions, product_names(plan)),
    }


def thresholds_json(thresholds: Thresholds) -> dict[str, str]:
    return {
        "reassess_mg_per_day": json_number(thresholds.reassess_mg_per_day),
        "high_mg_per_day": json_number(thresholds.high_mg_per_day),
    }


def thresholds_of(data: Mapping[str, str]) -> Thresholds:
    return Thresholds(Decimal(data["reassess_mg_per_day"]), Decimal(data["high_mg_per_day"]))


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
