"""Importing a dispensing extract (CSV or Parquet): validated at the boundary, all or nothing.

Every cell is checked in DuckDB (`_CHECKS`) and every problem is reported with its row number
(the first data row is 1), column and reason. A file with any bad row, a wrong set of
columns, or (CSV) bytes that are not UTF-8 is refused whole and nothing is stored. An accepted
file is written as typed Parquet under MEDIA_ROOT/screening/ and recorded as a
`DispensingExtract`.
"""

from __future__ import annotations

import codecs
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from domain.screening import DISPENSING_COLUMNS
from smertespor.accounts.models import User
from smertespor.evaluation.screening_models import DispensingExtract

REPORT_LIMIT = 1000  # problems listed on the page; the count is always complete

# column -> (SQL that is true when the cell is bad, the reason shown)
_CHECKS: dict[str, tuple[str, str]] = {
    "person_id": (
        "NOT regexp_full_match(coalesce(v, ''), '[0-9a-f]{64}')",
        gettext_noop("must be a pseudonym of 64 lower-case hexadecimal characters"),
    ),
    "dispensed_on": (
        "try_cast(v AS DATE) IS NULL",
        gettext_noop("must be a date written YYYY-MM-DD"),
    ),
    "atc": (
        "NOT regexp_full_match(coalesce(v, ''), '[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}')",
        gettext_noop("must be a 7-character ATC code, e.g. N02AA05"),
    ),
    "product_number": (
        "NOT regexp_full_match(coalesce(v, ''), '[0-9]{6}')",
        gettext_noop("must be a product number of 6 digits"),
    ),
    "strength": (
        "coalesce(NOT (try_cast(v AS DOUBLE) > 0 AND try_cast(v AS DOUBLE) < 1e6), true)",
        gettext_noop("must be a number above 0"),
    ),
    "pack_size": (
        "coalesce(NOT (try_cast(v AS INTEGER) BETWEEN 1 AND 100000), true)",
        gettext_noop("must be a whole number from 1 to 100000"),
    ),
    "packs": (
        "coalesce(NOT (try_cast(v AS INTEGER) BETWEEN 1 AND 1000), true)",
        gettext_noop("must be a whole number from 1 to 1000"),
    ),
    "provider_number": (
        "NOT regexp_full_match(coalesce(v, ''), '[0-9]{6}')",
        gettext_noop("must be a provider number of 6 digits"),
    ),
}
_TYPED = """
SELECT person_id, CAST(dispensed_on AS DATE) AS dispensed_on, atc, product_number,
       CAST(strength AS DOUBLE) AS strength, CAST(pack_size AS INTEGER) AS pack_size,
       CAST(packs AS SMALLINT) AS packs, provider_number
FROM raw_text
"""


@dataclass(frozen=True)
class RowProblem:
    row: int | None  # None: the problem is the file's, not a row's
    column: str
    problem: str  # translated


@dataclass
class ImportReport:
    problems: list[RowProblem] = field(default_factory=list)
    bad_rows: int = 0
    total_problems: int = 0
    extract: DispensingExtract | None = None

    @property
    def is_accepted(self) -> bool:
        return self.extract is not None


def import_extract(*, path: Path, original_name: str, by: User | None) -> ImportReport:
    """Validate the file at `path` and store it if every row is good."""
    report = ImportReport()
    suffix = Path(original_name).suffix.lower()
    if suffix not in {".csv", ".parquet"}:
        return _refused(report, _("The file must be CSV (.csv) or Parquet (.parquet)."))
    if suffix == ".csv" and not _is_utf8(path):
        return _refused(report, _("The file is not UTF-8 text. Save the CSV file as UTF-8."))
    con = duckdb.connect()
    try:
        try:
            if suffix == ".csv":
                relation = con.read_csv(str(path), header=True, all_varchar=True)
            else:
                relation = con.read_parquet(str(path))
        except duckdb.Error:
            return _refused(
                report, _("The file cannot be read as %(kind)s.") % {"kind": suffix[1:]}
            )
        columns = [c.lower() for c in relation.columns]
        missing = [c for c in DISPENSING_COLUMNS if c not in columns]
        extra = [c for c in columns if c not in DISPENSING_COLUMNS]
        if missing or extra or len(columns) != len(set(columns)):
            text = _("The columns must be exactly: %(expected)s.") % {
                "expected": ", ".join(DISPENSING_COLUMNS)
            }
            if missing:
                text += " " + _("Missing: %(names)s.") % {"names": ", ".join(missing)}
            if extra:
                text += " " + _("Not expected: %(names)s.") % {"names": ", ".join(extra)}
            return _refused(report, text)
        relation.create_view("raw")
        select = ", ".join(f'CAST("{c}" AS VARCHAR) AS {c}' for c in DISPENSING_COLUMNS)
        con.execute(
            f"CREATE TEMP TABLE raw_text AS SELECT row_number() OVER () AS row_no, {select} "  # noqa: S608 - fixed column names
            "FROM raw"
        )
        _collect_problems(con, report)
        if report.total_problems or _count(con, "SELECT count(*) FROM raw_text") == 0:
            if not report.total_problems:
                return _refused(report, _("The file has no rows."))
            return report
        return _store(con, report, original_name=original_name, by=by)
    finally:
        con.close()


def _collect_problems(con: duckdb.DuckDBPyConnection, report: ImportReport) -> None:
    checks = " UNION ALL ".join(
        f"SELECT row_no, '{column}' AS col FROM (SELECT row_no, {column} AS v FROM raw_text) "  # noqa: S608 - fixed SQL
        f"WHERE {condition}"
        for column, (condition, _reason) in _CHECKS.items()
    )
    con.execute(f"CREATE TEMP TABLE problems AS {checks}")
    report.total_problems = _count(con, "SELECT count(*) FROM problems")
    report.bad_rows = _count(con, "SELECT count(DISTINCT row_no) FROM problems")
    order = {column: i for i, column in enumerate(DISPENSING_COLUMNS)}
    rows = con.execute("SELECT row_no, col FROM problems ORDER BY row_no").fetchall()
    rows = sorted(rows[: REPORT_LIMIT * 8], key=lambda r: (r[0], order[r[1]]))[:REPORT_LIMIT]
    report.problems = [RowProblem(int(row), column, _(_CHECKS[column][1])) for row, column in rows]


def _store(
    con: duckdb.DuckDBPyConnection, report: ImportReport, *, original_name: str, by: User | None
) -> ImportReport:
    folder = Path(settings.MEDIA_ROOT) / "screening"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"extract-{uuid.uuid4().hex}.parquet"
    con.sql(_TYPED).write_parquet(str(target))
    span = con.sql(_TYPED).aggregate("min(dispensed_on), max(dispensed_on), count(*)").fetchone()
    assert span is not None  # noqa: S101 - an aggregate always returns a row
    try:
        with transaction.atomic():
            report.extract = DispensingExtract.objects.create(
                original_name=original_name[:255],
                stored_path=str(target.relative_to(Path(settings.MEDIA_ROOT))),
                sha256=_sha256(target),
                rows=span[2],
                first_date=span[0],
                last_date=span[1],
                uploaded_by=by,
                uploaded_at=timezone.now(),
            )
    except Exception:
        target.unlink(missing_ok=True)  # nothing stays behind when the record is not saved
        raise
    return report


def extract_path(extract: DispensingExtract) -> Path:
    return Path(settings.MEDIA_ROOT) / extract.stored_path


def _refused(report: ImportReport, text: str) -> ImportReport:
    report.problems = [RowProblem(None, "", text)]
    report.total_problems = 1
    return report


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
