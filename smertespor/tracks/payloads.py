"""Courses and their records as the API's payloads (the shapes are in `schemas`), worded by
the same `labels` as the pages."""

from __future__ import annotations

from typing import Any

from smertespor.accounts.models import Requester
from smertespor.entry.numbers import for_json, json_number
from smertespor.tracks.decisions import decisions_for
from smertespor.tracks.labels import alert_message, check_text, review_text, why
from smertespor.tracks.models import (
    Alert,
    Course,
    DischargeSummary,
    FollowUp,
    Handover,
    RuleReview,
    TeamMember,
    TimelineEvent,
)
from smertespor.tracks.rules import RuleStanding
from smertespor.tracks.selectors import latest_review


def _rule(standing: RuleStanding | None) -> dict[str, Any] | None:
    outcome = standing.outcome if standing else None
    if standing is None or outcome is None:
        return None
    now = standing.now
    return {
        "action": outcome.action.value,
        "deadline": outcome.deadline,
        "days_left": outcome.days_left,
        "period_months": outcome.period_months,
        "success_definition": outcome.success_definition.value,
        "review_from": outcome.review_from,
        "progress_now": now.progress.value if now else None,
        "progress_now_text": check_text(now) if now else None,
    }


def review_payload(review: RuleReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "course_id": review.course_id,
        "deadline": review.deadline,
        "reviewed_at": review.reviewed_at,
        "progress": review.progress,
        "progress_label": str(review.get_progress_display()),
        "text": review_text(review),
        "latest_visit_on": review.latest_visit_on,
        "latest_omeq_mg_per_day": for_json(review.latest_omeq_mg_per_day),
        "follow_up_due_on": review.follow_up_due_on,
        "expected_mg_per_day": for_json(review.expected_mg_per_day),
        "allowed_mg_per_day": for_json(review.allowed_mg_per_day),
        "tolerance_percent": for_json(review.tolerance_percent),
        "plan": review.plan,
        "outcome": review.outcome,
        "outcome_label": str(review.get_outcome_display()),
        "decided_at": review.decided_at,
        "decided_by": str(review.decided_by) if review.decided_by else None,
        "reason": review.reason,
        "handover_id": review.handover_id,
    }


def course_payload(
    course: Course, user: Requester, standing: RuleStanding | None = None
) -> dict[str, Any]:
    """A course; with `standing` (a single course's read) the rule's view and latest review."""
    review = latest_review(course) if standing is not None else None
    return {
        "id": course.pk,
        "patient_id": course.patient_id,
        "track": course.track,
        "status": course.status,
        "status_label": str(course.get_status_display()),
        "responsible_organisation_id": course.responsible_organisation_id,
        "responsible_organisation": course.responsible_organisation.name,
        "clinic_id": course.clinic_id,
        "previous_course_id": course.previous_course_id,
        "start_date": course.start_date,
        "deadline": course.deadline,
        "baseline_omeq_mg_per_day": json_number(course.baseline_omeq_mg_per_day),
        "baseline_omeq_source": course.baseline_omeq_source,
        "baseline_omeq_table": course.baseline_omeq_table,
        "baseline_peg": list(course.baseline_peg_items),
        "baseline_peg_score": str(course.baseline_peg_score),
        "baseline_nrs": course.baseline_nrs,
        "goal_kind": course.goal_kind,
        "goal_target_mg_per_day": for_json(course.goal_target_mg_per_day),
        "follow_up_interval_days": course.follow_up_interval_days,
        "next_follow_up_on": course.next_follow_up_on,
        "last_visit_on": course.last_visit_on,
        "current_omeq_mg_per_day": for_json(course.current_omeq_mg_per_day),
        "plan_note": course.plan_note,
        "version": course.version,
        "review_from": course.review_from,
        "allowed_decisions": [d.event.value for d in decisions_for(user, course)],
        "rule": _rule(standing),
        "review": review_payload(review) if review else None,
    }


def alert_payload(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "code": alert.code,
        "message": alert_message(alert),
        "raised_on": alert.raised_on,
        "acknowledged_at": alert.acknowledged_at,
    }


def follow_up_payload(visit: FollowUp) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "course_id": visit.course_id,
        "visit_on": visit.visit_on,
        "actor": visit.actor,
        "recorded_by": str(visit.recorded_by),
        "omeq_mg_per_day": json_number(visit.omeq_mg_per_day),
        "omeq_source": visit.omeq_source,
        "omeq_table": visit.omeq_table,
        "peg": list(visit.peg_items) if visit.peg_items else None,
        "peg_score": str(visit.peg_score) if visit.peg_score is not None else None,
        "nrs": visit.nrs,
        "sows_total": visit.sows_total,
        "cows_total": visit.cows_total,
        "note": visit.note,
        "next_visit_on": visit.next_visit_on,
        "medication_changes": visit.medication_changes,
        "alerts": [alert_payload(a) for a in sorted(visit.alerts.all(), key=lambda a: a.pk)],
    }


def timeline_payload(event: TimelineEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "course_id": event.course_id,
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": event.actor,
        "by": str(event.by) if event.by else None,
        "organisation": event.organisation.name if event.organisation else None,
        "occurred_at": event.occurred_at,
        "reason": event.reason,
        "why": why(event),
        "detail": event.detail,
    }


def handover_payload(handover: Handover) -> dict[str, Any]:
    return {
        "id": handover.pk,
        "course_id": handover.course_id,
        "clinic_id": handover.clinic_id,
        "kind": handover.kind,
        "reason": handover.reason,
        "proposed_at": handover.proposed_at,
        "proposed_by": str(handover.proposed_by) if handover.proposed_by else None,
        "decision": handover.decision,
        "decided_at": handover.decided_at,
        "advice": handover.advice,
        "gp_comment": handover.gp_comment,
        "expected_duration": handover.expected_duration,
        "planned_follow_up": handover.planned_follow_up,
        "hospital_course_id": handover.hospital_course_id,
        "snapshot": handover.snapshot,
    }


def team_member_payload(member: TeamMember) -> dict[str, Any]:
    return {
        "id": member.pk,
        "user_id": member.user_id,
        "name": str(member.user),
        "discipline": member.discipline,
        "removed_at": member.removed_at,
        "removal_reason": member.removal_reason,
    }


def discharge_payload(discharge: DischargeSummary) -> dict[str, Any]:
    return {
        "course_id": discharge.course_id,
        "sent_to_id": discharge.sent_to_id,
        "summary": discharge.summary,
        "recommendations": discharge.recommendations,
        "medication_at_discharge": discharge.medication_at_discharge,
        "medication": discharge.medication,
        "medication_changes": discharge.medication_changes,
        "omeq_at_discharge_mg_per_day": for_json(discharge.omeq_at_discharge_mg_per_day),
        "omeq_source": discharge.omeq_source,
        "omeq_table": discharge.omeq_table,
        "written_at": discharge.written_at,
    }
