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


class CentreCourseIn(Schema):
    goals: Text
    planned_start: date


class CentreStepIn(Schema):
    event: StepEvent
    reason: ShortText = ""


class CentreTeamMemberIn(Schema):
    user_id: Id
    discipline: Annotated[str, Field(max_length=32), one_of(TeamDiscipline.values)]


class CentreTeamMemberRemoveIn(Schema):
    reason: Annotated[str, Field(max_length=500)] = ""


class CentreModuleIn(Schema):
    code: Annotated[str, Field(max_length=40), one_of(default_modules().codes)]
    note: ShortText = ""


class CentreTaperPlanLinkIn(Schema):
    taper_plan_id: Id


class CentreAppointmentIn(Schema):
    starts_at: datetime
    duration_minutes: Annotated[int, Field(ge=5, le=480)]
    clinician_id: Id
    module_id: Id | None = None


class CentreAppointmentRecordIn(Schema):
    outcome: AppointmentOutcome
    note: Annotated[str, Field(max_length=500)] = ""


class CentreOutcomeIn(Schema):
    instrument: Annotated[str, Field(max_length=40), one_of(sorted(default_instruments()))]
    timepoint: Annotated[str, Field(max_length=16), one_of(MeasureTimepoint.values)]
    answers: dict[Annotated[str, Field(max_length=40)], Annotated[int, Field(strict=True)]]
    measured_on: date


class CentreDischargeSummaryIn(Schema):
    course_summary: Text
    plan_after: Annotated[str, Field(max_length=4000)]
    municipality_continues: ShortText = ""
    physiotherapy_continues: ShortText = ""


class CentreTeamMemberOut(Schema):
    id: int
    user_id: int
    name: str
    discipline: DisciplineCode
    removed_at: datetime | None = None
    removal_reason: str = ""


class CentreModuleOut(Schema):
    id: int
    code: ModuleCode
    name: str
    note: str
    taper_plan_id: int | None


class CentreAppointmentOut(Schema):
    id: int
    starts_at: datetime
    duration_minutes: int
    clinician_id: int
    module_id: int | None
    status: AppointmentCode
    status_note: str
    version: int


class CentreMeasurementOut(Schema):
    id: int
    instrument: InstrumentCode
    instrument_version: str
    timepoint: TimepointCode
    answers: dict[str, int]
    score: str
    measured_on: date


class CentreOutcomeChangeOut(Schema):
    instrument: InstrumentCode
    higher_is_better: bool
    start: str | None
    end: str | None
    follow_up: str | None
    start_to_end: str | None
    end_to_follow_up: str | None
    start_to_follow_up: str | None


class CentreEventOut(Schema):
    kind: str
    by: str
    occurred_at: datetime
    from_status: str
    to_status: str
    reason: str


class CentreCourseSummaryOut(Schema):
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


class CentreCourseOut(CentreCourseSummaryOut):
    module_catalogue_version: str
    team: list[CentreTeamMemberOut]
    former_team: list[CentreTeamMemberOut] = []
    modules: list[CentreModuleOut]
    appointments: list[CentreAppointmentOut]
    measurements: list[CentreMeasurementOut]
    outcomes: list[CentreOutcomeChangeOut]
    events: list[CentreEventOut]
    has_discharge_summary: bool


class CentreDischargeSummaryOut(Schema):
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


class CentreNewSummaryOut(Schema):
    course_id: int
    patient_id: uuid.UUID
    patient_name: str
    centre: str
    sent_at: datetime


class CentreWorklistCourseOut(Schema):
    course_id: int
    patient_id: uuid.UUID
    patient_name: str
    status: StatusCode
    planned_start: date
    closed_on: date | None


class CentreWorklistReferralOut(Schema):
    """An accepted referral the centre has not planned a course for yet."""

    patient_id: uuid.UUID
    patient_name: str
    referral_id: int
    status: str
    sent_at: datetime | None
    first_appointment_at: datetime | None


class CentreWorklistOut(Schema):
    open_courses: list[CentreWorklistCourseOut]
    referred: list[CentreWorklistReferralOut]
    closed: list[CentreWorklistCourseOut]


class CentreCountsOut(Schema):
    centre_id: int
    centre: str
    planned: int
    active: int
    discharged: int
    cancelled: int


class CentreItemOut(Schema):
    code: str
    text: str
    minimum: int
    maximum: int


class CentreInstrumentOut(Schema):
    code: str
    name: str
    version: str
    scoring: str
    higher_is_better: bool
    minimum: str
    maximum: str
    source: str
    licence: str
    items: list[CentreItemOut]


class CentreCatalogueModuleOut(Schema):
    code: str
    name: str
    disciplines: list[str]
    uses_taper_plan: bool


class CentreCatalogueOut(Schema):
    modules_version: str
    modules_source: str
    modules: list[CentreCatalogueModuleOut]
    instruments: list[CentreInstrumentOut]
