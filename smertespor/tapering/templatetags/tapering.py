"""Template helpers for taper plans: a step's doses and notes in the user's language, and
the patient page's panel with the plan in force and its chart."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from domain.omeq import display_mg
from smertespor.accounts.models import Requester
from smertespor.entry.numbers import as_decimal, for_people, times_for_people
from smertespor.medication.labels import unit_label
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import has_records
from smertespor.tapering.labels import (
    coded_messages,
    excluded_reason,
    messages_of,
    number,
    switch_messages,
)
from smertespor.tapering.permissions import can_make_taper_plans
from smertespor.tapering.plan_chart import stored_plan_chart
from smertespor.tapering.selectors import current_step, plan_to_show, steps_of

register = template.Library()


def _time_name(time: str) -> str:
    return {
        "morning": _("morning"),
        "noon": _("noon"),
        "evening": _("evening"),
        "night": _("night"),
    }.get(time, time)


def _units(units: list[Mapping[str, str]], unit: str) -> str:
    shown = unit_label(unit)
    return " + ".join(f"{number(u['units'])} × {number(u['strength'])} {shown}" for u in units)


def _at_time(units: list[Mapping[str, str]], unit: str) -> str:
    """ "30 mg" for one whole unit, else the amount with its pieces: "25 mg (2½ × 10)"; a
    solution measured in ml: "14 mg (7 ml of 2 mg/ml)"."""
    amount = sum((Decimal(u["strength"]) * Decimal(u["units"]) for u in units), Decimal(0))
    if unit.endswith("/ml"):
        measured = " + ".join(
            _("%(ml)s ml of %(strength)s %(unit)s")
            % {
                "ml": number(u["units"]),
                "strength": number(u["strength"]),
                "unit": unit_label(unit),
            }
            for u in units
        )
        return f"{number(amount)} {unit_label(unit.removesuffix('/ml'))} ({measured})"
    if len(units) == 1 and Decimal(units[0]["units"]) == 1:
        return f"{number(amount)} {unit_label(unit)}"
    pieces = " + ".join(f"{number(u['units'])} × {number(u['strength'])}" for u in units)
    return f"{number(amount)} {unit_label(unit)} ({pieces})"


@register.filter
def dose_lines(doses: list[Mapping[str, Any]]) -> list[str]:
    """Each product's dose in a step, one line each: "Morfin depottablet: morning 20 mg
    (2 × 10), evening 30 mg"."""
    lines = []
    for dose in doses:
        if dose["prn"] is not None:
            prn = dose["prn"]
            lines.append(
                _("%(product)s as needed: %(units)s, at most %(count)s a day")
                % {
                    "product": dose["name"],
                    "units": _units(prn["units"], dose["unit"]),
                    "count": times_for_people(prn["max_doses_per_day"]),
                }
            )
            continue
        parts = [
            f"{_time_name(time)} {_at_time(dose['times'][time], dose['unit'])}"
            for time in ("morning", "noon", "evening", "night")
            if dose["times"].get(time)
        ]
        line = f"{dose['name']}: {', '.join(parts)}"
        if dose["is_every_other_day"]:
            line += " — " + _("every other day")
        lines.append(line)
    return lines


@register.filter
def single_dose_lines(dose: Mapping[str, Any]) -> list[str]:
    return dose_lines([dose])


@register.filter
def switch_texts(switch: Mapping[str, Any]) -> tuple[str, str]:
    """A stored switch as (the proposal, why), in the user's language."""
    return switch_messages(switch)


@register.filter
def supply_lines(supply: list[Mapping[str, Any]]) -> list[str]:
    return [
        f"{item['name']}: "
        + ", ".join(f"{number(u['units'])} × {number(u['strength'])}" for u in item["units"])
        for item in supply
    ]


@register.filter
def note_texts(notes: list[Mapping[str, Any]]) -> list[str]:
    return messages_of(notes, "note")


@register.filter
def coded_notes(notes: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A step's notes with their code (for the page's data attributes) and message."""
    return coded_messages(notes, "note")


@register.filter
def suggestion_texts(suggestions: list[Mapping[str, Any]]) -> list[str]:
    return messages_of(suggestions, "suggestion")


@register.filter
def excluded_text(reason: str) -> str:
    return excluded_reason(reason)


@register.filter
def omeq(value: Decimal | int | str | None) -> str:
    """An OMEQ for reading: one decimal at most (`display_mg`), in the locale; "—" for none."""
    exact = as_decimal(value)
    return "—" if exact is None else for_people(display_mg(exact))


@register.filter
def exact_number(value: Decimal | int | str | None) -> str:
    """A stored number with all its decimals but no padding zeros, in the locale."""
    return for_people(value) or "—"


@register.filter
def may_make_taper_plans(user: Requester | None) -> bool:
    return user is not None and can_make_taper_plans(user)


@register.inclusion_tag("tapering/_patient_panel.html", takes_context=True)
def taper_plan_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    """The patient page's taper plan panel. The page's view loaded `patient` through
    `patients.access` (and audited it); this only reads the patient's plans."""
    plan = plan_to_show(patient) if has_records(patient, "taper_plans") else None
    result: dict[str, Any] = {"patient": patient, "plan": plan, "request": context.get("request")}
    user = getattr(context.get("request"), "user", None)
    result["can_make"] = user is not None and can_make_taper_plans(user)
    if plan is not None:
        today = timezone.localdate()
        steps = steps_of(plan)
        result.update(
            steps=steps,
            current=current_step(steps, today),
            plan_chart=stored_plan_chart(plan, steps, today),
        )
    return result
