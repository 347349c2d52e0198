"""Reads of courses. Callers load the patient through `patients.access` first (which applies
the role rules and writes the audit row); nothing here checks access again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet
from django.http import Http404

from domain.follow_up import FollowUpAlert, missed_follow_up
from domain.tracks import OPEN_STATUSES
from smertespor.accounts.models import Requester, User
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import has_records, read_once
from smertespor.tracks.models import (
    Alert,
    Appointment,
    Course,
    DischargeSummary,
    FollowUp,
    Handover,
    NeedsAssessment,
    RuleReview,
    TeamMember,
    TimelineEvent,
    Track,
)
from smertespor.tracks.permissions import TEAM_ROLES

if TYPE_CHECKING:
    from smertespor.tapering.models import TaperPlan


def course_of(patient: Patient, course_id: Any) -> Course:
    """The patient's course `course_id`, or 404 (never another patient's)."""
    try:
        pk = int(course_id)
    except (TypeError, ValueError):
        raise Http404 from None
    course = (
        Course.objects.filter(patient=patient, pk=pk)
        .select_related("responsible_organisation", "clinic", "previous_course")
        .first()
    )
    if course is None:
        raise Http404
    course.patient = patient
    return course


def courses_of(patient: Patient) -> QuerySet[Course]:
    return patient.courses.select_related("responsible_organisation", "clinic").order_by(
        "-start_date", "-pk"
    )


def open_course_of(patient: Patient) -> Course | None:
    course = (
        patient.courses.filter(status__in=sorted(OPEN_STATUSES))
        .select_related("responsible_organisation", "clinic")
        .first()
    )
    if course is not None:
        course.patient = patient
    return course


def timeline_of_patient(patient: Patient) -> QuerySet[TimelineEvent]:
    return patient.course_timeline.select_related("by", "organisation", "course").order_by(
        "-occurred_at", "-pk"
    )


def timeline_events_shown(patient: Patient) -> list[TimelineEvent]:
    """The patient's course events, newest first, read once for the patient page (its
    timeline and its course panel both show them: `patients.page_reads`)."""
    return read_once(
        patient,
        "tracks.timeline",
        lambda: list(timeline_of_patient(patient)) if has_records(patient, "courses") else [],
    )


def timeline_of_course(course: Course) -> QuerySet[TimelineEvent]:
    return course.timeline.select_related("by", "organisation").order_by("-occurred_at", "-pk")


def follow_ups_of(course: Course) -> QuerySet[FollowUp]:
    return course.follow_ups.select_related("recorded_by").order_by("visit_on", "pk")


def alert_of(course: Course, alert_id: Any) -> Alert:
    """The course's alert `alert_id`, or 404 (never another course's)."""
    alert = Alert.objects.filter(course=course, pk=alert_id).first()
    if alert is None:
        raise Http404
    alert.course = course
    return alert


def open_alerts_of(course: Course) -> QuerySet[Alert]:
    return course.alerts.filter(acknowledged_at__isnull=True).order_by("-raised_on", "-pk")


def missed_visit(course: Course, today: date) -> FollowUpAlert | None:
    """The missed-visit alert of an open course whose next visit is overdue."""
    if not course.is_open or course.next_follow_up_on is None:
        return None
    return missed_follow_up(due_on=course.next_follow_up_on, today=today)


def handovers_of(course: Course) -> QuerySet[Handover]:
    return course.handovers.select_related("clinic", "proposed_by", "decided_by").order_by(
        "-proposed_at", "-pk"
    )


def latest_handover(course: Course) -> Handover | None:
    return handovers_of(course).first()


def rule_reviews_of(course: Course) -> QuerySet[RuleReview]:
    """What the 3-month rule found at each deadline of the course, newest first."""
    return course.rule_reviews.select_related("decided_by").order_by("-deadline", "-pk")


def latest_review(course: Course) -> RuleReview | None:
    return rule_reviews_of(course).first()


def pending_proposal(course: Course) -> RuleReview | None:
    """The rule's proposal awaiting the GP's decision, if any."""
    return rule_reviews_of(course).filter(outcome=RuleReview.Outcome.PENDING).first()


def clinicians_of(course: Course) -> QuerySet[User]:
    """The active clinicians of the organisation running the course (whom the team may name:
    a profession that fills one of the team's disciplines, `permissions.DISCIPLINE_ROLES`)."""
    return User.objects.filter(
        organisation_id=course.responsible_organisation_id, is_active=True, role__in=TEAM_ROLES
    ).order_by("last_name", "first_name")


def team_of(course: Course) -> QuerySet[TeamMember]:
    """The team as it is now (members taken off it are history: `former_team_of`)."""
    return (
        course.team.filter(removed_at__isnull=True)
        .select_related("user")
        .order_by("discipline", "pk")
    )


def former_team_of(course: Course) -> QuerySet[TeamMember]:
    return (
        course.team.filter(removed_at__isnull=False)
        .select_related("user", "removed_by")
        .order_by("removed_at", "pk")
    )


def appointments_of(course: Course) -> QuerySet[Appointment]:
    """Every appointment, the cancelled ones too (shown as cancelled, with the reason)."""
    return course.appointments.select_related("clinician", "cancelled_by").order_by(
        "starts_at", "pk"
    )


def discharge_summaries_of(patient: Patient) -> QuerySet[DischargeSummary]:
    return (
        DischargeSummary.objects.filter(course__patient=patient)
        .select_related("written_by", "sent_to", "course")
        .order_by("-written_at")
    )


@dataclass(frozen=True)
class HospitalRecords:
    assessment: NeedsAssessment | None
    team: list[TeamMember]
    appointments: list[Appointment]
    former_team: list[TeamMember]
    discharge_summary: DischargeSummary | None


def hospital_records(course: Course) -> HospitalRecords:
    assessment = NeedsAssessment.objects.filter(course=course).select_related("assessed_by").first()
    discharge = DischargeSummary.objects.filter(course=course).select_related("written_by").first()
    return HospitalRecords(
        assessment=assessment,
        team=list(team_of(course)),
        appointments=list(appointments_of(course)),
        discharge_summary=discharge,
        former_team=list(former_team_of(course)),
    )


def taper_plans_of(course: Course) -> list[TaperPlan]:
    """The taper plans linked to the course (the tapering app links them when it makes one)."""
    return list(course.taper_plans.all())


# Added for teaching:


def practice_track_patients_per_practice(practice_ids: Iterable[int]) -> dict[int, int]:
    """How many patients each practice has in an open practice-track course (by the
    practice they are listed with): a count, no patients."""
    ids = list(practice_ids)
    rows = (
        Course.objects.filter(
            track=Track.PRACTICE,
            status__in=sorted(OPEN_STATUSES),
            patient__listed_practice_id__in=ids,
        )
        .order_by()
        .values("patient__listed_practice_id")
        .annotate(n=Count("patient_id", distinct=True))
        .values_list("patient__listed_practice_id", "n")
    )
    return {**dict.fromkeys(ids, 0), **dict(rows)}


def handovers_per_practice(practice_ids: Iterable[int], *, since: datetime) -> dict[int, int]:
    """How many handovers from the practice track each practice made since ``since`` (by the
    patient's listed practice), whatever the clinic then decided: a count, no patients."""
    ids = list(practice_ids)
    rows = (
        Handover.objects.filter(course__patient__listed_practice_id__in=ids, proposed_at__gte=since)
        .order_by()
        .values("course__patient__listed_practice_id")
        .annotate(n=Count("pk"))
        .values_list("course__patient__listed_practice_id", "n")
    )
    return {**dict.fromkeys(ids, 0), **dict(rows)}


# Added for advice:
def early_handover_url(user: Requester, course: Course) -> str | None:
    """The page where `user` hands `course` over to the pain clinic (before the 3-month mark,
    or deciding the 3-month rule's proposal), if that step is theirs to take now; else None."""
    from django.urls import reverse

    from domain.tracks import CourseEvent
    from smertespor.tracks.decisions import decisions_for

    events = {d.event for d in decisions_for(user, course)}
    if CourseEvent.CONFIRM_HANDOVER in events:
        return reverse("tracks:proposal", args=[course.patient_id, course.pk])
    if CourseEvent.HAND_OVER_EARLY not in events:
        return None
    url = reverse("tracks:course_step", args=[course.patient_id, course.pk])
    return f"{url}?event={CourseEvent.HAND_OVER_EARLY.value}"


# Added for the patient's timeline (patients.timeline):
def follow_ups_of_patient(patient: Patient) -> QuerySet[FollowUp]:
    """Every follow-up visit of every course of the patient, with its course (one query)."""
    return (
        FollowUp.objects.filter(course__patient=patient)
        .select_related("course")
        .order_by("-visit_on", "-pk")
    )


def courses_of_any_patient() -> QuerySet[Course]:
    """Every course of either track (`patients.page_reads.has_records` asks for one patient's)."""
    return Course.objects.all()
