"""Small numbers: worked examples and the property that no hidden cell can be derived."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.suppression import (
    Cell,
    column_total,
    derivable,
    suppress_column,
    suppress_count,
    suppress_rate,
)


@pytest.mark.parametrize(
    ("count", "shown"), [(0, "0"), (1, "< 5"), (4, "< 5"), (5, "5"), (120, "120")]
)
def test_a_count_on_its_own(count: int, shown: str) -> None:
    assert suppress_count(count).text() == shown


def test_a_lone_small_count_takes_the_smallest_other_count_with_it() -> None:
    cells = suppress_column([3, 40, 12, 0, 25])
    assert [c.text() for c in cells] == ["< 5", "40", "*", "0", "25"]
    assert cells[2].secondary and not cells[2].primary


def test_two_small_counts_need_no_partner() -> None:
    assert [c.text() for c in suppress_column([3, 40, 2])] == ["< 5", "40", "< 5"]


def test_without_a_total_a_lone_small_count_stands_alone() -> None:
    assert [c.text() for c in suppress_column([3, 40], total_shown=False)] == ["< 5", "40"]


def test_zero_is_never_the_partner_since_it_hides_nothing() -> None:
    # 3 hidden beside a hidden 0 could still be worked out from the total.
    assert [c.text() for c in suppress_column([3, 0, 7])] == ["< 5", "0", "*"]


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        suppress_column([1, -1])


def test_rates_need_a_shown_numerator_and_a_large_enough_denominator() -> None:
    assert suppress_rate(Cell(6), 12) == Decimal(6) / Decimal(12)
    assert suppress_rate(Cell(6), 9) is None
    assert suppress_rate(Cell(None, primary=True), 100) is None
    assert suppress_rate(Cell(0), 0, min_denominator=0) is None


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=40))
def test_no_hidden_cell_can_be_derived_from_the_total(counts: list[int]) -> None:
    cells = suppress_column(counts)
    if derivable(counts, cells):
        # Only one count above zero: the total is that count, and hidden with it.
        assert column_total(counts).hidden
    for count, cell in zip(counts, cells, strict=True):
        if 0 < count < 5:
            assert cell.hidden and cell.primary  # every small count is hidden
        if cell.hidden:
            assert count > 0  # a zero is never hidden
        else:
            assert cell.value == count  # what is shown is true


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=40))
def test_at_most_one_cell_is_hidden_beyond_the_small_ones(counts: list[int]) -> None:
    cells = suppress_column(counts)
    assert sum(1 for c in cells if c.secondary) <= 1
