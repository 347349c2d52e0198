"""The pain centre's course: every allowed and every forbidden transition, appointments and
the module catalogue."""

import itertools

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.centre_course import (
    CLOSED_STATUSES,
    COURSE_TRANSITIONS,
    INITIAL_STATUS,
    OPEN_STATUSES,
    AppointmentEvent,
    AppointmentStatus,
    CentreCourseEvent,
    CentreCourseStatus,
    CentreTransitionError,
    Discipline,
    ModuleError,
    allowed_events,
    appointment_transition,
    default_modules,
    parse_modules,
    transition,
)

S = CentreCourseStatus
E = CentreCourseEvent

ALLOWED = {
    (S.PLANNED, E.START): S.ACTIVE,
    (S.PLANNED, E.CANCEL): S.CANCELLED,
    (S.ACTIVE, E.DISCHARGE): S.DISCHARGED,
    (S.ACTIVE, E.CANCEL): S.CANCELLED,
}
FORBIDDEN = [pair for pair in itertools.product(S, E) if pair not in ALLOWED]


def test_a_course_starts_planned() -> None:
    assert INITIAL_STATUS is S.PLANNED


def test_the_table_is_exactly_the_documented_one() -> None:
    assert {key: t.target for key, t in COURSE_TRANSITIONS.items()} == ALLOWED


@pytest.mark.parametrize(("current", "event"), sorted(ALLOWED))
def test_every_allowed_transition_reaches_its_target(
    current: CentreCourseStatus, event: CentreCourseEvent
) -> None:
    assert transition(current, event, reason="Patienten ønsker det") is ALLOWED[(current, event)]


@pytest.mark.parametrize(("current", "event"), sorted(FORBIDDEN))
def test_every_forbidden_transition_is_refused_with_its_code(
    current: CentreCourseStatus, event: CentreCourseEvent
) -> None:
    with pytest.raises(CentreTransitionError) as refused:
        transition(current, event, reason="Any reason")
    assert refused.value.code == "transition_not_allowed"


@pytest.mark.parametrize("current", [S.PLANNED, S.ACTIVE])
@pytest.mark.parametrize("reason", ["", "   \n"])
def test_cancelling_needs_a_reason(current: CentreCourseStatus, reason: str) -> None:
    with pytest.raises(CentreTransitionError) as refused:
        transition(current, E.CANCEL, reason=reason)
    assert refused.value.code == "transition_reason_required"


def test_starting_and_discharging_need_no_reason() -> None:
    assert transition(S.PLANNED, E.START) is S.ACTIVE
    assert transition(S.ACTIVE, E.DISCHARGE) is S.DISCHARGED


def test_closed_courses_allow_nothing() -> None:
    assert {S.DISCHARGED, S.CANCELLED} == CLOSED_STATUSES
    assert {S.PLANNED, S.ACTIVE} == OPEN_STATUSES
    for status in CLOSED_STATUSES:
        assert allowed_events(status) == ()


def test_allowed_events_are_the_buttons_in_table_order() -> None:
    assert allowed_events(S.PLANNED) == (E.START, E.CANCEL)
    assert allowed_events(S.ACTIVE) == (E.DISCHARGE, E.CANCEL)


@given(st.lists(st.sampled_from(list(E)), min_size=1, max_size=8), st.text(max_size=5))
def test_any_sequence_of_events_stays_on_the_table(
    events: list[CentreCourseEvent], reason: str
) -> None:
    status = INITIAL_STATUS
    for event in events:
        try:
            following = transition(status, event, reason=reason)
        except CentreTransitionError:
            assert (status, event) not in ALLOWED or not reason.strip()
            continue
        assert (status, event) in ALLOWED
        status = following
    assert status in set(S)


@given(st.sampled_from(sorted(CLOSED_STATUSES)), st.sampled_from(list(E)))
def test_a_closed_course_never_moves(status: CentreCourseStatus, event: CentreCourseEvent) -> None:
    with pytest.raises(CentreTransitionError):
        transition(status, event, reason="x")


@given(st.sampled_from(list(S)), st.sampled_from(list(E)))
def test_every_course_reaching_a_closed_status_came_from_an_open_one(
    status: CentreCourseStatus, event: CentreCourseEvent
) -> None:
    assume((status, event) in ALLOWED)
    assert status in OPEN_STATUSES
    assert transition(status, event, reason="x") in ALLOWED.values()


@pytest.mark.parametrize(
    ("current", "event", "target"),
    [
        (AppointmentStatus.BOOKED, AppointmentEvent.ATTEND, AppointmentStatus.ATTENDED),
        (AppointmentStatus.BOOKED, AppointmentEvent.CANCEL, AppointmentStatus.CANCELLED),
    ],
)
def test_a_booked_appointment_is_attended_or_cancelled(
    current: AppointmentStatus, event: AppointmentEvent, target: AppointmentStatus
) -> None:
    assert appointment_transition(current, event) is target


@pytest.mark.parametrize("current", [AppointmentStatus.ATTENDED, AppointmentStatus.CANCELLED])
@pytest.mark.parametrize("event", list(AppointmentEvent))
def test_a_recorded_appointment_stays_as_it_is(
    current: AppointmentStatus, event: AppointmentEvent
) -> None:
    with pytest.raises(CentreTransitionError) as refused:
        appointment_transition(current, event)
    assert refused.value.code == "appointment_already_recorded"


def test_the_shipped_modules_are_the_issues_five() -> None:
    catalogue = default_modules()
    assert catalogue.codes == (
        "cbt_group",
        "pain_education",
        "graded_activity",
        "self_management",
        "medication_review_taper",
    )
    assert catalogue.source and catalogue.version
    [taper] = [m for m in catalogue.modules if m.uses_taper_plan]
    assert taper.code == "medication_review_taper"
    assert Discipline.DOCTOR in taper.disciplines


def test_an_unknown_module_is_refused() -> None:
    with pytest.raises(ModuleError) as refused:
        default_modules().get("yoga")
    assert refused.value.code == "unknown_module"


@pytest.mark.parametrize(
    ("modules", "code"),
    [
        ([], "no_modules"),
        ([{"code": "a", "name": "A", "disciplines": ["doctor"]}] * 2, "duplicate_module"),
        ([{"code": "a", "name": "A", "disciplines": ["priest"]}], "unknown_discipline"),
    ],
)
def test_a_bad_catalogue_is_refused(modules: list[dict[str, object]], code: str) -> None:
    with pytest.raises(ModuleError) as refused:
        parse_modules({"version": "x", "source": "y", "modules": modules})
    assert refused.value.code == code
