"""Template helpers for courses: numbers, labels, the timeline's "why", and the patient
page's course panel."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from smertespor.tracks.messages import alert_message, event_label, status_label
from smertespor.tracks.models import Alert, Course, Discipline, GoalKind, TimelineEvent
from smertespor.tracks.permissions import can_enrol
from smertespor.tracks.rules import apply_track_rule
from smertespor.tracks.selectors import discharge_summaries_of, open_course_of, timeline_of_patient

register = template.Library()


@register.filter
def omeq(value: Any) -> str:
    """mg/day for reading: up to two decimals, no padding zeros, in the user's locale."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    number = (
        number.normalize() if number != number.to_integral_value() else number.quantize(Decimal(1))
    )
    places = max(0, -int(number.as_tuple().exponent))
    return number_format(number, decimal_pos=places, use_l10n=True)


@register.filter
def status_name(value: Any) -> str:
    return status_label(str(value or ""))


@register.filter
def event_name(value: Any) -> str:
    return event_label(str(value or ""))


@register.filter
def alert_text(alert: Alert) -> str:
    return alert_message(alert)


@register.filter
def goal_text(course: Course) -> str:
    if course.goal_kind == GoalKind.TARGET:
        return _("Reach %(mg)s mg/day") % {"mg": omeq(course.goal_target_mg_per_day)}
    return _("Stop the opioid")


def _day(value: Any) -> str:
    if not value:
        return "—"
    try:
        return date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


def _when(value: Any) -> str:
    try:
        return date_format(datetime.fromisoformat(str(value)), "SHORT_DATETIME_FORMAT")
    except ValueError:
        return str(value)


@register.filter
def day(value: Any) -> str:
    """An ISO date from a snapshot, in the user's short date format."""
    return _day(value)


@register.filter
def why(event: TimelineEvent) -> str:
    """Why it happened: the user's reason, or the system's working in the user's language."""
    detail: dict[str, Any] = event.detail or {}
    kind = TimelineEvent.Kind
    text = ""
    if event.kind == kind.PROPOSE_HANDOVER:
        text = _(
            "The deadline %(deadline)s (%(months)s calendar months from the start) passed "
            "without the goal reached."
        ) % {"deadline": _day(detail.get("deadline")), "months": detail.get("period_months", "?")}
    elif event.kind == kind.RECORD_SUCCESS and detail.get("success_on"):
        reason = (
            _("stopped") if detail.get("success_reason") == "stopped" else _("the target reached")
        )
        text = _("OMEQ %(mg)s mg/day on %(on)s: %(reason)s by the deadline %(deadline)s.") % {
            "mg": omeq(detail.get("omeq_mg_per_day")),
            "on": _day(detail.get("success_on")),
            "reason": reason,
            "deadline": _day(detail.get("deadline")),
        }
    elif event.kind == kind.CREATED and "baseline_omeq_mg_per_day" in detail:
        text = _("Baseline OMEQ %(mg)s mg/day; 3-month deadline %(deadline)s.") % {
            "mg": omeq(detail.get("baseline_omeq_mg_per_day")),
            "deadline": _day(detail.get("deadline")),
        }
    elif event.kind == kind.CREATED:
        text = _("Accepted from the practice track.")
    elif event.kind == kind.FOLLOW_UP:
        text = _("Visit %(on)s: OMEQ %(mg)s mg/day.") % {
            "on": _day(detail.get("visit_on")),
            "mg": omeq(detail.get("omeq_mg_per_day")),
        }
        if detail.get("alerts"):
            labels = [str(Alert.Code(c).label) for c in detail["alerts"] if c in Alert.Code.values]
            text += " " + _("Alerts: %(alerts)s.") % {"alerts": ", ".join(labels)}
    elif event.kind == kind.ASSESS_NEEDS:
        names = [
            str(Discipline(d).label)
            for d in detail.get("disciplines", [])
            if d in Discipline.values
        ]
        text = _("Disciplines: %(names)s.") % {"names": ", ".join(names)}
    elif event.kind == kind.TEAM_MEMBER_ADDED:
        discipline = detail.get("discipline", "")
        label = Discipline(discipline).label if discipline in Discipline.values else discipline
        text = f"{detail.get('user', '')} ({label})"
    elif event.kind == kind.APPOINTMENT_ADDED:
        text = _when(detail.get("starts_at"))
    elif event.kind in (kind.DISCHARGE_SUMMARY, kind.COMPLETE) and detail.get("sent_to"):
        text = _("Sent to %(practice)s.") % {"practice": detail["sent_to"]}
    elif event.kind == kind.ALERT_ACKNOWLEDGED:
        code = detail.get("alert", "")
        text = str(Alert.Code(code).label) if code in Alert.Code.values else code
    if event.reason:
        return f"{text} {event.reason}".strip()
    return text


@register.inclusion_tag("tracks/_patient_panel.html", takes_context=True)
def course_panel(context: template.Context, patient: Any) -> dict[str, Any]:
    """The patient page's course panel. The page's view loaded `patient` through
    `patients.access` (and audited it); this reads the patient's courses, and evaluates the
    3-month rule for the open course as viewing a course does."""
    request = context.get("request")
    user = getattr(request, "user", None)
    course = open_course_of(patient)
    if course is not None:
        course = apply_track_rule(course).course
    return {
        "patient": patient,
        "course": course,
        "discharge": discharge_summaries_of(patient).first(),
        "timeline": list(timeline_of_patient(patient)[:5]),
        "can_enrol": course is None and can_enrol(user),
        "request": request,
    }


@register.simple_tag
def discipline_name(value: str) -> str:
    return str(Discipline(value).label) if value in Discipline.values else value


@register.filter
def alert_name(code: Any) -> str:
    return str(Alert.Code(code).label) if code in Alert.Code.values else str(code)
