"""Importing a dispensing extract: every bad row reported, refused whole, nothing stored."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smertespor.evaluation.screening_import import import_extract
from smertespor.evaluation.screening_models import DispensingExtract, ScreeningRun
from smertespor.evaluation.screening_services import run_screening
from smertespor.evaluation.tests.screening_fixtures import long_term_rows, write_csv

pytestmark = pytest.mark.django_db

PERSON = "a" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_files(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "screening"
    return list(folder.glob("*")) if folder.exists() else []


def test_a_good_csv_is_stored_as_parquet_and_recorded(tmp_path, settings) -> None:
    path = write_csv(tmp_path / "good.csv", long_term_rows(PERSON, "100001"))
    report = import_extract(path=path, original_name="good.csv", by=None)
    assert report.is_accepted
    extract = DispensingExtract.objects.get()
    assert extract.rows == 4
    assert extract.first_date.isoformat() == "2025-01-06"
    assert len(stored_files(settings)) == 1
    assert stored_files(settings)[0].suffix == ".parquet"


def test_every_bad_row_is_reported_and_nothing_is_stored(tmp_path, settings) -> None:
    rows = long_term_rows(PERSON, "100001")
    rows[1]["dispensed_on"] = "2025-02-30"
    rows[2]["packs"] = "0"
    rows[2]["atc"] = "N02"
    rows[3]["person_id"] = "not-a-pseudonym"
    report = import_extract(
        path=write_csv(tmp_path / "bad.csv", rows), original_name="bad.csv", by=None
    )
    assert not report.is_accepted
    assert report.bad_rows == 3
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "dispensed_on"),
        (3, "atc"),
        (3, "packs"),
        (4, "person_id"),
    ]
    assert "YYYY-MM-DD" in report.problems[0].problem
    assert DispensingExtract.objects.count() == 0
    assert stored_files(settings) == []


def test_the_problems_are_in_danish(tmp_path) -> None:
    rows = long_term_rows(PERSON, "1")
    report = import_extract(
        path=write_csv(tmp_path / "bad.csv", rows), original_name="bad.csv", by=None
    )
    assert report.problems[0].problem == "skal være et ydernummer på 6 cifre"


def test_wrong_columns_are_refused(tmp_path) -> None:
    rows = long_term_rows(PERSON, "100001")
    columns = (
        "person_id",
        "dispensed_on",
        "atc",
        "product_number",
        "strength",
        "pack_size",
        "packs",
    )
    report = import_extract(
        path=write_csv(tmp_path / "short.csv", rows, columns), original_name="short.csv", by=None
    )
    assert not report.is_accepted
    assert "provider_number" in report.problems[0].problem
    assert DispensingExtract.objects.count() == 0


def test_a_csv_that_is_not_utf8_is_refused(tmp_path) -> None:
    path = write_csv(tmp_path / "latin1.csv", long_term_rows(PERSON, "100001"))
    path.write_bytes(path.read_bytes() + "Ærø;æøå\n".encode("latin-1"))
    report = import_extract(path=path, original_name="latin1.csv", by=None)
    assert not report.is_accepted
    assert "UTF-8" in report.problems[0].problem
    assert DispensingExtract.objects.count() == 0


def test_another_file_type_is_refused(tmp_path) -> None:
    path = tmp_path / "extract.xlsx"
    path.write_bytes(b"PK\x03\x04")
    report = import_extract(path=path, original_name="extract.xlsx", by=None)
    assert not report.is_accepted
    assert DispensingExtract.objects.count() == 0


def test_a_parquet_file_with_a_bad_row_is_refused(tmp_path) -> None:
    rows = long_term_rows(PERSON, "100001")
    rows[0]["strength"] = "-5"
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, tmp_path / "bad.parquet")
    report = import_extract(path=tmp_path / "bad.parquet", original_name="bad.parquet", by=None)
    assert [(p.row, p.column) for p in report.problems] == [(1, "strength")]
    assert DispensingExtract.objects.count() == 0


def test_run_screening_reports_progress_and_stores_counts_and_findings(tmp_path) -> None:
    rows = long_term_rows(PERSON, "100001") + long_term_rows("b" * 64, "100001")
    report = import_extract(
        path=write_csv(tmp_path / "x.csv", rows), original_name="x.csv", by=None
    )
    assert report.extract is not None
    seen: list[tuple[int, int, str]] = []
    run = run_screening(report.extract, progress=lambda d, t, m: seen.append((d, t, m)))
    assert run.status == ScreeningRun.Status.DONE
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _t, _m in seen] == sorted(d for d, _t, _m in seen)
    count = run.practices.get()
    assert (count.opioid_users, count.long_term, count.high_dose) == (2, 2, 2)
    assert sorted(run.findings.values_list("person_id", flat=True)) == ["a" * 64, "b" * 64]
