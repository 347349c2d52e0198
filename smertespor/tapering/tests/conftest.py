import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from smertespor.medication.models import MedicationLine
from smertespor.tapering.pace import Pace

TODAY = datetime.date(2026, 3, 2)  # a Monday


@pytest.fixture
def today():
    return TODAY


@pytest.fixture(autouse=True)
def _fixed_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)


def add_line(patient, product_id, strength, units="1", per_day="2", **extra):
    return MedicationLine.objects.create(
        patient=patient,
        product_id=product_id,
        strength=Decimal(strength),
        units_per_dose=Decimal(units),
        doses_per_day=None if per_day is None else Decimal(per_day),
        start_date=datetime.date(2025, 6, 1),
        **extra,
    )


@pytest.fixture
def morphine_list(patient):
    """Morphine depot 30 mg twice a day and morphine 10 mg as needed, up to 4 a day."""
    depot = add_line(patient, "morphine-depot-tablet", "30")
    prn = add_line(
        patient, "morphine-tablet", "10", per_day=None, prn=True, max_doses_per_day=Decimal(4)
    )
    return depot, prn


@pytest.fixture
def pace():
    def make(**changes):
        return replace(
            Pace(start_date=TODAY, step_percent=Decimal(10), interval_days=28), **changes
        )

    return make


@pytest.fixture
def url():
    def make(name, patient, plan=None):
        kwargs = {"patient_id": patient.pk}
        if plan is not None:
            kwargs["plan_id"] = plan.pk
        return reverse(f"tapering:{name}", kwargs=kwargs)

    return make


def form_data(**changes):
    """The plan form as the GP posts it, with the defaults."""
    data = {
        "target_kind": "stop",
        "step_percent": "10",
        "step_basis": "starting_dose",
        "interval_days": "28",
        "start_date": TODAY.isoformat(),
        "slow_down": "on",
        "slow_down_below_percent": "50",
        "slow_down_step_percent": "50",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
