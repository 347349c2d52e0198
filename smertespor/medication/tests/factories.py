"""Factories and helpers for the medication tests."""

import datetime
from decimal import Decimal

import factory
from factory.declarations import SubFactory

from smertespor.accounts.models import User
from smertespor.medication.models import ConversionTableVersion, MedicationLine
from smertespor.medication.table_services import sign_off_conversion_table
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


def sign_off(version: ConversionTableVersion, by: User) -> ConversionTableVersion:
    """Sign ``version`` off as ``by`` with the confirmation the page asks for."""
    version.refresh_from_db()
    return sign_off_conversion_table(
        table_version=version,
        by=by,
        confirm=f"{version.table_id} {version.version}",
        revision=version.revision,
    )
