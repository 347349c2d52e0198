"""Worked OMEQ examples for every row of each shipped table, and the known calculator pitfalls.

Each example's expected value is worked by hand from the source row named in its id.
"""

from decimal import Decimal

import pytest

from domain.omeq import (
    ConversionTable,
    DoseUnit,
    Indication,
    LineProblemCode,
    NotCountedReason,
    OmeqResult,
    RegimenError,
    RegimenLine,
    Release,
    Route,
    WarningCode,
    compute_omeq,
    default_thresholds,
    display_mg,
    load_builtin_tables,
)

D = Decimal
TABLES = load_builtin_tables()
MG, MCG, MCG_H = DoseUnit.MG, DoseUnit.MCG, DoseUnit.MCG_PER_H


def line(
    substance: str,
    dose: str,
    per_day: str = "1",
    *,
    route: Route = Route.ORAL,
    unit: DoseUnit = MG,
    prn: bool = False,
    max_doses_per_day: Decimal | None = None,
    indication: Indication = Indication.PAIN,
    release: Release = Release.UNKNOWN,
    label: str = "",
) -> RegimenLine:
    return RegimenLine(
        substance,
        route,
        D(dose),
        unit,
        D(per_day),
        prn=prn,
        max_doses_per_day=max_doses_per_day,
        indication=indication,
        release=release,
        label=label,
    )


def patch(substance: str, mcg_per_h: str, per_day: str = "1") -> RegimenLine:
    return line(substance, mcg_per_h, per_day, route=Route.TRANSDERMAL, unit=MCG_H)


def omeq(table_id: str, *lines: RegimenLine, atc: tuple[str, ...] = ()) -> OmeqResult:
    table = TABLES[table_id]
    return compute_omeq(lines, table, thresholds=default_thresholds(), co_medication_atc=atc)


def problems(table_id: str, *lines: RegimenLine) -> list[tuple[int, LineProblemCode]]:
    with pytest.raises(RegimenError) as caught:
        omeq(table_id, *lines)
    return [(p.index, p.code) for p in caught.value.problems]


SL, NASAL, RECTAL = Route.SUBLINGUAL, Route.NASAL, Route.RECTAL

WORKED_EXAMPLES = [
    # CDC 2022 MME table (MMWR 71(RR-3)); doses in mg/day, fentanyl patch per mcg/h.
    pytest.param("cdc-2022", line("codeine", "30", "4"), "18", id="cdc2022-codeine-oral"),
    pytest.param("cdc-2022", patch("fentanyl", "25"), "60", id="cdc2022-fentanyl-transdermal"),
    pytest.param("cdc-2022", line("hydrocodone", "5", "4"), "20", id="cdc2022-hydrocodone-oral"),
    pytest.param(
        "cdc-2022", line("hydromorphone", "2", "3"), "30", id="cdc2022-hydromorphone-oral"
    ),
    pytest.param("cdc-2022", line("methadone", "10", "2"), "94", id="cdc2022-methadone-oral"),
    pytest.param("cdc-2022", line("morphine", "30", "2"), "60", id="cdc2022-morphine-oral"),
    pytest.param("cdc-2022", line("oxycodone", "10", "2"), "30", id="cdc2022-oxycodone-oral"),
    pytest.param("cdc-2022", line("oxymorphone", "5", "2"), "30", id="cdc2022-oxymorphone-oral"),
    pytest.param("cdc-2022", line("tapentadol", "50", "2"), "40", id="cdc2022-tapentadol-oral"),
    pytest.param("cdc-2022", line("tramadol", "50", "4"), "40", id="cdc2022-tramadol-oral"),
    # Helsedirektoratet OMEQ table; methadone rows are below.
    pytest.param("nordic", line("morphine", "30", "2"), "60", id="nordic-morphine-oral"),
    pytest.param("nordic", line("codeine", "30", "4"), "12", id="nordic-codeine-oral"),
    pytest.param(
        "nordic", line("codeine", "20", "3", route=RECTAL), "6", id="nordic-codeine-rectal"
    ),
    pytest.param("nordic", line("tramadol", "50", "4"), "30", id="nordic-tramadol-oral"),
    pytest.param("nordic", line("oxycodone", "10", "2"), "30", id="nordic-oxycodone-oral"),
    pytest.param("nordic", line("ketobemidone", "5", "4"), "20", id="nordic-ketobemidone-oral"),
    pytest.param("nordic", line("hydromorphone", "2", "3"), "30", id="nordic-hydromorphone-oral"),
    pytest.param("nordic", line("tapentadol", "50", "2"), "20", id="nordic-tapentadol-oral"),
    pytest.param(
        "nordic", patch("buprenorphine", "10"), "22.2", id="nordic-buprenorphine-transdermal"
    ),
    pytest.param(
        "nordic",
        line("buprenorphine", "0.4", "2", route=SL),
        "38.4",
        id="nordic-buprenorphine-sublingual",
    ),
    pytest.param(
        "nordic", line("pethidine", "100", "2", route=RECTAL), "20", id="nordic-pethidine-rectal"
    ),
    pytest.param("nordic", patch("fentanyl", "25"), "60", id="nordic-fentanyl-transdermal"),
    pytest.param(
        "nordic",
        line("fentanyl", "100", "4", route=SL, unit=MCG),
        "100",
        id="nordic-fentanyl-sublingual",
    ),
    pytest.param(
        "nordic",
        line("fentanyl", "50", "2", route=NASAL, unit=MCG),
        "25",
        id="nordic-fentanyl-nasal",
    ),
]

# Nordic morphine:methadone ratios 5:1 from 30, 6:1 from 90, 8:1 from 300, 10:1 from 600 and
# 12:1 from 1000 mg morphine/day: bands start at methadone 6, 15, 37.5, 60 and 83.33... mg/day.
NORDIC_METHADONE = [
    ("3", "15", True),  # below the lowest band: 5:1 with a caveat
    ("5.99", "29.95", True),
    ("6", "30", False),  # band 30-89 starts at 30 / 5
    ("14.99", "74.95", False),
    ("15", "90", False),  # band 90-299 starts at 90 / 6
    ("20", "120", False),
    ("20.5", "123", False),  # between CDC 2016's 20 and 21 mg tiers: no gap
    ("37.49", "224.94", False),
    ("37.5", "300", False),  # band 300-599 starts at 300 / 8
    ("59.99", "479.92", False),
    ("60", "600", False),  # band 600-900 starts at 600 / 10
    ("83.33", "833.3", False),
    ("83.34", "1000.08", False),  # band >= 1000 starts at 1000 / 12
    ("120", "1440", False),
]


@pytest.mark.parametrize(("table_id", "regimen_line", "expected"), WORKED_EXAMPLES)
def test_it_converts_the_worked_example_of_each_source_row(
    table_id: str, regimen_line: RegimenLine, expected: str
) -> None:
    result = omeq(table_id, regimen_line)
    assert result.scheduled_mg_per_day == D(expected)
    assert result.max_mg_per_day == D(expected)
    assert (result.table_id, result.table_version) == (table_id, TABLES[table_id].version)


@pytest.mark.parametrize(
    ("dose", "expected", "is_below"),
    [pytest.param(*row, id=f"nordic-methadone-oral-{row[0]}mg") for row in NORDIC_METHADONE],
)
def test_it_gives_nordic_methadone_a_dose_dependent_factor_with_no_gaps(
    dose: str, expected: str, is_below: bool
) -> None:
    result = omeq("nordic", line("methadone", dose))
    assert result.scheduled_mg_per_day == D(expected)
    assert result.lines[0].is_below_lowest_band is is_below
    assert result.has_warning(WarningCode.BELOW_LOWEST_BAND) is is_below
    assert result.has_warning(WarningCode.METHADONE_PRESENT)


def test_worked_examples_cover_every_factor_row_of_every_shipped_table() -> None:
    examples: set[tuple[object, ...]] = set()
    for param in WORKED_EXAMPLES:
        table_id, regimen_line, _ = param.values
        assert isinstance(regimen_line, RegimenLine)
        examples.add((table_id, regimen_line.substance, regimen_line.route))
    examples.add(("nordic", "methadone", Route.ORAL))
    rows = {
        (table.id, rule.substance, rule.route)
        for table in TABLES.values()
        for rule in table.rules
        if rule.kind != "excluded"
    }
    assert examples == rows


@pytest.mark.parametrize(
    "route",
    [
        pytest.param(Route.TRANSDERMAL, id="cdc2022-buprenorphine-transdermal"),
        pytest.param(Route.SUBLINGUAL, id="cdc2022-buprenorphine-sublingual"),
        pytest.param(Route.BUCCAL, id="cdc2022-buprenorphine-buccal"),
    ],
)
def test_cdc_2022_refuses_buprenorphine_for_pain_and_says_why(route: Route) -> None:
    unit = MCG_H if route is Route.TRANSDERMAL else MG
    with pytest.raises(RegimenError) as caught:
        omeq("cdc-2022", line("buprenorphine", "10", route=route, unit=unit))
    (problem,) = caught.value.problems
    assert problem.code is LineProblemCode.FACTOR_EXCLUDED
    assert "no MME conversion factor for buprenorphine" in problem.message


def test_ketobemidone_is_converted_under_nordic_but_refused_under_cdc_2022() -> None:
    ketogan = line("ketobemidone", "5", "4", label="Ketogan 5 mg/25 mg")
    assert omeq("nordic", ketogan).scheduled_mg_per_day == D(20)
    assert problems("cdc-2022", ketogan) == [(0, LineProblemCode.UNKNOWN_SUBSTANCE)]


def test_fentanyl_25_mcg_per_hour_is_60_mg_under_both_tables() -> None:
    for table_id in ("cdc-2022", "nordic"):
        assert omeq(table_id, patch("fentanyl", "25")).scheduled_mg_per_day == D(60)


def test_a_line_without_a_factor_is_never_silently_dropped_from_the_total() -> None:
    regimen = (line("oxycodone", "10", "2"), line("ketobemidone", "5", "4"))
    assert problems("cdc-2022", *regimen) == [(1, LineProblemCode.UNKNOWN_SUBSTANCE)]


def test_a_route_the_table_lacks_is_an_error_naming_the_routes_it_has() -> None:
    with pytest.raises(RegimenError) as caught:
        omeq("nordic", line("ketobemidone", "10", route=Route.RECTAL))
    (problem,) = caught.value.problems
    assert problem.code is LineProblemCode.NO_FACTOR_FOR_ROUTE
    assert "has: oral" in problem.message


@pytest.mark.parametrize("changes_per_day", ["1", "0.5", "0.3333"], ids=["24h", "48h", "72h"])
def test_a_patch_counts_per_mcg_per_hour_worn_whatever_the_change_interval(
    changes_per_day: str,
) -> None:
    assert omeq("nordic", patch("fentanyl", "25", changes_per_day)).scheduled_mg_per_day == 60


def test_two_patches_worn_together_add_their_strengths() -> None:
    result = omeq("cdc-2022", patch("fentanyl", "50"), patch("fentanyl", "25"))
    assert result.scheduled_mg_per_day == D(180)


@pytest.mark.parametrize("table_id", ["cdc-2022", "nordic"])
@pytest.mark.parametrize(
    "oud_line",
    [
        line("buprenorphine", "8", route=SL, indication=Indication.OPIOID_USE_DISORDER),
        line("buprenorphine", "16", route=Route.BUCCAL, indication=Indication.OPIOID_USE_DISORDER),
        line("methadone", "90", indication=Indication.OPIOID_USE_DISORDER),
    ],
    ids=["buprenorphine-sublingual", "buprenorphine-buccal", "methadone"],
)
def test_substitution_treatment_is_reported_but_never_counted(
    table_id: str, oud_line: RegimenLine
) -> None:
    result = omeq(table_id, line("morphine", "10", "2"), oud_line)
    assert result.scheduled_mg_per_day == result.max_mg_per_day == D(20)
    excluded = result.lines[1]
    assert not excluded.is_counted
    assert excluded.not_counted_reason is NotCountedReason.SUBSTITUTION_TREATMENT
    assert excluded.factor is None and excluded.contribution_mg_per_day is None
    assert result.has_warning(WarningCode.SUBSTITUTION_EXCLUDED)


def test_substitution_treatment_with_an_unknown_substance_is_still_an_error() -> None:
    oud = line("levomethadone", "30", indication=Indication.OPIOID_USE_DISORDER)
    assert problems("nordic", oud) == [(0, LineProblemCode.UNKNOWN_SUBSTANCE)]


def test_prn_doses_count_only_towards_the_maximum() -> None:
    scheduled = line("oxycodone", "10", "2", release=Release.MODIFIED)
    prn = line("oxycodone", "5", "0", prn=True, max_doses_per_day=D(4))
    result = omeq("cdc-2022", scheduled, prn)
    assert result.scheduled_mg_per_day == D(30)
    assert result.max_mg_per_day == D(60)
    assert result.lines[1].contribution_mg_per_day == D(30)


def test_results_are_exact_decimals_without_float_noise() -> None:
    result = omeq("cdc-2022", *[line("morphine", "0.1") for _ in range(3)])
    assert result.scheduled_mg_per_day == D("0.3")
    assert str(omeq("cdc-2022", patch("fentanyl", "75")).scheduled_mg_per_day) == "180.0"
    assert omeq("nordic", line("codeine", "0.1", "3")).scheduled_mg_per_day == D("0.03")


def test_a_float_dose_is_refused_before_it_can_add_noise() -> None:
    with pytest.raises(TypeError):
        RegimenLine("morphine", Route.ORAL, 0.1, MG, D(3))  # type: ignore[arg-type]


def test_an_int_dose_is_accepted_as_an_exact_number() -> None:
    assert RegimenLine("morphine", Route.ORAL, 10, MG, 2).dose == D(10)  # type: ignore[arg-type]


def test_a_dose_in_mg_is_converted_to_the_tables_per_mcg_factor() -> None:
    in_mg = line("fentanyl", "0.1", "4", route=SL, unit=MG)
    in_mcg = line("fentanyl", "100", "4", route=SL, unit=MCG)
    assert omeq("nordic", in_mg).scheduled_mg_per_day == D(100)
    assert omeq("nordic", in_mcg).lines[0].daily_dose == D(400)


def test_a_dose_in_mcg_is_converted_to_the_tables_per_mg_factor() -> None:
    assert omeq("cdc-2022", line("morphine", "500", "2", unit=MCG)).scheduled_mg_per_day == 1


def test_combination_products_count_only_their_opioid_ingredient() -> None:
    paracetamol_codeine = line("codeine", "30", "4", label="Paracetamol/codeine 500/30 mg")
    oxycodone_naloxone = line("oxycodone", "10", "2", label="Oxycodone/naloxone 10/5 mg")
    result = omeq("cdc-2022", paracetamol_codeine, oxycodone_naloxone)
    assert result.scheduled_mg_per_day == D("48")


def test_a_non_opioid_ingredient_given_as_a_line_is_refused_not_counted_as_zero() -> None:
    assert problems("cdc-2022", line("naloxone", "5", "2")) == [
        (0, LineProblemCode.UNKNOWN_SUBSTANCE)
    ]


def test_each_line_shows_its_working() -> None:
    result = omeq("nordic", line("methadone", "20", "1"), patch("buprenorphine", "5"))
    methadone, bup = result.lines
    assert (methadone.factor, methadone.factor_unit, methadone.daily_dose) == (D(6), MG, D(20))
    assert methadone.band is not None and methadone.band.from_morphine_mg_per_day == 90
    assert methadone.rule_kind == "dose_banded"
    assert (bup.factor, bup.factor_unit) == (D("2.22"), MCG_H)
    assert bup.contribution_mg_per_day == D("11.1")
    assert "92.5" in bup.rule_note


def test_methadone_bands_use_the_total_methadone_dose_across_lines() -> None:
    # 10 mg morning + 10 mg evening = 20 mg/day: 6:1 for both lines, not 5:1 each.
    split = omeq("nordic", line("methadone", "10"), line("methadone", "10"))
    assert split.scheduled_mg_per_day == omeq("nordic", line("methadone", "20")).max_mg_per_day
    assert split.scheduled_mg_per_day == D(120)


def test_cdc_2022_methadone_is_flat_and_always_carries_the_caveat() -> None:
    result = omeq("cdc-2022", line("methadone", "20.5"))
    assert result.scheduled_mg_per_day == D("96.35")
    assert result.has_warning(WarningCode.METHADONE_PRESENT)


def test_an_empty_regimen_is_zero_with_no_warnings() -> None:
    result = omeq("nordic")
    assert (result.scheduled_mg_per_day, result.max_mg_per_day, result.warnings) == (D(0), D(0), ())


def test_substance_names_are_matched_without_regard_to_case_or_spaces() -> None:
    assert omeq("nordic", line(" Oxycodone ", "10", "2")).scheduled_mg_per_day == 30


def test_display_rounds_half_up_to_one_decimal_but_results_stay_exact() -> None:
    result = omeq("nordic", line("codeine", "15", "3"))
    assert result.scheduled_mg_per_day == D("4.5")
    assert display_mg(D("833.25")) == D("833.3")
    assert display_mg(D("29.95")) == D("30.0")


def test_a_region_edited_table_is_used_and_named_in_the_result() -> None:
    meta, rows = TABLES["nordic"].to_rows()
    meta["version"] = "2025.1-region"
    for row in rows:
        if row["substance"] == "tramadol":
            row["factor"] = D("0.2")
    edited = ConversionTable.from_rows(meta, rows)
    result = compute_omeq([line("tramadol", "50", "4")], edited, thresholds=default_thresholds())
    assert (result.table_version, result.scheduled_mg_per_day) == ("2025.1-region", D(40))
