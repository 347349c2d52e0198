"""Template helpers for pain centre courses: the wording of `centres.labels` as filters, the
patient page's panel and the GP's list of new discharge summaries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from smertespor.accounts.models import User
from smertespor.accounts.permissions import is_practice_staff
from smertespor.centres import labels
from smertespor.centres.permissions import can_work_centre_courses, is_centre_staff
from smertespor.centres.selectors import (
    OutcomeRow,
    courses_of_patient,
    new_summaries_for,
    summaries_for_patient,
)
from smertespor.entry.numbers import for_people
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import has_records
from smertespor.referrals.selectors import accepted_referral_to_centre

register = template.Library()


@register.filter
def centre_status(value: object) -> str:
    return labels.status_label(str(value or ""))


@register.filter
def module(value: object) -> str:
    return labels.module_name(str(value or ""))


@register.filter
def instrument(value: object) -> str:
    return labels.instrument_name(str(value or ""))


@register.filter
def timepoint(value: object) -> str:
    return labels.timepoint_label(str(value or ""))


@register.filter
def course_event(value: object) -> str:
    return labels.event_name(str(value or ""))


@register.filter
def score(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return for_people(Decimal(str(value)))


@register.filter
def signed_score(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = for_people(abs(value))
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


@register.filter
def change_class(row: OutcomeRow, which: str) -> str:
    better = row.change.better(getattr(row.change, which))
    return "" if better is None else ("change-better" if better else "change-worse")


@register.inclusion_tag("centres/_patient_panel.html", takes_context=True)
def centre_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    """The patient page's pain centre section: the centre's courses for its staff, the
    discharge summaries for the practice they were sent to."""
    user = context.get("user")
    if not isinstance(user, User):
        return {"show": False}
    centre = is_centre_staff(user)
    summaries = summaries_for_patient(patient, user)
    courses = (
        list(courses_of_patient(patient, user.organisation_id))
        if centre and has_records(patient, "centre_courses")
        else []
    )
    can_plan = (
        centre
        and can_work_centre_courses(user)
        and not any(c.is_open for c in courses)
        and user.organisation is not None
        and has_records(patient, "referrals")
        and accepted_referral_to_centre(patient, user.organisation) is not None
    )
    return {
        "show": bool(summaries or courses or can_plan),
        "patient": patient,
        "courses": courses,
        "summaries": summaries,
        "can_plan": can_plan,
    }


@register.inclusion_tag("centres/_new_summaries.html", takes_context=True)
def new_discharge_summaries(context: template.Context) -> dict[str, Any]:
    """The GP's list of discharge summaries not yet marked received."""
    user = context.get("user")
    if not isinstance(user, User) or not is_practice_staff(user):
        return {"summaries": []}
    return {"summaries": new_summaries_for(user)}
