"""Reading a product catalogue file (CSV) for the catalogue import: one parser for the page
and the API. The file's format is handled here (UTF-8 or Windows-1252, `,` or `;`, decimal
commas in strengths); every product rule is the domain parser's (`parse_products_csv`),
whose findings are reported by row and column in the user's language.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from domain.catalogue import COLUMNS, MAX_ROWS, Product, parse_products_csv
from smertespor.interop.csv_medication import CsvRefused, RowProblem, decode

MAX_BYTES = 2 * 1024 * 1024
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]+")


@dataclass
class CatalogueCsvReport:
    encoding: str
    separator: str
    products: list[tuple[int, Product]] = field(default_factory=list)  # (row, product)
    problems: list[RowProblem] = field(default_factory=list)
    csv_text: str = ""  # the file as the domain parser reads it: commas, decimal points


def _strengths(cell: str) -> str:
    """52,5|70 -> 52.5|70 (a Danish decimal comma inside the list of strengths)."""
    items = [item.strip() for item in cell.split("|")]
    return "|".join(
        item.replace(",", ".") if _DECIMAL_COMMA.fullmatch(item) else item for item in items
    )


def parse_catalogue_csv(data: bytes, *, existing_ids: Collection[str]) -> CatalogueCsvReport:
    """Every row read into a product, or its problems (`CsvRefused` if the file cannot be
    read at all). ``existing_ids`` are the catalogue's products: a row may not repeat one."""
    if len(data) > MAX_BYTES:
        raise CsvRefused(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 1024 // 1024}
        )
    text, encoding = decode(data)
    if not text.strip():
        raise CsvRefused(_("The file is empty."))
    header_line = text.splitlines()[0]
    separator = ";" if header_line.count(";") >= header_line.count(",") else ","
    try:
        records = [
            (line, cells)
            for line, cells in _records(text, separator)
            if any(cell.strip() for cell in cells)
        ]
    except csv.Error:
        raise CsvRefused(_("The file is not a readable CSV file.")) from None
    header = [cell.strip().lower() for cell in records[0][1]]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise CsvRefused(
            _("Columns missing from the first line: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if len(records) == 1:
        raise CsvRefused(_("The file has no rows below the header."))
    if len(records) - 1 > MAX_ROWS:
        raise CsvRefused(_("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS})
    report = CatalogueCsvReport(encoding=encoding, separator=separator)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    source_rows = []
    for line, cells in records[1:]:
        if "strengths" in header and len(cells) == len(header):
            index = header.index("strengths")
            cells = [*cells[:index], _strengths(cells[index]), *cells[index + 1 :]]
        writer.writerow(cells)
        source_rows.append(line)
    report.csv_text = out.getvalue()
    # The domain parser names the line of its own text; map it back to the file's row.
    row_of = dict(
        zip(
            (line for line, _cells in _records(report.csv_text, ",")),
            [1, *source_rows],
            strict=True,
        )
    )
    result = parse_products_csv(report.csv_text, existing_ids=existing_ids)
    for error in result.errors:
        row = row_of.get(error.line, error.line)
        for problem in error.problems:
            column, message = danish_problem(problem, existing_ids=existing_ids)
            report.problems.append(RowProblem(row, column, message))
    report.products = list(zip(source_rows, result.products, strict=False))
    return report


def _records(text: str, separator: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    return [(reader.line_num, cells) for cells in reader]


def danish_problem(problem: str, *, existing_ids: Collection[str]) -> tuple[str, str]:
    """The column a domain finding is about, and the finding in the user's language. A rule
    without its own wording here is named with the domain's (English) reason."""
    if match := re.fullmatch(r"(\w+) is required", problem):
        return match[1], _("A value is required.")
    if match := re.match(r"ATC code '(.*)' is not of the form", problem):
        return "atc", _("The ATC code %(code)s is not of the form N02AA01 or N02AA.") % {
            "code": match[1]
        }
    if match := re.match(r"strength '(.*)' must be a positive number", problem):
        return "strengths", _("The strength %(value)s is not a positive number.") % {
            "value": match[1]
        }
    if problem == "strengths is required":
        return "strengths", _("A value is required.")
    if match := re.fullmatch(r"product id '(.*)' is already in use", problem):
        if match[1] in existing_ids:
            return "id", _("The product %(id)s is already in the catalogue.") % {"id": match[1]}
        return "id", _("The product %(id)s appears twice in the file.") % {"id": match[1]}
    if match := re.match(r"id '(.*)' must be lower-case", problem):
        return "id", _(
            "The product id %(id)s may hold only lower-case letters, digits and hyphens "
            "(at most 64)."
        ) % {"id": match[1]}
    if match := re.fullmatch(r"unknown (\w+) '(.*)' \(allowed: (.*)\)", problem):
        return match[1], _("Unknown value %(value)s (allowed: %(allowed)s).") % {
            "value": match[2],
            "allowed": match[3],
        }
    if match := re.fullmatch(r"(\w+) must be true or false.*", problem):
        return match[1], _("Write true or false.")
    if match := re.fullmatch(r"expected (\d+) cells, found (\d+)", problem):
        message = _("The row has %(found)s columns; the header has %(expected)s.")
        return "", message % {"found": match[2], "expected": match[1]}
    named = [column for column in COLUMNS if re.search(rf"\b{column}\b", problem)]
    return (named[0] if named else ""), _("Breaks a catalogue rule: %(reason)s") % {
        "reason": problem
    }
