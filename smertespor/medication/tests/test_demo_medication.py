"""The demo region's medication lists: realistic, with history, loaded once."""

from collections import Counter

from django.core.management import call_command

from smertespor.accounts.models import User
from smertespor.medication.models import MedicationLine, OmeqSnapshot
from smertespor.medication.selectors import current_catalogue
from smertespor.patients.models import Patient


def _counts():
    return (
        MedicationLine.objects.count(),
        MedicationLine.history.count(),
        OmeqSnapshot.objects.count(),
    )


def test_the_demo_region_loads_medication_once_and_again_changes_nothing(db):
    call_command("load_demo_region")
    counts = _counts()
    assert counts[0] > 0
    call_command("load_demo_region")
    assert _counts() == counts


def test_most_demo_patients_have_one_to_four_opioid_lines_with_omeq_history(db):
    call_command("load_demo_region")
    catalogue = {p.id: p for p in current_catalogue()}
    opioid_lines = Counter(
        line.patient_id
        for line in MedicationLine.objects.filter(ended_on__isnull=True)
        if catalogue[line.product_id].is_opioid
    )
    patients = Patient.objects.count()
    assert len(opioid_lines) >= patients * 0.7
    assert set(opioid_lines.values()) <= {1, 2, 3, 4}
    snapshots = Counter(OmeqSnapshot.objects.values_list("patient_id", flat=True))
    assert sum(1 for n in snapshots.values() if n >= 2) >= patients * 0.3
    assert OmeqSnapshot.objects.filter(is_computable=False).count() == 0
    assert OmeqSnapshot.objects.filter(max_mg_per_day__gte=100).exists()
    products = set(MedicationLine.objects.values_list("product_id", flat=True))
    assert {"fentanyl-patch", "methadone-tablet", "buprenorphine-patch-7-day"} <= products
    assert products & {"diazepam-tablet", "pregabalin-capsule", "gabapentin-capsule"}
    assert MedicationLine.objects.filter(prn=True).exists()
    assert MedicationLine.objects.filter(ended_on__isnull=False).exists()


def test_the_demo_gp_sees_omeq_on_a_patients_page(db, client_for):
    call_command("load_demo_region")
    client = client_for(User.objects.get(username="demo-gp"))
    line = MedicationLine.objects.filter(
        patient__listed_practice__users__username="demo-gp", ended_on__isnull=True
    ).first()
    assert line is not None
    page = client.get(f"/medication/patients/{line.patient_id}/").content.decode()
    assert 'data-testid="omeq-max"' in page
    assert "<svg" in page
