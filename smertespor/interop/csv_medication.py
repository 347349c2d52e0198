"""Reading a practice system's medication extract (CSV): one parser for the web page and
the API. No database: it checks every row against the catalogue and reports each problem by
row number and column, in the user's language.

Danish Excel writes Windows-1252 with semicolons and decimal commas; other systems write
UTF-8 with commas. Both are read, and the report says which encoding was found.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from domain.catalogue import Catalogue, CatalogueError
from smertespor.interop.fhir_import import MedicationInput
from smertespor.patients.services import valid_cpr

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = (
    "cpr",
    "produkt",
    "styrke",
    "enheder_pr_dosis",
    "doser_pr_doegn",
    "efter_behov",
    "max_doser_pr_doegn",
    "indikation",
    "startdato",
    "note",
)
REQUIRED = ("cpr", "produkt", "styrke", "enheder_pr_dosis", "startdato")
_YES = {"ja", "j", "yes", "1", "x", "true"}
_NO = {"nej", "n", "no", "0", "", "false"}
_INDICATIONS = {
    "": "pain",
    "smerter": "pain",
    "pain": "pain",
    "substitution": "opioid_use_disorder",
    "opioid_use_disorder": "opioid_use_disorder",
}
_DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d")


class CsvRefused(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # the file's line number, the header being 1
    column: str
    message: str


@dataclass(frozen=True)
class CsvRow:
    row: int
    cpr: str
    line: MedicationInput


@dataclass
class CsvReport:
    encoding: str
    separator: str
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    # The rows with a problem whose CPR number could be read: that patient is not imported.
    refused_rows: dict[str, list[int]] = field(default_factory=dict)

    def problem_rows(self) -> set[int]:
        return {p.row for p in self.problems}

    def by_patient(self) -> dict[str, list[CsvRow]]:
        grouped: dict[str, list[CsvRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.cpr, []).append(row)
        return grouped

    def cprs(self) -> list[str]:
        """Every readable CPR number in the file, in the order first seen."""
        seen = {row.cpr: row.row for row in reversed(self.rows)}
        for cpr, rows in self.refused_rows.items():
            seen[cpr] = min([*rows, seen.get(cpr, rows[0])])
        return sorted(seen, key=lambda cpr: seen[cpr])


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in: UTF-8 (with or without BOM), else
    Windows-1252 (which maps nearly every byte, so it is tried last)."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise CsvRefused(_("The file is neither UTF-8 nor Windows-1252 text.")) from None


def _separator(header: str) -> str:
    return ";" if header.count(";") >= header.count(",") else ","


def _decimal(text: str) -> Decimal | None:
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." in cleaned:  # 1.234,5: thousands point, decimal comma
        cleaned = cleaned.replace(".", "")
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        return None
    return value if _plausible(value) else None


def _plausible(value: Decimal) -> bool:
    """A dose number the medication list can hold: finite, below a million, four decimals."""
    return value.is_finite() and abs(value) < 10**6 and value == value.quantize(Decimal("0.0001"))


def _date(text: str) -> datetime.date | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def parse_medication_csv(data: bytes, catalogue: Catalogue) -> CsvReport:
    """Every row read into a line, or its problems (`CsvRefused` if the file cannot be read)."""
    if len(data) > MAX_BYTES:
        raise CsvRefused(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 1024 // 1024}
        )
    text, encoding = decode(data)
    if not text.strip():
        raise CsvRefused(_("The file is empty."))
    header_line = text.splitlines()[0]
    separator = _separator(header_line)
    try:
        return _parse_rows(text, encoding, separator, catalogue)
    except csv.Error:
        raise CsvRefused(_("The file is not a readable CSV file.")) from None


def _parse_rows(text: str, encoding: str, separator: str, catalogue: Catalogue) -> CsvReport:
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise CsvRefused(
            _("Columns missing from the first line: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    report = CsvReport(encoding=encoding, separator=separator)
    for number, values in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise CsvRefused(_("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS})
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            message = _("The row has %(found)s columns; the header has %(expected)s.")
            counts = {"found": len(values), "expected": len(header)}
            report.problems.append(RowProblem(number, "", message % counts))
            continue
        _read_row(report, number, dict(zip(header, values, strict=True)), catalogue)
    if not report.rows and not report.problems:
        raise CsvRefused(_("The file has no rows below the header."))
    return report


def _read_row(report: CsvReport, number: int, row: dict[str, str], catalogue: Catalogue) -> None:
    problems: list[RowProblem] = []

    def problem(column: str, message: str) -> None:
        problems.append(RowProblem(number, column, message))

    cpr = ""
    try:
        cpr = valid_cpr(row["cpr"].strip()).number
    except ValidationError as error:
        problem("cpr", " ".join(str(m) for m in error.messages))
    product_id = row["produkt"].strip()
    strength = _decimal(row["styrke"])
    try:
        product = catalogue.by_id(product_id)
    except CatalogueError:
        product = None
        problem(
            "produkt", _("The product %(code)s is not in the catalogue.") % {"code": product_id}
        )
    if strength is None:
        problem("styrke", _("Not a number: %(value)s.") % {"value": row["styrke"]})
    elif product is not None:
        try:
            product.strength(strength)
        except CatalogueError:
            marketed = ", ".join(s.label for s in product.strengths)
            message = _("%(name)s is not marketed in this strength (marketed: %(marketed)s).")
            problem("styrke", message % {"name": product.name, "marketed": marketed})
    units = _decimal(row["enheder_pr_dosis"])
    if units is None or units <= 0:
        problem("enheder_pr_dosis", _("Give a positive number, e.g. 1 or 0,5."))
    prn_text = row.get("efter_behov", "").strip().lower()
    if prn_text not in _YES | _NO:
        problem("efter_behov", _("Write ja or nej."))
    prn = prn_text in _YES
    per_day = (
        _decimal(row.get("doser_pr_doegn", "")) if row.get("doser_pr_doegn", "").strip() else None
    )
    most = (
        _decimal(row.get("max_doser_pr_doegn", ""))
        if row.get("max_doser_pr_doegn", "").strip()
        else None
    )
    if row.get("doser_pr_doegn", "").strip() and per_day is None:
        problem("doser_pr_doegn", _("Not a number: %(value)s.") % {"value": row["doser_pr_doegn"]})
    if prn and most is None:
        problem("max_doser_pr_doegn", _("An as-needed line needs its maximum per day."))
    indication = _INDICATIONS.get(row.get("indikation", "").strip().lower())
    if indication is None:
        problem("indikation", _("Write smerter or substitution."))
    start = _date(row["startdato"])
    if start is None:
        problem(
            "startdato",
            _("Not a date: %(value)s (write DD-MM-YYYY).") % {"value": row["startdato"]},
        )
    if problems:
        report.problems.extend(problems)
        if cpr:
            report.refused_rows.setdefault(cpr, []).append(number)
        return
    assert strength is not None and units is not None and indication is not None  # noqa: S101
    report.rows.append(
        CsvRow(
            row=number,
            cpr=cpr,
            line=MedicationInput(
                product_id=product_id,
                strength=strength,
                units_per_dose=units,
                doses_per_day=None if prn else per_day,
                prn=prn,
                max_doses_per_day=most if prn else None,
                indication=indication,
                start_date=start,
                note=row.get("note", "").strip(),
            ),
        )
    )
