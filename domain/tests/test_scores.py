"""Follow-up scores: PEG, NRS, SOWS and COWS ranges, bands and changes, named by source."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.scores import (
    Peg,
    ScoreError,
    WithdrawalBand,
    WithdrawalScale,
    compare_nrs,
    compare_peg,
    cows_total,
    default_score_settings,
    is_withdrawal_alert,
    peg_score,
    sows_total,
    validate_nrs,
    withdrawal_band,
)

D = Decimal
SETTINGS = default_score_settings()
item = st.integers(0, 10)

# --- PEG (Krebs et al. 2009) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "score"),
    [
        pytest.param((0, 0, 0), D("0.00"), id="krebs2009-lowest"),
        pytest.param((10, 10, 10), D("10.00"), id="krebs2009-highest"),
        pytest.param((6, 7, 5), D("6.00"), id="krebs2009-mean-of-three"),
        pytest.param((3, 4, 4), D("3.67"), id="krebs2009-mean-rounded-half-up"),
        pytest.param((3, 3, 4), D("3.33"), id="krebs2009-mean-rounded-down"),
    ],
)
def test_peg_is_the_mean_of_its_three_items(items: tuple[int, int, int], score: Decimal) -> None:
    assert peg_score(*items) == score
    assert Peg(*items).score == score


@pytest.mark.parametrize(
    ("items", "field", "code"),
    [
        ((11, 0, 0), "pain", "peg_item_out_of_range"),
        ((0, -1, 0), "enjoyment", "peg_item_out_of_range"),
        ((0, 0, 12), "activity", "peg_item_out_of_range"),
        ((0, 2.5, 0), "enjoyment", "score_not_whole_number"),
        ((True, 0, 0), "pain", "score_not_whole_number"),
    ],
)
def test_peg_refuses_items_outside_0_to_10(
    items: tuple[int, int, int], field: str, code: str
) -> None:
    with pytest.raises(ScoreError) as raised:
        Peg(*items)
    assert (raised.value.field, raised.value.code) == (field, code)


@given(item, item, item)
def test_peg_is_always_within_0_to_10_and_the_mean_to_two_decimals(
    pain: int, enjoyment: int, activity: int
) -> None:
    score = peg_score(pain, enjoyment, activity)
    assert D(0) <= score <= D(10)
    assert abs(score - D(pain + enjoyment + activity) / 3) <= D("0.005")


def test_peg_worse_by_2_points_alerts_and_by_1_67_does_not() -> None:
    baseline = Peg(3, 3, 3)
    assert compare_peg(baseline, Peg(5, 5, 5)).is_alert_worsening
    change = compare_peg(baseline, Peg(5, 5, 4))
    assert (change.points, change.is_alert_worsening) == (D("1.67"), False)


def test_a_30_percent_fall_counts_even_when_the_rounded_scores_show_29_99() -> None:
    # 6.67 -> 4.67 is 29.99 % on the shown scores but exactly 30 % on the items (20 -> 14).
    change = compare_peg(Peg(7, 7, 6), Peg(5, 5, 4))
    assert change.is_meaningful_improvement
    assert change.points == D("-2.00")
    assert not compare_peg(Peg(7, 7, 6), Peg(5, 5, 5)).is_meaningful_improvement


def test_a_baseline_of_zero_cannot_improve() -> None:
    assert not compare_peg(Peg(0, 0, 0), Peg(0, 0, 0)).is_meaningful_improvement


# --- NRS (Farrar et al. 2001) -----------------------------------------------------------------


@pytest.mark.parametrize("value", [-1, 11, 3.5, None, "5"])
def test_nrs_refuses_values_outside_0_to_10(value: object) -> None:
    with pytest.raises(ScoreError) as raised:
        validate_nrs(value)
    assert raised.value.field == "nrs"


@pytest.mark.parametrize(
    ("baseline", "current", "worse", "better"),
    [
        pytest.param(6, 8, True, False, id="farrar2001-two-points-worse"),
        pytest.param(6, 7, False, False, id="farrar2001-one-point-is-not-important"),
        pytest.param(6, 4, False, True, id="farrar2001-two-points-better"),
    ],
)
def test_an_nrs_change_of_2_points_is_important(
    baseline: int, current: int, worse: bool, better: bool
) -> None:
    change = compare_nrs(baseline, current)
    assert (change.is_important_worsening, change.is_important_improvement) == (worse, better)


# --- SOWS (Handelsman et al. 1987) and COWS (Wesson & Ling 2003) ------------------------------

N, MI, MO, MS, SE = (
    WithdrawalBand.NONE,
    WithdrawalBand.MILD,
    WithdrawalBand.MODERATE,
    WithdrawalBand.MODERATELY_SEVERE,
    WithdrawalBand.SEVERE,
)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        pytest.param(4, N, id="wesson2003-below-5-no-band"),
        pytest.param(5, MI, id="wesson2003-mild-from-5"),
        pytest.param(12, MI, id="wesson2003-mild-to-12"),
        pytest.param(13, MO, id="wesson2003-moderate-from-13"),
        pytest.param(24, MO, id="wesson2003-moderate-to-24"),
        pytest.param(25, MS, id="wesson2003-moderately-severe-from-25"),
        pytest.param(36, MS, id="wesson2003-moderately-severe-to-36"),
        pytest.param(37, SE, id="wesson2003-severe-above-36"),
        pytest.param(48, SE, id="wesson2003-maximum-48"),
    ],
)
def test_cows_bands(total: int, band: WithdrawalBand) -> None:
    assert withdrawal_band(WithdrawalScale.COWS, total) is band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        pytest.param(0, N, id="service-convention-none"),
        pytest.param(1, MI, id="service-convention-mild-from-1"),
        pytest.param(10, MI, id="service-convention-mild-to-10"),
        pytest.param(11, MO, id="service-convention-moderate-from-11"),
        pytest.param(20, MO, id="service-convention-moderate-to-20"),
        pytest.param(21, SE, id="service-convention-severe-from-21"),
        pytest.param(64, SE, id="handelsman1987-maximum-64"),
    ],
)
def test_sows_bands(total: int, band: WithdrawalBand) -> None:
    assert withdrawal_band(WithdrawalScale.SOWS, total) is band


def test_the_sows_bands_are_flagged_as_uncertain_and_the_cows_bands_are_not() -> None:
    assert SETTINGS.sows.bands_uncertain
    assert "Handelsman" in SETTINGS.sows.bands_source or "not from" in SETTINGS.sows.bands_source
    assert not SETTINGS.cows.bands_uncertain


@pytest.mark.parametrize(
    ("scale", "total"),
    [(WithdrawalScale.SOWS, 65), (WithdrawalScale.SOWS, -1), (WithdrawalScale.COWS, 49)],
)
def test_withdrawal_totals_outside_the_scale_are_refused(
    scale: WithdrawalScale, total: int
) -> None:
    with pytest.raises(ScoreError) as raised:
        withdrawal_band(scale, total)
    assert raised.value.code == f"{scale}_total_out_of_range"


@pytest.mark.parametrize(
    ("band", "alerts"), [(N, False), (MI, False), (MO, True), (MS, True), (SE, True)]
)
def test_moderate_and_above_alert(band: WithdrawalBand, alerts: bool) -> None:
    assert is_withdrawal_alert(band) is alerts


def test_sows_sums_16_items_of_0_to_4() -> None:
    assert sows_total([4] * 16) == 64
    assert sows_total([0, 1, 2, 3] * 4) == 24


def test_sows_refuses_a_wrong_count_and_an_item_above_4() -> None:
    with pytest.raises(ScoreError) as raised:
        sows_total([1] * 15)
    assert raised.value.code == "wrong_item_count"
    with pytest.raises(ScoreError) as raised:
        sows_total([0] * 15 + [5])
    assert (raised.value.code, raised.value.field) == ("sows_item_out_of_range", "item_16")


def test_cows_items_take_only_the_forms_anchor_values() -> None:
    most = [max(values) for _, values in SETTINGS.cows.item_values]
    assert cows_total(most) == 48
    pulse_3 = [3] + [0] * 10  # resting pulse is scored 0, 1, 2 or 4
    with pytest.raises(ScoreError) as raised:
        cows_total(pulse_3)
    assert (raised.value.code, raised.value.field) == ("cows_item_out_of_range", "resting_pulse")


def test_the_cows_form_has_11_items() -> None:
    assert len(SETTINGS.cows.item_values) == 11
    assert SETTINGS.cows.item_values[-1] == ("gooseflesh_skin", (0, 3, 5))
