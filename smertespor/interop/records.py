"""What the FHIR mappings read: plain, frozen records, built from the models at one seam
(`export_selectors`) so that every mapping is tested without a database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class OrganisationRecord:
    id: str
    name: str
    kind: str
    kind_label: str
    sor_code: str = ""
    provider_number: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PractitionerRecord:
    id: str
    name: str
    role: str
    role_label: str
    organisation_id: str | None = None


@dataclass(frozen=True)
class PatientRecord:
    id: str
    cpr: str
    name: str
    birth_date: datetime.date
    sex: str
    practice_id: str
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class MedicationRecord:
    id: str
    product_id: str
    product_name: str
    atc: str
    substance: str
    unit: str  # the strength's unit: "mg", "mcg/h", "mg/ml"
    is_measured_in_ml: bool
    strength: Decimal
    units_per_dose: Decimal
    doses_per_day: Decimal | None
    prn: bool
    max_doses_per_day: Decimal | None
    indication: str
    indication_label: str
    start_date: datetime.date
    ended_on: datetime.date | None = None
    end_reason: str = ""
    note: str = ""
    source: str = "typed"


@dataclass(frozen=True)
class OmeqRecord:
    id: str
    recorded_at: datetime.datetime
    table_id: str
    table_version: str
    is_computable: bool
    scheduled_mg_per_day: Decimal | None
    max_mg_per_day: Decimal | None


@dataclass(frozen=True)
class ScoresRecord:
    """The scores of one visit (a course's baseline or a follow-up)."""

    id: str
    on: datetime.date
    peg_pain: int | None = None
    peg_enjoyment: int | None = None
    peg_activity: int | None = None
    nrs: int | None = None
    sows_total: int | None = None
    sows_items: tuple[int, ...] = ()
    cows_total: int | None = None
    cows_items: tuple[int, ...] = ()


@dataclass(frozen=True)
class TaperStepRecord:
    number: int
    kind: str
    kind_label: str
    start_date: datetime.date
    end_date: datetime.date | None
    omeq_mg_per_day: Decimal
    percent_of_start: Decimal


@dataclass(frozen=True)
class TaperPlanRecord:
    id: str
    status: str
    start_date: datetime.date
    last_change_date: datetime.date
    table_id: str
    table_version: str
    baseline_omeq_mg_per_day: Decimal
    final_omeq_mg_per_day: Decimal
    practice_id: str
    steps: tuple[TaperStepRecord, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CourseRecord:
    id: str
    track: str
    track_label: str
    status: str
    status_label: str
    start_date: datetime.date
    organisation_id: str
    goal_label: str


@dataclass(frozen=True)
class HandoverRecord:
    """The handover to the hospital track and, once decided, the clinic's triage."""

    id: str
    course_id: str
    requester_id: str  # the practice
    performer_id: str  # the clinic
    proposed_at: datetime.datetime
    reason: str
    gp_comment: str
    decision: str
    decision_label: str
    decided_at: datetime.datetime | None = None
    advice: str = ""


@dataclass(frozen=True)
class AppointmentRecord:
    id: str
    course_id: str
    starts_at: datetime.datetime
    duration_minutes: int
    discipline_label: str
    purpose: str
    clinician_id: str | None = None


@dataclass(frozen=True)
class MessageRecord:
    """One message of an advice thread (or of a referral's dialogue)."""

    id: str
    thread_id: str
    topic: str
    sent_at: datetime.datetime
    sender_organisation_id: str
    recipient_organisation_id: str
    kind_label: str
    body: str
    in_response_to: str | None = None


@dataclass(frozen=True)
class ReferralRecord:
    """A GP's referral to a pain centre and the steps of its triage."""

    id: str
    status: str
    priority: str
    requester_id: str
    performer_id: str
    authored_at: datetime.datetime
    diagnosis_code: str
    diagnosis_text: str
    question: str
    steps: tuple[ReferralStepRecord, ...] = ()


@dataclass(frozen=True)
class ReferralStepRecord:
    id: str
    event: str
    event_label: str
    at: datetime.datetime
    organisation_id: str
    reason: str = ""


@dataclass(frozen=True)
class ScreeningRecord:
    """A stratification screening (STarT Back): answers by item number, scores, result."""

    id: str
    instrument: str
    instrument_version: str
    answers: tuple[tuple[str, str], ...]
    total: int
    subscale: int
    outcome: str
    recorded_at: datetime.datetime


@dataclass(frozen=True)
class CareRecordSet:
    courses: tuple[CourseRecord, ...] = ()
    handovers: tuple[HandoverRecord, ...] = ()
    appointments: tuple[AppointmentRecord, ...] = ()
    messages: tuple[MessageRecord, ...] = ()
    referrals: tuple[ReferralRecord, ...] = ()
    screenings: tuple[ScreeningRecord, ...] = ()


@dataclass(frozen=True)
class PatientRecordSet:
    """Everything of one patient that leaves as one Bundle."""

    patient: PatientRecord
    organisations: tuple[OrganisationRecord, ...]
    practitioners: tuple[PractitionerRecord, ...] = ()
    medication: tuple[MedicationRecord, ...] = ()
    omeq: tuple[OmeqRecord, ...] = ()
    scores: tuple[ScoresRecord, ...] = ()
    taper_plans: tuple[TaperPlanRecord, ...] = ()
    care: CareRecordSet = field(default_factory=lambda: CareRecordSet())
