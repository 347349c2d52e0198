"""Demo taper plans at the demo GP's practice: one active (made six weeks ago, so the chart
shows progress), one completed and one draft. Made through the services, as the GP would;
idempotent: nothing is added once the practice has a plan.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.utils import timezone

from smertespor.accounts.models import User
from smertespor.patients.models import Patient
from smertespor.tapering.models import TaperPlan
from smertespor.tapering.services import (
    change_taper_plan_status,
    create_taper_plan,
    default_pace,
)

DEMO_GP = "demo-gp"
# (what to make, days ago it was made)
PLANS = (("active", 42), ("completed", 150), ("draft", 0))


def _backdate(plan: TaperPlan, made: datetime.datetime) -> None:
    """Demo rows only: the plan and its history as if made on its day."""
    TaperPlan.objects.filter(pk=plan.pk).update(created_at=made, status_changed_at=made)
    plan.events.update(occurred_at=made)


def load_demo_taper_plans(patients: Iterable[Patient]) -> int:
    gp = User.objects.filter(username=DEMO_GP).select_related("organisation").first()
    if gp is None or TaperPlan.objects.filter(practice=gp.organisation).exists():
        return 0
    today = timezone.localdate()
    wanted = list(PLANS)
    made = 0
    for patient in patients:
        if not wanted:
            break
        if patient.listed_practice_id != gp.organisation_id:
            continue
        kind, days_ago = wanted[0]
        made_on = today - datetime.timedelta(days=days_ago)
        pace = replace(default_pace(made_on), start_date=made_on + datetime.timedelta(days=3))
        try:
            plan = create_taper_plan(
                patient=patient, by=gp, pace=pace, activate=kind != "draft", today=made_on
            )
        except ValidationError:
            continue  # e.g. a list with substitution treatment only: try the next patient
        at = timezone.make_aware(datetime.datetime.combine(made_on, datetime.time(10, 0)))
        _backdate(plan, at)
        if kind == "completed":
            change_taper_plan_status(
                plan=plan,
                by=gp,
                action="complete",
                reason="Demo: patienten valgte at stoppe ved en lavere dosis.",
                today=today,
            )
        wanted.pop(0)
        made += 1
    return made
