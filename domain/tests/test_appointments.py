"""Opening hours and overlap of appointments (domain.appointments)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.appointments import (
    AppointmentTimeError,
    OpeningHours,
    Slot,
    check_opening_hours,
    first_clash,
    overlaps,
)

MONDAY = datetime(2026, 12, 7, tzinfo=ZoneInfo("Europe/Copenhagen"))
HOURS = OpeningHours()


def _at(hour: int, minute: int = 0, day: datetime = MONDAY) -> datetime:
    return day.replace(hour=hour, minute=minute)


def test_an_appointment_inside_the_opening_hours_is_accepted() -> None:
    check_opening_hours(Slot(_at(7), 60), HOURS)
    check_opening_hours(Slot(_at(16), 60), HOURS)  # ends at closing time exactly


@pytest.mark.parametrize(
    ("starts", "minutes"),
    [
        pytest.param(_at(3), 45, id="at-three-in-the-night"),
        pytest.param(_at(6, 59), 30, id="a-minute-before-opening"),
        pytest.param(_at(16, 30), 45, id="ends-after-closing"),
        pytest.param(_at(17), 15, id="at-closing-time"),
    ],
)
def test_an_appointment_outside_the_opening_hours_is_refused(
    starts: datetime, minutes: int
) -> None:
    with pytest.raises(AppointmentTimeError) as refused:
        check_opening_hours(Slot(starts, minutes), HOURS)
    assert refused.value.code == "outside_opening_hours"


def test_weekends_and_closed_days_are_refused() -> None:
    saturday = MONDAY - timedelta(days=2)
    with pytest.raises(AppointmentTimeError) as refused:
        check_opening_hours(Slot(_at(10, day=saturday), 30), HOURS)
    assert refused.value.code == "closed_day"
    with pytest.raises(AppointmentTimeError) as refused:
        check_opening_hours(Slot(_at(10), 30), HOURS, closed_days={date(2026, 12, 7)})
    assert refused.value.code == "closed_day"


def test_opening_hours_must_open_before_they_close() -> None:
    with pytest.raises(AppointmentTimeError):
        OpeningHours(opens=time(17), closes=time(7))


def test_back_to_back_appointments_do_not_overlap() -> None:
    assert not overlaps(Slot(_at(9), 60), Slot(_at(10), 30))
    assert overlaps(Slot(_at(9), 61), Slot(_at(10), 30))


def test_the_first_clash_is_the_earliest_overlapping_one() -> None:
    booked = [Slot(_at(11), 60, "b"), Slot(_at(9), 90, "a"), Slot(_at(14), 30, "c")]
    clash = first_clash(Slot(_at(10), 90), booked)
    assert clash is not None
    assert clash.key == "a"
    assert first_clash(Slot(_at(12), 60), booked) is None


_minutes = st.integers(min_value=5, max_value=480)
_offsets = st.integers(min_value=0, max_value=24 * 60)


@given(_offsets, _minutes, _offsets, _minutes)
def test_overlap_is_symmetric_and_matches_shared_minutes(
    a: int, a_len: int, b: int, b_len: int
) -> None:
    first = Slot(MONDAY + timedelta(minutes=a), a_len)
    second = Slot(MONDAY + timedelta(minutes=b), b_len)
    shared = set(range(a, a + a_len)) & set(range(b, b + b_len))
    assert overlaps(first, second) == overlaps(second, first) == bool(shared)


@given(_offsets, _minutes, st.lists(st.tuples(_offsets, _minutes), max_size=6))
def test_a_slot_without_a_clash_overlaps_none_of_the_booked(
    start: int, length: int, others: list[tuple[int, int]]
) -> None:
    new = Slot(MONDAY + timedelta(minutes=start), length)
    booked = [Slot(MONDAY + timedelta(minutes=o), n) for o, n in others]
    assume(booked)
    clash = first_clash(new, booked)
    if clash is None:
        assert not any(overlaps(new, slot) for slot in booked)
    else:
        assert overlaps(new, clash)
        assert all(slot.starts_at >= clash.starts_at for slot in booked if overlaps(new, slot))
