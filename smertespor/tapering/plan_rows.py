"""A generated `TaperPlan` as the rows that store it: plain JSON with exact decimal strings,
so the plan stays exactly as it was printed even when the catalogue or tables change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, Decimal
from typing import Any

from domain.tapering import ProductDose, SwitchProposal, TaperPlan, TaperStep, UnitCount
from smertespor.entry.numbers import json_number

_STORED = Decimal("1E-10")  # the steps' OMEQ columns keep 10 decimals


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
        for key in ("product", "from_product", "to_product"):
            if names and params.get(key) in names:
                params[f"{key}_name"] = names[params[key]]
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
    """Every product of the plan by id, those a switch brings in too."""
    names = {d.product.id: d.product.name for d in plan.baseline}
    names.update((d.product.id, d.product.name) for s in plan.steps for d in s.doses)
    return names


def switch_json(switch: SwitchProposal) -> dict[str, Any]:
    """A switch to a finer product, to show before the plan: what from, what to, and why."""
    return {
        "step": switch.step,
        "reason": switch.reason.value,
        "from_dose": dose_json(switch.from_dose),
        "to_dose": dose_json(switch.to_dose),
        "from_omeq_mg_per_day": json_number(switch.from_omeq_mg_per_day),
        "to_omeq_mg_per_day": json_number(switch.to_omeq_mg_per_day),
        "stop_mg_per_day": json_number(switch.stop_mg_per_day),
        "limit_mg_per_day": json_number(switch.limit_mg_per_day),
        "threshold_mg_per_day": json_number(switch.threshold_mg_per_day),
        "table": {"id": switch.table_id, "version": switch.table_version},
    }


def plan_fields(plan: TaperPlan) -> dict[str, Any]:
    return {
        "baseline": [dose_json(d) for d in plan.baseline],
        "baseline_omeq_mg_per_day": stored(plan.baseline_omeq.max_mg_per_day),
        "final_omeq_mg_per_day": stored(plan.final_omeq_mg_per_day),
        "last_change_date": plan.last_change_date,
        "step_count": len(plan.steps),
        "suggestions": _coded(plan.suggestions, product_names(plan)),
        "switches": [switch_json(s) for s in plan.switches],
    }
