"""The specialty-plan criteria from data: every criterion at its edges, and properties."""

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.calendar_months import add_calendar_months
from domain.referral_criteria import (
    Answer,
    CriteriaError,
    CriterionInput,
    CriterionKind,
    CriterionResult,
    CriterionStatus,
    ReferralFacts,
    criteria_set,
    evaluate,
    parse_criteria,
    whole_months_between,
)

SENT = date(2026, 12, 6)
CRITERIA = criteria_set()
ANSWERS = st.sampled_from(list(Answer))


def status_of(code: str, **facts: Any) -> CriterionResult:
    facts.setdefault("sent_on", SENT)
    checklist = evaluate(CRITERIA, ReferralFacts(**facts))
    return {result.code: result for result in checklist.results}[code]


def test_the_shipped_file_names_its_version_source_and_every_criterion_of_the_plan() -> None:
    assert CRITERIA.version
    assert "Specialeplan" in CRITERIA.source
    assert CRITERIA.minimum_pain_months == 6
    assert [c.code for c in CRITERIA.criteria] == [
        "chronic_pain",
        "complex",
        "worked_up",
        "primary_treatment_tried",
        "motivated",
        "gp_referral",
        "gp_takes_back",
    ]
    for criterion in CRITERIA.criteria:
        assert criterion.text("da") and criterion.text("en")


# --- chronic pain > 6 months (a setting) -------------------------------------------------


@pytest.mark.parametrize(
    ("pain_since", "expected"),
    [
        pytest.param(date(2026, 6, 6), CriterionStatus.NOT_MET, id="exactly-6-months"),
        pytest.param(date(2026, 6, 5), CriterionStatus.MET, id="6-months-and-a-day"),
        pytest.param(date(2026, 6, 7), CriterionStatus.NOT_MET, id="a-day-short"),
        pytest.param(SENT, CriterionStatus.NOT_MET, id="began-today"),
        pytest.param(date(2016, 1, 1), CriterionStatus.MET, id="ten-years"),
    ],
)
def test_chronic_pain_is_met_only_after_more_than_six_calendar_months(
    pain_since: date, expected: CriterionStatus
) -> None:
    assert status_of("chronic_pain", pain_since=pain_since).status == expected


def test_chronic_pain_clamps_to_the_end_of_a_shorter_month() -> None:
    # 31 Aug + 6 months is 28 Feb: met from 1 March.
    assert (
        status_of("chronic_pain", pain_since=date(2026, 8, 31), sent_on=date(2027, 2, 28)).status
        == CriterionStatus.NOT_MET
    )
    assert (
        status_of("chronic_pain", pain_since=date(2026, 8, 31), sent_on=date(2027, 3, 1)).status
        == CriterionStatus.MET
    )


def test_chronic_pain_without_an_onset_is_unknown_not_guessed() -> None:
    result = status_of("chronic_pain")
    assert result.status == CriterionStatus.UNKNOWN
    assert result.months_of_pain is None


def test_chronic_pain_shows_the_whole_months_it_counted() -> None:
    assert status_of("chronic_pain", pain_since=date(2025, 12, 7)).months_of_pain == 11


def test_pain_that_begins_after_the_referral_is_refused() -> None:
    with pytest.raises(CriteriaError) as error:
        status_of("chronic_pain", pain_since=SENT + timedelta(days=1))
    assert error.value.code == "pain_since_in_future"


def test_the_minimum_duration_is_a_setting() -> None:
    text = (
        'version = "x"\nsource = "test"\n[settings]\nminimum_pain_months = 3\n'
        '[[criteria]]\ncode = "chronic_pain"\nkind = "duration"\nen = "e"\nda = "d"\n'
    )
    criteria = parse_criteria(text)
    checklist = evaluate(criteria, ReferralFacts(sent_on=SENT, pain_since=date(2026, 9, 5)))
    assert checklist.all_met


# --- complex (any of psychological, social, existential) ---------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({}, CriterionStatus.UNKNOWN, id="nothing-said"),
        pytest.param({"social": Answer.YES}, CriterionStatus.MET, id="one-burden"),
        pytest.param(
            {"psychological": Answer.NO, "social": Answer.NO, "existential": Answer.NO},
            CriterionStatus.NOT_MET,
            id="no-burden",
        ),
        pytest.param(
            {"psychological": Answer.NO, "social": Answer.NO},
            CriterionStatus.UNKNOWN,
            id="two-no-one-unknown",
        ),
        pytest.param(
            {"psychological": Answer.NO, "existential": Answer.YES},
            CriterionStatus.MET,
            id="yes-beats-no",
        ),
    ],
)
def test_complex_pain_needs_one_burden(
    options: dict[str, Answer], expected: CriterionStatus
) -> None:
    result = status_of(
        "complex", inputs={"complex": CriterionInput(options=options, evidence="Sygemeldt")}
    )
    assert result.status == expected
    assert result.evidence == "Sygemeldt"


# --- fully worked up (every listed test) -------------------------------------------------


WORK_UP = ("somatic_examination", "blood_tests", "imaging_if_indicated", "specialist_assessment")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param(dict.fromkeys(WORK_UP, Answer.YES), CriterionStatus.MET, id="all-done"),
        pytest.param(
            dict.fromkeys(WORK_UP[:-1], Answer.YES), CriterionStatus.UNKNOWN, id="one-unknown"
        ),
        pytest.param(
            {**dict.fromkeys(WORK_UP, Answer.YES), "blood_tests": Answer.NO},
            CriterionStatus.NOT_MET,
            id="one-missing",
        ),
        pytest.param({}, CriterionStatus.UNKNOWN, id="nothing-said"),
    ],
)
def test_worked_up_needs_every_listed_test(
    options: dict[str, Answer], expected: CriterionStatus
) -> None:
    inputs = {"worked_up": CriterionInput(options=options)}
    assert status_of("worked_up", inputs=inputs).status == expected


def test_an_option_the_file_does_not_list_is_refused() -> None:
    with pytest.raises(CriteriaError) as error:
        status_of("worked_up", inputs={"worked_up": CriterionInput(options={"mri": Answer.YES})})
    assert error.value.code == "unknown_option"


# --- primary-sector treatment tried (any of) ---------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({"physiotherapy": Answer.YES}, CriterionStatus.MET, id="physiotherapy"),
        pytest.param(
            dict.fromkeys(CRITERIA.criterion("primary_treatment_tried").option_codes, Answer.NO),
            CriterionStatus.NOT_MET,
            id="nothing-tried",
        ),
        pytest.param({"psychology": Answer.UNKNOWN}, CriterionStatus.UNKNOWN, id="unknown"),
    ],
)
def test_primary_treatment_needs_one_tried(
    options: dict[str, Answer], expected: CriterionStatus
) -> None:
    inputs = {"primary_treatment_tried": CriterionInput(options=options)}
    assert status_of("primary_treatment_tried", inputs=inputs).status == expected


# --- motivated, GP takes back (answers); GP referral (the system) ------------------------


@pytest.mark.parametrize("code", ["motivated", "gp_takes_back"])
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer.YES, CriterionStatus.MET),
        (Answer.NO, CriterionStatus.NOT_MET),
        (Answer.UNKNOWN, CriterionStatus.UNKNOWN),
    ],
)
def test_answered_criteria_follow_the_answer(
    code: str, answer: Answer, expected: CriterionStatus
) -> None:
    assert status_of(code, inputs={code: CriterionInput(answer=answer)}).status == expected


def test_an_unanswered_criterion_is_unknown() -> None:
    assert status_of("motivated").status == CriterionStatus.UNKNOWN


@pytest.mark.parametrize(
    ("is_gp", "expected"), [(True, CriterionStatus.MET), (False, CriterionStatus.NOT_MET)]
)
def test_gp_referral_is_the_systems_answer(is_gp: bool, expected: CriterionStatus) -> None:
    assert status_of("gp_referral", referrer_is_gp=is_gp).status == expected


def test_the_checklist_says_which_are_missing_in_order() -> None:
    checklist = evaluate(
        CRITERIA,
        ReferralFacts(
            sent_on=SENT,
            pain_since=date(2020, 1, 1),
            referrer_is_gp=True,
            inputs={
                "complex": CriterionInput(options={"social": Answer.YES}),
                "worked_up": CriterionInput(options=dict.fromkeys(WORK_UP, Answer.YES)),
                "primary_treatment_tried": CriterionInput(options={"physiotherapy": Answer.YES}),
                "motivated": CriterionInput(answer=Answer.UNKNOWN),
                "gp_takes_back": CriterionInput(answer=Answer.NO),
            },
        ),
    )
    assert checklist.missing == ("motivated", "gp_takes_back")
    assert checklist.unknown == ("motivated",)
    assert checklist.not_met == ("gp_takes_back",)
    assert not checklist.all_met
    assert checklist.version == CRITERIA.version


def test_a_criterion_the_file_does_not_have_is_refused() -> None:
    with pytest.raises(CriteriaError) as error:
        evaluate(CRITERIA, ReferralFacts(sent_on=SENT, inputs={"age": CriterionInput()}))
    assert error.value.code == "unknown_criterion"


# --- the data file is checked ------------------------------------------------------------

ONE = '[[criteria]]\ncode = "a"\nkind = "answer"\nen = "e"\nda = "d"\n'
BASE = 'version = "x"\nsource = "s"\n[settings]\nminimum_pain_months = 6\n'


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("not = [toml", id="not-toml"),
        pytest.param('source = "s"\n[settings]\nminimum_pain_months = 6\n', id="no-version"),
        pytest.param(BASE, id="no-criteria"),
        pytest.param(BASE.replace("6", "0"), id="zero-months"),
        pytest.param(BASE.replace("6", "true"), id="boolean-months"),
        pytest.param(
            BASE + '[[criteria]]\ncode = "a"\nkind = "vibe"\nen = "e"\nda = "d"\n', id="bad-kind"
        ),
        pytest.param(
            BASE + '[[criteria]]\ncode = "a"\nkind = "any_of"\nen = "e"\nda = "d"\n',
            id="no-options",
        ),
        pytest.param(
            BASE + '[[criteria]]\ncode = "a"\nkind = "answer"\nen = "e"\nda = "d"\n' * 2,
            id="duplicate-code",
        ),
    ],
)
def test_a_broken_criteria_file_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(CriteriaError):
        parse_criteria(text)


# --- properties --------------------------------------------------------------------------

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@given(pain_since=DATES, sent_on=DATES)
def test_duration_is_met_exactly_when_the_anniversary_has_passed(
    pain_since: date, sent_on: date
) -> None:
    assume(pain_since <= sent_on)
    result = status_of("chronic_pain", pain_since=pain_since, sent_on=sent_on)
    anniversary = add_calendar_months(pain_since, CRITERIA.minimum_pain_months)
    assert result.is_met == (sent_on > anniversary)
    assert result.months_of_pain == whole_months_between(pain_since, sent_on)
    assert add_calendar_months(pain_since, result.months_of_pain) <= sent_on


@given(pain_since=DATES, sent_on=DATES, days=st.integers(min_value=1, max_value=400))
def test_more_pain_never_turns_a_met_duration_unmet(
    pain_since: date, sent_on: date, days: int
) -> None:
    assume(pain_since <= sent_on)
    assume(pain_since - timedelta(days=days) >= date(1990, 1, 1))
    now = status_of("chronic_pain", pain_since=pain_since, sent_on=sent_on).is_met
    earlier = status_of(
        "chronic_pain", pain_since=pain_since - timedelta(days=days), sent_on=sent_on
    ).is_met
    assert earlier or not now


@given(answers=st.lists(ANSWERS, min_size=4, max_size=4))
def test_any_of_is_met_iff_one_yes_and_all_of_iff_all_yes(answers: list[Answer]) -> None:
    options = dict(zip(WORK_UP, answers, strict=True))
    all_of = status_of("worked_up", inputs={"worked_up": CriterionInput(options=options)})
    assert all_of.is_met == all(a == Answer.YES for a in answers)
    assert (all_of.status == CriterionStatus.NOT_MET) == (Answer.NO in answers)
    complex_options = dict(
        zip(("psychological", "social", "existential"), answers[:3], strict=True)
    )
    any_of = status_of("complex", inputs={"complex": CriterionInput(options=complex_options)})
    assert any_of.is_met == (Answer.YES in answers[:3])
    assert (any_of.status == CriterionStatus.NOT_MET) == all(a == Answer.NO for a in answers[:3])


@given(
    answers=st.dictionaries(st.sampled_from(["motivated", "gp_takes_back"]), ANSWERS, min_size=1),
    is_gp=st.booleans(),
)
def test_missing_is_exactly_the_criteria_not_met(answers: dict[str, Answer], is_gp: bool) -> None:
    assume(any(a != Answer.YES for a in answers.values()) or is_gp)
    inputs = {code: CriterionInput(answer=answer) for code, answer in answers.items()}
    checklist = evaluate(CRITERIA, ReferralFacts(sent_on=SENT, referrer_is_gp=is_gp, inputs=inputs))
    assert set(checklist.missing) == {r.code for r in checklist.results if not r.is_met}
    assert set(checklist.missing) == set(checklist.not_met) | set(checklist.unknown)
    assert checklist.all_met is False  # the duration, the burdens and the work-up are unknown
    assert all(r.kind in set(CriterionKind) for r in checklist.results)
