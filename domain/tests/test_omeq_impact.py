"""What a new conversion table changes for a set of regimens: counts and sizes, no identities."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.omeq import (
    ConversionTable,
    DoseUnit,
    ImpactRegimen,
    LinearRule,
    Outcome,
    RegimenLine,
    Route,
    TableImpact,
    default_thresholds,
    load_builtin_tables,
    table_impact,
)

D = Decimal
NORDIC = load_builtin_tables()["nordic"]
THRESHOLDS = default_thresholds()  # 50 and 100 mg/day


def line(substance: str, mg: str, doses: int = 2, route: Route = Route.ORAL) -> RegimenLine:
    return RegimenLine(substance, route, D(mg), DoseUnit.MG, D(doses))


def regimen(*lines: RegimenLine) -> ImpactRegimen:
    return ImpactRegimen(tuple(lines))


def with_rules(table: ConversionTable, *changes: tuple[str, str, str | None]) -> ConversionTable:
    """`table` as a new version with (substance, route) given a factor, or removed (None)."""
    meta, rows = table.to_rows()
    for substance, route, factor in changes:
        rows = [r for r in rows if (r["substance"], r["route"]) != (substance, route)]
        if factor is not None:
            rows.append(
                {
                    "substance": substance,
                    "route": route,
                    "kind": "linear",
                    "factor": D(factor),
                    "per_unit": "mg",
                    "reason": None,
                    "bands": None,
                    "note": "",
                }
            )
    return ConversionTable.from_rows({**meta, "version": "test"}, rows)


def impact(after: ConversionTable, *regimens: ImpactRegimen) -> TableImpact:
    return table_impact(regimens, before=NORDIC, after=after, thresholds=THRESHOLDS, largest=3)


# Hand-built patients (nordic: oxycodone 1.5, tramadol 0.15, ketobemidone 1).
PATIENTS = [
    regimen(line("oxycodone", "20")),  # 60 -> 80 mg/day
    regimen(line("oxycodone", "30")),  # 90 -> 120: crosses the high threshold
    regimen(line("oxycodone", "10", doses=1)),  # 15 -> 20
    regimen(line("oxycodone", "5", doses=4), line("morphine", "10", doses=2)),  # 50 -> 60
    regimen(line("morphine", "30")),  # unchanged, not even computed twice
    regimen(line("tramadol", "100")),  # 30 -> refused when tramadol is removed
    regimen(line("ketobemidone", "10", route=Route.RECTAL)),  # no factor in either
    ImpactRegimen((line("oxycodone", "20"),), is_readable=False),  # a product left the list
]


def test_a_higher_oxycodone_factor_moves_the_oxycodone_patients_up() -> None:
    after = with_rules(NORDIC, ("oxycodone", "oral", "2"), ("tramadol", "oral", None))
    result = impact(after, *PATIENTS)
    assert result.regimens == len(PATIENTS)
    assert dict(result.outcomes) == {
        Outcome.UNCHANGED: 1,
        Outcome.RAISED: 4,
        Outcome.LOWERED: 0,
        Outcome.NO_LONGER_COMPUTABLE: 1,
        Outcome.NOW_COMPUTABLE: 0,
        Outcome.NOT_COMPUTABLE: 2,
    }
    assert result.moved == 5
    # The three largest moves, biggest first: +30, +20, +10 (the +5 is left out).
    assert [(c.max_before, c.max_after) for c in result.largest] == [
        (D(90), D(120)),
        (D(60), D(80)),
        (D(50), D(60)),
    ]
    assert round(result.largest[0].change_percent or 0, 2) == D("33.33")
    reassess, high = result.crossings
    assert (reassess.threshold_mg_per_day, reassess.now_at_or_above, reassess.now_below) == (
        D(50),
        0,
        0,
    )
    assert (high.threshold_mg_per_day, high.now_at_or_above, high.now_below) == (D(100), 1, 0)
    changes = {(c.substance, c.route.value): c for c in result.rule_changes}
    assert set(changes) == {("oxycodone", "oral"), ("tramadol", "oral")}
    assert isinstance(changes["oxycodone", "oral"].after, LinearRule)
    assert changes["tramadol", "oral"].after is None
    # Who takes a line on the changed rules (the unreadable regimen's lines are counted too).
    assert (changes["oxycodone", "oral"].regimens, changes["tramadol", "oral"].regimens) == (5, 1)


def test_a_lower_factor_moves_patients_down_and_below_a_threshold() -> None:
    result = impact(with_rules(NORDIC, ("oxycodone", "oral", "1.3")), *PATIENTS)
    assert result.count(Outcome.LOWERED) == 4
    reassess, _high = result.crossings
    assert (reassess.now_at_or_above, reassess.now_below) == (0, 1)  # 60 -> 52, 50 -> 46


def test_a_factor_for_a_new_route_makes_its_patients_computable() -> None:
    after = with_rules(NORDIC, ("ketobemidone", "rectal", "1"))
    result = impact(after, *PATIENTS)
    assert result.count(Outcome.NOW_COMPUTABLE) == 1
    assert result.largest == ()


def test_the_same_table_changes_nothing() -> None:
    result = impact(NORDIC, *PATIENTS)
    assert result.moved == 0 and result.rule_changes == () and result.largest == ()
    assert result.count(Outcome.UNCHANGED) + result.count(Outcome.NOT_COMPUTABLE) == len(PATIENTS)


def test_a_changed_note_alone_is_not_a_change() -> None:
    meta, rows = NORDIC.to_rows()
    for row in rows:
        row["note"] = "reworded"
    assert impact(ConversionTable.from_rows(meta, rows), *PATIENTS).rule_changes == ()


def test_no_regimens_give_an_empty_impact() -> None:
    result = impact(with_rules(NORDIC, ("oxycodone", "oral", "2")))
    assert result.regimens == 0 and result.moved == 0


# Properties over random regimens of the Norwegian table's oral substances.
ORAL = ["codeine", "hydromorphone", "ketobemidone", "morphine", "oxycodone", "tramadol"]
lines = st.builds(
    line,
    st.sampled_from(ORAL),
    st.decimals(min_value=D(1), max_value=D(200), places=1).map(str),
    st.integers(min_value=1, max_value=4),
)
regimens = st.lists(
    st.lists(lines, min_size=1, max_size=4).map(lambda ls: regimen(*ls)), max_size=20
)
factors = st.decimals(min_value=D("1.3"), max_value=D(2), places=2)


@given(regimens, factors)
def test_the_outcomes_add_up_to_the_regimens(
    given_regimens: list[ImpactRegimen], f: Decimal
) -> None:
    result = impact(with_rules(NORDIC, ("oxycodone", "oral", str(f))), *given_regimens)
    assert sum(n for _, n in result.outcomes) == result.regimens == len(given_regimens)
    assert len(result.largest) <= 3


@given(regimens, factors)
def test_raising_a_factor_never_lowers_anyone(
    given_regimens: list[ImpactRegimen], f: Decimal
) -> None:
    result = impact(with_rules(NORDIC, ("oxycodone", "oral", str(f + 1))), *given_regimens)
    assert result.count(Outcome.LOWERED) == 0
    taking = sum(any(ln.substance == "oxycodone" for ln in r.lines) for r in given_regimens)
    assert result.count(Outcome.RAISED) == taking
