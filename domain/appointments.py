"""When an appointment can be booked: inside the clinic's opening hours on a working day, and
never on top of another appointment of the same clinician or the same patient.

Times are local wall-clock times (the app converts them); the opening hours and the closed
days are data the app passes (settings and the `holidays` package), so this module knows no
calendar of its own. An appointment is the half-open interval [start, start + duration): one
ending at 10:00 and the next starting at 10:00 do not overlap.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.errors import DomainError
from domain.working_days import is_working_day


class AppointmentTimeError(DomainError):
    code = "appointment_time"


@dataclass(frozen=True)
class OpeningHours:
    """The clinic is open from `opens` to `closes` on working days (07:00-17:00 by default)."""

    opens: time = time(7, 0)
    closes: time = time(17, 0)

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise AppointmentTimeError(
                f"The clinic must open before it closes, not {self.opens:%H:%M}-"
                f"{self.closes:%H:%M}.",
                code="bad_opening_hours",
            )


@dataclass(frozen=True)
class Slot:
    """An appointment's local start and its length; `key` names it for the caller."""

    starts_at: datetime
    minutes: int
    key: object = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


def overlaps(first: Slot, second: Slot) -> bool:
    """The two half-open intervals share at least one moment."""
    return first.starts_at < second.ends_at and second.starts_at < first.ends_at


def first_clash(new: Slot, booked: Iterable[Slot]) -> Slot | None:
    """The earliest booked slot that overlaps `new`, or None."""
    clashes = [slot for slot in booked if overlaps(new, slot)]
    return min(clashes, key=lambda slot: slot.starts_at) if clashes else None


def check_opening_hours(
    slot: Slot, hours: OpeningHours, closed_days: Collection[date] = ()
) -> None:
    """Refuse a slot on a weekend or closed day, or one not wholly inside the opening hours.

    The codes: `closed_day` (weekend or holiday) and `outside_opening_hours`.
    """
    day = slot.starts_at.date()
    if not is_working_day(day, closed_days):
        raise AppointmentTimeError(f"{day.isoformat()} is not a working day.", code="closed_day")
    opens = datetime.combine(day, hours.opens, tzinfo=slot.starts_at.tzinfo)
    closes = datetime.combine(day, hours.closes, tzinfo=slot.starts_at.tzinfo)
    if slot.starts_at < opens or slot.ends_at > closes:
        raise AppointmentTimeError(
            f"{slot.starts_at:%H:%M}-{slot.ends_at:%H:%M} is outside the opening hours "
            f"{hours.opens:%H:%M}-{hours.closes:%H:%M}.",
            code="outside_opening_hours",
        )
