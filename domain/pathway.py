"""The cross-sectoral low back pain pathway and its stratification instrument, as data.

A pathway (`Pathway`) is a region's programme: its stages (who owns each, entry and exit
criteria, expected duration in weeks), the levels patients are stratified into and the
instrument that stratifies them. It is read from a TOML file (`parse_pathway`); the region's
shipped one is `domain/data/pathway_low_back_pain.toml` (`shipped_pathway`). A file that does
not hold together is refused whole with every problem found (`PathwayError.problems`), each
naming where it is, so an administrator can fix the file.

The instrument (`Instrument`) is data too: the STarT Back Screening Tool's nine items, their
answers' points and the published rule (`domain/data/start_back.toml`), so a region with
another instrument ships another file. `score` applies it:

    >>> result = score(start_back(), {1: "agree", 2: "agree", 3: "agree", 4: "agree",
    ...                               5: "disagree", 6: "disagree", 7: "disagree",
    ...                               8: "disagree", 9: "moderately"})
    >>> (result.total, result.subscale, result.outcome)
    (4, 0, 'medium')

An answer missing or not on the item's scale is refused, never guessed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from domain.definition_file import (
    COMMON_PROBLEM_TEXT,
    DefinitionError,
    Reader,
    load_toml,
)
from domain.errors import DomainError

SHIPPED_PATHWAY_FILE = "pathway_low_back_pain.toml"
INSTRUMENT_FILES = {"start-back": "start_back.toml"}
MAX_WEEKS = 520


class ActorKind(StrEnum):
    """The organisation kinds that own a stage (the values of `Organisation.Kind`)."""

    MUNICIPALITY = "municipality"
    GP_PRACTICE = "gp_practice"
    PHYSIOTHERAPY = "physiotherapy"
    HOSPITAL_DEPARTMENT = "hospital_department"
    PAIN_CLINIC = "pain_clinic"
    PAIN_CENTRE = "pain_centre"


# English wording of each problem (the apps word them in the user's language by code).
PROBLEM_TEXT = {
    **COMMON_PROBLEM_TEXT,
    "not_date": "must be a date (YYYY-MM-DD)",
    "bad_weeks": "must be two whole numbers of weeks [min, max], 0 <= min <= max",
    "unknown_actor": "is not an organisation kind that can own a stage",
    "unknown_level": "names no level of the pathway",
    "unknown_instrument": "names no instrument Smertespor knows",
    "unknown_outcome": "names no outcome of the instrument",
    "outcome_without_level": "the instrument's outcome has no level in the pathway",
    "no_stages": "the pathway has no stages",
    "no_levels": "the pathway has no levels",
    "no_start": "exactly one stage must start the pathway, owned by the coordinator",
    "coordinator_owns_nothing": "the coordinator owns no stage",
    "level_without_stage": "the level has no stage",
    "no_catch_all": "the last rule must have no bounds, so every score has an outcome",
    "bad_bound": "must be a whole number within the instrument's range",
    "unknown_scale": "names no answer scale",
    "bad_item_numbers": "items must be numbered 1, 2, 3 ... in order",
    "bad_points": "points must be a whole number of 0 or more",
}


class PathwayError(DefinitionError):
    """A pathway or instrument file refused, with every problem found."""

    code = "invalid_pathway"
    texts = PROBLEM_TEXT


class AnswerError(DomainError):
    """An instrument's answers that cannot be scored (missing, or not on the scale)."""

    code = "invalid_answers"

    def __init__(self, message: str, *, item: int, code: str) -> None:
        super().__init__(message, code=code)
        self.item = item


# --- the pathway ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Weeks:
    """An expected duration: from `minimum` to `maximum` weeks."""

    minimum: int
    maximum: int


@dataclass(frozen=True)
class Stage:
    code: str
    name: str
    owner: ActorKind
    levels: tuple[str, ...]
    description: str
    entry_criteria: tuple[str, ...]
    exit_criteria: tuple[str, ...]
    expected_weeks: Weeks
    starts_pathway: bool = False


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    description: str
    outcome: str  # the instrument's outcome that places a patient at this level


@dataclass(frozen=True)
class Pathway:
    id: str
    version: str
    title: str
    region: str
    condition: str
    published: datetime.date
    source: str
    note: str
    coordinator: ActorKind
    instrument: str
    levels: tuple[Level, ...]
    stages: tuple[Stage, ...]

    def stage(self, code: str) -> Stage | None:
        return next((s for s in self.stages if s.code == code), None)

    def level(self, code: str) -> Level | None:
        return next((lv for lv in self.levels if lv.code == code), None)

    def level_for_outcome(self, outcome: str) -> Level | None:
        return next((lv for lv in self.levels if lv.outcome == outcome), None)

    @property
    def first_stage(self) -> Stage:
        return next(s for s in self.stages if s.starts_pathway)

    def stages_for(self, level: str) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if level in s.levels)

    def stages_owned_by(self, kind: str) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.owner == kind)


# --- reading files -------------------------------------------------------------------------


def _weeks(reader: Reader, data: Mapping[str, Any], where: str) -> Weeks:
    value = data.get("expected_weeks")
    at = f"{where}.expected_weeks"
    if value is None:
        reader.add(at, "missing")
        return Weeks(0, 0)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not 0 <= value[0] <= value[1] <= MAX_WEEKS
    ):
        reader.add(at, "bad_weeks", value)
        return Weeks(0, 0)
    return Weeks(value[0], value[1])


def _actor(reader: Reader, value: str, where: str) -> ActorKind:
    try:
        return ActorKind(value)
    except ValueError:
        if value:
            reader.add(where, "unknown_actor", value)
        return ActorKind.GP_PRACTICE


def parse_pathway(text: str) -> Pathway:
    """The pathway in a TOML document; `PathwayError` with every problem if it is not one."""
    data = load_toml(text, PathwayError)
    reader = Reader()
    head = reader.table(data, "pathway", "pathway")
    pathway_id = reader.code(head, "id", "pathway")
    version = reader.version(head, "version", "pathway")
    title = reader.text(head, "title", "pathway")
    region = reader.text(head, "region", "pathway")
    condition = reader.text(head, "condition", "pathway")
    source = reader.text(head, "source", "pathway")
    note = reader.text(head, "note", "pathway", required=False)
    published = head.get("published")
    if not isinstance(published, datetime.date) or isinstance(published, datetime.datetime):
        if head:
            reader.add("pathway.published", "not_date" if published is not None else "missing")
        published = datetime.date(1970, 1, 1)
    coordinator = _actor(reader, reader.text(head, "coordinator", "pathway"), "pathway.coordinator")
    instrument_id = reader.text(head, "instrument", "pathway")
    instrument: Instrument | None = None
    if instrument_id and instrument_id not in INSTRUMENT_FILES:
        reader.add("pathway.instrument", "unknown_instrument", instrument_id)
    elif instrument_id:
        instrument = instrument_by_id(instrument_id)

    levels = []
    level_codes: set[str] = set()
    raw_levels = reader.tables(data, "levels")
    if "levels" in data and not raw_levels and not reader.problems:
        reader.add("levels", "no_levels")
    for i, raw in enumerate(raw_levels):
        where = f"levels[{i}]"
        code = reader.code(raw, "code", where)
        if code in level_codes:
            reader.add(f"{where}.code", "duplicate", code)
        level_codes.add(code)
        outcome = reader.text(raw, "outcome", where)
        if instrument is not None and outcome and outcome not in instrument.outcome_codes:
            reader.add(f"{where}.outcome", "unknown_outcome", outcome)
        levels.append(
            Level(
                code=code,
                name=reader.text(raw, "name", where),
                description=reader.text(raw, "description", where, required=False),
                outcome=outcome,
            )
        )
    if instrument is not None and levels:
        for outcome in instrument.outcome_codes:
            if outcome not in {lv.outcome for lv in levels}:
                reader.add("levels", "outcome_without_level", outcome)

    stages = []
    stage_codes: set[str] = set()
    for where, raw in reader.entries(data, "stages", empty="no_stages"):
        code = reader.code(raw, "code", where)
        reader.unique(stage_codes, code, f"{where}.code")
        owner = _actor(reader, reader.text(raw, "owner", where), f"{where}.owner")
        stage_levels = reader.texts(raw, "levels", where)
        if not stage_levels and isinstance(raw.get("levels", []), list):
            reader.add(f"{where}.levels", "empty")
        for level in stage_levels:
            if level not in level_codes:
                reader.add(f"{where}.levels", "unknown_level", level)
        starts = raw.get("starts_pathway", False)
        if not isinstance(starts, bool):
            reader.add(f"{where}.starts_pathway", "not_text")
            starts = False
        stages.append(
            Stage(
                code=code,
                name=reader.text(raw, "name", where),
                owner=owner,
                levels=stage_levels,
                description=reader.text(raw, "description", where, required=False),
                entry_criteria=reader.texts(raw, "entry_criteria", where),
                exit_criteria=reader.texts(raw, "exit_criteria", where),
                expected_weeks=_weeks(reader, raw, where),
                starts_pathway=starts,
            )
        )
    if stages:
        starters = [s for s in stages if s.starts_pathway]
        if len(starters) != 1 or starters[0].owner != coordinator:
            reader.add("stages", "no_start")
        if not any(s.owner == coordinator for s in stages):
            reader.add("pathway.coordinator", "coordinator_owns_nothing", coordinator)
        for defined in levels:
            if not any(defined.code in s.levels for s in stages):
                reader.add("levels", "level_without_stage", defined.code)
    if reader.problems:
        raise PathwayError(reader.problems)
    assert isinstance(published, datetime.date)  # noqa: S101 - checked above
    return Pathway(
        id=pathway_id,
        version=version,
        title=title,
        region=region,
        condition=condition,
        published=published,
        source=source,
        note=note,
        coordinator=coordinator,
        instrument=instrument_id,
        levels=tuple(levels),
        stages=tuple(stages),
    )


def _data_text(name: str) -> str:
    return (resources.files("domain") / "data" / name).read_text(encoding="utf-8")


def shipped_pathway_text() -> str:
    """The region's shipped pathway file, as text (what is installed as its first version)."""
    return _data_text(SHIPPED_PATHWAY_FILE)


@cache
def shipped_pathway() -> Pathway:
    return parse_pathway(shipped_pathway_text())


# --- the stratification instrument ---------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    code: str
    label: str
    label_da: str
    points: int


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    text_da: str
    answers: tuple[Answer, ...]
    subscale: bool

    def answer(self, code: str) -> Answer | None:
        return next((a for a in self.answers if a.code == code), None)

    @property
    def max_points(self) -> int:
        return max(a.points for a in self.answers)


@dataclass(frozen=True)
class Outcome:
    code: str
    name: str
    name_da: str
    matched_treatment: str
    matched_treatment_da: str


@dataclass(frozen=True)
class Rule:
    """An outcome for scores within these bounds (None: unbounded on that side)."""

    outcome: str
    total_min: int | None = None
    total_max: int | None = None
    subscale_min: int | None = None
    subscale_max: int | None = None

    def holds(self, total: int, subscale: int) -> bool:
        return (
            (self.total_min is None or total >= self.total_min)
            and (self.total_max is None or total <= self.total_max)
            and (self.subscale_min is None or subscale >= self.subscale_min)
            and (self.subscale_max is None or subscale <= self.subscale_max)
        )


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    name: str
    source: str
    licence: str
    translation: str
    period: str
    period_da: str
    outcomes: tuple[Outcome, ...]
    rules: tuple[Rule, ...]
    items: tuple[Item, ...]

    @property
    def outcome_codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.outcomes)

    def outcome(self, code: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.code == code), None)

    @property
    def max_total(self) -> int:
        return sum(item.max_points for item in self.items)

    @property
    def max_subscale(self) -> int:
        return sum(item.max_points for item in self.items if item.subscale)


def _scales(reader: Reader, data: Mapping[str, Any]) -> dict[str, tuple[Answer, ...]]:
    scales: dict[str, tuple[Answer, ...]] = {}
    for i, raw in enumerate(reader.tables(data, "scales")):
        where = f"scales[{i}]"
        code = reader.code(raw, "code", where)
        answers = []
        raw_answers = raw.get("answers")
        if not isinstance(raw_answers, list) or not raw_answers:
            reader.add(f"{where}.answers", "not_list")
            raw_answers = []
        for j, answer in enumerate(raw_answers):
            at = f"{where}.answers[{j}]"
            if not isinstance(answer, dict):
                reader.add(at, "not_table")
                continue
            points = reader.integer(answer, "points", at)
            if points is None or points < 0:
                reader.add(f"{at}.points", "bad_points", answer.get("points"))
                points = 0
            answers.append(
                Answer(
                    code=reader.code(answer, "code", at),
                    label=reader.text(answer, "label", at),
                    label_da=reader.text(answer, "label_da", at),
                    points=points,
                )
            )
        if code in scales:
            reader.add(f"{where}.code", "duplicate", code)
        scales[code] = tuple(answers)
    return scales


def parse_instrument(text: str) -> Instrument:
    """A stratification instrument in a TOML document; `PathwayError` if it is not one."""
    data = load_toml(text, PathwayError)
    reader = Reader()
    head = reader.table(data, "instrument", "instrument")
    outcomes = []
    for i, raw in enumerate(reader.tables(data, "outcomes")):
        where = f"outcomes[{i}]"
        outcomes.append(
            Outcome(
                code=reader.code(raw, "code", where),
                name=reader.text(raw, "name", where),
                name_da=reader.text(raw, "name_da", where),
                matched_treatment=reader.text(raw, "matched_treatment", where),
                matched_treatment_da=reader.text(raw, "matched_treatment_da", where),
            )
        )
    codes = {o.code for o in outcomes}
    scales = _scales(reader, data)
    items = []
    for i, raw in enumerate(reader.tables(data, "items")):
        where = f"items[{i}]"
        number = reader.integer(raw, "number", where)
        if number != i + 1:
            reader.add(f"{where}.number", "bad_item_numbers", raw.get("number"))
        scale = reader.text(raw, "answers", where)
        if scale and scale not in scales:
            reader.add(f"{where}.answers", "unknown_scale", scale)
        subscale = raw.get("subscale", False)
        items.append(
            Item(
                number=i + 1,
                text=reader.text(raw, "text", where),
                text_da=reader.text(raw, "text_da", where),
                answers=scales.get(scale, ()),
                subscale=subscale is True,
            )
        )
    rules = []
    raw_rules = reader.tables(data, "rules")
    for i, raw in enumerate(raw_rules):
        where = f"rules[{i}]"
        outcome = reader.text(raw, "outcome", where)
        if outcome and outcome not in codes:
            reader.add(f"{where}.outcome", "unknown_outcome", outcome)
        bounds = {
            key: reader.integer(raw, key, where)
            for key in ("total_min", "total_max", "subscale_min", "subscale_max")
        }
        rules.append(Rule(outcome=outcome, **bounds))
    last = rules[-1] if rules else None
    if last is not None and (
        last.total_min,
        last.total_max,
        last.subscale_min,
        last.subscale_max,
    ) != (
        None,
        None,
        None,
        None,
    ):
        reader.add(f"rules[{len(rules) - 1}]", "no_catch_all")
    if reader.problems:
        raise PathwayError(reader.problems)
    return Instrument(
        id=reader.code(head, "id", "instrument"),
        version=reader.text(head, "version", "instrument"),
        name=reader.text(head, "name", "instrument"),
        source=reader.text(head, "source", "instrument"),
        licence=reader.text(head, "licence", "instrument"),
        translation=reader.text(head, "translation", "instrument", required=False),
        period=reader.text(head, "period", "instrument", required=False),
        period_da=reader.text(head, "period_da", "instrument", required=False),
        outcomes=tuple(outcomes),
        rules=tuple(rules),
        items=tuple(items),
    )


@cache
def instrument_by_id(instrument_id: str) -> Instrument:
    """A shipped instrument by its id (`KeyError` for one Smertespor does not ship)."""
    return parse_instrument(_data_text(INSTRUMENT_FILES[instrument_id]))


def start_back() -> Instrument:
    return instrument_by_id("start-back")


@dataclass(frozen=True)
class Stratification:
    """An instrument's result: the scores, the outcome and the rule that gave it."""

    instrument: str
    instrument_version: str
    total: int
    subscale: int
    outcome: str
    rule: int  # the index of the rule that held (the working shown to the clinician)


def score(instrument: Instrument, answers: Mapping[int, str]) -> Stratification:
    """Score one set of answers (item number -> answer code). Every item must be answered
    on its scale; an unknown item number is refused too."""
    numbers = {item.number for item in instrument.items}
    for number in answers:
        if number not in numbers:
            raise AnswerError(
                f"Item {number} is not an item of {instrument.name}.",
                item=number,
                code="unknown_item",
            )
    total = 0
    subscale = 0
    for item in instrument.items:
        code = answers.get(item.number)
        if code is None:
            raise AnswerError(
                f"Item {item.number} is not answered.", item=item.number, code="unanswered"
            )
        answer = item.answer(code)
        if answer is None:
            raise AnswerError(
                f"Item {item.number}: {code!r} is not one of its answers.",
                item=item.number,
                code="unknown_answer",
            )
        total += answer.points
        if item.subscale:
            subscale += answer.points
    for index, rule in enumerate(instrument.rules):
        if rule.holds(total, subscale):
            return Stratification(
                instrument=instrument.id,
                instrument_version=instrument.version,
                total=total,
                subscale=subscale,
                outcome=rule.outcome,
                rule=index,
            )
    raise AssertionError("parse_instrument requires a last rule without bounds")  # pragma: no cover
