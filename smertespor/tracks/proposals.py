"""The 3-month rule's steps at a deadline, and the GP's decision on its proposal.

The rule acts as the system (`tracks.rules` calls these): `record_rule_success`,
`keep_on_plan` (the course stays in the practice track and is reviewed again a period later)
and `propose_handover` (the course waits for the GP in `handover_review`; the GP is
notified). Each judged deadline is one `RuleReview`, with the working.

The GP decides (`tracks.actions` calls these): `confirm_handover_proposal` makes the handover
(the clinic's care relation opens and the clinic is notified, `tracks.handover`);
`dismiss_handover_proposal` keeps the course with the GP's reason, reviewed again a period
later. Nothing else hands a patient to the clinic. Every step is on the timeline (who, when,
why) and in the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from domain.tracks import CourseEvent, RuleOutcome, add_calendar_months
from smertespor.accounts.models import Role, User
from smertespor.audit.services import AuditAction
from smertespor.entry.numbers import for_json, json_number
from smertespor.notifications.services import notify
from smertespor.tracks.facts import rule_settings
from smertespor.tracks.handover import create_handover
from smertespor.tracks.models import Actor, Course, Handover, RuleReview, Status, TimelineEvent
from smertespor.tracks.permissions import require_actor
from smertespor.tracks.selectors import pending_proposal
from smertespor.tracks.transitions import (
    CourseConflict,
    apply_transition,
    audit,
    record_timeline,
)
from smertespor.versions import ExpectedVersion


def proposal_url(course: Course) -> str:
    return reverse("tracks:proposal", args=[course.patient_id, course.pk])


def rule_working(outcome: RuleOutcome) -> dict[str, Any]:
    """The rule's working as the timeline stores it (dates ISO, doses exact text)."""
    detail: dict[str, Any] = {
        "deadline": outcome.deadline.isoformat(),
        "period_months": outcome.period_months,
        "success_definition": outcome.success_definition.value,
    }
    if outcome.review_from is not None:
        detail["review_from"] = outcome.review_from.isoformat()
    check = outcome.check
    if check is not None:
        latest = check.latest
        detail |= {
            "progress": check.progress.value,
            "latest_visit_on": latest.on.isoformat() if latest else None,
            "latest_omeq_mg_per_day": json_number(latest.mg_per_day) if latest else None,
            "follow_up_due_on": check.follow_up_due_on.isoformat()
            if check.follow_up_due_on
            else None,
            "expected_mg_per_day": for_json(check.expected_mg_per_day),
            "allowed_mg_per_day": for_json(check.allowed_mg_per_day),
            "plan": check.plan_reference,
        }
    return detail


def _review(course: Course, outcome: RuleOutcome, result: str) -> RuleReview:
    check = outcome.check
    assert check is not None  # noqa: S101 - every passed deadline is judged
    latest = check.latest
    return RuleReview.objects.create(
        course=course,
        deadline=outcome.deadline,
        reviewed_at=timezone.now(),
        progress=check.progress.value,
        latest_visit_on=latest.on if latest else None,
        latest_omeq_mg_per_day=latest.mg_per_day if latest else None,
        follow_up_due_on=check.follow_up_due_on,
        expected_mg_per_day=check.expected_mg_per_day,
        allowed_mg_per_day=check.allowed_mg_per_day,
        tolerance_percent=check.tolerance_percent,
        plan=check.plan_reference[:100],
        outcome=result,
    )


def record_rule_success(*, course: Course, outcome: RuleOutcome) -> None:
    """The goal held at the latest visit by the deadline: the course succeeded."""
    success = outcome.success
    assert success is not None  # noqa: S101 - the rule said so
    detail = rule_working(outcome) | {
        "success_on": success.on.isoformat(),
        "success_reason": success.reason.value,
        "omeq_mg_per_day": json_number(success.mg_per_day),
    }
    apply_transition(
        course=course,
        event=CourseEvent.RECORD_SUCCESS,
        actor=Actor.SYSTEM,
        by=None,
        expected_version=None,
        detail=detail,
    )


def keep_on_plan(*, course: Course, outcome: RuleOutcome) -> RuleReview:
    """On plan at the deadline: the course stays in the practice track and is reviewed
    again `review_months` later (no status change, so no one's form goes stale)."""
    review = _review(course, outcome, RuleReview.Outcome.KEPT)
    next_deadline = add_calendar_months(outcome.deadline, rule_settings().review_months)
    kept = Course.objects.filter(
        pk=course.pk, status=Status.ACTIVE, review_from=course.review_from
    ).update(review_from=outcome.deadline, deadline=next_deadline)
    if kept != 1:
        raise CourseConflict
    course.review_from, course.deadline = outcome.deadline, next_deadline
    record_timeline(
        course=course,
        kind=TimelineEvent.Kind.KEPT_ON_PLAN,
        actor=Actor.SYSTEM,
        detail=rule_working(outcome) | {"next_review": next_deadline.isoformat()},
    )
    audit(by=None, action=AuditAction.UPDATE, course=course, event="kept_on_plan")
    return review


def deciding_gps(course: Course) -> QuerySet[User]:
    """Whom a proposal is for: the GP who enrolled the patient while they are an active GP
    of the practice; otherwise every active GP of the practice."""
    gps = User.objects.filter(
        organisation_id=course.responsible_organisation_id, role=Role.GP, is_active=True
    )
    own = gps.filter(pk=course.created_by_id) if course.created_by_id is not None else gps.none()
    return own if own.exists() else gps


def propose_handover(*, course: Course, outcome: RuleOutcome) -> RuleReview:
    """Behind plan, no plan, no follow-up or substitution treatment at the deadline: the
    course waits for the GP's decision, and the GP is told."""
    apply_transition(
        course=course,
        event=CourseEvent.PROPOSE_HANDOVER,
        actor=Actor.SYSTEM,
        by=None,
        expected_version=None,
        detail=rule_working(outcome),
    )
    review = _review(course, outcome, RuleReview.Outcome.PENDING)
    notify(
        deciding_gps(course),
        kind="tracks_handover_proposal",
        text=gettext_noop(
            "A course has passed its 3-month review without success: Smertespor proposes a "
            "handover to %(clinic)s. Decide whether to hand over or keep the course."
        ),
        params={"clinic": course.clinic.name},
        url=proposal_url(course),
    )
    return review


def _pending_or_refuse(course: Course) -> RuleReview:
    review = pending_proposal(course)
    if review is None or course.status != Status.HANDOVER_REVIEW:
        raise ValidationError(
            _("There is no proposal to decide on: the course is not awaiting your decision."),
            code="no_pending_proposal",
        )
    return review


def _decide(review: RuleReview, by: User, outcome: str, **fields: Any) -> None:
    decided = RuleReview.objects.filter(pk=review.pk, outcome=RuleReview.Outcome.PENDING).update(
        outcome=outcome, decided_at=timezone.now(), decided_by=by, **fields
    )
    if decided != 1:
        raise CourseConflict


def confirm_handover_proposal(
    *,
    course: Course,
    by: User,
    expected_version: ExpectedVersion,
    note: str = "",
    gp_comment: str = "",
    expected_duration: str = "",
    planned_follow_up: str = "",
) -> Handover:
    """The GP confirms the rule's proposal: the handover to the clinic is made (with the
    letter), the clinic's care relation opens and the clinic is notified."""
    if require_actor(by, course, decision=True) != Actor.PRACTICE:
        raise PermissionDenied
    with transaction.atomic():
        review = _pending_or_refuse(course)
        apply_transition(
            course=course,
            event=CourseEvent.CONFIRM_HANDOVER,
            actor=Actor.PRACTICE,
            by=by,
            reason=note,
            expected_version=expected_version,
            detail={"deadline": review.deadline.isoformat(), "progress": review.progress},
        )
        handover = create_handover(
            course=course,
            by=by,
            kind=Handover.Kind.RULE,
            reason=note,
            gp_comment=gp_comment,
            expected_duration=expected_duration,
            planned_follow_up=planned_follow_up,
            rule_review=review,
        )
        _decide(review, by, RuleReview.Outcome.CONFIRMED, reason=note.strip(), handover=handover)
    return handover


def dismiss_handover_proposal(
    *, course: Course, by: User, expected_version: ExpectedVersion, reason: str
) -> Course:
    """The GP keeps the course in the practice track, with a reason; the rule reviews it
    again `review_months` from today."""
    if require_actor(by, course, decision=True) != Actor.PRACTICE:
        raise PermissionDenied
    today = timezone.localdate()
    next_deadline = add_calendar_months(today, rule_settings().review_months)
    with transaction.atomic():
        review = _pending_or_refuse(course)
        apply_transition(
            course=course,
            event=CourseEvent.KEEP_IN_PRACTICE,
            actor=Actor.PRACTICE,
            by=by,
            reason=reason,
            expected_version=expected_version,
            updates={"review_from": today, "deadline": next_deadline},
            detail={
                "deadline": review.deadline.isoformat(),
                "progress": review.progress,
                "next_review": next_deadline.isoformat(),
            },
        )
        _decide(review, by, RuleReview.Outcome.DISMISSED, reason=reason.strip())
    return course


def close_pending_review(course: Course, by: User | None) -> None:
    """A course that succeeds or ends while a proposal waits closes the proposal."""
    RuleReview.objects.filter(course=course, outcome=RuleReview.Outcome.PENDING).update(
        outcome=RuleReview.Outcome.CLOSED, decided_at=timezone.now(), decided_by=by
    )
