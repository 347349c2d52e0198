"""Factories and helpers for the medication tests."""

import datetime
from decimal import Decimal

import factory

from smertespor.medication.models import MedicationLine
from tests.factories import PatientFactory


class MedicationLineFactory(factory.django.DjangoModelFactory):
    """A line saved straight to the table (no snapshot, no audit): set-up for tests."""

    class Meta:
        model = MedicationLine

    patient = factory.SubFactory(PatientFactory)
    product_id = "morphine-depot-tablet"
    strength = Decimal(30)
    units_per_dose = Decimal(1)
    doses_per_day = Decimal(2)
    start_date = datetime.date(2025, 1, 6)
