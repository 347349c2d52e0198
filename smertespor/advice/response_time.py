"""Response-time targets and measurements in working days (Danish public holidays excluded).

The targets per urgency are settings (`ADVICE_TARGET_WORKING_DAYS`); the closed days come
from the `holidays` package, for the categories in `ADVICE_HOLIDAY_CATEGORIES` ("public" by
default; "optional" adds Christmas Eve, New Year's Eve, 1 May and Constitution Day). The
arithmetic is the domain core's.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone

from domain.working_days import add_working_days, working_days_between

COUNTRY = "DK"


@lru_cache(maxsize=64)
def _closed_days_of(year: int, categories: tuple[str, ...]) -> frozenset[date]:
    return frozenset(holidays.country_holidays(COUNTRY, years=year, categories=categories))


def closed_days(first: date, last: date) -> frozenset[date]:
    """The public holidays between two dates' years (inclusive), for the arithmetic."""
    categories = tuple(sorted(settings.ADVICE_HOLIDAY_CATEGORIES))
    days: frozenset[date] = frozenset()
    # One year further: a target can run over New Year.
    for year in range(first.year, max(last.year, first.year) + 2):
        days |= _closed_days_of(year, categories)
    return days


def target_working_days(urgency: str) -> int:
    targets: dict[str, int] = settings.ADVICE_TARGET_WORKING_DAYS
    return targets.get(urgency, targets["routine"])


def due_date(asked_at: datetime, urgency: str) -> date:
    """The day by whose end the clinic should have replied."""
    asked_on = timezone.localdate(asked_at)
    days = target_working_days(urgency)
    return add_working_days(asked_on, days, closed_days(asked_on, asked_on))


def response_working_days(asked_at: datetime, replied_at: datetime) -> int:
    """Working days from asking to the first reply: 0 the same day, 1 the next working day."""
    asked_on = timezone.localdate(asked_at)
    replied_on = timezone.localdate(replied_at)
    return working_days_between(asked_on, replied_on, closed_days(asked_on, replied_on))


def is_overdue(*, status: str, due_on: date | None, today: date | None = None) -> bool:
    from smertespor.advice.models import WITH_CLINIC

    if due_on is None or status not in WITH_CLINIC:
        return False
    return (today or timezone.localdate()) > due_on
