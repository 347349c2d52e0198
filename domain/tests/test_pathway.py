"""The pathway file and the STarT Back scoring (domain/pathway.py).

Worked examples from the published scoring (Hill et al., Arthritis Rheum 2008;59(5):632-641;
Keele University's scoring guide: total 0-9, psychosocial subscale items 5-9 scored 0-5;
total <= 3 low risk; total >= 4 and subscale <= 3 medium; subscale >= 4 high), then
properties over every set of answers.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.pathway import (
    ActorKind,
    AnswerError,
    PathwayError,
    parse_instrument,
    parse_pathway,
    score,
    shipped_pathway,
    shipped_pathway_text,
    start_back,
)

AGREE, DISAGREE = "agree", "disagree"


def answers(agreed: set[int], bother: str = "moderately") -> dict[int, str]:
    """Items 1-8 agreed where listed, the rest disagreed; item 9 as given."""
    chosen = {n: AGREE if n in agreed else DISAGREE for n in range(1, 9)}
    chosen[9] = bother
    return chosen


# (agreed items 1-8, item 9, total, subscale, outcome): the scoring guide's cut-offs, each at
# its edge.
WORKED = [
    (set(), "not_at_all", 0, 0, "low"),
    ({1, 2, 3}, "moderately", 3, 0, "low"),  # total 3: low, whatever the subscale
    ({5, 6, 7}, "slightly", 3, 3, "low"),
    ({1, 2, 3, 4}, "moderately", 4, 0, "medium"),  # total 4, subscale 0
    ({1, 5, 6}, "very_much", 4, 3, "medium"),  # total 4, subscale 3 (item 9 counts 1)
    ({5, 6, 7, 8}, "moderately", 4, 4, "high"),  # subscale 4: high
    ({5, 6, 7}, "extremely", 4, 4, "high"),
    ({1, 2, 3, 4, 5, 6, 7, 8}, "extremely", 9, 5, "high"),
    ({1, 2, 3, 4, 5, 6, 7}, "slightly", 7, 3, "medium"),  # total 7 yet subscale 3: medium
]


@pytest.mark.parametrize(("agreed", "bother", "total", "subscale", "outcome"), WORKED)
def test_the_published_scoring_gives_the_published_risk_group(
    agreed: set[int], bother: str, total: int, subscale: int, outcome: str
) -> None:
    result = score(start_back(), answers(agreed, bother))
    assert (result.total, result.subscale, result.outcome) == (total, subscale, outcome)


def test_item_nine_counts_one_only_for_very_much_or_extremely() -> None:
    for bother, points in [
        ("not_at_all", 0),
        ("slightly", 0),
        ("moderately", 0),
        ("very_much", 1),
        ("extremely", 1),
    ]:
        assert score(start_back(), answers(set(), bother)).total == points


def test_the_instrument_names_its_source_and_licence() -> None:
    tool = start_back()
    assert "Arthritis Rheum 2008;59(5):632-641" in tool.source
    assert "Keele University" in tool.licence
    assert [item.number for item in tool.items] == list(range(1, 10))
    assert [item.number for item in tool.items if item.subscale] == [5, 6, 7, 8, 9]
    assert (tool.max_total, tool.max_subscale) == (9, 5)


def test_a_missing_answer_is_refused_not_guessed() -> None:
    given_answers = answers({1})
    del given_answers[4]
    with pytest.raises(AnswerError) as refused:
        score(start_back(), given_answers)
    assert (refused.value.item, refused.value.code) == (4, "unanswered")


def test_an_answer_off_the_scale_or_an_unknown_item_is_refused() -> None:
    with pytest.raises(AnswerError, match="not one of its answers"):
        score(start_back(), {**answers(set()), 9: "agree"})
    with pytest.raises(AnswerError) as refused:
        score(start_back(), {**answers(set()), 10: "agree"})
    assert refused.value.code == "unknown_item"


ITEM_ANSWERS = st.fixed_dictionaries(
    {
        **{n: st.sampled_from([AGREE, DISAGREE]) for n in range(1, 9)},
        9: st.sampled_from(["not_at_all", "slightly", "moderately", "very_much", "extremely"]),
    }
)


@given(ITEM_ANSWERS)
def test_scores_stay_in_range_and_the_subscale_never_exceeds_the_total(
    chosen: dict[int, str],
) -> None:
    result = score(start_back(), chosen)
    assert 0 <= result.subscale <= 5
    assert result.subscale <= result.total <= 9


@given(ITEM_ANSWERS)
def test_the_risk_group_follows_the_published_cut_offs(chosen: dict[int, str]) -> None:
    result = score(start_back(), chosen)
    if result.total <= 3:
        assert result.outcome == "low"
    elif result.subscale >= 4:
        assert result.outcome == "high"
    else:
        assert result.outcome == "medium"


RANK = {"low": 0, "medium": 1, "high": 2}


@given(ITEM_ANSWERS, st.integers(min_value=1, max_value=8))
def test_agreeing_with_one_more_item_never_lowers_the_risk(
    chosen: dict[int, str], item: int
) -> None:
    assume(chosen[item] == DISAGREE)
    before = score(start_back(), chosen)
    after = score(start_back(), {**chosen, item: AGREE})
    assert after.total == before.total + 1
    assert RANK[after.outcome] >= RANK[before.outcome]


# --- the pathway file ----------------------------------------------------------------------


def test_the_shipped_pathway_has_the_six_stages_and_three_levels() -> None:
    pathway = shipped_pathway()
    assert [s.owner for s in pathway.stages] == [
        ActorKind.GP_PRACTICE,
        ActorKind.MUNICIPALITY,
        ActorKind.PHYSIOTHERAPY,
        ActorKind.HOSPITAL_DEPARTMENT,
        ActorKind.PAIN_CLINIC,
        ActorKind.PAIN_CENTRE,
    ]
    assert [lv.code for lv in pathway.levels] == ["low", "medium", "high"]
    assert pathway.coordinator == ActorKind.GP_PRACTICE
    assert pathway.first_stage.code == "gp_assessment"
    assert pathway.published == datetime.date(2026, 1, 15)
    assert "seed 000" in pathway.source
    assert pathway.stage("pain_centre") is not None
    assert [s.code for s in pathway.stages_for("low")] == ["gp_assessment"]
    for stage in pathway.stages:
        assert stage.entry_criteria and stage.exit_criteria
        assert stage.expected_weeks.minimum <= stage.expected_weeks.maximum


def _edited(old: str, new: str) -> str:
    text = shipped_pathway_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "where", "code"),
    [
        ('owner = "municipality"', 'owner = "jobcentre"', "stages[1].owner", "unknown_actor"),
        (
            'levels = ["medium", "high"]',
            'levels = ["medium", "severe"]',
            "stages[1].levels",
            "unknown_level",
        ),
        (
            "expected_weeks = [8, 12]",
            "expected_weeks = [12, 8]",
            "stages[1].expected_weeks",
            "bad_weeks",
        ),
        (
            "expected_weeks = [8, 12]",
            "expected_weeks = [-1, 8]",
            "stages[1].expected_weeks",
            "bad_weeks",
        ),
        ('code = "physiotherapy"', 'code = "municipality"', "stages[2].code", "duplicate"),
        ("published = 2026-01-15", 'published = "soon"', "pathway.published", "not_date"),
        (
            'instrument = "start-back"',
            'instrument = "oswestry"',
            "pathway.instrument",
            "unknown_instrument",
        ),
        ('outcome = "high"', 'outcome = "severe"', "levels[2].outcome", "unknown_outcome"),
        ("starts_pathway = true", "starts_pathway = false", "stages", "no_start"),
        (
            'title = "Tværsektorielt forløbsprogram for lænderygbesvær"',
            'title = ""',
            "pathway.title",
            "empty",
        ),
    ],
)
def test_a_broken_pathway_file_is_refused_naming_where(
    old: str, new: str, where: str, code: str
) -> None:
    with pytest.raises(PathwayError) as refused:
        parse_pathway(_edited(old, new))
    assert (where, code) in {(p.where, p.code) for p in refused.value.problems}


def test_a_file_that_is_not_toml_is_refused_with_the_parser_s_reason() -> None:
    with pytest.raises(PathwayError) as refused:
        parse_pathway("[pathway\nid = 1")
    [problem] = refused.value.problems
    assert problem.code == "not_toml"


def test_a_changed_pathway_version_parses_with_its_own_numbers() -> None:
    pathway = parse_pathway(
        _edited('version = "2026.1"', 'version = "2026.2"').replace(
            "expected_weeks = [6, 12]", "expected_weeks = [4, 8]"
        )
    )
    assert pathway.version == "2026.2"
    stage = pathway.stage("physiotherapy")
    assert stage is not None
    assert (stage.expected_weeks.minimum, stage.expected_weeks.maximum) == (4, 8)


def test_an_instrument_whose_last_rule_has_bounds_is_refused() -> None:
    from importlib import resources

    text = (resources.files("domain") / "data" / "start_back.toml").read_text(encoding="utf-8")
    text = text.replace(
        '[[rules]]\noutcome = "medium"\n', '[[rules]]\noutcome = "medium"\ntotal_min = 4\n'
    )
    with pytest.raises(PathwayError) as refused:
        parse_instrument(text)
    assert "no_catch_all" in {p.code for p in refused.value.problems}
