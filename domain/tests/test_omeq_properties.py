"""Properties every OMEQ result keeps, for any regimen the shipped tables can convert."""

from decimal import Decimal
from random import Random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.omeq import (
    ConversionTable,
    DoseBandedRule,
    DoseUnit,
    Indication,
    LinearRule,
    LineProblemCode,
    OmeqResult,
    RegimenError,
    RegimenLine,
    Release,
    Route,
    Rule,
    compute_omeq,
    default_thresholds,
    load_builtin_tables,
)

D = Decimal
TABLES = load_builtin_tables()
NO_LIMIT = D("1e12")  # properties are about arithmetic, not the data-entry guard


def omeq(lines: list[RegimenLine], table: ConversionTable) -> OmeqResult:
    return compute_omeq(
        lines, table, thresholds=default_thresholds(), plausibility_limit_mg_per_day=NO_LIMIT
    )


amounts = st.decimals(min_value=D("0.001"), max_value=D("1000"), places=3)
counts = st.decimals(min_value=D("0.5"), max_value=D("12"), places=1)
tables = st.sampled_from(sorted(TABLES.values(), key=lambda t: t.id))


def countable(table: ConversionTable) -> list[Rule]:
    return [r for r in table.rules if isinstance(r, LinearRule | DoseBandedRule)]


@st.composite
def lines_for(draw: st.DrawFn, rule: Rule, *, prn: bool | None = None) -> RegimenLine:
    is_prn = draw(st.booleans()) if prn is None else prn
    if rule.route is Route.TRANSDERMAL:
        return RegimenLine(rule.substance, rule.route, draw(amounts), DoseUnit.MCG_PER_H, D(1))
    unit = draw(st.sampled_from([DoseUnit.MG, DoseUnit.MCG]))
    per_day, maximum = draw(counts), (draw(counts) if is_prn else None)
    release = draw(st.sampled_from(list(Release)))
    return RegimenLine(
        rule.substance, rule.route, draw(amounts), unit, per_day, is_prn, maximum, release=release
    )


@st.composite
def regimens(draw: st.DrawFn) -> tuple[ConversionTable, list[RegimenLine]]:
    table = draw(tables)
    rules = draw(st.lists(st.sampled_from(countable(table)), max_size=5))
    lines = [draw(lines_for(rule)) for rule in rules]
    if draw(st.booleans()):  # sometimes add substitution treatment, which is never counted
        oud = RegimenLine(
            "methadone",
            Route.ORAL,
            draw(amounts),
            DoseUnit.MG,
            D(1),
            indication=Indication.OPIOID_USE_DISORDER,
        )
        lines.insert(draw(st.integers(0, len(lines))), oud)
    return table, lines


@given(regimens())
def test_omeq_of_a_regimen_is_the_sum_of_its_lines(
    regimen: tuple[ConversionTable, list[RegimenLine]],
) -> None:
    result = omeq(regimen[1], regimen[0])
    counted = [r for r in result.lines if r.is_counted]
    scheduled = [r.contribution_mg_per_day or D(0) for r in counted if not r.line.prn]
    everything = [r.contribution_mg_per_day or D(0) for r in counted]
    assert result.scheduled_mg_per_day == sum(scheduled, D(0))
    assert result.max_mg_per_day == sum(everything, D(0))
    for r in counted:
        assert r.factor is not None and r.daily_dose is not None
        assert r.contribution_mg_per_day == r.daily_dose * r.factor


@given(regimens())
def test_results_are_never_negative_and_the_maximum_includes_the_schedule(
    regimen: tuple[ConversionTable, list[RegimenLine]],
) -> None:
    result = omeq(regimen[1], regimen[0])
    assert result.scheduled_mg_per_day >= 0
    assert result.max_mg_per_day >= result.scheduled_mg_per_day
    assert all((r.contribution_mg_per_day or 0) >= 0 for r in result.lines)


@given(regimens())
def test_every_line_is_reported_in_order_and_none_is_dropped(
    regimen: tuple[ConversionTable, list[RegimenLine]],
) -> None:
    table, lines = regimen
    result = omeq(lines, table)
    assert [r.line for r in result.lines] == lines
    assert [r.index for r in result.lines] == list(range(len(lines)))
    excluded = [r.line.indication for r in result.lines if not r.is_counted]
    assert excluded == [Indication.OPIOID_USE_DISORDER] * len(excluded)


@given(regimens(), st.randoms())
def test_the_order_of_lines_does_not_change_the_totals(
    regimen: tuple[ConversionTable, list[RegimenLine]], random: Random
) -> None:
    table, lines = regimen
    shuffled = random.sample(lines, len(lines))
    first, second = omeq(lines, table), omeq(shuffled, table)
    assert first.scheduled_mg_per_day == second.scheduled_mg_per_day
    assert first.max_mg_per_day == second.max_mg_per_day


@given(tables.flatmap(lambda t: st.sampled_from(countable(t)).map(lambda r: (t, r))), st.data())
def test_splitting_a_scheduled_line_in_two_does_not_change_omeq(
    table_rule: tuple[ConversionTable, Rule], data: st.DataObject
) -> None:
    table, rule = table_rule
    whole = data.draw(lines_for(rule, prn=False))
    assume(whole.route is not Route.TRANSDERMAL)
    half = RegimenLine(
        whole.substance, whole.route, whole.dose / 2, whole.dose_unit, whole.doses_per_day
    )
    assert omeq([half, half], table).max_mg_per_day == omeq([whole], table).max_mg_per_day


@given(
    tables.flatmap(
        lambda t: st.sampled_from([r for r in t.rules if isinstance(r, LinearRule)]).map(
            lambda r: (t, r)
        )
    ),
    st.data(),
    st.integers(min_value=1, max_value=20),
)
def test_scaling_a_scheduled_dose_by_k_scales_its_contribution_by_k_for_linear_rules(
    table_rule: tuple[ConversionTable, LinearRule], data: st.DataObject, k: int
) -> None:
    table, rule = table_rule
    base = data.draw(lines_for(rule, prn=False))
    scaled = RegimenLine(
        base.substance, base.route, base.dose * k, base.dose_unit, base.doses_per_day
    )
    assert (
        omeq([scaled], table).scheduled_mg_per_day == k * omeq([base], table).scheduled_mg_per_day
    )


@given(amounts, amounts)
def test_nordic_methadone_omeq_never_falls_as_the_dose_rises(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    table = TABLES["nordic"]
    methadone = [
        RegimenLine("methadone", Route.ORAL, dose, DoseUnit.MG, D(1)) for dose in (low, high)
    ]
    lower, higher = (omeq([m], table).max_mg_per_day for m in methadone)
    assert lower <= higher


@given(amounts)
def test_every_positive_methadone_dose_gets_exactly_one_nordic_factor(dose: Decimal) -> None:
    result = omeq([RegimenLine("methadone", Route.ORAL, dose, DoseUnit.MG, D(1))], TABLES["nordic"])
    (line,) = result.lines
    assert line.factor in {D(5), D(6), D(8), D(10), D(12)}
    assert line.is_below_lowest_band is (dose * 5 < 30)


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20)


@given(tables, names, amounts)
def test_an_unknown_substance_is_always_an_error_never_a_result(
    table: ConversionTable, substance: str, dose: Decimal
) -> None:
    assume(substance not in table.substances)
    with pytest.raises(RegimenError) as caught:
        omeq([RegimenLine(substance, Route.ORAL, dose, DoseUnit.MG, D(1))], table)
    assert [p.code for p in caught.value.problems] == [LineProblemCode.UNKNOWN_SUBSTANCE]


@given(tables, st.data())
def test_a_route_the_table_has_no_rule_for_is_always_an_error(
    table: ConversionTable, data: st.DataObject
) -> None:
    substance = data.draw(st.sampled_from(sorted(table.substances)))
    missing = [r for r in Route if r not in table.routes_for(substance)]
    assume(missing)
    route = data.draw(st.sampled_from(missing))
    unit = DoseUnit.MCG_PER_H if route is Route.TRANSDERMAL else DoseUnit.MG
    with pytest.raises(RegimenError) as caught:
        omeq([RegimenLine(substance, route, D(10), unit, D(1))], table)
    assert [p.code for p in caught.value.problems] == [LineProblemCode.NO_FACTOR_FOR_ROUTE]
