"""Reads of pain centre courses. A single course or summary is loaded through
`centres.access` (which checks and audits); lists here filter by the user's scope
(`patients.access.in_scope`) and write one `listed` row per patient shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from domain.centre_course import CentreCourseStatus, allowed_events, default_modules
from domain.outcomes import (
    Instrument,
    OutcomeChange,
    OutcomeChart,
    Timepoint,
    default_instruments,
    outcome_change,
    outcome_chart,
)
from smertespor.accounts.models import Organisation, User
from smertespor.audit.services import record_listed
from smertespor.centres.models import (
    OPEN,
    Appointment,
    AppointmentState,
    CentreCourse,
    CourseEvent,
    DischargeSummary,
    OutcomeMeasurement,
    PlannedModule,
    Status,
    TeamMember,
)
from smertespor.centres.permissions import DISCIPLINE_ROLES
from smertespor.patients.access import in_scope
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import has_records, read_once
from smertespor.referrals.models import Referral
from smertespor.referrals.models import Status as ReferralStatus
from smertespor.tapering.models import TaperPlan
from smertespor.tapering.selectors import plan_in_force, plans_of

RECENT_DAYS = 60


@dataclass(frozen=True)
class OutcomeRow:
    instrument: Instrument
    change: OutcomeChange
    chart: OutcomeChart | None


@dataclass(frozen=True)
class CourseRecords:
    team: list[TeamMember]  # on the team now
    modules: list[PlannedModule]
    appointments: list[Appointment]
    measurements: list[OutcomeMeasurement]
    outcomes: list[OutcomeRow]
    events: list[CourseEvent]
    summary: DischargeSummary | None
    taper_plans: list[TaperPlan]
    allowed_events: tuple[str, ...]
    # The plan in force is adjusted, never replaced by a new one (the page offers "adjust").
    plan_in_force: TaperPlan | None = None
    # Taken off the team, with when, by whom and why (the team's history).
    former_team: list[TeamMember] = field(default_factory=list)


def outcome_rows(measurements: list[OutcomeMeasurement]) -> list[OutcomeRow]:
    """Each instrument measured on the course: its change start -> end -> follow-up and the
    chart, in the catalogue's order."""
    by_instrument: dict[str, dict[Timepoint, Decimal]] = {}
    for m in measurements:
        by_instrument.setdefault(m.instrument, {})[Timepoint(m.timepoint)] = m.score
    rows = []
    for code, found in default_instruments().items():
        if code in by_instrument:
            change = outcome_change(found, by_instrument[code])
            rows.append(OutcomeRow(found, change, outcome_chart(change)))
    return rows


def course_records(course: CentreCourse) -> CourseRecords:
    measurements = list(course.measurements.select_related("recorded_by"))
    summary = DischargeSummary.objects.filter(course=course).select_related("written_by").first()
    return CourseRecords(
        team=list(course.team.filter(removed_at__isnull=True).select_related("user")),
        former_team=list(
            course.team.filter(removed_at__isnull=False)
            .select_related("user", "removed_by")
            .order_by("removed_at", "pk")
        ),
        modules=list(course.modules.select_related("taper_plan")),
        appointments=list(course.appointments.select_related("clinician", "module")),
        measurements=measurements,
        outcomes=outcome_rows(measurements),
        events=list(course.events.select_related("by")),
        summary=summary,
        taper_plans=list(plans_of(course.patient)),
        plan_in_force=plan_in_force(course.patient),
        allowed_events=tuple(
            e.value for e in allowed_events(CentreCourseStatus(course.status)) if e != "discharge"
        ),
    )


def module_choices() -> list[tuple[str, str]]:
    from smertespor.centres.labels import module_name

    return [(m.code, module_name(m.code)) for m in default_modules().modules]


def centre_clinicians(centre_id: int) -> QuerySet[User]:
    """The centre's clinicians who can be named on a team."""
    return User.objects.filter(
        organisation_id=centre_id, is_active=True, role__in=set(DISCIPLINE_ROLES.values())
    ).order_by("last_name", "first_name")


def courses_of_patient(patient: Patient, centre_id: int | None) -> QuerySet[CentreCourse]:
    return CentreCourse.objects.filter(patient=patient, centre_id=centre_id).order_by(
        "-created_at", "-pk"
    )


@dataclass(frozen=True)
class CentreWorklist:
    open_courses: Sequence[CentreCourse]
    referred: list[Referral]  # the centre's accepted referrals without a course
    closed: list[CentreCourse]


def centre_worklist(user: User) -> CentreWorklist:
    """The user's centre: open courses, accepted referrals without one, recently closed."""
    centre_id = user.organisation_id
    courses = CentreCourse.objects.filter(in_scope(user, "patient_id"), centre_id=centre_id)
    open_courses = list(
        courses.filter(status__in=OPEN)
        .select_related("patient")
        .annotate(team_size=Count("team", filter=Q(team__removed_at__isnull=True), distinct=True))
        .order_by("planned_start", "pk")
    )
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    closed = list(
        courses.exclude(status__in=OPEN)
        .filter(closed_on__gte=since)
        .select_related("patient")
        .order_by("-closed_on", "-pk")
    )
    has_course = CentreCourse.objects.filter(referral_id=OuterRef("pk")).exclude(
        status=Status.CANCELLED
    )
    referred = list(
        Referral.objects.filter(
            in_scope(user, "patient_id"),
            recipient_id=centre_id,
            status__in=[ReferralStatus.ACCEPTED, ReferralStatus.APPOINTMENT_BOOKED],
        )
        .exclude(Exists(has_course))
        .select_related("patient")
        .order_by("sent_at", "pk")
    )
    shown = [c.patient for c in open_courses + closed] + [r.patient for r in referred]
    record_listed(user=user, patients=shown, object_type="centre_worklist")
    return CentreWorklist(open_courses, referred, closed)


def new_summaries_for(user: User, *, limit: int = 20) -> list[DischargeSummary]:
    """Discharge summaries sent to the user's practice and not yet marked received.

    Shown on the GP's worklist, so asked on every look at it: most days a practice has none
    waiting, which one indexed probe answers before the scoped, joined read is planned."""
    waiting = DischargeSummary.objects.filter(
        sent_to_id=user.organisation_id, acknowledged_at__isnull=True
    )
    if not waiting.exists():
        return []
    summaries = list(
        waiting.filter(in_scope(user, "course__patient_id"))
        .select_related("course", "course__patient", "course__centre")
        .order_by("-sent_at", "-pk")[:limit]
    )
    record_listed(
        user=user, patients=[s.course.patient for s in summaries], object_type="centre_summaries"
    )
    return summaries


def summaries_for_patient(patient: Patient, user: User) -> list[DischargeSummary]:
    """The patient's discharge summaries `user` may read: sent to their practice, or sent by
    their centre. (The patient was loaded through `patients.access` by the caller.) Read once
    a page: the timeline and the centre panel both show them (`patients.page_reads`)."""
    organisation_id = user.organisation_id
    return read_once(
        patient,
        ("centres.summaries", organisation_id),
        lambda: (
            list(
                DischargeSummary.objects.filter(course__patient=patient)
                .filter(Q(sent_to_id=organisation_id) | Q(course__centre_id=organisation_id))
                .select_related("course", "course__centre", "written_by")
                .order_by("-sent_at", "-pk")
            )
            if has_records(patient, "centre_courses")
            else []
        ),
    )


def course_counts() -> list[dict[str, Any]]:
    """Courses by centre and status: counts only, no patient."""
    rows = (
        CentreCourse.objects.values("centre_id", "status")
        .annotate(count=Count("pk"))
        .order_by("centre_id", "status")
    )
    names = dict(
        Organisation.objects.filter(kind=Organisation.Kind.PAIN_CENTRE).values_list("pk", "name")
    )
    counts: dict[int, dict[str, Any]] = {
        pk: {"centre_id": pk, "centre": name, **dict.fromkeys(Status.values, 0)}
        for pk, name in names.items()
    }
    for row in rows:
        entry = counts.setdefault(
            row["centre_id"],
            {"centre_id": row["centre_id"], "centre": "", **dict.fromkeys(Status.values, 0)},
        )
        entry[row["status"]] = row["count"]
    return sorted(counts.values(), key=lambda e: e["centre"])


# Added for the home page ("I dag"): querysets the home page counts and reads a few rows of.
# Not audited here: the home page logs its one search and the patients it shows.


def unacknowledged_summaries(user: User) -> QuerySet[DischargeSummary]:
    """The discharge summaries sent to the user's practice and not yet marked received."""
    return (
        DischargeSummary.objects.filter(
            in_scope(user, "course__patient_id"),
            sent_to_id=user.organisation_id,
            acknowledged_at__isnull=True,
        )
        .select_related("course__patient", "course__centre")
        .order_by("-sent_at", "-pk")
    )


def centre_appointments_between(
    user: User, start: datetime, end: datetime
) -> QuerySet[Appointment]:
    """The centre's booked appointments from `start` to `end`, by time."""
    return (
        Appointment.objects.filter(
            in_scope(user, "course__patient_id"),
            course__centre_id=user.organisation_id,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .exclude(status=AppointmentState.CANCELLED)
        .select_related("course__patient", "clinician")
        .order_by("starts_at", "pk")
    )


def courses_ready_to_discharge(user: User) -> QuerySet[CentreCourse]:
    """The centre's active courses with at least one appointment held and none booked
    ahead: ready for the discharge summary."""
    booked = Appointment.objects.filter(course_id=OuterRef("pk")).exclude(
        status=AppointmentState.CANCELLED
    )
    upcoming = booked.filter(starts_at__gte=timezone.now())
    return (
        CentreCourse.objects.filter(
            in_scope(user, "patient_id"), centre_id=user.organisation_id, status=Status.ACTIVE
        )
        .filter(Exists(booked))
        .exclude(Exists(upcoming))
        .select_related("patient")
        .order_by("started_on", "pk")
    )


def centre_courses_of_any_patient() -> QuerySet[CentreCourse]:
    """Every pain centre course (`patients.page_reads.has_records` asks for one patient's)."""
    return CentreCourse.objects.all()
