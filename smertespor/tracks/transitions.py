"""Applying the domain's state machine to a stored course, and recording who, when and why.

Every change to a course goes through `claim_version` or `apply_transition`: a conditional
UPDATE on the version (and the status) the caller read, `smertespor.versions.claim_version`
as for every clinical record. The database applies it to one row or to none, so of two
users acting at once exactly one wins and the other gets `CourseConflict`; on PostgreSQL
the UPDATE also locks the row until the transaction ends.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from domain.tracks import (
    CLOSED_STATUSES,
    CourseEvent,
    CourseStatus,
    Transition,
    TransitionError,
    find_transition,
)
from domain.tracks import Actor as DomainActor
from smertespor import versions
from smertespor.accounts.models import User
from smertespor.audit.services import AuditAction, record_event
from smertespor.tracks.labels import validation_error
from smertespor.tracks.models import Actor, Course, TimelineEvent
from smertespor.versions import ExpectedVersion, StaleVersion


class CourseConflict(StaleVersion):
    """Someone changed the course since the user read it: nothing was saved (409)."""

    default_message = gettext_lazy(
        "Someone else changed this course while you were working on it, so your "
        "change was not saved. Reload the course, check what changed and try again."
    )


def record_timeline(
    *,
    course: Course,
    kind: str,
    actor: str,
    by: User | None = None,
    reason: str = "",
    from_status: str = "",
    to_status: str = "",
    detail: dict[str, Any] | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        course=course,
        patient_id=course.patient_id,
        kind=kind,
        actor=actor,
        by=by,
        organisation_id=by.organisation_id if by else None,
        occurred_at=timezone.now(),
        reason=reason,
        from_status=from_status,
        to_status=to_status,
        detail=detail or {},
    )


def audit(
    *, by: User | None, action: str, course: Course, object_type: str = "course", **detail: Any
) -> None:
    record_event(
        user=by,
        action=action,
        object_type=object_type,
        object_id=str(course.pk),
        patient=course.patient,
        detail=detail,
    )


def check_version(course: Course, expected_version: ExpectedVersion) -> None:
    """Refuse early when the course as loaded is already past the version the user read."""
    versions.check_version(course, expected_version, error=CourseConflict)


def claim_version(course: Course, expected_version: ExpectedVersion, **updates: Any) -> None:
    """Bump the course's version if it is still `expected_version` (and set `updates`)."""
    versions.claim_version(course, expected_version, error=CourseConflict, **updates)


def check_transition(
    course: Course, event: CourseEvent, actor: str, reason: str = ""
) -> Transition:
    """The table row for `event` by `actor`, or a translated ValidationError."""
    try:
        return find_transition(
            CourseStatus(course.status), event, by=DomainActor(actor), reason=reason
        )
    except TransitionError as error:
        raise validation_error(error) from None


def apply_transition(
    *,
    course: Course,
    event: CourseEvent,
    actor: str,
    by: User | None,
    reason: str = "",
    expected_version: ExpectedVersion,
    updates: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> Transition:
    """Move `course` along the state machine, or refuse (ValidationError, CourseConflict).

    `expected_version` None is for the system (the 3-month rule), which acts on whatever it
    finds as long as the status is still the one it evaluated.
    """
    versions.check_version(course, expected_version, error=CourseConflict)
    found = check_transition(course, event, actor, reason)
    now = timezone.now()
    fields: dict[str, Any] = {"status": found.target.value, "status_changed_at": now}
    if found.target in CLOSED_STATUSES:
        fields["closed_on"] = timezone.localdate()
    fields.update(updates or {})
    previous = course.status
    versions.claim_version(
        course, expected_version, error=CourseConflict, filters={"status": previous}, **fields
    )
    record_timeline(
        course=course,
        kind=event.value,
        actor=actor,
        by=by,
        reason=reason.strip(),
        from_status=previous,
        to_status=found.target.value,
        detail=detail,
    )
    audit(
        by=by if actor != Actor.SYSTEM else None,
        action=AuditAction.UPDATE,
        course=course,
        event=event.value,
        status=found.target.value,
        actor=actor,
    )
    return found
