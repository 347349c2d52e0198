"""The demo region's screening: a small synthetic extract whose pseudonyms include some demo
patients of each practice (regular high-dose or short-acting opioids, some with a sleeping
pill), imported and screened like a real one, so `make run` shows results at once."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.parquet as pq
from django.utils import timezone

from domain.dispensing_synthetic import generate_dispensings, practice_numbers
from domain.screening import product_register
from smertespor.accounts.models import Organisation
from smertespor.evaluation.screening_import import import_extract
from smertespor.evaluation.screening_matching import pseudonym_for, pseudonym_key
from smertespor.evaluation.screening_models import ScreeningRun
from smertespor.evaluation.screening_services import run_screening
from smertespor.patients.models import Patient

DEMO_PEOPLE = 3000
FLAGGED_PER_PRACTICE = 4
# (catalogue product, strength, pack size, days between refills, co-medication)
_PATTERNS = (
    ("oxycodone-depot-tablet", "40", 100, 50, None),
    ("tramadol-capsule", "50", 100, 45, "zopiclone-tablet"),
    ("morphine-depot-tablet", "60", 100, 55, None),
    ("codeine-paracetamol-tablet", "30", 100, 40, "pregabalin-capsule"),
)


def load_demo_screening(practices: list[Organisation]) -> int:
    """Import and screen the demo extract once; returns the number of runs made (0 or 1)."""
    if ScreeningRun.objects.exists() or not practices:
        return 0
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=365)
    table = generate_dispensings(
        people=DEMO_PEOPLE,
        seed=1082,
        key=pseudonym_key(),
        practices=len(practices),
        first_day=first_day,
    )
    frame = table.to_pandas()
    numbers = dict(
        zip(practice_numbers(len(practices)), [p.provider_number for p in practices], strict=True)
    )
    frame["provider_number"] = frame["provider_number"].map(numbers)
    frame = pd.concat([frame, _demo_patient_rows(practices, first_day)], ignore_index=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-dispensing.parquet"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
        report = import_extract(path=path, original_name="demo-dispensing.parquet", by=None)
    if report.extract is None:  # the demo's own data must pass its own checks
        raise RuntimeError(f"The demo extract was refused: {report.problems[:3]}")
    run_screening(report.extract)
    return 1


def _demo_patient_rows(practices: list[Organisation], first_day: datetime.date) -> pd.DataFrame:
    register = {(r["product_id"], str(r["strength"])): r for r in product_register()}
    rows = []
    for practice in practices:
        patients = Patient.objects.filter(listed_practice=practice).order_by("cpr")
        for index, patient in enumerate(patients[:FLAGGED_PER_PRACTICE]):
            product, strength, pack, every, co = _PATTERNS[index % len(_PATTERNS)]
            person = pseudonym_for(patient.cpr)
            for refill in range(0, 360, every):
                day = first_day + datetime.timedelta(days=refill)
                rows.append(_row(register[(product, strength)], person, day, pack, practice))
                if co:
                    co_row = next(r for (pid, _s), r in register.items() if pid == co)
                    rows.append(_row(co_row, person, day, 30, practice))
    return pd.DataFrame(rows)


def _row(
    product: dict[str, object], person: str, day: datetime.date, pack: int, practice: Organisation
) -> dict[str, object]:
    return {
        "person_id": person,
        "dispensed_on": day,
        "atc": product["atc"],
        "product_number": product["product_number"],
        "strength": float(str(product["strength"])),
        "pack_size": pack,
        "packs": 1,
        "provider_number": practice.provider_number,
    }
