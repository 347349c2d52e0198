"""API shapes of the pathway (names prefixed so no other app's component is taken)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from smertespor.entry.schemas import Id, coded
from smertespor.pathways.models import Enrolment, Event, LevelBasis, Part

Text = Annotated[str, Field(max_length=4000)]
Code = Annotated[str, Field(max_length=40)]
# The screening answers: item number ("1".."9") -> answer code ("agree", "very_much", ...).
Answers = Annotated[dict[int, Code], Field(max_length=50)]


class PathwayVersionIn(Schema):
    """The pathway file (TOML) to publish, as text."""

    text: Annotated[str, Field(max_length=200_000)]
    note: Annotated[str, Field(max_length=500)] = ""


class PathwayLevelOut(Schema):
    code: str
    name: str
    description: str
    outcome: str


class PathwayStageOut(Schema):
    code: str
    name: str
    owner: str
    owner_name: str
    levels: list[str]
    description: str
    entry_criteria: list[str]
    exit_criteria: list[str]
    expected_weeks_min: int
    expected_weeks_max: int
    starts_pathway: bool


class PathwayVersionOut(Schema):
    id: int
    pathway_id: str
    version: str
    title: str
    origin: str
    published_at: datetime
    note: str
    is_current: bool
    region: str
    condition: str
    source: str
    source_note: str
    coordinator: str
    instrument: str
    levels: list[PathwayLevelOut]
    stages: list[PathwayStageOut]


class InstrumentAnswerOut(Schema):
    code: str
    label: str
    points: int


class InstrumentItemOut(Schema):
    number: int
    text: str
    subscale: bool
    answers: list[InstrumentAnswerOut]


class InstrumentOutcomeOut(Schema):
    code: str
    name: str
    matched_treatment: str


class InstrumentRuleOut(Schema):
    outcome: str
    total_min: int | None
    total_max: int | None
    subscale_min: int | None
    subscale_max: int | None


class InstrumentOut(Schema):
    id: str
    version: str
    name: str
    source: str
    licence: str
    translation: str
    items: list[InstrumentItemOut]
    outcomes: list[InstrumentOutcomeOut]
    rules: list[InstrumentRuleOut]


class PathwayEnrolIn(Schema):
    """Enrol with the screening `answers` (the level follows from them), or a `level` with a
    `level_reason`; a `level` other than the screening's needs a reason too."""

    enrolled_on: date | None = None
    level: Code | None = None
    level_reason: Text = ""
    answers: Answers | None = None


class PathwayLevelIn(Schema):
    level: Code | None = None
    level_reason: Text = ""
    answers: Answers | None = None


class PathwayInvolveIn(Schema):
    stage: Code
    organisation_id: Id
    note: Text = ""


class PartStartIn(Schema):
    stage: Code
    started_on: date | None = None
    plan: Text = ""


class PartPlanIn(Schema):
    plan: Text


class PartEndIn(Schema):
    ended_on: date | None = None
    outcome: Text


class EnrolmentEndIn(Schema):
    ended_on: date | None = None
    reason: Text


class PathwayPartOut(Schema):
    id: int
    stage: str
    stage_name: str
    organisation_id: int
    organisation: str
    status: Annotated[str, coded(Part.Status)]
    involved_at: datetime
    started_on: date | None
    plan: str
    ended_on: date | None
    outcome: str
    version: int


class PathwayHolderOut(Schema):
    organisation_id: int
    organisation: str
    stage: str
    since: date


class PathwayEventOut(Schema):
    kind: Annotated[str, coded(Event.Kind)]
    stage: str
    organisation: str
    on: date
    at: datetime
    by: str
    text: str


class PathwayScreeningOut(Schema):
    instrument: str
    instrument_version: str
    answers: dict[str, str]
    total: int
    subscale: int
    outcome: str
    recorded_at: datetime


class EnrolmentOut(Schema):
    id: int
    patient_id: str
    pathway_id: str
    pathway_version: str
    pathway_version_id: int
    coordinator_practice_id: int
    coordinator_practice: str
    coordinator: str
    enrolled_on: date
    status: Annotated[str, coded(Enrolment.Status)]
    level: str
    level_name: str
    level_basis: Annotated[str, coded(LevelBasis)]
    level_reason: str
    ended_on: date | None
    end_reason: str
    version: int
    now: list[PathwayHolderOut]
    parts: list[PathwayPartOut]
    screenings: list[PathwayScreeningOut]
    timeline: list[PathwayEventOut]


class EnrolmentRowOut(Schema):
    patient_id: str
    patient: str
    enrolled_on: date
    level: str
    level_name: str
    now: list[PathwayHolderOut]


class PathwayCountsOut(Schema):
    active: int
    ended: int
    by_level: dict[str, int]
    by_stage: dict[str, int]


ReportKind = Literal["start", "plan", "end"]
