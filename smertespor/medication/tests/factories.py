"""Factories and helpers for the medication tests."""

import datetime
from decimal import Decimal

import factory
from factory.declarations import SubFactory

from smertespor.medication.models import MedicationLine
from tests.factories import PatientFactory


class MedicationLineFactory(factory.django.DjangoModelFactory[MedicationLine]):
    """A line saved straight to the table (no snapshot, no audit): set-up for tests.

    Call `MedicationLineFactory.create(...)`: it is typed to return the line."""

    class Meta:
        model = MedicationLine

    patient = SubFactory(PatientFactory)
    product_id = "morphine-depot-tablet"
    strength = Decimal(30)
    units_per_dose = Decimal(1)
    doses_per_day = Decimal(2)
    start_date = datetime.date(2025, 1, 6)
