"""The CSV parser on its own (no database): encodings, separators, decimal commas and a
problem per row and column, in Danish."""

from decimal import Decimal
from pathlib import Path

import pytest

from domain.catalogue import shipped_catalogue
from smertespor.interop.csv_medication import (
    COLUMNS,
    MAX_BYTES,
    CsvRefused,
    parse_medication_csv,
)

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "medication-import-sample.csv"
HEADER = ";".join(COLUMNS)


def parse(text, encoding="utf-8"):
    return parse_medication_csv(text.encode(encoding), shipped_catalogue())


def test_the_sample_in_the_docs_reads_without_problems():
    report = parse_medication_csv(SAMPLE.read_bytes(), shipped_catalogue())
    assert report.problems == []
    assert [row.row for row in report.rows] == [2, 3, 4]
    assert report.rows[1].line.units_per_dose == Decimal("0.5")
    assert report.rows[1].line.prn and report.rows[1].line.max_doses_per_day == 4


def test_a_danish_excel_export_in_windows_1252_is_read_and_said_so():
    row = "0101701234;morphine-depot-tablet;30;1;1,5;nej;;smerter;05-01-2026;Bøvl med søvn"
    text = f"{HEADER}\r\n{row}\r\n"
    report = parse(text, "cp1252")
    assert (report.encoding, report.separator) == ("Windows-1252", ";")
    [row] = report.rows
    assert row.line.doses_per_day == Decimal("1.5")
    assert row.line.note == "Bøvl med søvn"


def test_utf8_with_commas_and_a_bom_is_read():
    text = (
        "\ufeff"
        + HEADER.replace(";", ",")
        + "\n0101701234,morphine-depot-tablet,30,1,2,nej,,smerter,2026-01-05,\n"
    )
    report = parse(text)
    assert (report.encoding, report.separator) == ("UTF-8", ",")
    assert report.rows[0].line.start_date.isoformat() == "2026-01-05"


def test_each_problem_names_its_row_and_column_in_danish():
    text = "\n".join(
        [
            HEADER,
            "0101701234;morphine-depot-tablet;30;1;2;nej;;smerter;05-01-2026;",
            "3213701234;unobtainium;abc;0;2;kanske;;migræne;32-13-2026;",
        ]
    )
    report = parse(text)
    assert [row.row for row in report.rows] == [2]
    problems = {(p.row, p.column): p.message for p in report.problems}
    assert set(problems) == {
        (3, "cpr"), (3, "produkt"), (3, "styrke"), (3, "enheder_pr_dosis"),
        (3, "efter_behov"), (3, "indikation"), (3, "startdato"),
    }  # fmt: skip
    assert "findes ikke i kataloget" in problems[(3, "produkt")]
    assert "fødselsdato" in problems[(3, "cpr")]


def test_a_strength_not_marketed_lists_the_marketed_ones():
    report = parse(f"{HEADER}\n0101701234;morphine-depot-tablet;25;1;2;nej;;smerter;05-01-2026;")
    [problem] = report.problems
    assert problem.column == "styrke" and "10, 30, 60" in problem.message


def test_an_as_needed_row_without_its_maximum_is_a_problem():
    report = parse(f"{HEADER}\n0101701234;morphine-tablet;10;1;;ja;;smerter;05-01-2026;")
    assert [(p.row, p.column) for p in report.problems] == [(2, "max_doser_pr_doegn")]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(b"", "tom", id="empty"),
        pytest.param(b"cpr;produkt\n1;2\n", "Kolonner mangler", id="missing-columns"),
        pytest.param(HEADER.encode() + b"\n", "ingen rækker", id="no-rows"),
        pytest.param(b"x" * (MAX_BYTES + 1), "MB", id="too-large"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(data, words):
    with pytest.raises(CsvRefused, match=words):
        parse_medication_csv(data, shipped_catalogue())


def test_numbers_a_medication_line_cannot_hold_are_problems():
    report = parse(
        f"{HEADER}\n0101701234;morphine-depot-tablet;30;1e400;2;nej;;smerter;05-01-2026;"
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "enheder_pr_dosis")]


def test_a_field_too_large_for_the_csv_reader_is_refused_whole():
    data = f'{HEADER}\n"{"x" * 200_000}";b\n'.encode()
    with pytest.raises(CsvRefused):
        parse_medication_csv(data, shipped_catalogue())
