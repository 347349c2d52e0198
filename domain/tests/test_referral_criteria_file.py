"""A criteria file is checked whole: every problem is found, each naming where it is, so an
administrator can fix the file in one go (`CriteriaFileError.problems`)."""

from __future__ import annotations

import pytest

from domain.definition_file import MAX_FILE_CHARS, Problem
from domain.referral_criteria import (
    CriteriaError,
    CriteriaFileError,
    CriterionKind,
    parse_criteria,
    shipped_criteria_text,
)

BASE = 'version = "x"\nsource = "s"\n[settings]\nminimum_pain_months = 6\n'
ANSWER = '[[criteria]]\ncode = "a"\nkind = "answer"\nen = "e"\nda = "d"\n'


def problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(CriteriaFileError) as error:
        parse_criteria(text)
    return [(p.where, p.code) for p in error.value.problems]


def test_the_shipped_file_holds_together() -> None:
    criteria = parse_criteria(shipped_criteria_text())
    assert criteria.version == "2026-1"
    assert criteria.criteria[0].kind == CriterionKind.DURATION


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("not = [toml", ("file", "not_toml"), id="not-toml"),
        pytest.param(
            'source = "s"\n[settings]\nminimum_pain_months = 6\n' + ANSWER,
            ("version", "missing"),
            id="no-version",
        ),
        pytest.param(
            BASE.replace('"x"', "3") + ANSWER, ("version", "not_text"), id="version-number"
        ),
        pytest.param(
            BASE.replace('"x"', '"' + "9" * 41 + '"') + ANSWER,
            ("version", "text_too_long"),
            id="version-too-long",
        ),
        pytest.param(BASE.replace('"s"', '"  "') + ANSWER, ("source", "empty"), id="empty-source"),
        pytest.param(
            'version = "x"\nsource = "s"\n' + ANSWER, ("settings", "missing"), id="no-settings"
        ),
        pytest.param(
            'version = "x"\nsource = "s"\nsettings = 6\n' + ANSWER,
            ("settings", "not_table"),
            id="settings-not-table",
        ),
        pytest.param(
            'version = "x"\nsource = "s"\n[settings]\nother = 1\n' + ANSWER,
            ("settings.minimum_pain_months", "missing"),
            id="no-months",
        ),
        pytest.param(
            BASE.replace("6", "0") + ANSWER,
            ("settings.minimum_pain_months", "bad_months"),
            id="zero-months",
        ),
        pytest.param(
            BASE.replace("6", "121") + ANSWER,
            ("settings.minimum_pain_months", "bad_months"),
            id="too-many-months",
        ),
        pytest.param(
            BASE.replace("6", "true") + ANSWER,
            ("settings.minimum_pain_months", "bad_months"),
            id="boolean-months",
        ),
        pytest.param(BASE, ("criteria", "missing"), id="no-criteria"),
        pytest.param("criteria = []\n" + BASE, ("criteria", "no_criteria"), id="empty-criteria"),
        pytest.param("criteria = ['a']\n" + BASE, ("criteria", "not_list"), id="criteria-texts"),
        pytest.param(
            BASE + ANSWER.replace('"answer"', '"vibe"'),
            ("criteria[0].kind", "unknown_kind"),
            id="bad-kind",
        ),
        pytest.param(
            BASE + ANSWER.replace('kind = "answer"\n', ""),
            ("criteria[0].kind", "missing"),
            id="no-kind",
        ),
        pytest.param(
            BASE + ANSWER.replace('"a"', '"Chronic pain"'),
            ("criteria[0].code", "bad_code"),
            id="bad-code",
        ),
        pytest.param(
            BASE + ANSWER.replace('da = "d"\n', ""), ("criteria[0].da", "missing"), id="no-da"
        ),
        pytest.param(
            BASE + ANSWER.replace('en = "e"', 'en = ""'), ("criteria[0].en", "empty"), id="empty-en"
        ),
        pytest.param(
            BASE + ANSWER.replace('en = "e"', 'en = "' + "e" * 2001 + '"'),
            ("criteria[0].en", "text_too_long"),
            id="long-en",
        ),
        pytest.param(BASE + ANSWER * 2, ("criteria[1].code", "duplicate"), id="duplicate-code"),
        pytest.param(
            BASE + ANSWER.replace('"answer"', '"any_of"'),
            ("criteria[0].options", "options_needed"),
            id="any-of-without-options",
        ),
        pytest.param(
            BASE + ANSWER.replace('"answer"', '"all_of"') + "options = []\n",
            ("criteria[0].options", "options_needed"),
            id="all-of-empty-options",
        ),
        pytest.param(
            BASE + ANSWER + 'options = [{ code = "o", en = "e", da = "d" }]\n',
            ("criteria[0].options", "no_options_allowed"),
            id="answer-with-options",
        ),
        pytest.param(
            BASE + ANSWER.replace('"answer"', '"any_of"') + 'options = ["o"]\n',
            ("criteria[0].options", "not_list"),
            id="options-not-tables",
        ),
        pytest.param(
            BASE
            + ANSWER.replace('"answer"', '"any_of"')
            + 'options = [{ code = "o", en = "e", da = "d" },\n'
            + '  { code = "o", en = "f", da = "g" }]\n',
            ("criteria[0].options[1].code", "duplicate"),
            id="duplicate-option",
        ),
        pytest.param(
            BASE
            + ANSWER.replace('"answer"', '"any_of"')
            + 'options = [{ code = "o", en = "e" }]\n',
            ("criteria[0].options[0].da", "missing"),
            id="option-without-da",
        ),
    ],
)
def test_each_problem_is_named_where_it_is(text: str, expected: tuple[str, str]) -> None:
    assert expected in problems(text)


def test_a_file_too_long_is_refused_before_reading() -> None:
    assert problems("#" * (MAX_FILE_CHARS + 1)) == [("file", "too_long")]


def test_every_problem_is_found_not_only_the_first() -> None:
    text = (
        'version = "x"\n[settings]\nminimum_pain_months = 0\n'
        '[[criteria]]\ncode = "A"\nkind = "forever"\nen = "e"\n'
        '[[criteria]]\ncode = "b"\nkind = "any_of"\nen = "e"\nda = "d"\n'
    )
    assert problems(text) == [
        ("source", "missing"),
        ("settings.minimum_pain_months", "bad_months"),
        ("criteria[0].kind", "unknown_kind"),
        ("criteria[0].code", "bad_code"),
        ("criteria[0].da", "missing"),
        ("criteria[1].options", "options_needed"),
    ]


def test_the_refusal_is_a_criteria_error_with_a_readable_message() -> None:
    with pytest.raises(CriteriaError) as error:
        parse_criteria(BASE + ANSWER.replace('"answer"', '"vibe"'))
    assert error.value.code == "invalid_referral_criteria"
    assert "criteria[0].kind: is not a kind of criterion" in error.value.message
    assert error.value.problems[0] == Problem("criteria[0].kind", "unknown_kind", "vibe")  # type: ignore[attr-defined]
