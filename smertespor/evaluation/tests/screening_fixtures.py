"""Shared helpers for the screening tests: a small extract and a finished run."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path
from typing import Any

from domain.screening import DISPENSING_COLUMNS, product_register
from smertespor.evaluation.screening_import import import_extract
from smertespor.evaluation.screening_matching import pseudonym_for
from smertespor.evaluation.screening_models import ScreeningRun
from smertespor.evaluation.screening_services import run_screening

OXY_40 = next(
    r
    for r in product_register()
    if r["product_id"] == "oxycodone-depot-tablet" and r["strength"] == 40
)


def long_term_rows(person_id: str, provider_number: str) -> list[dict[str, Any]]:
    """100 tablets of oxycodone 40 mg every 50 days for 200 days: long-term and high dose."""
    start = datetime.date(2025, 1, 6)
    return [
        {
            "person_id": person_id,
            "dispensed_on": (start + datetime.timedelta(days=day)).isoformat(),
            "atc": OXY_40["atc"],
            "product_number": OXY_40["product_number"],
            "strength": "40",
            "pack_size": "100",
            "packs": "1",
            "provider_number": provider_number,
        }
        for day in range(0, 200, 50)
    ]


def write_csv(
    path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...] = DISPENSING_COLUMNS
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def screened_run(tmp_path: Path, patients: list[Any], extra_people: int = 0) -> ScreeningRun:
    """Import and screen an extract in which each patient is a long-term high-dose user at
    their own practice, plus `extra_people` strangers at the first patient's practice."""
    rows: list[dict[str, Any]] = []
    for patient in patients:
        rows += long_term_rows(pseudonym_for(patient.cpr), patient.listed_practice.provider_number)
    for index in range(extra_people):
        rows += long_term_rows(f"{index:064x}", patients[0].listed_practice.provider_number)
    report = import_extract(
        path=write_csv(tmp_path / "extract.csv", rows), original_name="extract.csv", by=None
    )
    assert report.extract is not None, report.problems
    return run_screening(report.extract)
