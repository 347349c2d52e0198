"""The taper plan's dose for a day, as the course page and the visit form show it: the step
the plan in force expects, and how far a visit's OMEQ is from it. Read through the tapering
app's selectors; the caller loaded the patient through `patients.access`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from domain.omeq import display_mg
from smertespor.entry.numbers import for_json, for_people
from smertespor.patients.models import Patient


@dataclass(frozen=True)
class PlanToday:
    """The plan in force and its step for the day."""

    plan: Any  # tapering's TaperPlan (read through its selectors)
    step_number: int
    mg_per_day: Decimal  # OMEQ incl. as-needed doses, as a visit's OMEQ from the list
    starts_on: date
    url: str

    @property
    def form_value(self) -> Decimal:
        """The dose as a form's OMEQ field takes it (at most 4 decimals, no padding)."""
        return Decimal(for_json(self.mg_per_day, 4) or "0")

    def difference(self, omeq_mg_per_day: Decimal | None) -> str:
        """ "12,5 mg/day over the plan", "… under the plan", "as the plan"; "" for none."""
        if omeq_mg_per_day is None:
            return ""
        gap = display_mg(Decimal(omeq_mg_per_day)) - display_mg(self.mg_per_day)
        if gap == 0:
            return _("as the plan expects")
        values = {"mg": for_people(abs(gap))}
        if gap > 0:
            return _("%(mg)s mg/day over the plan") % values
        return _("%(mg)s mg/day under the plan") % values


def plan_today(patient: Patient, today: date) -> PlanToday | None:
    """What the patient's plan in force expects on ``today``; None without a plan in force
    or before its first step."""
    from smertespor.tapering.selectors import expected_step_today

    found = expected_step_today(patient, today)
    if found is None:
        return None
    plan, step = found
    return PlanToday(
        plan=plan,
        step_number=step.number,
        mg_per_day=step.omeq_mg_per_day,
        starts_on=step.start_date,
        url=reverse("tapering:plan_detail", args=[patient.pk, plan.pk]),
    )
