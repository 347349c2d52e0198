"""The API's shapes for pain centre courses: the course, its team, plan, appointments, outcome
measures and the discharge summary. Scores out are exact decimal strings; coded fields list
their values in the OpenAPI schema."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from domain.centre_course import default_modules
from domain.outcomes import default_instruments
from smertespor.centres.models import (
    AppointmentState,
    MeasureTimepoint,
    Status,
    TeamDiscipline,
)
from smertespor.entry.schemas import Id, one_of
from smertespor.tracks.schemas import DischargeMedicationOut

Text = Annotated[str, Field(max_length=8000)]
ShortText = Annotated[str, Field(max_length=2000)]
StatusCode = Annotated[str, one_of(Status.values)]
DisciplineCode = Annotated[str, one_of(TeamDiscipline.values)]
TimepointCode = Annotated[str, one_of(MeasureTimepoint.values)]
AppointmentCode = Annotated[str, one_of(AppointmentState.values)]
ModuleCode = Annotated[str, one_of(default_modules().codes)]
InstrumentCode = Annotated[str, one_of(sorted(default_instruments()))]
StepEvent = Literal["start", "cancel"]
AppointmentOutcome = Literal["attend", "cancel"]


class CourseIn(Schema):
    goals: Text
    planned_start: date


class StepIn(Schema):
    event: StepEvent
    reason: ShortText = ""


class TeamMemberIn(Schema):
    user_id: Id
    discipline: Annotated[str, Field(max_length=32), one_of(TeamDiscipline.values)]


class ModuleIn(Schema):
    code: Annotated[str, Field(max_length=40), one_of(default_modules().codes)]
    note: ShortText = ""


class TaperPlanLinkIn(Schema):
    taper_plan_id: Id


class AppointmentIn(Schema):
    starts_at: datetime
    duration_minutes: Annotated[int, Field(ge=5, le=480)]
    clinician_id: Id
    module_id: Id | None = None


class AppointmentRecordIn(Schema):
    outcome: AppointmentOutcome
    note: Annotated[str, Field(max_length=500)] = ""


class OutcomeIn(Schema):
    instrument: Annotated[str, Field(max_length=40), one_of(sorted(default_instruments()))]
    timepoint: Annotated[str, Field(max_length=16), one_of(MeasureTimepoint.values)]
    answers: dict[Annotated[str, Field(max_length=40)], int]
    measured_on: date


class DischargeSummaryIn(Schema):
    course_summary: Text
    plan_after: Annotated[str, Field(max_length=4000)]
    municipality_continues: ShortText = ""
    physiotherapy_continues: ShortText = ""


class TeamMemberOut(Schema):
    id: int
    user_id: int
    name: str
    discipline: DisciplineCode


class ModuleOut(Schema):
    id: int
    code: ModuleCode
    name: str
    note: str
    taper_plan_id: int | None


class AppointmentOut(Schema):
    id: int
    starts_at: datetime
    duration_minutes: int
    clinician_id: int
    module_id: int | None
    status: AppointmentCode
    status_note: str
    version: int


class MeasurementOut(Schema):
    id: int
    instrument: InstrumentCode
    instrument_version: str
    timepoint: TimepointCode
    answers: dict[str, int]
    score: str
    measured_on: date


class OutcomeChangeOut(Schema):
    instrument: InstrumentCode
    higher_is_better: bool
    start: str | None
    end: str | None
    follow_up: str | None
    start_to_end: str | None
    end_to_follow_up: str | None
    start_to_follow_up: str | None


class EventOut(Schema):
    kind: str
    by: str
    occurred_at: datetime
    from_status: str
    to_status: str
    reason: str


class CourseSummaryOut(Schema):
    id: int
    patient_id: uuid.UUID
    centre_id: int
    status: StatusCode
    status_label: str
    goals: str
    planned_start: date
    started_on: date | None
    closed_on: date | None
    cancel_reason: str
    version: int


class CourseOut(CourseSummaryOut):
    module_catalogue_version: str
    team: list[TeamMemberOut]
    modules: list[ModuleOut]
    appointments: list[AppointmentOut]
    measurements: list[MeasurementOut]
    outcomes: list[OutcomeChangeOut]
    events: list[EventOut]
    has_discharge_summary: bool


class DischargeSummaryOut(Schema):
    course_id: int
    centre: str
    sent_to_id: int
    course_summary: str
    plan_after: str
    municipality_continues: str
    physiotherapy_continues: str
    medication: DischargeMedicationOut | dict[str, Any]
    omeq_at_discharge_mg_per_day: str | None
    omeq_table: str
    outcomes: list[dict[str, Any]]
    written_by: str
    sent_at: datetime
    acknowledged_at: datetime | None


class NewSummaryOut(Schema):
    course_id: int
    patient_id: uuid.UUID
    patient_name: str
    centre: str
    sent_at: datetime


class WorklistCourseOut(Schema):
    course_id: int
    patient_id: uuid.UUID
    patient_name: str
    status: StatusCode
    planned_start: date
    closed_on: date | None


class WorklistReferralOut(Schema):
    patient_id: uuid.UUID
    patient_name: str
    opened_at: datetime
    reason: str


class WorklistOut(Schema):
    open_courses: list[WorklistCourseOut]
    referred: list[WorklistReferralOut]
    closed: list[WorklistCourseOut]


class CountsOut(Schema):
    centre_id: int
    centre: str
    planned: int
    active: int
    discharged: int
    cancelled: int


class ItemOut(Schema):
    code: str
    text: str
    minimum: int
    maximum: int


class InstrumentOut(Schema):
    code: str
    name: str
    version: str
    scoring: str
    higher_is_better: bool
    minimum: str
    maximum: str
    source: str
    licence: str
    items: list[ItemOut]


class CatalogueModuleOut(Schema):
    code: str
    name: str
    disciplines: list[str]
    uses_taper_plan: bool


class CatalogueOut(Schema):
    modules_version: str
    modules_source: str
    modules: list[CatalogueModuleOut]
    instruments: list[InstrumentOut]
