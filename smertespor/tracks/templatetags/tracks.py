"""Template helpers for courses: the wording of `tracks.labels` as filters, and the patient
page's course panel."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from domain.tracks import ProgressCheck
from smertespor.accounts.models import Requester
from smertespor.medication.labels import unit_label
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import has_records
from smertespor.tracks import labels
from smertespor.tracks.models import Alert, Course, RuleReview, TimelineEvent
from smertespor.tracks.permissions import can_decide_proposal, can_enrol
from smertespor.tracks.selectors import (
    discharge_summaries_of,
    open_course_of,
    pending_proposal,
    timeline_events_shown,
)

register = template.Library()


@register.filter
def omeq(value: object) -> str:
    """mg/day for reading: up to two decimals, no padding zeros, in the user's locale."""
    return labels.omeq_text(value)


@register.filter
def dose_unit(value: object) -> str:
    """A strength unit in the user's language ("mcg/h" reads "mikrog/t" in Danish)."""
    return unit_label(str(value or ""))


@register.filter
def status_name(value: object) -> str:
    return labels.status_label(str(value or ""))


@register.simple_tag
def status_badge(status: object) -> SafeString:
    """A course's status as a badge (a tag, not an include: a worklist draws one a row)."""
    value = str(status or "")
    return format_html(
        '<span class="status status-{0}" data-status="{0}">{1}</span>',
        value,
        labels.status_label(value),
    )


@register.simple_tag
def patient_cell(row: dict[str, Any]) -> SafeString:
    """A worklist row's first cell: the patient's name, linking to the course, and the CPR."""
    return format_html(
        '<td><a href="{}" data-testid="row-link">{}</a><br>'
        '<small class="cpr muted">{}</small></td>',
        reverse("tracks:course_detail", args=[row["patient_id"], row["course_id"]]),
        row["patient_name"],
        row["cpr"],
    )


@register.filter
def event_name(value: object) -> str:
    return labels.event_label(str(value or ""))


@register.filter
def alert_text(alert: Alert) -> str:
    return labels.alert_message(alert)


@register.filter
def goal_text(course: Course) -> str:
    return labels.goal_text(course)


@register.filter
def day(value: object) -> str:
    """An ISO date from a snapshot, in the user's short date format."""
    return labels.day_text(value)


@register.filter
def why(event: TimelineEvent) -> str:
    """Why it happened: the user's reason, or the system's working in the user's language."""
    return labels.why(event)


@register.filter
def progress_name(value: object) -> str:
    return labels.progress_label(str(value or ""))


@register.filter
def review_text(review: RuleReview) -> str:
    """What the 3-month rule found at a deadline, as a sentence with its numbers."""
    return labels.review_text(review)


@register.filter
def progress_now(check: ProgressCheck) -> str:
    """How an open course stands against its plan today, as a sentence."""
    return labels.check_text(check)


@register.filter
def alert_name(code: object) -> str:
    return labels.alert_name(code)


@register.simple_tag
def discipline_name(value: object) -> str:
    return labels.discipline_name(value)


@register.inclusion_tag("tracks/_patient_panel.html", takes_context=True)
def course_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    """The patient page's course panel. The page's view loaded `patient` through
    `patients.access` (and audited it); this only reads the patient's courses (the 3-month
    rule runs in the daily job and the services, never while a page renders)."""
    request = context.get("request")
    user: Requester | None = getattr(request, "user", None)
    has_course = has_records(patient, "courses")
    course = open_course_of(patient) if has_course else None
    proposal = pending_proposal(course) if course is not None else None
    return {
        "patient": patient,
        "course": course,
        "proposal": proposal,
        "can_decide_proposal": proposal is not None
        and course is not None
        and user is not None
        and can_decide_proposal(user, course),
        "discharge": discharge_summaries_of(patient).first() if has_course else None,
        "timeline": timeline_events_shown(patient)[:5],
        "can_enrol": course is None and user is not None and can_enrol(user),
        "request": request,
    }
