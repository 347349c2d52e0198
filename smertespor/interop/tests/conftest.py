import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from smertespor.medication.services import add_medication_line
from smertespor.tapering.pace import Pace
from smertespor.tapering.services import create_taper_plan

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _fixed_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)


def record_medication(patient, gp):
    """Morphine depot 30 mg twice a day, morphine 10 mg as needed (at most 4), a patch."""
    add_medication_line(
        patient=patient,
        by=gp,
        product_id="morphine-depot-tablet",
        strength=Decimal(30),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(2),
        start_date=datetime.date(2025, 6, 1),
        note="Morgen og aften",
    )
    add_medication_line(
        patient=patient,
        by=gp,
        product_id="morphine-tablet",
        strength=Decimal(10),
        units_per_dose=Decimal(1),
        prn=True,
        max_doses_per_day=Decimal(4),
        start_date=datetime.date(2025, 6, 1),
    )


@pytest.fixture
def demo_record(patient, gp):
    """A demo-like record: a medication list, its OMEQ snapshots, an active taper plan."""
    record_medication(patient, gp)
    pace = Pace(start_date=TODAY, step_percent=Decimal(10), interval_days=28)
    create_taper_plan(patient=patient, by=gp, pace=pace, activate=True)
    return patient


@pytest.fixture
def everything_url():
    def make(patient_id):
        return reverse("api:fhir_patient_everything", kwargs={"patient_id": patient_id})

    return make
