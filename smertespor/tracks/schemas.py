"""The API's shapes for courses, visits, decisions, the timeline and worklists.

Doses in and out are exact decimals (a JSON number or a decimal string in, a string out).
Scores are plain integers; their ranges are checked by the domain, which says why. Every
coded field lists its values in the OpenAPI schema (inline, so no two apps' enums of the same
name can collide there); refusals are the API's problem details (`entry.problems`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from domain.tracks import CourseEvent, Progress, RuleAction, SuccessDefinition
from smertespor.entry.schemas import ExactNumber, Id, one_of
from smertespor.medication.models import MedicationLine
from smertespor.tracks.models import (
    Actor,
    Alert,
    Discipline,
    GoalKind,
    Handover,
    Intervention,
    OmeqSource,
    RuleReview,
    Status,
    TimelineEvent,
    Track,
)

Text = Annotated[str, Field(max_length=4000)]
ShortText = Annotated[str, Field(max_length=200)]
Reason = Annotated[str, Field(max_length=500)]


# Codes the API answers with (checked against the models' choices by the tests).
TrackCode = Annotated[str, one_of(Track.values)]
StatusCode = Annotated[str, one_of(Status.values)]
MaybeStatusCode = Annotated[str, one_of(["", *Status.values])]  # "" : no status (yet)
ActorCode = Annotated[str, one_of(Actor.values)]
OmeqSourceCode = Annotated[str, one_of(OmeqSource.values)]
AlertCode = Annotated[str, one_of(Alert.Code.values)]
TimelineKind = Annotated[str, one_of(TimelineEvent.Kind.values)]
HandoverKind = Annotated[str, one_of(Handover.Kind.values)]
HandoverDecision = Annotated[str, one_of(Handover.Decision.values)]
RuleActionCode = Annotated[str, one_of(a.value for a in RuleAction)]
SuccessDefinitionCode = Annotated[str, one_of(d.value for d in SuccessDefinition)]
ProgressCode = Annotated[str, one_of(p.value for p in Progress)]
ReviewOutcomeCode = Annotated[str, one_of(RuleReview.Outcome.values)]
EventCode = Annotated[str, one_of(e.value for e in CourseEvent)]
# Codes the API accepts (validated: anything else is a 422 naming the field).
GoalKindIn = Annotated[GoalKind, one_of(GoalKind.values)]
DisciplineCode = Annotated[Discipline, one_of(Discipline.values)]
InterventionCode = Annotated[Intervention, one_of(Intervention.values)]
IndicationCode = Annotated[MedicationLine.Indication, one_of(MedicationLine.Indication.values)]
# The decisions taken at /decisions; the others have endpoints of their own.
DecisionEvent = Literal["hand_over_early", "record_success", "accept", "return_to_practice", "end"]
WorklistKind = Literal["practice", "clinic"]
WorklistSection = Literal[
    "due",
    "proposals",
    "approaching",
    "alerts",
    "returned",
    "discharged",
    "handovers",
    "assessment",
    "active",
    "appointments",
]


class TrackRuleOut(Schema):
    """What the 3-month rule says today (read only: the daily job acts on it) and, for an
    open course, how it stands against its plan today."""

    action: RuleActionCode
    deadline: date
    days_left: int
    period_months: int
    success_definition: SuccessDefinitionCode
    review_from: date | None = None
    progress_now: ProgressCode | None = None
    progress_now_text: str | None = None


class RuleReviewOut(Schema):
    """What the rule found at a deadline (`kept`: on plan; `pending`: a proposal awaiting the
    GP; `confirmed`/`dismissed`: the GP's decision; `closed`: the course ended meanwhile)."""

    id: int
    course_id: int
    deadline: date
    reviewed_at: datetime
    progress: ProgressCode
    progress_label: str
    text: str
    latest_visit_on: date | None
    latest_omeq_mg_per_day: str | None
    follow_up_due_on: date | None
    expected_mg_per_day: str | None
    allowed_mg_per_day: str | None
    tolerance_percent: str | None
    plan: str
    outcome: ReviewOutcomeCode
    outcome_label: str
    decided_at: datetime | None
    decided_by: str | None
    reason: str
    handover_id: int | None


class ConfirmProposalIn(Schema):
    """Hand the patient over as the 3-month rule proposed, with the handover letter."""

    note: Text = ""
    gp_comment: Text = ""
    expected_duration: ShortText = ""
    planned_follow_up: Annotated[str, Field(max_length=500)] = ""


class DismissProposalIn(Schema):
    """Keep the course in the practice track; `reason` is required (422 without it)."""

    reason: Text = ""


class CourseOut(Schema):
    id: int
    patient_id: uuid.UUID
    track: TrackCode
    status: StatusCode
    status_label: str
    responsible_organisation_id: int
    responsible_organisation: str
    clinic_id: int
    previous_course_id: int | None
    start_date: date
    deadline: date | None
    baseline_omeq_mg_per_day: str
    baseline_omeq_source: OmeqSourceCode
    baseline_omeq_table: str
    baseline_peg: list[int]
    baseline_peg_score: str
    baseline_nrs: int
    goal_kind: GoalKindIn
    goal_target_mg_per_day: str | None
    follow_up_interval_days: int
    next_follow_up_on: date | None
    last_visit_on: date | None
    current_omeq_mg_per_day: str | None
    plan_note: str
    version: int
    review_from: date | None = None
    allowed_decisions: list[EventCode] = []
    rule: TrackRuleOut | None = None
    review: RuleReviewOut | None = None


class CourseIn(Schema):
    """`start_date` defaults to today; `clinic_id` to the region's pain clinic if it has one."""

    start_date: date | None = None
    clinic_id: Id | None = None
    baseline_peg: Annotated[list[int], Field(min_length=3, max_length=3)]
    baseline_nrs: int
    goal_kind: GoalKindIn
    goal_target_mg_per_day: ExactNumber | None = None
    follow_up_interval_days: int
    baseline_omeq_mg_per_day: ExactNumber | None = None
    plan_note: Text = ""


class LineChangeIn(Schema):
    line_id: Id
    units_per_dose: ExactNumber
    doses_per_day: ExactNumber | None = None
    max_doses_per_day: ExactNumber | None = None


class NewLineIn(Schema):
    product_id: Annotated[str, Field(max_length=64)]
    strength: ExactNumber
    units_per_dose: ExactNumber
    doses_per_day: ExactNumber | None = None
    prn: bool = False
    max_doses_per_day: ExactNumber | None = None
    indication: IndicationCode = MedicationLine.Indication.PAIN
    note: Annotated[str, Field(max_length=500)] = ""


class RegimenIn(Schema):
    changes: list[LineChangeIn] = []
    stopped: list[Id] = []
    added: list[NewLineIn] = []


class FollowUpIn(Schema):
    """`visit_on` defaults to today; `omeq_mg_per_day` only when the medication list cannot
    give it; `regimen` changes the medication list as the visit found it."""

    visit_on: date | None = None
    omeq_mg_per_day: ExactNumber | None = None
    peg: Annotated[list[int], Field(min_length=3, max_length=3)] | None = None
    nrs: int | None = None
    sows_total: int | None = None
    sows_items: Annotated[list[int], Field(max_length=16)] | None = None
    cows_total: int | None = None
    cows_items: Annotated[list[int], Field(max_length=11)] | None = None
    note: Text = ""
    next_visit_on: date | None = None
    regimen: RegimenIn | None = None


class AlertOut(Schema):
    id: int
    code: AlertCode
    message: str
    raised_on: date
    acknowledged_at: datetime | None


class FollowUpOut(Schema):
    id: int
    course_id: int
    visit_on: date
    actor: ActorCode
    recorded_by: str
    omeq_mg_per_day: str
    omeq_source: OmeqSourceCode
    omeq_table: str
    peg: list[int] | None
    peg_score: str | None
    nrs: int | None
    sows_total: int | None
    cows_total: int | None
    note: str
    next_visit_on: date | None
    medication_changes: list[dict[str, Any]]
    alerts: list[AlertOut]


class DecisionIn(Schema):
    event: DecisionEvent
    reason: Text = ""
    gp_comment: Text = ""
    expected_duration: ShortText = ""
    planned_follow_up: Annotated[str, Field(max_length=500)] = ""


class TimelineEventOut(Schema):
    id: int
    course_id: int
    kind: TimelineKind
    kind_label: str
    from_status: MaybeStatusCode
    to_status: MaybeStatusCode
    actor: ActorCode
    by: str | None
    organisation: str | None
    occurred_at: datetime
    reason: str
    why: str
    detail: dict[str, Any]


class HandoverOut(Schema):
    id: int
    course_id: int
    clinic_id: int
    kind: HandoverKind
    reason: str
    proposed_at: datetime
    proposed_by: str | None
    decision: HandoverDecision
    decided_at: datetime | None
    advice: str
    gp_comment: str
    expected_duration: str
    planned_follow_up: str
    hospital_course_id: int | None
    snapshot: dict[str, Any]


class HandoverLetterIn(Schema):
    gp_comment: Text = ""
    expected_duration: ShortText = ""
    planned_follow_up: Annotated[str, Field(max_length=500)] = ""


class NeedsAssessmentIn(Schema):
    disciplines: Annotated[list[DisciplineCode], Field(max_length=10)]
    interventions: Annotated[list[InterventionCode], Field(max_length=10)]
    summary: Text = ""


class NeedsAssessmentOut(Schema):
    course_id: int
    disciplines: list[DisciplineCode]
    interventions: list[InterventionCode]
    summary: str
    assessed_at: datetime


class TeamMemberIn(Schema):
    user_id: Id
    discipline: DisciplineCode


class TeamMemberOut(Schema):
    id: int
    user_id: int
    name: str
    discipline: DisciplineCode
    removed_at: datetime | None = None
    removal_reason: str = ""


class TeamMemberRemoveIn(Schema):
    """Why the clinician leaves the team (optional; kept in the team's history)."""

    reason: Reason = ""


class AppointmentCancelIn(Schema):
    """Why the appointment is cancelled (required; shown with the cancelled appointment)."""

    reason: Reason


class AppointmentIn(Schema):
    starts_at: datetime
    duration_minutes: Annotated[int, Field(ge=5, le=480)]
    discipline: DisciplineCode
    clinician_id: Id | None = None
    purpose: ShortText = ""


class AppointmentOut(Schema):
    id: int
    course_id: int
    starts_at: datetime
    duration_minutes: int
    discipline: DisciplineCode
    clinician_id: int | None
    purpose: str
    cancelled_at: datetime | None = None
    cancel_reason: str = ""


class HospitalPlanIn(Schema):
    plan_note: Text


class DischargeSummaryIn(Schema):
    """`regimen` changes the medication list at discharge (as at a visit: doses, stopped and
    new lines); OMEQ at discharge is then the list's. `omeq_mg_per_day` only when the list
    cannot give it; `medication_at_discharge` is the clinic's note on the medication."""

    summary: Annotated[str, Field(max_length=8000)]
    recommendations: Text
    medication_at_discharge: Text = ""
    regimen: RegimenIn | None = None
    omeq_mg_per_day: ExactNumber | None = None


class DischargeLineOut(Schema):
    """A line of the medication list at discharge with its OMEQ working (daily dose in
    `factor_unit` × factor = contribution); `problems` say why a line was not converted."""

    line: int | None
    label: str
    is_opioid: bool
    atc: str
    units_per_dose: str | None
    doses_per_day: str | None
    prn: bool
    max_doses_per_day: str | None
    patch_change_hours: int | None = None
    is_counted: bool
    not_counted: str
    daily_dose: str | None
    factor_unit: str
    factor: str | None
    contribution_mg_per_day: str | None
    problems: list[str]


class DischargeTableOut(Schema):
    id: str
    version: str
    title: str


class DischargeMedicationOut(Schema):
    """The medication list at discharge under the region's table (empty: no list recorded)."""

    table: DischargeTableOut | None = None
    is_computable: bool = False
    scheduled_mg_per_day: str | None = None
    max_mg_per_day: str | None = None
    lines: list[DischargeLineOut] = []
    warnings: list[str] = []


class DischargeSummaryOut(Schema):
    course_id: int
    sent_to_id: int
    summary: str
    recommendations: str
    medication_at_discharge: str
    medication: DischargeMedicationOut
    medication_changes: list[dict[str, Any]]
    omeq_at_discharge_mg_per_day: str | None
    omeq_source: Annotated[str, one_of(["", *OmeqSource.values])]
    omeq_table: str
    written_at: datetime


class WorklistRowOut(Schema):
    course_id: int
    patient_id: uuid.UUID
    patient_name: str
    cpr: str
    status: StatusCode
    status_label: str
    start_date: date
    deadline: date | None = None
    days_to_deadline: int | None = None
    next_follow_up_on: date | None = None
    days_overdue: int | None = None
    last_visit_on: date | None = None
    current_omeq_mg_per_day: str | None = None
    alerts: list[str] | None = None
    latest_alert: date | None = None
    returned_at: datetime | None = None
    advice: str | None = None
    handover_id: int | None = None
    handover_kind: HandoverKind | None = None
    practice: str | None = None
    proposed_at: datetime | None = None
    waiting_days: int | None = None
    next_appointment: datetime | None = None
    appointment_id: int | None = None
    starts_at: datetime | None = None
    duration_minutes: int | None = None
    discipline: str | None = None  # the discipline's name, in the user's language
    clinician: str | None = None
    purpose: str | None = None
    written_at: datetime | None = None
    written_by: str | None = None
    recommendations: str | None = None
    review_id: int | None = None
    reviewed_at: datetime | None = None
    progress: ProgressCode | None = None
    progress_text: str | None = None


class WorklistOut(Schema):
    kind: WorklistKind
    section: WorklistSection
    sort: str
    sections: list[WorklistSection]
    counts: dict[str, int]
    count: int
    page: int
    pages: int
    items: list[WorklistRowOut]
