"""Every medication line says where it came from and when it was last reconciled."""

import datetime
from decimal import Decimal

from django.urls import reverse

from smertespor.medication.models import MedicationLine
from smertespor.medication.services import add_medication_line, mark_medication_line_reconciled


def add(patient, gp, **extra):
    return add_medication_line(
        patient=patient,
        by=gp,
        product_id="morphine-depot-tablet",
        strength=Decimal(30),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(2),
        start_date=datetime.date(2026, 1, 5),
        **extra,
    )


def test_a_typed_line_is_typed_and_never_reconciled(patient, gp):
    line = add(patient, gp)
    assert line.source == MedicationLine.Source.TYPED
    assert line.reconciled_at is None


def test_an_imported_line_is_reconciled_when_it_arrives(patient, gp):
    line = add(patient, gp, source=MedicationLine.Source.FHIR_IMPORT)
    assert line.reconciled_at is not None


def test_reconciling_keeps_the_earlier_version_in_the_history(patient, gp):
    line = add(patient, gp)
    mark_medication_line_reconciled(line=line, by=gp)
    line.refresh_from_db()
    assert line.reconciled_at is not None
    assert [h.reconciled_at is None for h in line.history.order_by("history_id")] == [True, False]


def test_the_medication_list_shows_the_source_in_danish(client_for, patient, gp):
    add(patient, gp)
    add(patient, gp, source=MedicationLine.Source.CSV_IMPORT)
    page = client_for(gp).get(reverse("medication:patient", args=[patient.pk])).content.decode()
    assert "Indtastet i Smertespor" in page
    assert "aldrig afstemt" in page
    assert "Importeret fra en CSV-fil" in page
    assert "afstemt 02.03.2026" in page
