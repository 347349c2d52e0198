"""Small-number suppression for figures shown outside the patients' own practice.

A count of 1 to 4 patients could point at a person, so it is shown as "< 5" (primary
suppression). When a column of counts is shown with its total, one hidden cell could be
worked out as the total minus the shown cells, so a second cell is hidden too (secondary
suppression): the smallest shown count above zero, so as little as possible is lost. Zero
is shown: it names nobody. A rate is not shown when its denominator is below a minimum
(a setting, default 10) or when its numerator is hidden.

The rule the tests check: in a column shown with its total, either no cell is hidden or at
least two cells above zero are, so no hidden cell can be derived from the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

SMALLEST_SHOWN = 5
DEFAULT_MIN_DENOMINATOR = 10


@dataclass(frozen=True, slots=True)
class Cell:
    """One count as shown: ``value`` is None when it is hidden."""

    value: int | None
    primary: bool = False  # hidden because it is small (1-4)
    secondary: bool = False  # hidden so that a small one cannot be worked out

    @property
    def hidden(self) -> bool:
        return self.value is None

    def text(self) -> str:
        """The text to show: the number, or "< 5" (or "*" for a secondary suppression,
        which is not small and must not read as if it were)."""
        if self.value is not None:
            return str(self.value)
        return f"< {SMALLEST_SHOWN}" if self.primary else "*"


def is_small(count: int) -> bool:
    return 0 < count < SMALLEST_SHOWN


def suppress_count(count: int) -> Cell:
    """One count shown on its own (no total beside it)."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    return Cell(None, primary=True) if is_small(count) else Cell(count)


def suppress_column(counts: Sequence[int], *, total_shown: bool = True) -> list[Cell]:
    """Each count as shown; with ``total_shown`` a lone hidden cell gets a partner."""
    if any(count < 0 for count in counts):
        raise ValueError("a count cannot be negative")
    cells = [suppress_count(count) for count in counts]
    hidden = [i for i, cell in enumerate(cells) if cell.hidden]
    if total_shown and len(hidden) == 1:
        candidates = [i for i, count in enumerate(counts) if count > 0 and not cells[i].hidden]
        if candidates:
            partner = min(candidates, key=lambda i: (counts[i], i))
            cells[partner] = Cell(None, secondary=True)
    return cells


def column_total(counts: Sequence[int]) -> Cell:
    """The column's total as shown: itself a count, so a total of 1-4 is hidden too."""
    return suppress_count(sum(counts))


def derivable(counts: Sequence[int], cells: Sequence[Cell]) -> list[int]:
    """The positions of hidden cells a reader could work out from the total and the shown
    cells: a hidden cell is derivable when it is the only hidden cell above zero (the test's
    definition; the total of the column is ``sum(counts)``)."""
    hidden_positive = [i for i, cell in enumerate(cells) if cell.hidden and counts[i] > 0]
    return hidden_positive if len(hidden_positive) == 1 else []


def suppress_rate(
    numerator: Cell, denominator: int, *, min_denominator: int = DEFAULT_MIN_DENOMINATOR
) -> Decimal | None:
    """``numerator / denominator`` (unrounded), or None when it may not be shown."""
    if numerator.value is None or denominator < max(min_denominator, 1):
        return None
    return Decimal(numerator.value) / Decimal(denominator)
