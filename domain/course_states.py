"""A course's states and the transitions between them (re-exported by `domain.tracks`).

A course (forløb) belongs to one track. The practice track's 3-month rule is in
`domain.tracks`; follow-up scores and alerts in `domain.scores` and `domain.follow_up`.

    new = transition(CourseStatus.ACTIVE, CourseEvent.HAND_OVER_EARLY, by=Actor.PRACTICE,
                     reason="Patient asks for the clinic")

Practice track (the GP's course)::

    active ─────────────── record_success (system, practice) ──▶ succeeded
    active ─────────────── propose_handover (system: the rule) ─▶ handover_review
    active ─────────────── hand_over_early (practice, reason) ──▶ handover_proposed
    handover_review ────── confirm_handover (practice) ─────────▶ handover_proposed
    handover_review ────── keep_in_practice (practice, reason) ─▶ active
    handover_review ────── record_success (practice) ───────────▶ succeeded
    handover_proposed ──── accept (clinic) ─────────────────────▶ moved_to_hospital_track
    handover_proposed ──── return_to_practice (clinic, reason) ─▶ returned_to_practice_track
    returned_to_practice_track ── record_success (practice) ────▶ succeeded
    returned_to_practice_track ── hand_over_early (practice, reason) ─▶ handover_proposed
    any open practice status ──── end (practice; clinic too while handed over; reason) ─▶ ended

`handover_review` is "the 3-month rule proposes a handover, the GP decides": the system never
hands a patient over by itself. The GP confirms (the handover is made and the clinic's care
relation opens) or keeps the course in the practice track with a reason.

`handover_proposed` is "handed over, awaiting the clinic's triage": the course is on the
clinic's intake list. Accepting closes the practice course (`moved_to_hospital_track`) and, in
the same transaction, the service opens a hospital-track course in its initial status
(`Transition.opens_hospital_course`), so a patient never has two open courses.

Hospital track (the clinic's course)::

    accepted ──── assess_needs (clinic) ───▶ needs_assessed
    needs_assessed ── activate_plan (clinic) ──▶ plan_active
    plan_active ── complete (clinic; the service requires the discharge summary) ──▶ completed
    any open hospital status ── end (clinic, reason) ──▶ ended

Every refusal is a `TransitionError` with a stable `code`: `transition_not_allowed` (no such
edge from this status), `transition_not_allowed_for_actor`, `transition_reason_required`.
The Django side records who, when and why for every transition it applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from domain.errors import DomainError


class Track(StrEnum):
    PRACTICE = "practice"
    HOSPITAL = "hospital"


class CourseStatus(StrEnum):
    # practice track
    ACTIVE = "active"
    HANDOVER_REVIEW = "handover_review"
    HANDOVER_PROPOSED = "handover_proposed"
    RETURNED_TO_PRACTICE_TRACK = "returned_to_practice_track"
    SUCCEEDED = "succeeded"
    MOVED_TO_HOSPITAL_TRACK = "moved_to_hospital_track"
    # hospital track
    ACCEPTED = "accepted"
    NEEDS_ASSESSED = "needs_assessed"
    PLAN_ACTIVE = "plan_active"
    COMPLETED = "completed"
    # either track
    ENDED = "ended"


class CourseEvent(StrEnum):
    RECORD_SUCCESS = "record_success"
    PROPOSE_HANDOVER = "propose_handover"
    HAND_OVER_EARLY = "hand_over_early"
    CONFIRM_HANDOVER = "confirm_handover"
    KEEP_IN_PRACTICE = "keep_in_practice"
    ACCEPT = "accept"
    RETURN_TO_PRACTICE = "return_to_practice"
    ASSESS_NEEDS = "assess_needs"
    ACTIVATE_PLAN = "activate_plan"
    COMPLETE = "complete"
    END = "end"


class Actor(StrEnum):
    """Who acts: the daily job (the 3-month rule), the GP's practice, or the clinic."""

    SYSTEM = "system"
    PRACTICE = "practice"
    CLINIC = "clinic"


@dataclass(frozen=True)
class Transition:
    source: CourseStatus
    event: CourseEvent
    target: CourseStatus
    by: frozenset[Actor]
    needs_reason: bool = False
    opens_hospital_course: bool = False


class TransitionError(DomainError):
    code = "transition_not_allowed"

    def __init__(
        self, message: str, *, current: CourseStatus, event: CourseEvent, code: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.current = current
        self.event = event


class SecondOpenCourseError(DomainError):
    code = "second_open_course"


S = CourseStatus
E = CourseEvent
_SYSTEM_OR_PRACTICE = frozenset({Actor.SYSTEM, Actor.PRACTICE})
_PRACTICE = frozenset({Actor.PRACTICE})
_CLINIC = frozenset({Actor.CLINIC})
_PRACTICE_OR_CLINIC = frozenset({Actor.PRACTICE, Actor.CLINIC})

_TABLE: tuple[Transition, ...] = (
    Transition(S.ACTIVE, E.RECORD_SUCCESS, S.SUCCEEDED, _SYSTEM_OR_PRACTICE),
    Transition(S.ACTIVE, E.PROPOSE_HANDOVER, S.HANDOVER_REVIEW, frozenset({Actor.SYSTEM})),
    Transition(S.ACTIVE, E.HAND_OVER_EARLY, S.HANDOVER_PROPOSED, _PRACTICE, needs_reason=True),
    Transition(S.ACTIVE, E.END, S.ENDED, _PRACTICE, needs_reason=True),
    Transition(S.HANDOVER_REVIEW, E.CONFIRM_HANDOVER, S.HANDOVER_PROPOSED, _PRACTICE),
    Transition(S.HANDOVER_REVIEW, E.KEEP_IN_PRACTICE, S.ACTIVE, _PRACTICE, needs_reason=True),
    Transition(S.HANDOVER_REVIEW, E.RECORD_SUCCESS, S.SUCCEEDED, _PRACTICE),
    Transition(S.HANDOVER_REVIEW, E.END, S.ENDED, _PRACTICE, needs_reason=True),
    Transition(
        S.HANDOVER_PROPOSED,
        E.ACCEPT,
        S.MOVED_TO_HOSPITAL_TRACK,
        _CLINIC,
        opens_hospital_course=True,
    ),
    Transition(
        S.HANDOVER_PROPOSED,
        E.RETURN_TO_PRACTICE,
        S.RETURNED_TO_PRACTICE_TRACK,
        _CLINIC,
        needs_reason=True,
    ),
    Transition(S.HANDOVER_PROPOSED, E.END, S.ENDED, _PRACTICE_OR_CLINIC, needs_reason=True),
    Transition(S.RETURNED_TO_PRACTICE_TRACK, E.RECORD_SUCCESS, S.SUCCEEDED, _PRACTICE),
    Transition(
        S.RETURNED_TO_PRACTICE_TRACK,
        E.HAND_OVER_EARLY,
        S.HANDOVER_PROPOSED,
        _PRACTICE,
        needs_reason=True,
    ),
    Transition(S.RETURNED_TO_PRACTICE_TRACK, E.END, S.ENDED, _PRACTICE, needs_reason=True),
    Transition(S.ACCEPTED, E.ASSESS_NEEDS, S.NEEDS_ASSESSED, _CLINIC),
    Transition(S.ACCEPTED, E.END, S.ENDED, _CLINIC, needs_reason=True),
    Transition(S.NEEDS_ASSESSED, E.ACTIVATE_PLAN, S.PLAN_ACTIVE, _CLINIC),
    Transition(S.NEEDS_ASSESSED, E.END, S.ENDED, _CLINIC, needs_reason=True),
    Transition(S.PLAN_ACTIVE, E.COMPLETE, S.COMPLETED, _CLINIC),
    Transition(S.PLAN_ACTIVE, E.END, S.ENDED, _CLINIC, needs_reason=True),
)

TRANSITIONS: Mapping[tuple[CourseStatus, CourseEvent], Transition] = MappingProxyType(
    {(t.source, t.event): t for t in _TABLE}
)

PRACTICE_STATUSES = frozenset(
    {
        S.ACTIVE,
        S.HANDOVER_REVIEW,
        S.HANDOVER_PROPOSED,
        S.RETURNED_TO_PRACTICE_TRACK,
        S.SUCCEEDED,
        S.MOVED_TO_HOSPITAL_TRACK,
        S.ENDED,
    }
)
HOSPITAL_STATUSES = frozenset({S.ACCEPTED, S.NEEDS_ASSESSED, S.PLAN_ACTIVE, S.COMPLETED, S.ENDED})
OPEN_STATUSES = frozenset(t.source for t in _TABLE)
CLOSED_STATUSES = frozenset(CourseStatus) - OPEN_STATUSES

_INITIAL = {Track.PRACTICE: S.ACTIVE, Track.HOSPITAL: S.ACCEPTED}


def initial_status(track: Track) -> CourseStatus:
    """The status a new course of `track` starts in."""
    return _INITIAL[track]


def is_open(status: CourseStatus) -> bool:
    return status in OPEN_STATUSES


def transition(
    current: CourseStatus, event: CourseEvent, *, by: Actor, reason: str = ""
) -> CourseStatus:
    """The status after `event`, or a `TransitionError` saying why the table refuses it."""
    return find_transition(current, event, by=by, reason=reason).target


def find_transition(
    current: CourseStatus, event: CourseEvent, *, by: Actor, reason: str = ""
) -> Transition:
    """The table row `transition` applies, for callers that need its side effects."""
    found = TRANSITIONS.get((current, event))
    if found is None:
        raise TransitionError(
            f"A course that is {current} cannot {event}.", current=current, event=event
        )
    if by not in found.by:
        raise TransitionError(
            f"The {by} cannot {event} a course that is {current}.",
            current=current,
            event=event,
            code="transition_not_allowed_for_actor",
        )
    if found.needs_reason and not reason.strip():
        raise TransitionError(
            f"To {event} a course, give a reason.",
            current=current,
            event=event,
            code="transition_reason_required",
        )
    return found


def allowed_events(current: CourseStatus, *, by: Actor) -> tuple[CourseEvent, ...]:
    """The events `by` may apply to a course that is `current`, in table order (for buttons)."""
    return tuple(t.event for t in _TABLE if t.source is current and by in t.by)


def ensure_no_open_course(statuses: Iterable[CourseStatus]) -> None:
    """Refuse a new course when the patient's existing courses include an open one."""
    open_now = sorted(s.value for s in statuses if is_open(s))
    if open_now:
        raise SecondOpenCourseError(
            f"The patient already has an open course ({', '.join(open_now)}); "
            "end or complete it before starting another."
        )
