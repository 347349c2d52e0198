"""Plausibility bounds: a factor far outside the published range is refused, with the range."""

import datetime
from collections.abc import Mapping
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.omeq import (
    ConversionTableError,
    DoseUnit,
    LinearRule,
    PublishedRange,
    Route,
    SettingsError,
    Standing,
    TableProblem,
    default_bounds,
    factor_checks,
    load_builtin_tables,
    plausibility_issues,
    plausible_table_from_rows,
)
from domain.omeq.bounds import bounds_from_toml

D = Decimal
BOUNDS = default_bounds()
META: dict[str, object] = {
    "id": "region-test",
    "version": "1",
    "title": "A test table",
    "source": "Made up for a test",
    "published": datetime.date(2025, 1, 1),
}


def linear(substance: str, route: str, factor: str, per_unit: str = "mg") -> dict[str, object]:
    return {
        "substance": substance,
        "route": route,
        "kind": "linear",
        "factor": factor,
        "per_unit": per_unit,
    }


def refusal(*rows: Mapping[str, object]) -> list[tuple[int | None, TableProblem]]:
    try:
        plausible_table_from_rows(META, list(rows))
    except ConversionTableError as error:
        return [(issue.row, issue.code) for issue in error.issues]
    return []


@pytest.mark.parametrize("table_id", sorted(load_builtin_tables()))
def test_every_factor_of_every_shipped_table_is_within_its_published_range(table_id: str) -> None:
    table = load_builtin_tables()[table_id]
    checks = factor_checks(table.rules, BOUNDS)
    assert checks, "the shipped table has factors"
    assert {c.standing for c in checks} == {Standing.WITHIN}, [
        (c.substance, c.route, c.factor) for c in checks if c.standing is not Standing.WITHIN
    ]


def test_an_oxycodone_factor_of_1000_is_refused_with_the_range_shown() -> None:
    # Issue 11: an oxycodone factor of 1000 was accepted.
    with pytest.raises(ConversionTableError) as refused:
        plausible_table_from_rows(META, [linear("oxycodone", "oral", "1000")])
    [issue] = refused.value.issues
    assert (issue.row, issue.code) == (0, TableProblem.FACTOR_IMPLAUSIBLE)
    params = issue.params_dict()
    assert (params["low"], params["high"], params["lowest"], params["highest"]) == (
        "1.3",
        "2",
        "0.8667",
        "3",
    )
    assert "Oksykodon, oral" in params["sources"]
    assert "1.3-2" in issue.message


# (substance, route, factor, per_unit, accepted): the edges of each source row's range, widened
# by the file's margin of 1.5 (the reference substance: none).
EDGES = [
    pytest.param("oxycodone", "oral", "2", "mg", Standing.WITHIN, id="no-oksykodon-oral-high"),
    pytest.param(
        "oxycodone", "oral", "3", "mg", Standing.OUTSIDE, id="no-oksykodon-oral-high-x1.5"
    ),
    pytest.param(
        "oxycodone", "oral", "3.0001", "mg", Standing.FAR_OUTSIDE, id="no-oksykodon-oral-above"
    ),
    pytest.param("oxycodone", "oral", "1.3", "mg", Standing.WITHIN, id="no-oksykodon-oral-low"),
    pytest.param(
        "oxycodone", "oral", "0.8667", "mg", Standing.OUTSIDE, id="no-oksykodon-oral-low-div1.5"
    ),
    pytest.param(
        "oxycodone", "oral", "0.8666", "mg", Standing.FAR_OUTSIDE, id="no-oksykodon-oral-below"
    ),
    pytest.param("morphine", "oral", "1", "mg", Standing.WITHIN, id="no-morfin-oral-reference"),
    pytest.param("morphine", "oral", "1.01", "mg", Standing.FAR_OUTSIDE, id="no-morfin-oral-not-1"),
    pytest.param("tramadol", "oral", "0.3", "mg", Standing.OUTSIDE, id="no-tramadol-oral-x1.5"),
    pytest.param(
        "tramadol", "oral", "0.31", "mg", Standing.FAR_OUTSIDE, id="no-tramadol-oral-above"
    ),
    pytest.param(
        "fentanyl", "transdermal", "3", "mcg/h", Standing.WITHIN, id="anzca-fentanyl-patch-3"
    ),
    pytest.param(
        "fentanyl", "transdermal", "4.5", "mcg/h", Standing.OUTSIDE, id="anzca-fentanyl-x1.5"
    ),
    pytest.param(
        "fentanyl", "transdermal", "4.51", "mcg/h", Standing.FAR_OUTSIDE, id="fentanyl-patch-above"
    ),
    pytest.param(
        "buprenorphine", "transdermal", "1.2", "mcg/h", Standing.OUTSIDE, id="no-buprenorfin-td-low"
    ),
    pytest.param(
        "buprenorphine",
        "transdermal",
        "1.19",
        "mcg/h",
        Standing.FAR_OUTSIDE,
        id="no-buprenorfin-td-below",
    ),
    pytest.param(
        "fentanyl", "sublingual", "250", "mg", Standing.WITHIN, id="no-fentanyl-sl-per-mg"
    ),
    pytest.param(
        "fentanyl", "nasal", "0.25", "mg", Standing.FAR_OUTSIDE, id="no-fentanyl-nasal-mcg-as-mg"
    ),
    pytest.param("pethidine", "rectal", "0.13", "mg", Standing.WITHIN, id="no-petidin-rektal"),
    pytest.param("hydrocodone", "oral", "1.5", "mg", Standing.OUTSIDE, id="cdc2022-hydrocodone"),
    pytest.param(
        "hydrocodone", "oral", "1.51", "mg", Standing.FAR_OUTSIDE, id="cdc2022-hydrocodone-above"
    ),
    pytest.param("methadone", "oral", "4.7", "mg", Standing.WITHIN, id="cdc2022-methadone"),
    pytest.param("methadone", "oral", "18", "mg", Standing.OUTSIDE, id="cdc2016-methadone-12-x1.5"),
]


@pytest.mark.parametrize(("substance", "route", "factor", "unit", "expected"), EDGES)
def test_a_factor_stands_against_its_source_rows_range(
    substance: str, route: str, factor: str, unit: str, expected: Standing
) -> None:
    rule = LinearRule(substance, Route(route), factor=D(factor), per_unit=DoseUnit(unit))
    [check] = factor_checks([rule], BOUNDS)
    assert check.standing is expected
    refused = {TableProblem.FACTOR_IMPLAUSIBLE} if expected is Standing.FAR_OUTSIDE else set()
    assert {i.code for i in plausibility_issues([rule], BOUNDS)} == refused


def test_a_methadone_band_far_outside_is_refused_at_its_row() -> None:
    banded = {
        "substance": "methadone",
        "route": "oral",
        "kind": "dose_banded",
        "per_unit": "mg",
        "bands": [
            {"from_morphine_mg_per_day": "30", "factor": "5"},
            {"from_morphine_mg_per_day": "90", "factor": "20"},
        ],
    }
    assert refusal(linear("morphine", "oral", "1"), banded) == [
        (1, TableProblem.FACTOR_IMPLAUSIBLE)
    ]


def test_issues_name_the_rows_as_given_not_as_the_table_sorts_them() -> None:
    rows = [linear("tramadol", "oral", "2"), linear("codeine", "oral", "0.1")]
    assert refusal(*rows) == [(0, TableProblem.FACTOR_IMPLAUSIBLE)]
    assert refusal(*reversed(rows)) == [(1, TableProblem.FACTOR_IMPLAUSIBLE)]


def test_a_route_without_a_published_range_cannot_get_a_factor() -> None:
    # No source of the shipped tables has parenteral morphine: refused, not guessed.
    assert refusal(linear("morphine", "parenteral", "3")) == [(0, TableProblem.NO_PUBLISHED_RANGE)]


def test_a_route_without_a_published_range_may_be_excluded_with_a_reason() -> None:
    excluded = {
        "substance": "morphine",
        "route": "parenteral",
        "kind": "excluded",
        "reason": "Injections are short-term treatment; assess without an OMEQ.",
    }
    assert refusal(excluded) == []


def test_structural_problems_are_reported_before_plausibility() -> None:
    assert refusal(linear("oxycodone", "oral", "-1")) == [(0, TableProblem.FACTOR_NOT_POSITIVE)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("margin = 1.5\n[[ranges]]\nsubstance='x'\nroute='oral'\n", id="no-unit"),
        pytest.param(
            "margin = 1.5\n[[ranges]]\nsubstance='x'\nroute='oral'\nper_unit='mg'\n"
            "low=2\nhigh=1\nsources=['s']\n",
            id="low-above-high",
        ),
        pytest.param(
            "margin = 1.5\n[[ranges]]\nsubstance='x'\nroute='oral'\nper_unit='mg'\nlow=1\nhigh=1\n",
            id="no-source",
        ),
        pytest.param("margin = 0.5\n", id="margin-below-1"),
    ],
)
def test_a_bounds_file_without_sources_or_with_bad_ranges_is_refused(text: str) -> None:
    with pytest.raises(SettingsError):
        bounds_from_toml(text)


def test_every_published_range_cites_a_source_and_spans_low_to_high() -> None:
    for published in BOUNDS.ranges:
        assert published.sources and published.low <= published.high
        assert published.margin >= 1


factors = st.decimals(min_value=D("0.0001"), max_value=D(1000), places=4)


@given(st.sampled_from(BOUNDS.ranges), factors)
def test_refused_exactly_when_more_than_the_margin_outside(
    published: PublishedRange, factor: Decimal
) -> None:
    standing = published.standing(factor, published.per_unit)
    far = factor * published.margin < published.low or factor > published.high * published.margin
    assert (standing is Standing.FAR_OUTSIDE) == far
    assert (standing is Standing.WITHIN) == (published.low <= factor <= published.high)


@given(st.sampled_from(BOUNDS.ranges))
def test_the_accepted_span_shown_is_itself_accepted(published: PublishedRange) -> None:
    lowest, highest = published.accepted_text()
    for edge in (lowest, highest):
        assert published.standing(D(edge), published.per_unit) is not Standing.FAR_OUTSIDE
