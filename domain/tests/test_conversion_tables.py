"""Conversion tables: the shipped data, plain-row round trips, and tables that are refused."""

import datetime
from collections.abc import Mapping
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.omeq import (
    ConversionTable,
    ConversionTableError,
    DoseBand,
    DoseBandedRule,
    DoseUnit,
    ExcludedRule,
    LinearRule,
    Route,
    Rule,
    TableProblem,
    load_builtin_tables,
    table_from_toml,
)

D = Decimal
TABLES = load_builtin_tables()
META: dict[str, object] = {
    "id": "region-test",
    "version": "1",
    "title": "A test table",
    "source": "Made up for a test",
    "published": datetime.date(2025, 1, 1),
}


def issues(rows: list[Mapping[str, object]], meta: Mapping[str, object] = META) -> list[str]:
    with pytest.raises(ConversionTableError) as caught:
        ConversionTable.from_rows(meta, rows)
    return [f"{i.row}:{i.code}" for i in caught.value.issues]


def linear_row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "substance": "morphine",
        "route": "oral",
        "kind": "linear",
        "factor": D(1),
        "per_unit": "mg",
    }
    return {**row, **changes}


def test_it_ships_the_cdc_2022_and_nordic_tables() -> None:
    assert sorted(TABLES) == ["cdc-2022", "nordic"]


@pytest.mark.parametrize(
    ("table_id", "version", "published", "cited"),
    [
        ("cdc-2022", "2022.1", datetime.date(2022, 11, 4), "MMWR Recomm Rep 2022;71(No. RR-3)"),
        ("nordic", "2022.1", datetime.date(2022, 1, 26), "Helsedirektoratet"),
    ],
)
def test_each_shipped_table_names_its_version_date_and_source(
    table_id: str, version: str, published: datetime.date, cited: str
) -> None:
    table = TABLES[table_id]
    assert (table.id, table.version, table.published) == (table_id, version, published)
    assert cited in table.source and table.title


def test_cdc_2022_lists_only_the_drugs_and_routes_of_its_mme_table() -> None:
    rules = {(r.substance, r.route): r for r in TABLES["cdc-2022"].rules}
    oral = {"codeine", "hydrocodone", "hydromorphone", "methadone", "morphine"}
    oral |= {"oxycodone", "oxymorphone", "tapentadol", "tramadol"}
    assert {s for s, route in rules if route is Route.ORAL} == oral
    assert isinstance(rules["fentanyl", Route.TRANSDERMAL], LinearRule)
    assert "ketobemidone" not in TABLES["cdc-2022"].substances


def test_cdc_2022_excludes_buprenorphine_with_a_reason_on_every_route_it_lists() -> None:
    table = TABLES["cdc-2022"]
    for route in table.routes_for("buprenorphine"):
        rule = table.rule_for("buprenorphine", route)
        assert isinstance(rule, ExcludedRule)
        assert "partial agonist" in rule.reason


def test_nordic_methadone_bands_follow_the_morphine_to_methadone_ratios() -> None:
    rule = TABLES["nordic"].rule_for("methadone", Route.ORAL)
    assert isinstance(rule, DoseBandedRule)
    assert [(b.from_morphine_mg_per_day, b.factor) for b in rule.bands] == [
        (D(30), D(5)),
        (D(90), D(6)),
        (D(300), D(8)),
        (D(600), D(10)),
        (D(1000), D(12)),
    ]


def test_nordic_patch_factors_come_from_the_ratios_on_mg_released_per_day() -> None:
    table = TABLES["nordic"]
    # 1 mcg/h = 24 mcg/day = 0.024 mg/day; ratios 92.5 (buprenorphine) and 100 (fentanyl).
    for substance, ratio in (("buprenorphine", D("92.5")), ("fentanyl", D(100))):
        rule = table.rule_for(substance, Route.TRANSDERMAL)
        assert isinstance(rule, LinearRule)
        assert rule.factor == ratio * D("0.024")
        assert rule.per_unit is DoseUnit.MCG_PER_H


@pytest.mark.parametrize("table_id", ["cdc-2022", "nordic"])
def test_a_shipped_table_round_trips_through_plain_rows(table_id: str) -> None:
    table = TABLES[table_id]
    assert ConversionTable.from_rows(*table.to_rows()) == table


def test_rows_are_plain_data_with_none_for_fields_of_other_kinds() -> None:
    meta, rows = TABLES["nordic"].to_rows()
    assert meta["published"] == datetime.date(2022, 1, 26)
    methadone = next(r for r in rows if r["substance"] == "methadone")
    assert methadone["kind"] == "dose_banded" and methadone["factor"] is None
    assert methadone["bands"] is not None
    assert methadone["bands"][0] == {"from_morphine_mg_per_day": D(30), "factor": D(5)}


def test_rows_may_give_numbers_as_strings_and_the_date_as_iso_text() -> None:
    meta = {**META, "published": "2025-01-01"}
    table = ConversionTable.from_rows(meta, [linear_row(factor="1.5")])
    assert table.rule_for("morphine", Route.ORAL) == LinearRule(
        "morphine", Route.ORAL, D("1.5"), DoseUnit.MG
    )


def test_the_order_of_rows_does_not_matter() -> None:
    rows = [linear_row(), linear_row(substance="oxycodone", factor=D("1.5"))]
    assert ConversionTable.from_rows(META, rows) == ConversionTable.from_rows(META, rows[::-1])


def test_a_float_factor_is_refused() -> None:
    assert issues([linear_row(factor=1.5)]) == ["0:bad_value"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (linear_row(factor=D(0)), "0:factor_not_positive"),
        (linear_row(factor=D(-1)), "0:factor_not_positive"),
        (linear_row(factor="lots"), "0:bad_value"),
        (linear_row(factor=None), "0:missing_field"),
        (linear_row(route="intrathecal"), "0:bad_value"),
        (linear_row(kind="magic"), "0:bad_value"),
        (linear_row(substance="Morphine"), "0:bad_value"),
        (linear_row(per_unit="mcg/h"), "0:unit_does_not_fit_route"),
        (linear_row(route="transdermal"), "0:unit_does_not_fit_route"),
        (linear_row(reason="why not"), "0:field_not_allowed"),
        (linear_row(factr=D(1)), "0:unknown_field"),
        ({"substance": "x", "route": "oral", "kind": "excluded"}, "0:missing_field"),
        ({"substance": "x", "route": "oral", "kind": "excluded", "reason": " "}, "0:missing_field"),
        (
            {"substance": "x", "route": "oral", "kind": "dose_banded", "per_unit": "mg",
             "bands": []},
            "0:missing_field",
        ),
    ],
)  # fmt: skip
def test_a_bad_rule_row_is_refused_with_its_row_and_code(
    row: dict[str, object], expected: str
) -> None:
    assert issues([row]) == [expected]


def band(edge: int, factor: int) -> dict[str, object]:
    return {"from_morphine_mg_per_day": edge, "factor": factor}


@pytest.mark.parametrize(
    "bands",
    [
        [band(90, 6), band(30, 5)],
        [band(30, 6), band(90, 5)],
        [band(30, 5), band(30, 6)],
    ],
    ids=["edges-falling", "factors-falling", "edges-repeated"],
)
def test_dose_bands_must_rise(bands: list[dict[str, object]]) -> None:
    row = {"substance": "methadone", "route": "oral", "kind": "dose_banded", "per_unit": "mg"}
    assert issues([{**row, "bands": bands}]) == ["0:bands_not_ascending"]


def test_every_issue_of_every_row_is_reported_at_once() -> None:
    rows: list[Mapping[str, object]] = [
        linear_row(),
        linear_row(substance="codeine", factor=D(-1)),
        linear_row(),
        {"kind": "linear"},
    ]
    meta = {**META, "title": " ", "published": "yesterday"}
    assert issues(rows, meta) == [
        "None:missing_field",
        "None:bad_value",
        "1:factor_not_positive",
        "2:duplicate_rule",
        "3:bad_value",
        "3:bad_value",
        "3:missing_field",
        "3:missing_field",
    ]


def test_a_rule_given_twice_is_refused() -> None:
    assert issues([linear_row(), linear_row(factor=D(2))]) == ["1:duplicate_rule"]


def test_an_unknown_table_field_is_refused() -> None:
    assert issues([linear_row()], {**META, "signed_off_by": "someone"}) == ["None:unknown_field"]


def test_a_table_file_that_is_not_toml_is_refused() -> None:
    with pytest.raises(ConversionTableError) as caught:
        table_from_toml("id = ")
    assert caught.value.issues[0].code is TableProblem.BAD_VALUE


def test_a_table_file_reads_its_factors_as_exact_decimals() -> None:
    text = """
        id = "t"
        version = "1"
        title = "T"
        source = "S"
        published = 2025-01-01
        [[rules]]
        substance = "tramadol"
        route = "oral"
        kind = "linear"
        factor = 0.15
        per_unit = "mg"
    """
    rule = table_from_toml(text).rule_for("tramadol", Route.ORAL)
    assert isinstance(rule, LinearRule) and rule.factor == D("0.15")


def test_the_constructor_refuses_what_from_rows_refuses() -> None:
    duplicate = (LinearRule("morphine", Route.ORAL, D(1), DoseUnit.MG),) * 2
    with pytest.raises(ConversionTableError) as caught:
        ConversionTable("", "1", "T", "S", datetime.date(2025, 1, 1), rules=duplicate)
    assert [i.code for i in caught.value.issues] == ["missing_field", "duplicate_rule"]


def test_the_shipped_tables_load_as_fresh_dicts_of_the_same_tables() -> None:
    first = load_builtin_tables()
    first.clear()
    assert load_builtin_tables() == TABLES


# --- properties -------------------------------------------------------------------------

positive = st.decimals(min_value=D("0.001"), max_value=D("1000"), places=3)
substances = st.sampled_from(["morphine", "oxycodone", "codeine", "ketobemidone", "x-1"])


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    substance, route = draw(substances), draw(st.sampled_from(list(Route)))
    note = draw(st.text(max_size=20))
    kind = draw(st.sampled_from(["linear", "excluded", "banded"]))
    unit = (
        DoseUnit.MCG_PER_H
        if route is Route.TRANSDERMAL
        else draw(st.sampled_from([DoseUnit.MG, DoseUnit.MCG]))
    )
    if kind == "excluded":
        return ExcludedRule(
            substance, route, reason=draw(st.text(min_size=1)).strip() or "r", note=note
        )
    if kind == "linear":
        return LinearRule(substance, route, factor=draw(positive), per_unit=unit, note=note)
    edges = sorted(draw(st.sets(positive, min_size=1, max_size=5)))
    factors = sorted(draw(st.lists(positive, min_size=len(edges), max_size=len(edges))))
    bands = tuple(DoseBand(e, f) for e, f in zip(edges, factors, strict=True))
    return DoseBandedRule(substance, route, per_unit=unit, bands=bands, note=note)


@st.composite
def tables(draw: st.DrawFn) -> ConversionTable:
    drawn = draw(st.lists(rules(), max_size=8, unique_by=lambda r: (r.substance, r.route)))
    text = st.text(min_size=1, max_size=30).filter(str.strip)
    return ConversionTable(
        id=draw(text),
        version=draw(text),
        title=draw(text),
        source=draw(text),
        published=draw(st.dates()),
        note=draw(st.text(max_size=30)),
        rules=tuple(drawn),
    )


@given(tables())
def test_any_table_round_trips_through_plain_rows(table: ConversionTable) -> None:
    assert ConversionTable.from_rows(*table.to_rows()) == table


@given(tables())
def test_a_table_is_hashable_and_equal_to_its_copy(table: ConversionTable) -> None:
    copy = ConversionTable.from_rows(*table.to_rows())
    assert hash(copy) == hash(table)
