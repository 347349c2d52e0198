"""The handover to the hospital track: the referral and the course so far, frozen when made.

Sundhedsstyrelsen's guidance on dependence-forming medicines (vejledning nr. 9523 of 19 June
2019) asks that when responsibility moves, the previous doctor hands over the plan: goal,
expected duration and planned follow-up. The snapshot carries the plan, the goal, the
baseline, every visit (doses and scores), the alerts and the current medication as they were
at handover, so the clinic triages what the GP saw, whatever is recorded later.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from smertespor.accounts.models import User
from smertespor.entry.numbers import for_json, json_number
from smertespor.medication.regimens import regimen_from_lines, strength_label
from smertespor.medication.selectors import current_catalogue, current_lines
from smertespor.notifications.services import notify
from smertespor.patients.models import CareRelation
from smertespor.patients.services import open_care_relation
from smertespor.tracks.models import Course, Handover, RuleReview
from smertespor.tracks.permissions import CLINIC_CLINICIANS
from smertespor.tracks.selectors import taper_plans_of

SNAPSHOT_VERSION = 1


def _medication(course: Course) -> list[dict[str, Any]]:
    mapped = regimen_from_lines(current_lines(course.patient), current_catalogue()).lines
    rows = []
    for item in mapped:
        line, product = item.line, item.product
        rows.append(
            {
                "product": f"{product.name} {strength_label(product, line.strength)}"
                if product
                else f"{line.product_id} {for_json(line.strength)}",
                "atc": product.atc if product else "",
                "is_opioid": bool(product and product.is_opioid),
                "units_per_dose": for_json(line.units_per_dose),
                "doses_per_day": for_json(line.doses_per_day),
                "prn": line.prn,
                "max_doses_per_day": for_json(line.max_doses_per_day),
                "since": line.start_date.isoformat(),
            }
        )
    return rows


def _taper_plans(course: Course) -> list[dict[str, Any]]:
    return [{"id": plan.pk, "title": str(plan)} for plan in taper_plans_of(course)]


def _rule(review: RuleReview | None) -> dict[str, Any] | None:
    """What the 3-month rule found, when the handover confirms its proposal."""
    if review is None:
        return None
    return {
        "deadline": review.deadline.isoformat(),
        "progress": review.progress,
        "latest_visit_on": review.latest_visit_on.isoformat() if review.latest_visit_on else None,
        "latest_omeq_mg_per_day": for_json(review.latest_omeq_mg_per_day),
        "expected_mg_per_day": for_json(review.expected_mg_per_day),
        "allowed_mg_per_day": for_json(review.allowed_mg_per_day),
        "plan": review.plan,
    }


def referral_snapshot(course: Course, rule_review: RuleReview | None = None) -> dict[str, Any]:
    """The course so far, as plain JSON (decimals as exact text)."""
    visits = [
        {
            "on": f.visit_on.isoformat(),
            "omeq_mg_per_day": json_number(f.omeq_mg_per_day),
            "omeq_source": f.omeq_source,
            "peg": list(f.peg_items) if f.peg_items else None,
            "nrs": f.nrs,
            "sows_total": f.sows_total,
            "cows_total": f.cows_total,
            "note": f.note,
            "next_visit_on": f.next_visit_on.isoformat() if f.next_visit_on else None,
            "by": str(f.recorded_by),
        }
        for f in course.follow_ups.select_related("recorded_by").order_by("visit_on", "pk")
    ]
    alerts = [
        {"code": a.code, "raised_on": a.raised_on.isoformat(), "params": a.params}
        for a in course.alerts.order_by("raised_on", "pk")
    ]
    return {
        "version": SNAPSHOT_VERSION,
        "taken_on": timezone.localdate().isoformat(),
        "course": {
            "start_date": course.start_date.isoformat(),
            "deadline": course.deadline.isoformat() if course.deadline else None,
            "practice": course.responsible_organisation.name,
            "clinic": course.clinic.name,
            "follow_up_interval_days": course.follow_up_interval_days,
        },
        "goal": {
            "kind": course.goal_kind,
            "target_mg_per_day": for_json(course.goal_target_mg_per_day),
        },
        "plan": course.plan_note,
        "taper_plans": _taper_plans(course),
        "baseline": {
            "omeq_mg_per_day": json_number(course.baseline_omeq_mg_per_day),
            "omeq_source": course.baseline_omeq_source,
            "omeq_table": course.baseline_omeq_table,
            "peg": list(course.baseline_peg_items),
            "nrs": course.baseline_nrs,
        },
        "visits": visits,
        "alerts": alerts,
        "medication": _medication(course),
        "rule": _rule(rule_review),
    }


def create_handover(
    *,
    course: Course,
    by: User | None,
    kind: str,
    reason: str = "",
    gp_comment: str = "",
    expected_duration: str = "",
    planned_follow_up: str = "",
    rule_review: RuleReview | None = None,
) -> Handover:
    """The referral for a course that has just moved to `handover_proposed` (by the GP:
    early, or confirming the rule's proposal `rule_review`); the clinic's care relation opens
    with it, so the patient is on the clinic's intake list, and its clinicians are told."""
    handover = Handover(
        course=course,
        clinic=course.clinic,
        kind=kind,
        reason=reason.strip(),
        proposed_at=timezone.now(),
        proposed_by=by,
        snapshot=referral_snapshot(course, rule_review),
        gp_comment=gp_comment.strip(),
        expected_duration=expected_duration.strip(),
        planned_follow_up=planned_follow_up.strip(),
    )
    handover.full_clean(exclude=["course", "clinic", "proposed_by", "hospital_course"])
    handover.save(force_insert=True)
    open_care_relation(
        patient=course.patient,
        organisation=course.clinic,
        reason=CareRelation.Reason.COURSE,
        by=by,
    )
    notify(
        course.clinic.users.filter(role__in=CLINIC_CLINICIANS, is_active=True),
        kind="tracks_handover_received",
        text=gettext_noop("New handover from %(practice)s, awaiting your triage."),
        params={"practice": course.responsible_organisation.name},
        url=reverse("tracks:handover", args=[course.patient_id, course.pk]),
    )
    return handover


def pending_handover(course: Course) -> Handover | None:
    return course.handovers.filter(decision=Handover.Decision.PENDING).first()
