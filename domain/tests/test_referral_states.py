"""A referral's state machine: every allowed transition, and every other one refused."""

import itertools

import pytest

from domain.referral_states import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    TRIAGE_STATUSES,
    Actor,
    ReferralEvent,
    ReferralStatus,
    ReferralTransitionError,
    allowed_events,
    is_closed,
    transition,
)

S = ReferralStatus
E = ReferralEvent
P = Actor.PRACTICE
C = Actor.CENTRE

# (from, event, actor, needs a reason) -> to: the whole table, written out once more.
ALLOWED = {
    (S.DRAFT, E.SEND, P, False): S.RECEIVED,
    (S.RECEIVED, E.START_TRIAGE, C, False): S.IN_TRIAGE,
    (S.RECEIVED, E.REQUEST_INFORMATION, C, True): S.AWAITING_INFORMATION,
    (S.IN_TRIAGE, E.REQUEST_INFORMATION, C, True): S.AWAITING_INFORMATION,
    (S.AWAITING_INFORMATION, E.SUPPLEMENT, P, False): S.IN_TRIAGE,
    (S.RECEIVED, E.ACCEPT, C, False): S.ACCEPTED,
    (S.IN_TRIAGE, E.ACCEPT, C, False): S.ACCEPTED,
    (S.AWAITING_INFORMATION, E.ACCEPT, C, False): S.ACCEPTED,
    (S.RECEIVED, E.REJECT, C, True): S.REJECTED,
    (S.IN_TRIAGE, E.REJECT, C, True): S.REJECTED,
    (S.AWAITING_INFORMATION, E.REJECT, C, True): S.REJECTED,
    (S.RECEIVED, E.FORWARD, C, True): S.RECEIVED,
    (S.IN_TRIAGE, E.FORWARD, C, True): S.RECEIVED,
    (S.AWAITING_INFORMATION, E.FORWARD, C, True): S.RECEIVED,
    (S.RECEIVED, E.WITHDRAW, P, True): S.WITHDRAWN,
    (S.IN_TRIAGE, E.WITHDRAW, P, True): S.WITHDRAWN,
    (S.AWAITING_INFORMATION, E.WITHDRAW, P, True): S.WITHDRAWN,
    (S.ACCEPTED, E.WITHDRAW, P, True): S.WITHDRAWN,
    (S.APPOINTMENT_BOOKED, E.WITHDRAW, P, True): S.WITHDRAWN,
    (S.ACCEPTED, E.BOOK_FIRST_APPOINTMENT, C, False): S.APPOINTMENT_BOOKED,
    (S.ACCEPTED, E.DISCHARGE, C, False): S.DISCHARGED,
    (S.APPOINTMENT_BOOKED, E.DISCHARGE, C, False): S.DISCHARGED,
}
BY_EDGE = {(source, event): (actor, reason) for source, event, actor, reason in ALLOWED}


def test_the_table_is_exactly_the_documented_one() -> None:
    assert {(t.source, t.event, t.by, t.needs_reason): t.target for t in TRANSITIONS.values()} == (
        ALLOWED
    )


@pytest.mark.parametrize(("edge", "target"), ALLOWED.items(), ids=lambda v: str(v))
def test_every_allowed_transition_leads_where_it_should(
    edge: tuple[ReferralStatus, ReferralEvent, Actor, bool], target: ReferralStatus
) -> None:
    source, event, actor, _ = edge
    assert transition(source, event, by=actor, reason="Fordi") == target


@pytest.mark.parametrize(
    ("source", "event"),
    [edge for edge in itertools.product(S, E) if edge not in BY_EDGE],
    ids=lambda v: str(v),
)
@pytest.mark.parametrize("actor", list(Actor))
def test_every_other_transition_is_refused(
    source: ReferralStatus, event: ReferralEvent, actor: Actor
) -> None:
    with pytest.raises(ReferralTransitionError) as error:
        transition(source, event, by=actor, reason="Fordi")
    assert error.value.code == "transition_not_allowed"
    assert error.value.current == source


@pytest.mark.parametrize(("source", "event"), sorted(BY_EDGE), ids=lambda v: str(v))
def test_the_other_side_may_not_take_a_step(source: ReferralStatus, event: ReferralEvent) -> None:
    actor, _ = BY_EDGE[(source, event)]
    other = C if actor == P else P
    with pytest.raises(ReferralTransitionError) as error:
        transition(source, event, by=other, reason="Fordi")
    assert error.value.code == "transition_not_allowed_for_actor"


@pytest.mark.parametrize(
    ("source", "event"),
    [edge for edge, (_, reason) in BY_EDGE.items() if reason],
    ids=lambda v: str(v),
)
@pytest.mark.parametrize("reason", ["", "   "])
def test_steps_that_need_a_reason_refuse_without_one(
    source: ReferralStatus, event: ReferralEvent, reason: str
) -> None:
    actor, _ = BY_EDGE[(source, event)]
    with pytest.raises(ReferralTransitionError) as error:
        transition(source, event, by=actor, reason=reason)
    assert error.value.code == "transition_reason_required"


def test_closed_referrals_allow_nothing() -> None:
    for status, actor in itertools.product(CLOSED_STATUSES, Actor):
        assert is_closed(status)
        assert allowed_events(status, actor) == ()


def test_the_status_groups() -> None:
    assert {S.REJECTED, S.DISCHARGED, S.WITHDRAWN} == CLOSED_STATUSES
    assert S.DRAFT not in OPEN_STATUSES
    assert {S.RECEIVED, S.IN_TRIAGE, S.AWAITING_INFORMATION} == TRIAGE_STATUSES
    assert allowed_events(S.AWAITING_INFORMATION, P) == (E.SUPPLEMENT, E.WITHDRAW)
