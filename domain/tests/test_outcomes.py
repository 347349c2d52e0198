"""Outcome measures of a pain-centre course: PEG and NRS (built in, scored by domain.scores),
questionnaires as data, the change start -> end -> follow-up and its chart."""

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.outcomes import (
    Instrument,
    Item,
    OutcomeError,
    Scoring,
    Timepoint,
    chart_y,
    default_instruments,
    instrument,
    outcome_change,
    outcome_chart,
    parse_questionnaires,
    score,
)
from domain.scores import peg_score

D = Decimal
PEG = instrument("peg")
NRS = instrument("nrs")
PSEQ2 = instrument("pseq2")


# --- worked examples --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pain", "enjoyment", "activity", "expected"),
    [
        # Krebs 2009: the PEG score is the mean of the three 0-10 items.
        (7, 6, 5, D("6.00")),
        (10, 10, 10, D("10.00")),
        (0, 0, 0, D("0.00")),
        (6, 5, 5, D("5.33")),
        (5, 5, 6, D("5.33")),
        (7, 7, 6, D("6.67")),
    ],
)
def test_peg_is_the_mean_of_its_three_items_krebs_2009(
    pain: int, enjoyment: int, activity: int, expected: Decimal
) -> None:
    answers = {"pain": pain, "enjoyment": enjoyment, "activity": activity}
    assert score(PEG, answers) == expected


def test_nrs_is_its_one_item() -> None:
    assert score(NRS, {"nrs": 7}) == D(7)


def test_pseq2_is_the_sum_of_its_two_items_nicholas_2015() -> None:
    # Nicholas 2015: two PSEQ items, each 0-6; the score is their sum, 0-12.
    assert score(PSEQ2, {"work": 3, "lifestyle": 4}) == D(7)
    assert (PSEQ2.minimum, PSEQ2.maximum) == (D(0), D(12))
    assert PSEQ2.higher_is_better


def test_every_instrument_names_its_source() -> None:
    assert set(default_instruments()) == {"peg", "nrs", "pseq2"}
    for found in default_instruments().values():
        assert found.source and found.version and found.items
    assert "Krebs" in PEG.source and "2009" in PEG.source
    assert "Nicholas" in PSEQ2.source and PSEQ2.licence


def test_a_change_start_end_follow_up_is_the_differences() -> None:
    change = outcome_change(
        PEG, {Timepoint.START: D("7.00"), Timepoint.END: D("4.67"), Timepoint.FOLLOW_UP: D("5.00")}
    )
    assert change.start_to_end == D("-2.33")
    assert change.end_to_follow_up == D("0.33")
    assert change.start_to_follow_up == D("-2.00")
    assert change.better(change.start_to_end) is True  # a lower PEG is better
    assert change.better(change.end_to_follow_up) is False


def test_a_missing_timepoint_has_no_change() -> None:
    change = outcome_change(NRS, {Timepoint.START: D(6)})
    assert change.start_to_end is None
    assert change.better(change.start_to_end) is None


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "field", "code"),
    [
        ({"pain": 7, "enjoyment": 6}, "activity", "item_missing"),
        ({"pain": 7, "enjoyment": 6, "activity": None}, "activity", "item_missing"),
        ({"pain": 11, "enjoyment": 6, "activity": 5}, "pain", "item_out_of_range"),
        ({"pain": -1, "enjoyment": 6, "activity": 5}, "pain", "item_out_of_range"),
        ({"pain": 7.5, "enjoyment": 6, "activity": 5}, "pain", "item_not_whole_number"),
        ({"pain": True, "enjoyment": 6, "activity": 5}, "pain", "item_not_whole_number"),
        ({"pain": "7", "enjoyment": 6, "activity": 5}, "pain", "item_not_whole_number"),
        ({"pain": 7, "enjoyment": 6, "activity": 5, "sleep": 3}, "sleep", "unknown_item"),
    ],
)
def test_bad_answers_are_refused_naming_the_item(
    answers: dict[str, object], field: str, code: str
) -> None:
    with pytest.raises(OutcomeError) as refused:
        score(PEG, answers)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_an_unknown_instrument_is_refused() -> None:
    with pytest.raises(OutcomeError) as refused:
        instrument("sf36")
    assert refused.value.code == "unknown_instrument"


def test_a_score_outside_its_range_is_no_change() -> None:
    with pytest.raises(OutcomeError):
        outcome_change(NRS, {Timepoint.START: D(11)})


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ({"scoring": "peg"}, "bad_scoring"),
        ({"scoring": "median"}, "bad_scoring"),
        ({"items": [{"code": "a", "text": "A", "min": 3, "max": 3}]}, "bad_items"),
        ({"items": [{"code": "a", "text": "A", "min": 0, "max": 3}] * 2}, "bad_items"),
    ],
)
def test_a_bad_questionnaire_definition_is_refused(entry: dict[str, object], code: str) -> None:
    base = {
        "code": "q",
        "name": "Q",
        "version": "1",
        "scoring": "sum",
        "higher_is_better": True,
        "source": "S",
        "items": [{"code": "a", "text": "A", "min": 0, "max": 3}],
    }
    with pytest.raises(OutcomeError) as refused:
        parse_questionnaires({"questionnaires": [{**base, **entry}]})
    assert refused.value.code == code


def test_a_mean_questionnaire_rounds_half_up() -> None:
    mean = Instrument(
        code="m",
        name="M",
        version="1",
        items=(Item("a", "A", 0, 4), Item("b", "B", 0, 4), Item("c", "C", 0, 4)),
        scoring=Scoring.MEAN,
        higher_is_better=False,
        decimals=1,
        source="S",
    )
    assert score(mean, {"a": 1, "b": 1, "c": 2}) == D("1.3")
    assert score(mean, {"a": 0, "b": 0, "c": 1}) == D("0.3")
    assert (mean.minimum, mean.maximum) == (D(0), D(4))


# --- properties -------------------------------------------------------------------------------

peg_item = st.integers(0, 10)


@given(peg_item, peg_item, peg_item)
def test_peg_through_the_definition_is_domain_scores_peg(
    pain: int, enjoyment: int, activity: int
) -> None:
    answers = {"pain": pain, "enjoyment": enjoyment, "activity": activity}
    assert score(PEG, answers) == peg_score(pain, enjoyment, activity)


@given(st.sampled_from(sorted(default_instruments())), st.data())
def test_every_valid_answer_set_scores_within_the_range(code: str, data: st.DataObject) -> None:
    found = instrument(code)
    answers = {i.code: data.draw(st.integers(i.minimum, i.maximum)) for i in found.items}
    assert found.minimum <= score(found, answers) <= found.maximum


@given(st.sampled_from(sorted(default_instruments())), st.data())
def test_an_answer_outside_an_items_range_is_always_refused(code: str, data: st.DataObject) -> None:
    found = instrument(code)
    answers = {i.code: data.draw(st.integers(i.minimum, i.maximum)) for i in found.items}
    target = data.draw(st.sampled_from(found.items))
    wrong = data.draw(st.integers(-100, 100))
    assume(not target.minimum <= wrong <= target.maximum)
    with pytest.raises(OutcomeError):
        score(found, {**answers, target.code: wrong})


scores_0_10 = st.integers(0, 1000).map(lambda n: D(n) / 100)


@given(scores_0_10, scores_0_10, scores_0_10)
def test_changes_add_up(start: Decimal, end: Decimal, follow_up: Decimal) -> None:
    change = outcome_change(
        PEG, {Timepoint.START: start, Timepoint.END: end, Timepoint.FOLLOW_UP: follow_up}
    )
    assert change.start_to_end is not None and change.end_to_follow_up is not None
    assert change.start_to_end + change.end_to_follow_up == change.start_to_follow_up


@given(scores_0_10, scores_0_10)
def test_a_higher_score_is_drawn_higher_and_inside_the_plot(a: Decimal, b: Decimal) -> None:
    assume(a < b)
    chart = outcome_chart(outcome_change(PEG, {Timepoint.START: a, Timepoint.END: b}))
    assert chart is not None
    start, end = chart.markers
    assert D(end.y) <= D(start.y)  # SVG y grows downwards
    for marker in chart.markers:
        assert chart.plot_top <= D(marker.y) <= chart.plot_bottom
        assert chart.plot_left <= D(marker.x) <= chart.plot_right
    assert chart_y(PEG, a) > chart_y(PEG, b)


def test_no_chart_without_a_score() -> None:
    assert outcome_chart(outcome_change(NRS, {})) is None


def test_the_chart_joins_the_recorded_points_in_order() -> None:
    chart = outcome_chart(outcome_change(NRS, {Timepoint.START: D(8), Timepoint.FOLLOW_UP: D(5)}))
    assert chart is not None
    assert [m.timepoint for m in chart.markers] == [Timepoint.START, Timepoint.FOLLOW_UP]
    assert chart.path == "40.0,38.4 300.0,72.0"
