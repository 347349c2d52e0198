"""The rules every appointment booking shares (the clinic's course plan, the pain centre's
course): a working day inside the opening hours (`APPOINTMENT_OPENS`/`APPOINTMENT_CLOSES`,
weekends and Danish public holidays closed), and no overlap with another booked appointment
of the same clinician or the same patient. The arithmetic is the domain's
(`domain.appointments`); this module gives it the settings, the holidays and the wording.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from domain.appointments import (
    AppointmentTimeError,
    OpeningHours,
    Slot,
    check_opening_hours,
    first_clash,
)
from domain.working_days import is_working_day, next_working_day


def opening_hours() -> OpeningHours:
    return OpeningHours(
        opens=time.fromisoformat(settings.APPOINTMENT_OPENS),
        closes=time.fromisoformat(settings.APPOINTMENT_CLOSES),
    )


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year))


def next_bookable(after: datetime, *, days: int = 1, hour: int = 10) -> datetime:
    """`hour`:00 local on the first working day at least `days` days after `after` (aware):
    a time the rules accept, for demos and tests."""
    day = timezone.localtime(after).date() + timedelta(days=days)
    day = next_working_day(day, _holidays(day.year) | _holidays(day.year + 1))
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def bookable_on(moment: datetime, *, earlier: bool = False) -> datetime:
    """`moment`'s local time of day on the nearest working day: `moment`'s own day if it is
    one, else the next (or, with `earlier`, the previous) working day. For demo schedules."""
    local = timezone.localtime(moment)
    day = local.date()
    closed = _holidays(day.year) | _holidays(day.year + 1) | _holidays(day.year - 1)
    step = timedelta(days=-1 if earlier else 1)
    while not is_working_day(day, closed):
        day += step
    return timezone.make_aware(datetime.combine(day, local.time().replace(tzinfo=None)))


def local_slot(starts_at: datetime, minutes: int, key: object = None) -> Slot:
    return Slot(starts_at=timezone.localtime(starts_at), minutes=minutes, key=key)


def check_opening_hours_of(starts_at: datetime, minutes: int, *, field: str = "starts_at") -> None:
    """Refuse (ValidationError on `field`) a time outside the opening hours."""
    hours = opening_hours()
    slot = local_slot(starts_at, minutes)
    try:
        check_opening_hours(slot, hours, _holidays(slot.starts_at.year))
    except AppointmentTimeError as error:
        if error.code == "closed_day":
            message = _(
                "The clinic is closed on %(day)s (a weekend or a public holiday). Choose a weekday."
            ) % {"day": formats.date_format(slot.starts_at.date(), "DATE_FORMAT")}
        else:
            message = _(
                "Book the appointment inside the opening hours, %(opens)s to %(closes)s: "
                "it must start and end within them."
            ) % {"opens": hours.opens.strftime("%H:%M"), "closes": hours.closes.strftime("%H:%M")}
        raise ValidationError({field: [message]}) from None


def refuse_clash(new: Slot, booked: Iterable[Slot], *, field: str, message: str) -> None:
    """Refuse `new` if it overlaps one of `booked`; `message` may name %(time)s."""
    clash = first_clash(new, booked)
    if clash is not None:
        when = formats.date_format(timezone.localtime(clash.starts_at), "SHORT_DATETIME_FORMAT")
        raise ValidationError({field: [message % {"time": when}]})
