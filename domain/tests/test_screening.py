"""Screening: exposure periods on worked examples, OMEQ, flags, and the three
implementations (DuckDB, pandas, loop) agreeing on random extracts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.omeq.rules import LinearRule
from domain.omeq.tables import load_builtin_tables
from domain.screening import (
    ScreeningError,
    ScreeningSettings,
    conversion_factor_rows,
    counts_per_practice,
    product_register,
    result_checksum,
    screen,
)
from domain.screening_reference import screen_with_loop, screen_with_pandas

TABLE = load_builtin_tables()["nordic"]
DAY0 = datetime.date(2025, 1, 1)
REGISTER = {(r["product_id"], r["strength"]): r for r in product_register()}


def product(product_id: str, strength: str) -> dict[str, Any]:
    return REGISTER[(product_id, Decimal(strength))]


def row(
    person: str,
    day: int,
    item: dict[str, Any],
    *,
    pack: int = 60,
    packs: int = 1,
    practice: str = "100001",
) -> dict[str, Any]:
    return {
        "person_id": person,
        "dispensed_on": pd.Timestamp(DAY0 + datetime.timedelta(days=day)),
        "atc": item["atc"],
        "product_number": item["product_number"],
        "strength": float(item["strength"]),
        "pack_size": pack,
        "packs": packs,
        "provider_number": practice,
    }


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


OXY_DEPOT_10 = product("oxycodone-depot-tablet", "10")  # 60 tablets at 2 a day: 30 days
OXY_IR_5 = product("oxycodone-capsule", "5")
FENTANYL_25 = product("fentanyl-patch", "25")
ZOPICLONE = product("zopiclone-tablet", "7.5")
METHADONE = product("methadone-tablet", "5")


def eras(rows: list[dict[str, Any]], **options: Any) -> list[tuple[int, int]]:
    result = screen(frame(rows), TABLE, ScreeningSettings(**options))
    return [(int(r.era_start), int(r.era_end)) for r in result.eras.itertuples()]


def days(start: int, end: int) -> tuple[int, int]:
    """An era as epoch days, from day offsets after DAY0."""
    base = (DAY0 - datetime.date(1970, 1, 1)).days
    return (base + start, base + end)


def test_a_gap_of_exactly_the_grace_window_joins_the_period() -> None:
    # 30 days' supply from day 0 ends on day 30; the next on day 60 leaves a 30-day gap.
    assert eras([row("a", 0, OXY_DEPOT_10), row("a", 60, OXY_DEPOT_10)]) == [days(0, 90)]


def test_a_gap_one_day_longer_than_the_grace_window_starts_a_new_period() -> None:
    assert eras([row("a", 0, OXY_DEPOT_10), row("a", 61, OXY_DEPOT_10)]) == [
        days(0, 30),
        days(61, 91),
    ]


def test_the_grace_window_is_a_setting() -> None:
    rows = [row("a", 0, OXY_DEPOT_10), row("a", 40, OXY_DEPOT_10)]
    # Supply ends on day 30, the next dispensing is on day 40: a gap of 10 days.
    assert eras(rows, grace_days=10) == [days(0, 70)]
    assert eras(rows, grace_days=9) == [days(0, 30), days(40, 70)]
    assert eras(rows, grace_days=0) == [days(0, 30), days(40, 70)]


def test_overlapping_dispensings_make_one_period_ending_at_the_latest_end() -> None:
    # Without carry-over the early refill's supply overlaps: the period ends at 20 + 30.
    assert eras([row("a", 0, OXY_DEPOT_10), row("a", 20, OXY_DEPOT_10)]) == [days(0, 50)]


def test_carry_over_uses_the_stockpile_first() -> None:
    # Refilled on day 20 with 10 days left: the new pack starts on day 30, ends on day 60.
    assert eras([row("a", 0, OXY_DEPOT_10), row("a", 20, OXY_DEPOT_10)], carry_over=True) == [
        days(0, 60)
    ]


def test_carry_over_can_bridge_a_gap_the_grace_window_alone_would_not() -> None:
    # Two packs on day 0 (60 days) and one more on day 5: without carry-over the supply ends
    # on day 60 and day 115 is 55 days later; with it the day-5 pack lasts to day 90, so the
    # gap to day 115 is 25 days, inside the grace window.
    rows = [
        row("a", 0, OXY_DEPOT_10, packs=2),
        row("a", 5, OXY_DEPOT_10),
        row("a", 115, OXY_DEPOT_10),
    ]
    assert eras(rows) == [days(0, 60), days(115, 145)]
    assert eras(rows, carry_over=True) == [days(0, 145)]


def test_different_substances_make_separate_periods() -> None:
    result = screen(frame([row("a", 0, OXY_DEPOT_10), row("a", 0, ZOPICLONE, pack=30)]), TABLE)
    assert sorted(result.eras["substance"]) == ["oxycodone", "zopiclone"]


def test_daily_omeq_is_omeq_dispensed_over_the_period() -> None:
    # 3 x 60 x 10 mg oxycodone x 1.5 = 2,700 mg OMEQ over 90 days = 30 mg a day.
    rows = [row("a", day, OXY_DEPOT_10) for day in (0, 30, 60)]
    result = screen(frame(rows), TABLE)
    assert result.eras.loc[0, "daily_omeq_centi"] == 3000
    assert result.persons.loc[0, "max_daily_omeq_centi"] == 3000


def test_a_patch_counts_its_strength_for_the_hours_it_is_worn() -> None:
    # 10 fentanyl 25 mcg/h patches changed every 72 h: 30 days at 25 x factor mg a day.
    factor = next(
        r.factor
        for r in TABLE.rules
        if isinstance(r, LinearRule) and r.substance == "fentanyl" and r.route == "transdermal"
    )
    result = screen(frame([row("a", 0, FENTANYL_25, pack=10)]), TABLE)
    assert result.eras.loc[0, "era_days"] == 30
    assert result.eras.loc[0, "daily_omeq_centi"] == int(25 * factor * 100)


def test_a_substance_without_a_linear_factor_gets_no_omeq_and_is_not_high_dose() -> None:
    result = screen(frame([row("a", 0, METHADONE, pack=100)]), TABLE)
    assert pd.isna(result.eras.loc[0, "daily_omeq_centi"])
    assert not result.persons.loc[0, "is_high_dose"]


def test_flags_on_a_worked_example() -> None:
    rows = [
        row("a", day, product("oxycodone-depot-tablet", "40"), pack=100)
        for day in range(0, 200, 50)
    ]
    rows += [row("a", 10, ZOPICLONE, pack=30, practice="100002")]
    rows += [row("a", 60, product("oxycodone-depot-tablet", "40"), practice="100003")]
    rows += [row("b", day, OXY_IR_5, pack=60) for day in (0, 30, 60)]
    rows += [row("c", 0, OXY_IR_5, pack=20)]
    persons = screen(frame(rows), TABLE).persons.set_index("person_id")
    # a: 200 days, 40 mg x 2 x 1.5 = 120 mg a day (>= 100), zopiclone overlaps, 2 practices.
    assert persons.loc["a", "is_long_term"]
    assert persons.loc["a", "is_high_dose"]
    assert persons.loc["a", "has_comedication"]
    assert not persons.loc["a", "has_several_prescribers"]  # two practices, setting is 3
    assert not persons.loc["a", "has_scheduled_short_acting"]  # depot tablets
    # b: short-acting capsules refilled on time for 90 days: on a schedule, not long-term.
    assert persons.loc["b", "has_scheduled_short_acting"]
    assert not persons.loc["b", "is_long_term"]
    assert not persons.loc[
        "c", ["is_long_term", "is_high_dose", "has_scheduled_short_acting"]
    ].any()
    # The practice is that of the latest opioid dispensing.
    assert persons.loc["a", "provider_number"] == "100001"


def test_several_prescribers_counts_distinct_practices() -> None:
    rows = [
        row("a", i * 10, OXY_IR_5, practice=p) for i, p in enumerate(["100001", "100002", "100003"])
    ]
    persons = screen(frame(rows), TABLE).persons
    assert persons.loc[0, "has_several_prescribers"]
    persons = screen(frame(rows), TABLE, ScreeningSettings(several_prescribers=4)).persons
    assert not persons.loc[0, "has_several_prescribers"]


def test_rows_outside_the_register_are_counted_not_screened() -> None:
    other = {"atc": "C10AA05", "product_number": "123456", "strength": 10}
    result = screen(frame([row("a", 0, OXY_IR_5), row("b", 0, other)]), TABLE)
    assert (result.rows_read, result.rows_screened) == (2, 1)
    assert list(result.persons["person_id"]) == ["a"]


def test_a_negative_supply_keeps_the_full_order_of_a_days_redemptions() -> None:
    # DuckDB orders a day's redemptions by day alone when no supply is negative (then their
    # order cannot change the periods). A negative supply (an import refuses one) ends before
    # it starts, so which of the day's two comes first decides whether the other starts a new
    # period: the full order (day, supply, ...) must be kept, the negative one first.
    day_rows = [row("a", 10, OXY_DEPOT_10, pack=60), row("a", 10, OXY_DEPOT_10, pack=-100)]
    for rows in (day_rows, day_rows[::-1]):
        periods = screen(frame(rows), TABLE).eras
        # Two periods whatever the input order: the negative one, and the other one whole.
        # (Sorted: the two start on the same day, so their output order is DuckDB's choice.)
        days = sorted(periods["era_days"])
        assert len(days) == 2
        assert days[0] < 0
        assert days[1] == 30


def test_counts_per_practice_sum_the_flags() -> None:
    rows = [row("a", d, OXY_DEPOT_10) for d in range(0, 150, 30)] + [row("b", 0, OXY_IR_5)]
    counts = counts_per_practice(screen(frame(rows), TABLE).persons)
    assert counts.loc[0, "opioid_users"] == 2
    assert counts.loc[0, "is_long_term"] == 1
    assert counts.loc[0, "any_flag"] == 1


def test_the_register_comes_from_the_catalogue_and_the_co_medication_classes() -> None:
    classes = {r["drug_class"] for r in product_register()}
    assert classes == {"opioid", "benzodiazepine", "z_drug", "gabapentinoid"}
    assert all(
        r["atc"].startswith("N03AX1")
        for r in product_register()
        if r["drug_class"] == "gabapentinoid"
    )


def test_factors_are_exported_from_the_table_not_retyped() -> None:
    rows = {(r["substance"], r["route"]): r["factor_scaled"] for r in conversion_factor_rows(TABLE)}
    for rule in TABLE.rules:
        if isinstance(rule, LinearRule):
            assert rows[(rule.substance, str(rule.route))] == int(rule.factor * 100)


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ScreeningError):
        ScreeningSettings(grace_days=-1)
    with pytest.raises(ScreeningError):
        ScreeningSettings(units_per_day=0)


def test_the_default_high_dose_threshold_is_omeqs_high_threshold() -> None:
    assert ScreeningSettings().high_dose_mg_per_day == Decimal(100)


PRODUCTS = [
    OXY_DEPOT_10,
    OXY_IR_5,
    FENTANYL_25,
    ZOPICLONE,
    METHADONE,
    product("pregabalin-capsule", "75"),
]


@st.composite
def extracts(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 40))
    return [
        row(
            draw(st.sampled_from(["a", "b", "c"])),
            draw(st.integers(0, 200)),
            draw(st.sampled_from(PRODUCTS)),
            pack=draw(st.sampled_from([1, 10, 30, 60])),
            packs=draw(st.integers(1, 3)),
            practice=draw(st.sampled_from(["100001", "100002", "100003", "100004"])),
        )
        for _ in range(n)
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extracts(), st.integers(0, 40), st.booleans())
def test_duckdb_pandas_and_the_loop_agree(
    rows: list[dict[str, Any]], grace: int, carry: bool
) -> None:
    options = ScreeningSettings(grace_days=grace, carry_over=carry)
    data = frame(rows)
    expected = result_checksum(screen(data, TABLE, options))
    assert result_checksum(screen_with_pandas(data, TABLE, options)) == expected
    assert result_checksum(screen_with_loop(data, TABLE, options)) == expected


@settings(max_examples=25, deadline=None)
@given(extracts())
def test_carry_over_never_shortens_exposure(rows: list[dict[str, Any]]) -> None:
    def covered(result_eras: pd.DataFrame) -> int:
        return int(result_eras["era_days"].sum())

    data = frame(rows)
    plain = screen(data, TABLE, ScreeningSettings(grace_days=0))
    carried = screen(data, TABLE, ScreeningSettings(grace_days=0, carry_over=True))
    assert covered(carried.eras) >= covered(plain.eras)
