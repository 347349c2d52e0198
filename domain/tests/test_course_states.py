"""The course state machine: every (status, event) pair, allowed or refused, and who may act."""

from itertools import product

import pytest

from domain.tracks import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Actor,
    CourseEvent,
    CourseStatus,
    SecondOpenCourseError,
    Track,
    TransitionError,
    allowed_events,
    ensure_no_open_course,
    find_transition,
    initial_status,
    is_open,
    transition,
)

S = CourseStatus
E = CourseEvent
SYSTEM, PRACTICE, CLINIC = Actor.SYSTEM, Actor.PRACTICE, Actor.CLINIC

# The specification, written out independently of the module's table:
# (from, event, to, who may, needs a reason)
ALLOWED = [
    (S.ACTIVE, E.RECORD_SUCCESS, S.SUCCEEDED, {SYSTEM, PRACTICE}, False),
    # The 3-month rule proposes; only the GP's practice hands the patient over.
    (S.ACTIVE, E.PROPOSE_HANDOVER, S.HANDOVER_REVIEW, {SYSTEM}, False),
    (S.ACTIVE, E.HAND_OVER_EARLY, S.HANDOVER_PROPOSED, {PRACTICE}, True),
    (S.ACTIVE, E.END, S.ENDED, {PRACTICE}, True),
    (S.HANDOVER_REVIEW, E.CONFIRM_HANDOVER, S.HANDOVER_PROPOSED, {PRACTICE}, False),
    (S.HANDOVER_REVIEW, E.KEEP_IN_PRACTICE, S.ACTIVE, {PRACTICE}, True),
    (S.HANDOVER_REVIEW, E.RECORD_SUCCESS, S.SUCCEEDED, {PRACTICE}, False),
    (S.HANDOVER_REVIEW, E.END, S.ENDED, {PRACTICE}, True),
    (S.HANDOVER_PROPOSED, E.ACCEPT, S.MOVED_TO_HOSPITAL_TRACK, {CLINIC}, False),
    (S.HANDOVER_PROPOSED, E.RETURN_TO_PRACTICE, S.RETURNED_TO_PRACTICE_TRACK, {CLINIC}, True),
    (S.HANDOVER_PROPOSED, E.END, S.ENDED, {PRACTICE, CLINIC}, True),
    (S.RETURNED_TO_PRACTICE_TRACK, E.RECORD_SUCCESS, S.SUCCEEDED, {PRACTICE}, False),
    (S.RETURNED_TO_PRACTICE_TRACK, E.HAND_OVER_EARLY, S.HANDOVER_PROPOSED, {PRACTICE}, True),
    (S.RETURNED_TO_PRACTICE_TRACK, E.END, S.ENDED, {PRACTICE}, True),
    (S.ACCEPTED, E.ASSESS_NEEDS, S.NEEDS_ASSESSED, {CLINIC}, False),
    (S.ACCEPTED, E.END, S.ENDED, {CLINIC}, True),
    (S.NEEDS_ASSESSED, E.ACTIVATE_PLAN, S.PLAN_ACTIVE, {CLINIC}, False),
    (S.NEEDS_ASSESSED, E.END, S.ENDED, {CLINIC}, True),
    (S.PLAN_ACTIVE, E.COMPLETE, S.COMPLETED, {CLINIC}, False),
    (S.PLAN_ACTIVE, E.END, S.ENDED, {CLINIC}, True),
]
ALLOWED_PAIRS = {(source, event) for source, event, *_ in ALLOWED}
REFUSED = [pair for pair in product(CourseStatus, CourseEvent) if pair not in ALLOWED_PAIRS]


@pytest.mark.parametrize(
    ("source", "event", "target", "actors", "needs_reason"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in ALLOWED],
)
def test_each_allowed_transition_reaches_its_status_for_each_allowed_actor(
    source: CourseStatus,
    event: CourseEvent,
    target: CourseStatus,
    actors: set[Actor],
    needs_reason: bool,
) -> None:
    for actor in actors:
        assert transition(source, event, by=actor, reason="Agreed with the patient") is target


@pytest.mark.parametrize(
    ("source", "event", "target", "actors", "needs_reason"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in ALLOWED],
)
def test_each_allowed_transition_refuses_the_other_actors(
    source: CourseStatus,
    event: CourseEvent,
    target: CourseStatus,
    actors: set[Actor],
    needs_reason: bool,
) -> None:
    for actor in set(Actor) - actors:
        with pytest.raises(TransitionError) as raised:
            transition(source, event, by=actor, reason="x")
        assert raised.value.code == "transition_not_allowed_for_actor"


@pytest.mark.parametrize(
    ("source", "event", "actors"),
    [
        pytest.param(source, event, actors, id=f"{source}-{event}")
        for source, event, _, actors, needs_reason in ALLOWED
        if needs_reason
    ],
)
def test_transitions_that_need_a_reason_refuse_a_blank_one(
    source: CourseStatus, event: CourseEvent, actors: set[Actor]
) -> None:
    for reason in ("", "   "):
        with pytest.raises(TransitionError) as raised:
            transition(source, event, by=next(iter(actors)), reason=reason)
        assert raised.value.code == "transition_reason_required"


@pytest.mark.parametrize(
    ("source", "event"), [pytest.param(s, e, id=f"{s}-{e}") for s, e in REFUSED]
)
def test_every_other_pair_is_refused_for_every_actor(
    source: CourseStatus, event: CourseEvent
) -> None:
    for actor in Actor:
        with pytest.raises(TransitionError) as raised:
            transition(source, event, by=actor, reason="x")
        assert raised.value.code == "transition_not_allowed"
        assert (raised.value.current, raised.value.event) == (source, event)


def test_the_module_table_is_exactly_the_specification() -> None:
    assert {
        (t.source, t.event): (t.target, set(t.by), t.needs_reason) for t in TRANSITIONS.values()
    } == {(s, e): (t, a, r) for s, e, t, a, r in ALLOWED}


def test_only_accepting_a_handover_opens_a_hospital_course() -> None:
    opening = [t for t in TRANSITIONS.values() if t.opens_hospital_course]
    assert [(t.source, t.event) for t in opening] == [(S.HANDOVER_PROPOSED, E.ACCEPT)]
    assert find_transition(S.HANDOVER_PROPOSED, E.ACCEPT, by=CLINIC).opens_hospital_course


def test_closed_statuses_are_terminal_and_the_rest_are_open() -> None:
    assert {S.SUCCEEDED, S.MOVED_TO_HOSPITAL_TRACK, S.COMPLETED, S.ENDED} == CLOSED_STATUSES
    assert set(CourseStatus) == OPEN_STATUSES | CLOSED_STATUSES
    for status in CLOSED_STATUSES:
        assert not is_open(status)
        assert all(allowed_events(status, by=actor) == () for actor in Actor)


def test_new_courses_start_active_in_practice_and_accepted_in_hospital() -> None:
    assert initial_status(Track.PRACTICE) is S.ACTIVE
    assert initial_status(Track.HOSPITAL) is S.ACCEPTED


def test_the_hospital_track_runs_from_accepted_to_completed() -> None:
    status = initial_status(Track.HOSPITAL)
    for event in (E.ASSESS_NEEDS, E.ACTIVATE_PLAN, E.COMPLETE):
        status = transition(status, event, by=CLINIC)
    assert status is S.COMPLETED


def test_allowed_events_lists_the_buttons_an_actor_may_press() -> None:
    assert allowed_events(S.ACTIVE, by=PRACTICE) == (E.RECORD_SUCCESS, E.HAND_OVER_EARLY, E.END)
    assert allowed_events(S.ACTIVE, by=SYSTEM) == (E.RECORD_SUCCESS, E.PROPOSE_HANDOVER)
    assert allowed_events(S.HANDOVER_REVIEW, by=PRACTICE) == (
        E.CONFIRM_HANDOVER,
        E.KEEP_IN_PRACTICE,
        E.RECORD_SUCCESS,
        E.END,
    )
    assert allowed_events(S.HANDOVER_REVIEW, by=SYSTEM) == ()
    assert allowed_events(S.HANDOVER_REVIEW, by=CLINIC) == ()
    assert allowed_events(S.HANDOVER_PROPOSED, by=CLINIC) == (
        E.ACCEPT,
        E.RETURN_TO_PRACTICE,
        E.END,
    )


def test_a_second_open_course_is_refused() -> None:
    with pytest.raises(SecondOpenCourseError) as raised:
        ensure_no_open_course([S.SUCCEEDED, S.RETURNED_TO_PRACTICE_TRACK])
    assert raised.value.code == "second_open_course"


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_any_open_status_blocks_a_new_course(status: CourseStatus) -> None:
    with pytest.raises(SecondOpenCourseError):
        ensure_no_open_course([status])


def test_a_patient_with_only_closed_courses_may_start_one() -> None:
    ensure_no_open_course([])
    ensure_no_open_course(sorted(CLOSED_STATUSES))


def test_the_system_never_moves_a_course_to_the_clinic_s_intake() -> None:
    """Only the GP's practice (or a GP's early handover) reaches `handover_proposed`."""
    into_intake = [t for t in TRANSITIONS.values() if t.target is S.HANDOVER_PROPOSED]
    assert into_intake
    assert all(t.by == {PRACTICE} for t in into_intake)
    assert allowed_events(S.ACTIVE, by=SYSTEM) == (E.RECORD_SUCCESS, E.PROPOSE_HANDOVER)
    assert transition(S.ACTIVE, E.PROPOSE_HANDOVER, by=SYSTEM) is S.HANDOVER_REVIEW
