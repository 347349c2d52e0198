"""A follow-up visit: date checks, score checks and the alerts it raises."""

from datetime import date

import pytest

from domain.follow_up import (
    AlertCode,
    FollowUpError,
    FollowUpScores,
    follow_up_alerts,
    missed_follow_up,
    new_sedatives,
    next_follow_up_on,
    validate_follow_up_date,
    validate_next_visit,
)
from domain.omeq import CoMedicationError
from domain.scores import Peg, ScoreError

START = date(2027, 3, 1)
TODAY = date(2027, 4, 15)


def alerts(
    scores: FollowUpScores,
    *,
    baseline: Peg | None = None,
    previous: tuple[str, ...] = (),
    current: tuple[str, ...] = (),
) -> list[AlertCode]:
    found = follow_up_alerts(
        scores=scores, baseline_peg=baseline, previous_atc_codes=previous, current_atc_codes=current
    )
    return [a.code for a in found]


# --- dates ------------------------------------------------------------------------------------


def test_a_follow_up_from_the_start_to_today_is_accepted() -> None:
    validate_follow_up_date(START, course_start=START, today=TODAY)
    validate_follow_up_date(TODAY, course_start=START, today=TODAY)


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (date(2027, 2, 28), "follow_up_before_course_start"),
        (date(2027, 4, 16), "follow_up_in_future"),
    ],
)
def test_a_follow_up_before_the_start_or_in_the_future_is_refused(on: date, code: str) -> None:
    with pytest.raises(FollowUpError) as raised:
        validate_follow_up_date(on, course_start=START, today=TODAY)
    assert (raised.value.code, raised.value.field) == (code, "date")


def test_the_next_visit_must_be_after_this_one() -> None:
    validate_next_visit(date(2027, 4, 16), visit_on=TODAY)
    with pytest.raises(FollowUpError) as raised:
        validate_next_visit(TODAY, visit_on=TODAY)
    assert raised.value.code == "next_visit_not_after_visit"


# --- scores -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "code"),
    [
        (lambda: FollowUpScores(nrs=11), "nrs_out_of_range"),
        (lambda: FollowUpScores(sows_total=65), "sows_total_out_of_range"),
        (lambda: FollowUpScores(cows_total=-1), "cows_total_out_of_range"),
        (lambda: FollowUpScores(peg=Peg(0, 0, 11)), "peg_item_out_of_range"),
    ],
)
def test_scores_outside_their_ranges_are_refused(scores: object, code: str) -> None:
    assert callable(scores)
    with pytest.raises(ScoreError) as raised:
        scores()
    assert raised.value.code == code


def test_a_visit_without_scores_raises_no_alert() -> None:
    assert alerts(FollowUpScores(), baseline=Peg(3, 3, 3)) == []


# --- alerts -----------------------------------------------------------------------------------


def test_peg_worse_by_2_points_from_baseline_alerts_with_its_working() -> None:
    (alert,) = follow_up_alerts(
        scores=FollowUpScores(peg=Peg(6, 5, 5)),
        baseline_peg=Peg(4, 3, 3),
        previous_atc_codes=(),
        current_atc_codes=(),
    )
    assert alert.code is AlertCode.PEG_WORSENED
    assert alert.params == (("baseline", "3.33"), ("current", "5.33"), ("points", "2.00"))


def test_peg_without_a_baseline_cannot_alert() -> None:
    assert alerts(FollowUpScores(peg=Peg(10, 10, 10))) == []


@pytest.mark.parametrize(
    ("scores", "alerting"),
    [
        pytest.param(FollowUpScores(sows_total=10), False, id="sows-10-mild"),
        pytest.param(FollowUpScores(sows_total=11), True, id="sows-11-moderate"),
        pytest.param(FollowUpScores(cows_total=12), False, id="wesson2003-cows-12-mild"),
        pytest.param(FollowUpScores(cows_total=13), True, id="wesson2003-cows-13-moderate"),
        pytest.param(FollowUpScores(cows_total=40), True, id="wesson2003-cows-40-severe"),
    ],
)
def test_withdrawal_in_the_moderate_band_or_above_alerts(
    scores: FollowUpScores, alerting: bool
) -> None:
    expected = [AlertCode.WITHDRAWAL_MODERATE_OR_ABOVE] if alerting else []
    assert alerts(scores) == expected


def test_sows_and_cows_each_raise_their_own_alert() -> None:
    found = follow_up_alerts(
        scores=FollowUpScores(sows_total=25, cows_total=13),
        baseline_peg=None,
        previous_atc_codes=(),
        current_atc_codes=(),
    )
    assert [(a.param("scale"), a.param("band")) for a in found] == [
        ("sows", "severe"),
        ("cows", "moderate"),
    ]


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        pytest.param((), ("N05BA01",), (("benzodiazepine", "N05BA01"),), id="new-diazepam"),
        pytest.param((), ("N05CD08",), (("benzodiazepine", "N05CD08"),), id="new-midazolam"),
        pytest.param((), ("N03AE01",), (("benzodiazepine", "N03AE01"),), id="new-clonazepam"),
        pytest.param((), ("N05CF01",), (("z_drug", "N05CF01"),), id="new-zopiclone"),
        pytest.param(("N05BA01",), ("N05BA01",), (), id="same-diazepam"),
        pytest.param(("N05BA01",), ("N05BA04",), (("benzodiazepine", "N05BA04"),), id="switch"),
        pytest.param((), ("N03AX16",), (), id="pregabalin-is-not-a-sedative-alert"),
        pytest.param((), ("n05cf02 ",), (("z_drug", "N05CF02"),), id="normalised-code"),
    ],
)
def test_a_new_benzodiazepine_or_z_drug_is_found_by_atc_prefix(
    previous: tuple[str, ...], current: tuple[str, ...], expected: tuple[tuple[str, str], ...]
) -> None:
    assert new_sedatives(previous, current) == expected


def test_a_new_sedative_raises_one_alert_naming_classes_and_codes() -> None:
    (alert,) = follow_up_alerts(
        scores=FollowUpScores(),
        baseline_peg=None,
        previous_atc_codes=["N02AA01"],
        current_atc_codes=["N02AA01", "N05CF01", "N05BA01"],
    )
    assert alert.code is AlertCode.NEW_BENZODIAZEPINE_OR_Z_DRUG
    assert alert.params == (
        ("classes", "benzodiazepine, z_drug"),
        ("atc_codes", "N05BA01, N05CF01"),
    )


def test_a_malformed_atc_code_is_refused() -> None:
    with pytest.raises(CoMedicationError):
        new_sedatives([], ["diazepam"])


def test_alerts_come_in_a_stable_order() -> None:
    found = alerts(
        FollowUpScores(peg=Peg(9, 9, 9), cows_total=30),
        baseline=Peg(2, 2, 2),
        current=("N05CF01",),
    )
    assert found == [
        AlertCode.PEG_WORSENED,
        AlertCode.WITHDRAWAL_MODERATE_OR_ABOVE,
        AlertCode.NEW_BENZODIAZEPINE_OR_Z_DRUG,
    ]


# --- missed follow-up -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_visit", "next_set", "due"),
    [
        pytest.param(None, None, date(2027, 3, 29), id="first-visit-one-interval-after-start"),
        pytest.param(date(2027, 4, 1), date(2027, 4, 10), date(2027, 4, 10), id="date-set"),
        pytest.param(date(2027, 4, 1), None, date(2027, 4, 29), id="interval-after-last"),
    ],
)
def test_the_next_follow_up_is_due_as_set_or_one_interval_on(
    last_visit: date | None, next_set: date | None, due: date
) -> None:
    assert (
        next_follow_up_on(
            course_start=START,
            interval_days=28,
            last_visit_on=last_visit,
            last_next_visit_on=next_set,
        )
        == due
    )


def test_the_interval_must_be_at_least_a_day() -> None:
    with pytest.raises(FollowUpError) as raised:
        next_follow_up_on(
            course_start=START, interval_days=0, last_visit_on=None, last_next_visit_on=None
        )
    assert raised.value.code == "bad_follow_up_interval"


def test_a_follow_up_is_missed_from_the_day_after_it_was_due() -> None:
    assert missed_follow_up(due_on=TODAY, today=TODAY) is None
    alert = missed_follow_up(due_on=date(2027, 4, 12), today=TODAY)
    assert alert is not None
    assert alert.code is AlertCode.MISSED_FOLLOW_UP
    assert alert.params == (("due_on", "2027-04-12"), ("days_overdue", "3"))
