"""Checks on a session's input, shared by creating and changing one. Each raises a
ValidationError naming the field, in the user's language; ``Errors`` collects several so a
form shows every problem at once."""

from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from smertespor.accounts.models import User
from smertespor.teaching import recurrence
from smertespor.teaching.models import (
    AUDIENCE_FIELDS,
    MAX_CAPACITY,
    MAX_DURATION_MINUTES,
    Audience,
    SessionSeries,
)
from smertespor.teaching.permissions import is_clinic_staff
from smertespor.teaching.topics import Topic

T = TypeVar("T")
MAX_PLANNING_AHEAD = timedelta(days=5 * 365)


def clean_topics(topics: Collection[str]) -> list[str]:
    chosen = sorted(set(topics))
    if not chosen:
        raise ValidationError(
            {"topics": ValidationError(_("Choose at least one topic."), code="required")}
        )
    unknown = [t for t in chosen if t not in Topic.values]
    if unknown:
        raise ValidationError(
            {
                "topics": ValidationError(
                    _("Unknown topic: %(topic)s") % {"topic": ", ".join(unknown)},
                    code="invalid_choice",
                )
            }
        )
    return chosen


def audience_flags(audience: Collection[str]) -> dict[str, bool]:
    unknown = [a for a in audience if a not in Audience.values]
    if unknown:
        raise ValidationError(
            {
                "audience": ValidationError(
                    _("Unknown audience: %(audience)s") % {"audience": ", ".join(unknown)},
                    code="invalid_choice",
                )
            }
        )
    if not audience:
        raise ValidationError(
            {"audience": ValidationError(_("Choose who the session is for."), code="required")}
        )
    return {field: value in audience for value, field in AUDIENCE_FIELDS.items()}


def check_aware(**moments: datetime) -> None:
    """A time without its UTC offset is refused, not guessed (the API may send one)."""
    naive = {name for name, moment in moments.items() if timezone.is_naive(moment)}
    if naive:
        message = _("Give the time with its UTC offset, e.g. 2030-03-12T15:00:00+01:00.")
        raise ValidationError(
            {name: ValidationError(message, code="naive_time") for name in sorted(naive)}
        )


def to_the_minute(moment: datetime) -> datetime:
    """Sessions are planned to the minute, so an edit in the form round-trips exactly."""
    return moment.replace(second=0, microsecond=0)


def check_not_too_far_ahead(starts_at: datetime) -> None:
    if starts_at > timezone.now() + MAX_PLANNING_AHEAD:
        raise ValidationError(
            {
                "starts_at": ValidationError(
                    _("A session can be planned at most %(years)s years ahead.")
                    % {"years": MAX_PLANNING_AHEAD.days // 365},
                    code="too_far_ahead",
                )
            }
        )


def duration_minutes(starts_at: datetime, ends_at: datetime) -> int:
    if ends_at <= starts_at:
        raise ValidationError(
            {
                "ends_at": ValidationError(
                    _("The session must end after it starts."), code="ends_before_start"
                )
            }
        )
    minutes = (ends_at - starts_at) // timedelta(minutes=1)
    if minutes < 1 or minutes > MAX_DURATION_MINUTES:
        raise ValidationError(
            {
                "ends_at": ValidationError(
                    _("A session lasts from 1 minute to %(hours)s hours.")
                    % {"hours": MAX_DURATION_MINUTES // 60},
                    code="duration_out_of_range",
                )
            }
        )
    return minutes


def check_capacity(capacity: int) -> None:
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise ValidationError(
            {"capacity": ValidationError(_("Enter a whole number of places."), code="invalid")}
        )
    if capacity < 1 or capacity > MAX_CAPACITY:
        raise ValidationError(
            {
                "capacity": ValidationError(
                    _("A session has from 1 to %(max)s places.") % {"max": MAX_CAPACITY},
                    code="capacity_out_of_range",
                )
            }
        )


def check_teachers(teachers: Iterable[User]) -> list[User]:
    teachers = list(teachers)
    if any(not is_clinic_staff(teacher) for teacher in teachers):
        raise ValidationError(
            {
                "teachers": ValidationError(
                    _("Teachers are staff of a pain clinic or pain centre."), code="invalid_teacher"
                )
            }
        )
    return teachers


def check_place(location: str, online_url: str) -> None:
    if not location.strip() and not online_url.strip():
        raise ValidationError(
            {
                "location": ValidationError(
                    _("Give a place, an online link or both."), code="no_place"
                )
            }
        )


def check_series(repeat: str, occurrences: int) -> None:
    if not 1 <= occurrences <= recurrence.MAX_OCCURRENCES:
        raise ValidationError(
            {
                "occurrences": ValidationError(
                    _("A series has from 1 to %(max)s sessions.")
                    % {"max": recurrence.MAX_OCCURRENCES},
                    code="occurrences_out_of_range",
                )
            }
        )
    if repeat and repeat not in SessionSeries.Repeat.values:
        raise ValidationError(
            {"repeat": ValidationError(_("Unknown repetition."), code="invalid_choice")}
        )
    if occurrences > 1 and not repeat:
        raise ValidationError(
            {"repeat": ValidationError(_("Choose how often the session repeats."), code="required")}
        )


class Errors:
    """Collects every problem with the input, so a form shows them all at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def check(self, function: Callable[..., object], *args: Any) -> None:
        """Run one check, keeping its errors instead of raising them."""
        try:
            function(*args)
        except ValidationError as error:
            error.update_error_dict(self.by_field)

    def value(self, function: Callable[..., T], *args: Any, otherwise: T) -> T:
        """What ``function`` makes of the input, or ``otherwise`` (never saved: the errors
        kept are raised first)."""
        try:
            return function(*args)
        except ValidationError as error:
            error.update_error_dict(self.by_field)
            return otherwise

    def add(self, name: str, message: str, code: str) -> None:
        self.by_field.setdefault(name, []).append(ValidationError(message, code=code))

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)
