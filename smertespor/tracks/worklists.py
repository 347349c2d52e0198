"""What is due for whom: the GP's worklist and the clinic's, for the pages and the API.

Each section is one indexed query (the organisation, a status and a date), scoped to the
patients the user may see (`patients.access.visible_patients`); the section counts are one
aggregate; one page of rows is read at a time, with what each row shows joined or annotated in
the same query. Nothing loops over courses in Python. Every look at a worklist writes one
search row to the audit log, and the page's rows one "listed" row per patient shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smertespor.accounts.models import User
from smertespor.audit.services import Search, record_listed
from smertespor.entry.numbers import for_json
from smertespor.patients.access import in_scope, in_scope_row_by_row
from smertespor.tracks.labels import alert_message, review_text
from smertespor.tracks.models import (
    Alert,
    Appointment,
    Course,
    DischargeSummary,
    Handover,
    RuleReview,
    Status,
    Track,
)

PAGE_SIZE = 25
PRACTICE_OPEN = (
    Status.ACTIVE,
    Status.HANDOVER_REVIEW,
    Status.HANDOVER_PROPOSED,
    Status.RETURNED_TO_PRACTICE_TRACK,
)
ASSESSMENT_DUE = (Status.ACCEPTED, Status.NEEDS_ASSESSED)
DISCHARGE_WINDOW_DAYS = 90  # how long a discharge summary stays on the GP's list

_NAME = ("patient__name", "pk")
_NAME_DESC = ("-patient__name", "-pk")


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    sorts: dict[str, tuple[str, ...]]
    sort_labels: dict[str, Any] = field(default_factory=dict)

    @property
    def default_sort(self) -> str:
        return next(iter(self.sorts))


PRACTICE_SECTIONS = (
    Section(
        "due",
        _("Follow-ups due and overdue"),
        {
            "due": ("next_follow_up_on", "pk"),
            "-due": ("-next_follow_up_on", "-pk"),
            "name": _NAME,
            "-name": _NAME_DESC,
        },
    ),
    Section(
        "proposals",
        _("Consider handing over (the 3-month rule proposes)"),
        {
            "waiting": ("reviewed_at", "pk"),
            "-waiting": ("-reviewed_at", "-pk"),
            "name": ("course__patient__name", "pk"),
            "-name": ("-course__patient__name", "-pk"),
        },
    ),
    Section(
        "approaching",
        _("Approaching the 3-month mark"),
        {
            "deadline": ("deadline", "pk"),
            "-deadline": ("-deadline", "-pk"),
            "name": _NAME,
            "-name": _NAME_DESC,
        },
    ),
    Section(
        "alerts",
        _("Alerts"),
        {
            "-raised": ("-latest_alert", "-pk"),
            "raised": ("latest_alert", "pk"),
            "name": _NAME,
            "-name": _NAME_DESC,
        },
    ),
    Section(
        "returned",
        _("Handovers returned"),
        {
            "-returned": ("-returned_at", "-pk"),
            "returned": ("returned_at", "pk"),
            "name": _NAME,
            "-name": _NAME_DESC,
        },
    ),
    Section(
        "discharged",
        _("Discharge summaries received"),
        {
            "-written": ("-written_at", "-pk"),
            "written": ("written_at", "pk"),
            "name": ("course__patient__name", "pk"),
            "-name": ("-course__patient__name", "-pk"),
        },
    ),
)
CLINIC_SECTIONS = (
    Section(
        "handovers",
        _("New handovers (triage due)"),
        {
            "waiting": ("proposed_at", "pk"),
            "-waiting": ("-proposed_at", "-pk"),
            "name": ("course__patient__name", "pk"),
            "-name": ("-course__patient__name", "-pk"),
        },
    ),
    Section(
        "assessment",
        _("Accepted: needs assessment and plan due"),
        {
            "since": ("status_changed_at", "pk"),
            "-since": ("-status_changed_at", "-pk"),
            "name": _NAME,
            "-name": _NAME_DESC,
        },
    ),
    Section(
        "active",
        _("Active courses"),
        {
            "appointment": ("next_appointment", "pk"),
            "start": ("start_date", "pk"),
            "-start": ("-start_date", "-pk"),
            "name": _NAME,
            "-name": _NAME_DESC,
        },
    ),
    Section(
        "appointments",
        _("Appointments this week"),
        {
            "time": ("starts_at", "pk"),
            "-time": ("-starts_at", "-pk"),
            "name": ("course__patient__name", "pk"),
            "-name": ("-course__patient__name", "-pk"),
        },
    ),
)


@dataclass
class Worklist:
    kind: str
    sections: tuple[Section, ...]
    section: Section
    sort: str
    counts: dict[str, int]
    objects: QuerySet[Any]
    today: date
    user: User
    search: Search

    def page(self, number: Any, per_page: int = PAGE_SIZE) -> Page:
        # The section's count is already known (`counts`): the paginator does not count again.
        return CountedPaginator(
            self.objects, per_page, count=self.counts[self.section.key]
        ).get_page(number)

    def rows(self, page: Page) -> list[dict[str, Any]]:
        """The page's rows as shown; the patients on them are logged as seen in a list."""
        rows = [row_for(self.section.key, item, self.today) for item in page.object_list]
        record_listed(
            user=self.user,
            patients=[row["patient_id"] for row in rows],
            object_type=f"{self.kind}_worklist",
            detail={"section": self.section.key, "page": page.number},
            search=self.search,
        )
        return rows


class CountedPaginator(Paginator):
    """A paginator told how many rows there are, so a page reads its rows and nothing else."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def sort_keys(sections: tuple[Section, ...]) -> list[str]:
    """Every order the sections offer, for documenting a worklist's `sort`."""
    return sorted({key for section in sections for key in section.sorts})


def _choose(sections: tuple[Section, ...], key: str, sort: str) -> tuple[Section, str]:
    section = next((s for s in sections if s.key == key), sections[0])
    return section, sort if sort in section.sorts else section.default_sort


def _search(kind: str, section: Section, sort: str) -> Search:
    """The worklist's criteria, logged with the page's rows (`Worklist.rows`)."""
    return Search("worklist", {"list": kind, "section": section.key, "sort": sort})


def _in_scope(user: User, patient_ref: str) -> Q:
    """The row's patient is one `user` may see: one indexed subquery of the scope's patient ids
    (`patients.access.scope_patient_ids`), so the cost follows the user's scope, not the
    region's size."""
    return in_scope(user, patient_ref)


def _open_alert(course_ref: str = "pk") -> QuerySet[Alert]:
    return Alert.objects.filter(course_id=OuterRef(course_ref), acknowledged_at__isnull=True)


def practice_worklist(
    *, user: User, section: str = "", sort: str = "", today: date | None = None
) -> Worklist:
    """The GP's worklist: courses of the user's practice, patients in the user's scope."""
    today = today or timezone.localdate()
    chosen, sort = _choose(PRACTICE_SECTIONS, section, sort)
    org = user.organisation_id
    if org is None:  # the doors let only a practice's or a clinic's staff this far
        raise PermissionDenied
    courses = Course.objects.filter(
        _in_scope(user, "patient_id"), responsible_organisation_id=org, track=Track.PRACTICE
    )
    due_until = today + timedelta(days=settings.TRACKS_FOLLOW_UP_DUE_DAYS)
    approaching_until = today + timedelta(days=settings.TRACKS_APPROACHING_DAYS)
    filters = {
        "due": Q(status__in=PRACTICE_OPEN, next_follow_up_on__lte=due_until),
        "approaching": Q(
            status=Status.ACTIVE, deadline__gte=today, deadline__lte=approaching_until
        ),
        "alerts": Q(status__in=PRACTICE_OPEN) & Q(Exists(_open_alert())),
        "returned": Q(status=Status.RETURNED_TO_PRACTICE_TRACK),
    }
    discharged = DischargeSummary.objects.filter(
        _in_scope(user, "course__patient_id"),
        sent_to_id=org,
        written_at__gte=timezone.now() - timedelta(days=DISCHARGE_WINDOW_DAYS),
    )
    proposals = RuleReview.objects.filter(
        _in_scope(user, "course__patient_id"),
        course__responsible_organisation_id=org,
        outcome=RuleReview.Outcome.PENDING,
    )
    counts = courses.aggregate(**{key: Count("pk", filter=q) for key, q in filters.items()})
    counts["proposals"] = proposals.count()
    counts["discharged"] = discharged.count()
    objects: QuerySet[Any]
    if chosen.key == "discharged":
        objects = discharged.select_related(
            "course__patient", "written_by", "course__responsible_organisation"
        )
    elif chosen.key == "proposals":
        objects = proposals.select_related("course__patient")
    else:
        objects = courses.filter(filters[chosen.key]).select_related("patient")
        if chosen.key == "alerts":
            newest = _open_alert().order_by().values("course_id").annotate(m=Max("raised_on"))
            objects = objects.annotate(latest_alert=Subquery(newest.values("m")[:1]))
        if chosen.key == "returned":
            returned = Handover.objects.filter(
                course_id=OuterRef("pk"), decision=Handover.Decision.RETURNED
            ).order_by("-decided_at")
            objects = objects.annotate(
                returned_at=Subquery(returned.values("decided_at")[:1]),
                advice=Subquery(returned.values("advice")[:1]),
            )
    return Worklist(
        "practice",
        PRACTICE_SECTIONS,
        chosen,
        sort,
        counts,
        objects.order_by(*chosen.sorts[sort]),
        today,
        user,
        _search("practice", chosen, sort),
    )


def week_of(today: date) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 (local time) of the week holding `today`."""
    monday = today - timedelta(days=today.weekday())
    start = timezone.make_aware(datetime.combine(monday, time.min))
    return start, timezone.make_aware(datetime.combine(monday + timedelta(days=7), time.min))


def clinic_worklist(
    *, user: User, section: str = "", sort: str = "", today: date | None = None
) -> Worklist:
    """The clinic's worklist: handovers to triage, courses to assess, plans and this week."""
    today = today or timezone.localdate()
    chosen, sort = _choose(CLINIC_SECTIONS, section, sort)
    org = user.organisation_id
    if org is None:  # the doors let only a practice's or a clinic's staff this far
        raise PermissionDenied
    # Handovers and appointments are found by the clinic's own index, then checked against
    # the scope one row at a time (the clinic's scope is large: see `in_scope_row_by_row`).
    handovers = Handover.objects.filter(
        in_scope_row_by_row(user, "course__patient_id"),
        clinic_id=org,
        decision=Handover.Decision.PENDING,
    )
    courses = Course.objects.filter(
        _in_scope(user, "patient_id"), responsible_organisation_id=org, track=Track.HOSPITAL
    )
    start, end = week_of(today)
    appointments = Appointment.objects.filter(
        in_scope_row_by_row(user, "course__patient_id"),
        organisation_id=org,
        starts_at__gte=start,
        starts_at__lt=end,
        cancelled_at__isnull=True,
    )
    filters = {
        "assessment": Q(status__in=ASSESSMENT_DUE),
        "active": Q(status=Status.PLAN_ACTIVE),
    }
    # Counting the (never null) patient, not the id, lets `course_org_track_status_pat` answer
    # the counts alone, without reading the courses.
    counts = courses.aggregate(**{key: Count("patient", filter=q) for key, q in filters.items()})
    counts["handovers"] = handovers.count()
    counts["appointments"] = appointments.count()
    objects: QuerySet[Any]
    if chosen.key == "handovers":
        objects = handovers.select_related("course__patient", "course__responsible_organisation")
    elif chosen.key == "appointments":
        objects = appointments.select_related("course__patient", "clinician")
    else:
        objects = courses.filter(filters[chosen.key]).select_related("patient")
        if chosen.key == "active":
            upcoming = (
                Appointment.objects.filter(
                    course_id=OuterRef("pk"),
                    starts_at__gte=timezone.now(),
                    cancelled_at__isnull=True,
                )
                .order_by()
                .values("course_id")
                .annotate(m=Min("starts_at"))
            )
            objects = objects.annotate(next_appointment=Subquery(upcoming.values("m")[:1]))
    return Worklist(
        "clinic",
        CLINIC_SECTIONS,
        chosen,
        sort,
        counts,
        objects.order_by(*chosen.sorts[sort]),
        today,
        user,
        _search("clinic", chosen, sort),
    )


def _patient(patient: Any) -> dict[str, Any]:
    return {"patient_id": patient.pk, "patient_name": patient.name, "cpr": patient.cpr_formatted}


def _course(course: Any, today: date) -> dict[str, Any]:
    due = course.next_follow_up_on
    return {
        "course_id": course.pk,
        "status": course.status,
        "status_label": str(course.get_status_display()),
        "start_date": course.start_date,
        "deadline": course.deadline,
        "days_to_deadline": (course.deadline - today).days if course.deadline else None,
        "next_follow_up_on": due,
        "days_overdue": max((today - due).days, 0) if due else None,
        "last_visit_on": course.last_visit_on,
        "current_omeq_mg_per_day": for_json(course.current_omeq_mg_per_day),
        **_patient(course.patient),
    }


def row_for(section: str, item: Any, today: date) -> dict[str, Any]:
    """One row as plain data (for the templates and the API)."""
    if section in {"handovers"}:
        course = item.course
        return {
            **_course(course, today),
            "handover_id": item.pk,
            "handover_kind": item.kind,
            "handover_kind_label": str(item.get_kind_display()),
            "practice": course.responsible_organisation.name,
            "proposed_at": item.proposed_at,
            "waiting_days": (today - timezone.localdate(item.proposed_at)).days,
        }
    if section == "appointments":
        return {
            **_course(item.course, today),
            "appointment_id": item.pk,
            "starts_at": item.starts_at,
            "duration_minutes": item.duration_minutes,
            "discipline": str(item.get_discipline_display()),
            "clinician": str(item.clinician) if item.clinician else None,
            "purpose": item.purpose,
        }
    if section == "discharged":
        return {
            **_course(item.course, today),
            "written_at": item.written_at,
            "written_by": str(item.written_by),
            "recommendations": item.recommendations,
        }
    if section == "proposals":
        return {
            **_course(item.course, today),
            "review_id": item.pk,
            "reviewed_at": item.reviewed_at,
            "progress": item.progress,
            "progress_text": review_text(item),
        }
    row = _course(item, today)
    if section == "alerts":
        row["latest_alert"] = getattr(item, "latest_alert", None)
    if section == "returned":
        row["returned_at"] = getattr(item, "returned_at", None)
        row["advice"] = getattr(item, "advice", "")
    if section == "active":
        row["next_appointment"] = getattr(item, "next_appointment", None)
    return row


def attach_alerts(rows: list[dict[str, Any]]) -> None:
    """The open alerts of a page of rows, as sentences, in one query."""
    ids = [row["course_id"] for row in rows]
    by_course: dict[int, list[str]] = {}
    for alert in Alert.objects.filter(course_id__in=ids, acknowledged_at__isnull=True).order_by(
        "-raised_on", "-pk"
    ):
        by_course.setdefault(alert.course_id, []).append(alert_message(alert))
    for row in rows:
        row["alerts"] = by_course.get(row["course_id"], [])


# Added for the home page ("I dag"): the same lists as the worklists' sections, as querysets
# the home page counts and reads a few rows of (one query each, whatever the scope's size).
# Not audited here: the home page logs its one search and the patients it shows.


def follow_ups_due(user: User, today: date) -> QuerySet[Course]:
    """The practice's open practice-track courses whose next visit is due or overdue."""
    due_until = today + timedelta(days=settings.TRACKS_FOLLOW_UP_DUE_DAYS)
    return (
        Course.objects.filter(
            _in_scope(user, "patient_id"),
            responsible_organisation_id=user.organisation_id,
            track=Track.PRACTICE,
            status__in=PRACTICE_OPEN,
            next_follow_up_on__lte=due_until,
        )
        .select_related("patient")
        .order_by("next_follow_up_on", "pk")
    )


def handover_proposals(user: User) -> QuerySet[RuleReview]:
    """The 3-month rule's proposals waiting for the practice's decision."""
    return (
        RuleReview.objects.filter(
            _in_scope(user, "course__patient_id"),
            course__responsible_organisation_id=user.organisation_id,
            outcome=RuleReview.Outcome.PENDING,
        )
        .select_related("course__patient")
        .order_by("reviewed_at", "pk")
    )


def discharge_summaries_received(user: User) -> QuerySet[DischargeSummary]:
    """The pain clinic's discharge summaries sent to the practice in the recent window."""
    return (
        DischargeSummary.objects.filter(
            _in_scope(user, "course__patient_id"),
            sent_to_id=user.organisation_id,
            written_at__gte=timezone.now() - timedelta(days=DISCHARGE_WINDOW_DAYS),
        )
        .select_related("course__patient")
        .order_by("-written_at", "-pk")
    )


def handovers_to_triage(user: User) -> QuerySet[Handover]:
    """Handovers to the user's clinic that wait for triage, oldest first."""
    return (
        Handover.objects.filter(
            _in_scope(user, "course__patient_id"),
            clinic_id=user.organisation_id,
            decision=Handover.Decision.PENDING,
        )
        .select_related("course__patient", "course__responsible_organisation")
        .order_by("proposed_at", "pk")
    )


def day_of(today: date) -> tuple[datetime, datetime]:
    """00:00 of `today` to 00:00 of the next day (local time)."""
    start = timezone.make_aware(datetime.combine(today, time.min))
    return start, timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))


def appointments_on(user: User, today: date) -> QuerySet[Appointment]:
    """The clinic's hospital-track appointments on `today`, by time."""
    start, end = day_of(today)
    if user.organisation_id is None:  # the doors let only a clinic's staff this far
        raise PermissionDenied
    return (
        Appointment.objects.filter(
            _in_scope(user, "course__patient_id"),
            organisation_id=user.organisation_id,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("course__patient", "clinician")
        .order_by("starts_at", "pk")
    )


def courses_ready_to_complete(user: User) -> QuerySet[Course]:
    """The clinic's courses with an active plan and no appointment left: ready for the
    discharge summary (at least one appointment held, none booked ahead)."""
    booked = Appointment.objects.filter(course_id=OuterRef("pk"))
    upcoming = booked.filter(starts_at__gte=timezone.now())
    return (
        Course.objects.filter(
            _in_scope(user, "patient_id"),
            responsible_organisation_id=user.organisation_id,
            track=Track.HOSPITAL,
            status=Status.PLAN_ACTIVE,
        )
        .filter(Exists(booked))
        .exclude(Exists(upcoming))
        .select_related("patient")
        .order_by("status_changed_at", "pk")
    )
