"""The capacity forecast: cases worked by hand, the loop version's agreement, properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.forecast import (
    SERIES,
    FlowRates,
    ForecastError,
    Scenario,
    bands,
    forecast,
    simulate,
    simulate_loop,
)


def rates(**changes: object) -> FlowRates:
    values: dict[str, object] = {
        "new_per_month": 0.0,
        "early_handover_per_month": 0.0,
        "success_at_3_months": 0.0,
        "hospital_slots_per_month": None,
        "hospital_end_per_month": 0.0,
        "practice_caseload": 0,
        "hospital_caseload": 0,
        "waiting_list": 0,
    }
    values.update(changes)
    return FlowRates(**values)  # type: ignore[arg-type]


def first_run(rates: FlowRates, series: str, months: int = 6) -> list[int]:
    paths = simulate(rates, runs=3, seed=1, months=months)
    values = paths.series(series)
    assert (values == values[:, :1]).all(), "a deterministic case differs between runs"
    return [int(v) for v in values[:, 0]]


# 30 patients in the practice track at the start, 10 in each of its three months.
def test_everyone_succeeding_empties_the_practice_track_without_handovers() -> None:
    flow = rates(practice_caseload=30, success_at_3_months=1.0)
    assert first_run(flow, "practice_caseload") == [20, 10, 0, 0, 0, 0]
    assert first_run(flow, "handovers") == [0] * 6
    paths = simulate(flow, runs=1, seed=1, months=3)
    assert int(paths.succeeded[-1, 0]) == 30


def test_no_success_hands_each_month_over_at_the_3_month_point() -> None:
    flow = rates(practice_caseload=30)
    assert first_run(flow, "handovers") == [10, 10, 10, 0, 0, 0]
    # unlimited slots: nobody waits, everyone reaches the hospital track
    assert first_run(flow, "waiting_list") == [0] * 6
    assert first_run(flow, "hospital_caseload") == [10, 20, 30, 30, 30, 30]


def test_no_slots_puts_every_handover_on_the_waiting_list() -> None:
    flow = rates(practice_caseload=30, hospital_slots_per_month=0, hospital_caseload=7)
    assert first_run(flow, "waiting_list") == [10, 20, 30, 30, 30, 30]
    assert first_run(flow, "hospital_caseload") == [7] * 6


def test_five_slots_work_the_waiting_list_down_by_hand() -> None:
    flow = rates(practice_caseload=30, hospital_slots_per_month=5)
    # waiting: 10-5, 5+10-5, 10+10-5, 15-5, 10-5, 5-5
    assert first_run(flow, "waiting_list") == [5, 10, 15, 10, 5, 0]
    assert first_run(flow, "hospital_caseload") == [5, 10, 15, 20, 25, 30]


def test_every_hospital_course_ending_each_month_keeps_only_new_starts() -> None:
    flow = rates(practice_caseload=30, hospital_end_per_month=1.0, hospital_caseload=50)
    assert first_run(flow, "hospital_caseload") == [10, 10, 10, 0, 0, 0]


def test_handing_everyone_over_early_does_so_in_the_first_month() -> None:
    flow = rates(practice_caseload=30, early_handover_per_month=1.0, success_at_3_months=1.0)
    assert first_run(flow, "handovers") == [30, 0, 0, 0, 0, 0]
    assert first_run(flow, "practice_caseload") == [0] * 6


def test_the_initial_caseload_goes_to_the_newest_month_first() -> None:
    assert rates(practice_caseload=31).initial_ages() == (11, 10, 10)


def test_the_same_seed_gives_the_same_forecast_and_another_seed_another() -> None:
    flow = rates(new_per_month=20, early_handover_per_month=0.1, success_at_3_months=0.5)
    one = simulate(flow, runs=50, seed=7)
    again = simulate(flow, runs=50, seed=7)
    other = simulate(flow, runs=50, seed=8)
    assert np.array_equal(one.waiting_list, again.waiting_list)
    assert not np.array_equal(one.arrivals, other.arrivals)


REALISTIC = rates(
    new_per_month=40,
    early_handover_per_month=0.05,
    success_at_3_months=0.6,
    hospital_slots_per_month=12,
    hospital_end_per_month=0.1,
    practice_caseload=100,
    hospital_caseload=50,
    waiting_list=5,
)


def test_the_plain_loop_gives_identical_paths() -> None:
    vectorised = simulate(REALISTIC, runs=40, seed=11, months=12)
    loop = simulate_loop(REALISTIC, runs=40, seed=11, months=12)
    for name in (*SERIES, "arrivals", "succeeded", "ended"):
        assert np.array_equal(getattr(vectorised, name), getattr(loop, name)), name


def test_the_bands_are_percentiles_of_the_runs() -> None:
    paths = simulate(REALISTIC, runs=101, seed=2, months=4)
    band = bands(paths)["waiting_list"]
    assert band.p50[3] == float(np.median(paths.waiting_list[3]))
    assert len(band.p10) == 4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"success_at_3_months": 1.5}, "probability", id="success-above-one"),
        pytest.param({"early_handover_per_month": -0.1}, "probability", id="negative-rate"),
        pytest.param({"new_per_month": float("nan")}, "new_per_month", id="nan-arrivals"),
        pytest.param({"hospital_slots_per_month": -1}, "negative", id="negative-slots"),
        pytest.param({"waiting_list": -3}, "negative", id="negative-waiting"),
    ],
)
def test_it_refuses_impossible_rates(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ForecastError, match=message):
        rates(**changes)


def test_it_refuses_zero_runs() -> None:
    with pytest.raises(ForecastError, match="runs"):
        forecast(REALISTIC, runs=0, seed=1)


def test_scenarios_change_the_rates_they_name() -> None:
    changed = Scenario(success_points=10, early_handover_cut=0.5, extra_slots=3).apply(REALISTIC)
    assert changed.success_at_3_months == pytest.approx(0.7)
    assert changed.early_handover_per_month == pytest.approx(0.025)
    assert changed.hospital_slots_per_month == 15
    assert Scenario(success_points=60).apply(REALISTIC).success_at_3_months == 1.0


probabilities = st.floats(min_value=0.0, max_value=1.0)
flows = st.builds(
    FlowRates,
    new_per_month=st.floats(min_value=0.0, max_value=200.0),
    early_handover_per_month=probabilities,
    success_at_3_months=probabilities,
    hospital_slots_per_month=st.none() | st.integers(min_value=0, max_value=100),
    hospital_end_per_month=probabilities,
    practice_caseload=st.integers(min_value=0, max_value=500),
    hospital_caseload=st.integers(min_value=0, max_value=500),
    waiting_list=st.integers(min_value=0, max_value=500),
)
seeds = st.integers(min_value=0, max_value=2**32)


@settings(max_examples=60, deadline=None)
@given(flow=flows, seed=seeds)
def test_no_patient_is_made_or_lost(flow: FlowRates, seed: int) -> None:
    paths = simulate(flow, runs=8, seed=seed, months=10)
    start = flow.practice_caseload + flow.hospital_caseload + flow.waiting_list
    entered = start + paths.arrivals.cumsum(axis=0)
    accounted = (
        paths.practice_caseload
        + paths.succeeded
        + paths.waiting_list
        + paths.hospital_caseload
        + paths.ended
    )
    assert np.array_equal(entered, accounted)


@settings(max_examples=60, deadline=None)
@given(flow=flows, seed=seeds)
def test_bands_are_ordered_and_nothing_is_negative(flow: FlowRates, seed: int) -> None:
    paths = simulate(flow, runs=15, seed=seed, months=8)
    for name in SERIES:
        assert (paths.series(name) >= 0).all(), name
    for band in bands(paths).values():
        for low, mid, high in zip(band.p10, band.p50, band.p90, strict=True):
            assert low <= mid <= high


@settings(max_examples=60, deadline=None)
@given(flow=flows, seed=seeds, extra=st.integers(min_value=1, max_value=50))
def test_more_slots_never_lengthen_the_waiting_list(flow: FlowRates, seed: int, extra: int) -> None:
    fewer = simulate(flow, runs=8, seed=seed, months=10)
    more = simulate(Scenario(extra_slots=extra).apply(flow), runs=8, seed=seed, months=10)
    assert (more.waiting_list <= fewer.waiting_list).all()
    assert np.array_equal(more.handovers, fewer.handovers)  # the same practice-track draws


@settings(max_examples=25, deadline=None)
@given(flow=flows, seed=seeds)
def test_the_loop_agrees_on_any_rates(flow: FlowRates, seed: int) -> None:
    vectorised = simulate(flow, runs=3, seed=seed, months=5)
    loop = simulate_loop(flow, runs=3, seed=seed, months=5)
    assert np.array_equal(vectorised.waiting_list, loop.waiting_list)
    assert np.array_equal(vectorised.hospital_caseload, loop.hospital_caseload)
