from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.measures import (
    Fact,
    Kind,
    Level,
    Measure,
    MeasureFileError,
    Unit,
    aggregate,
    parse_measures,
    percentile,
    shipped_measures,
)


def measure(
    kind: Kind = Kind.RATE, scale: int = 100, levels: tuple[Level, ...] = (Level.PRACTICE,)
) -> Measure:
    return Measure(
        code="m",
        title_da="m",
        title_en="m",
        why="",
        numerator="",
        denominator="",
        higher_is_better=False,
        unit=Unit.PERCENT,
        kind=kind,
        scale=Decimal(scale),
        levels=levels,
    )


def fact(practice: int, numerator: int | str = 0, **kw: Any) -> Fact:
    return Fact(region=1, units=((Level.PRACTICE, practice),), numerator=Decimal(numerator), **kw)


def test_the_shipped_file_holds_every_measure_of_the_issue() -> None:
    codes = shipped_measures().codes
    assert len(codes) == 19
    assert {"omeq_50", "omeq_100", "comedication", "contacts_per_patient_year"} <= set(codes)
    comedication = shipped_measures().get("comedication")
    assert comedication is not None
    assert comedication.atc_prefixes == ("N05BA", "N05CD", "N05CF", "N03AX12", "N03AX16")
    assert all(all(m.about("da")) for m in shipped_measures().measures if m.has_denominator)


def test_a_rate_is_the_share_times_the_scale_per_practice_and_region() -> None:
    # Practice 1: 1 of 4 above the line; practice 2: 3 of 4. Region: 4 of 8.
    facts = [fact(1, n) for n in (1, 0, 0, 0)] + [fact(2, n) for n in (1, 1, 1, 0)]
    figures = aggregate(measure(), facts)
    assert figures[(Level.PRACTICE, 1)].value == Decimal(25)
    assert figures[(Level.PRACTICE, 2)].value == Decimal(75)
    region = figures[(Level.REGION, 1)]
    assert (region.value, region.hits, region.basis) == (Decimal(50), 4, 8)


def test_a_median_takes_the_middle_of_the_samples() -> None:
    facts = [fact(1, 1, sample=Decimal(s)) for s in (10, 40, 25)]
    figures = aggregate(measure(Kind.MEDIAN), facts)
    assert figures[(Level.PRACTICE, 1)].value == Decimal(25)
    assert figures[(Level.PRACTICE, 1)].basis == 3


def test_a_mean_per_person_divides_the_sum_by_the_people() -> None:
    # 3 + 0 + 6 contacts over 3 patients: 3 per patient per year.
    figures = aggregate(measure(Kind.MEAN), [fact(1, n) for n in (3, 0, 6)])
    assert figures[(Level.PRACTICE, 1)].value == Decimal(3)
    assert figures[(Level.PRACTICE, 1)].hits == 2


def test_a_count_has_no_denominator() -> None:
    figures = aggregate(measure(Kind.COUNT), [fact(1, "1.5"), fact(1, "1.5")])
    assert figures[(Level.PRACTICE, 1)].value == Decimal(3)
    assert figures[(Level.PRACTICE, 1)].denominator is None


def test_a_fact_counts_only_at_the_measures_levels() -> None:
    both = Fact(region=1, units=((Level.PRACTICE, 1), (Level.CLINIC, 9)), numerator=Decimal(1))
    figures = aggregate(measure(levels=(Level.PRACTICE,)), [both])
    assert (Level.CLINIC, 9) not in figures
    assert (Level.PRACTICE, 1) in figures


def test_no_one_below_the_line_gives_no_rate() -> None:
    figures = aggregate(measure(), [fact(1, 0, in_denominator=False)])
    assert figures[(Level.PRACTICE, 1)].value is None


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        pytest.param(0.5, Decimal("2.5"), id="median-of-four"),
        pytest.param(0.1, Decimal("1.3"), id="tenth"),
        pytest.param(0.9, Decimal("3.7"), id="ninetieth"),
        pytest.param(0, Decimal(1), id="least"),
    ],
)
def test_percentiles_interpolate_like_numpy(fraction: float, expected: Decimal) -> None:
    assert percentile([Decimal(v) for v in (4, 1, 3, 2)], fraction) == expected


@given(st.lists(st.integers(0, 1), min_size=1), st.lists(st.integers(0, 1), min_size=1))
def test_the_region_counts_every_fact_once(first: list[int], second: list[int]) -> None:
    facts = [fact(1, n) for n in first] + [fact(2, n) for n in second]
    figures = aggregate(measure(), facts)
    region = figures[(Level.REGION, 1)]
    assert region.hits == figures[(Level.PRACTICE, 1)].hits + figures[(Level.PRACTICE, 2)].hits
    assert region.basis == len(first) + len(second)
    assert region.value is not None
    assert 0 <= region.value <= 100


@given(st.lists(st.decimals(-1000, 1000, places=2), min_size=1), st.floats(0, 1))
def test_a_percentile_lies_between_the_least_and_the_greatest(
    values: list[Decimal], fraction: float
) -> None:
    found = percentile(values, fraction)
    assert found is not None
    assert min(values) <= found <= max(values)


def test_a_file_is_refused_with_every_problem_and_where() -> None:
    text = """
version = "1"
source = "s"
[[measures]]
code = "Bad Code"
title_da = "x"
title_en = "x"
why = "x"
numerator = "x"
denominator = ""
why_da = "x"
numerator_da = "x"
denominator_da = ""
higher_is_better = "yes"
unit = "furlongs"
kind = "rate"
levels = ["ward"]
[[measures]]
code = "ok"
title_da = "x"
title_en = "x"
why = "x"
numerator = "x"
denominator = "y"
why_da = "x"
numerator_da = "x"
denominator_da = "y"
higher_is_better = true
unit = "count"
kind = "count"
"""
    with pytest.raises(MeasureFileError) as refused:
        parse_measures(text, known_codes={"Bad Code"})
    found = {(p.where, p.code) for p in refused.value.problems}
    assert found == {
        ("measures[0].code", "bad_code"),
        ("measures[0].higher_is_better", "not_boolean"),
        ("measures[0].unit", "bad_unit"),
        ("measures[0].denominator", "needs_denominator"),
        ("measures[0].denominator_da", "needs_denominator"),
        ("measures[0].scale", "needs_scale"),
        ("measures[0].levels[0]", "bad_level"),
        ("measures[1].code", "unknown_measure"),
    }


def test_a_measure_used_twice_is_refused() -> None:
    entry = """
[[measures]]
code = "a"
title_da = "x"
title_en = "x"
why = "x"
numerator = "x"
denominator = ""
why_da = "x"
numerator_da = "x"
denominator_da = ""
higher_is_better = true
unit = "count"
kind = "count"
"""
    with pytest.raises(MeasureFileError) as refused:
        parse_measures('version = "1"\nsource = "s"\n' + entry + entry)
    assert [(p.where, p.code) for p in refused.value.problems] == [
        ("measures[1].code", "duplicate")
    ]
