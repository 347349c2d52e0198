"""A pain-centre referral's states and the transitions between them (MedCom's model: the
referral is a ServiceRequest, each triage decision a Task, the dialogue Communications).

    target = transition(ReferralStatus.IN_TRIAGE, ReferralEvent.ACCEPT, by=Actor.CENTRE)

::

    draft ──────────────── send (practice) ─────────────────────▶ received
    received ───────────── start_triage (centre) ───────────────▶ in_triage
    received, in_triage ── request_information (centre, reason) ▶ awaiting_information
    awaiting_information ─ supplement (practice) ───────────────▶ in_triage
    received, in_triage, awaiting_information:
        accept (centre) ──────────────────────────────────────▶ accepted
        reject (centre, reason) ──────────────────────────────▶ rejected
        forward (centre, reason) ─────────────────────────────▶ received (at the new recipient)
        withdraw (practice, reason) ──────────────────────────▶ withdrawn
    accepted ───────────── book_first_appointment (centre) ─────▶ appointment_booked
    accepted, appointment_booked ── discharge (centre) ─────────▶ discharged
    accepted, appointment_booked ── withdraw (practice, reason) ▶ withdrawn

Rejected, discharged and withdrawn are closed: nothing more happens to them, and their
thread takes no more messages. Every refusal is a `ReferralTransitionError` with a stable
`code`: `transition_not_allowed`, `transition_not_allowed_for_actor`,
`transition_reason_required`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from domain.errors import DomainError


class ReferralStatus(StrEnum):
    DRAFT = "draft"
    RECEIVED = "received"
    IN_TRIAGE = "in_triage"
    AWAITING_INFORMATION = "awaiting_information"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    APPOINTMENT_BOOKED = "appointment_booked"
    DISCHARGED = "discharged"
    WITHDRAWN = "withdrawn"


class ReferralEvent(StrEnum):
    SEND = "send"
    START_TRIAGE = "start_triage"
    REQUEST_INFORMATION = "request_information"
    SUPPLEMENT = "supplement"
    ACCEPT = "accept"
    REJECT = "reject"
    FORWARD = "forward"
    BOOK_FIRST_APPOINTMENT = "book_first_appointment"
    DISCHARGE = "discharge"
    WITHDRAW = "withdraw"


class Actor(StrEnum):
    PRACTICE = "practice"
    CENTRE = "centre"


@dataclass(frozen=True)
class Transition:
    source: ReferralStatus
    event: ReferralEvent
    target: ReferralStatus
    by: Actor
    needs_reason: bool = False


class ReferralTransitionError(DomainError):
    code = "transition_not_allowed"

    def __init__(
        self,
        message: str,
        *,
        current: ReferralStatus,
        event: ReferralEvent,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.current = current
        self.event = event


S = ReferralStatus
E = ReferralEvent
_IN_TRIAGE = (S.RECEIVED, S.IN_TRIAGE, S.AWAITING_INFORMATION)
_ACCEPTED = (S.ACCEPTED, S.APPOINTMENT_BOOKED)

_TABLE: tuple[Transition, ...] = (
    Transition(S.DRAFT, E.SEND, S.RECEIVED, Actor.PRACTICE),
    Transition(S.RECEIVED, E.START_TRIAGE, S.IN_TRIAGE, Actor.CENTRE),
    Transition(S.RECEIVED, E.REQUEST_INFORMATION, S.AWAITING_INFORMATION, Actor.CENTRE, True),
    Transition(S.IN_TRIAGE, E.REQUEST_INFORMATION, S.AWAITING_INFORMATION, Actor.CENTRE, True),
    Transition(S.AWAITING_INFORMATION, E.SUPPLEMENT, S.IN_TRIAGE, Actor.PRACTICE),
    *(Transition(source, E.ACCEPT, S.ACCEPTED, Actor.CENTRE) for source in _IN_TRIAGE),
    *(Transition(source, E.REJECT, S.REJECTED, Actor.CENTRE, True) for source in _IN_TRIAGE),
    *(Transition(source, E.FORWARD, S.RECEIVED, Actor.CENTRE, True) for source in _IN_TRIAGE),
    *(
        Transition(source, E.WITHDRAW, S.WITHDRAWN, Actor.PRACTICE, True)
        for source in (*_IN_TRIAGE, *_ACCEPTED)
    ),
    Transition(S.ACCEPTED, E.BOOK_FIRST_APPOINTMENT, S.APPOINTMENT_BOOKED, Actor.CENTRE),
    *(Transition(source, E.DISCHARGE, S.DISCHARGED, Actor.CENTRE) for source in _ACCEPTED),
)

TRANSITIONS: Mapping[tuple[ReferralStatus, ReferralEvent], Transition] = MappingProxyType(
    {(t.source, t.event): t for t in _TABLE}
)
CLOSED_STATUSES = frozenset({S.REJECTED, S.DISCHARGED, S.WITHDRAWN})
# Sent and not closed: the recipient sees the patient (care relation) and the thread is open.
OPEN_STATUSES = frozenset(ReferralStatus) - CLOSED_STATUSES - {S.DRAFT}
# The centre has not decided yet: the triage worklist.
TRIAGE_STATUSES = frozenset(_IN_TRIAGE)


def is_closed(status: ReferralStatus) -> bool:
    return status in CLOSED_STATUSES


def allowed_events(status: ReferralStatus, by: Actor) -> tuple[ReferralEvent, ...]:
    """The events `by` may apply to a referral in `status`, in the table's order."""
    return tuple(t.event for t in _TABLE if t.source == status and t.by == by)


def transition(
    status: ReferralStatus, event: ReferralEvent, *, by: Actor, reason: str = ""
) -> ReferralStatus:
    """The status after `event`, or `ReferralTransitionError` saying why not."""
    found = TRANSITIONS.get((status, event))
    if found is None:
        raise ReferralTransitionError(
            f"A referral that is {status} cannot {event}.", current=status, event=event
        )
    if found.by != by:
        raise ReferralTransitionError(
            f"Only the {found.by} can {event} a referral.",
            current=status,
            event=event,
            code="transition_not_allowed_for_actor",
        )
    if found.needs_reason and not reason.strip():
        raise ReferralTransitionError(
            f"To {event} a referral, give a reason.",
            current=status,
            event=event,
            code="transition_reason_required",
        )
    return found.target
