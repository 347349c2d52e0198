"""How many drawn cases reach a property's assertions.

A property that skips cases with `assume` fails when no case gets through (hypothesis raises
Unsatisfiable), but it could still test far fewer cases than it seems to. A test that skips
cases therefore also checks, once and deterministically, that a healthy share reaches it.
"""

from collections.abc import Callable
from typing import TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

T = TypeVar("T")


def share_of_cases(
    strategy: st.SearchStrategy[T], reaches: Callable[[T], bool], *, examples: int = 200
) -> float:
    """The share of ``examples`` cases drawn from ``strategy`` for which ``reaches`` holds.

    Derandomized and without the example database, so the figure is the same on every run.
    """
    outcomes: list[bool] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(strategy)
    def draw(case: T) -> None:
        outcomes.append(bool(reaches(case)))

    draw()
    assert len(outcomes) >= examples // 2, "the strategy itself rejects most cases"
    return sum(outcomes) / len(outcomes)
