"""The forecast's rates, estimated from the recorded courses where there are enough of them
and taken from the settings otherwise; each estimate says where it came from and from how
many courses (docs/forecast.md).

Scope: a pain clinic's staff see the courses supported by their clinic; a planner sees every
course of the region's clinics. Only counts leave this module, never a patient.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from domain.forecast import FlowRates
from domain.suppression import suppress_count
from smertespor.accounts.models import Organisation, User
from smertespor.tracks.models import Course, Handover, Status, Track
from smertespor.tracks.permissions import is_clinic_staff

LOOKBACK_DAYS = 365  # new courses per month: the last twelve months
DAYS_PER_MONTH = 365.25 / 12
PRACTICE_OPEN = [Status.ACTIVE, Status.HANDOVER_REVIEW, Status.RETURNED_TO_PRACTICE_TRACK]
HOSPITAL_OPEN = [Status.ACCEPTED, Status.NEEDS_ASSESSED, Status.PLAN_ACTIVE]


@dataclass(frozen=True)
class Estimate:
    """One rate: its value, how many courses it rests on, and whether it is the region's
    own (``from_courses``) or the setting (too few courses)."""

    name: str
    value: float
    count: int
    from_courses: bool


def scope_courses(organisation: Organisation, *, clinic_only: bool) -> QuerySet[Course]:
    if clinic_only:
        return Course.objects.filter(clinic=organisation)
    return Course.objects.filter(clinic__region_id=organisation.region_id)


def courses_for(user: User) -> QuerySet[Course]:
    assert user.organisation is not None  # noqa: S101 - can_forecast admitted the user
    return scope_courses(user.organisation, clinic_only=is_clinic_staff(user))


def _choose(name: str, value: float, count: int) -> Estimate:
    if count >= settings.FORECAST_MIN_COURSES:
        return Estimate(name, value, count, from_courses=True)
    return Estimate(name, float(settings.FORECAST_DEFAULT_RATES[name]), count, from_courses=False)


def estimate_rates(courses: QuerySet[Course], *, today: date | None = None) -> list[Estimate]:
    """The four flow rates of `domain.forecast.FlowRates` from ``courses``."""
    today = today or timezone.localdate()
    practice = courses.filter(track=Track.PRACTICE)
    hospital = courses.filter(track=Track.HOSPITAL)
    since = today - timedelta(days=LOOKBACK_DAYS)

    started = practice.filter(start_date__gt=since, start_date__lte=today).count()
    new_per_month = started / (LOOKBACK_DAYS / DAYS_PER_MONTH)

    # Early handovers among the courses that have had their full three months.
    exposed = practice.filter(start_date__lte=today - timedelta(days=92))
    early = Handover.objects.filter(course__in=exposed, kind=Handover.Kind.EARLY)
    exposed_count = exposed.count()
    early_share = early.values("course").distinct().count() / exposed_count if exposed_count else 0
    early_per_month = 1 - (1 - early_share) ** (1 / 3)

    # The 3-month point: success, or a handover by the rule.
    succeeded = practice.filter(status=Status.SUCCEEDED).count()
    by_rule = (
        Handover.objects.filter(course__in=practice, kind=Handover.Kind.RULE)
        .values("course")
        .distinct()
        .count()
    )
    decided = succeeded + by_rule
    success = succeeded / decided if decided else 0.0

    # Hospital-track courses end at a constant monthly rate: ended / months in the track.
    months_in_track = 0.0
    ended = 0
    hospital_count = 0
    for start, closed in hospital.values_list("start_date", "closed_on"):
        hospital_count += 1
        end = closed or today
        months_in_track += max((end - start).days, 0) / DAYS_PER_MONTH
        ended += closed is not None
    end_rate = ended / months_in_track if months_in_track else 0.0
    end_per_month = 1 - math.exp(-end_rate)

    return [
        _choose("new_per_month", new_per_month, started),
        _choose("early_handover_per_month", early_per_month, exposed_count),
        _choose("success_at_3_months", success, decided),
        _choose("hospital_end_per_month", end_per_month, hospital_count),
    ]


def current_state(courses: QuerySet[Course]) -> dict[str, int]:
    """Where the patients are today: the forecast's starting point."""
    counts = courses.aggregate(
        practice=_count(Q(track=Track.PRACTICE, status__in=PRACTICE_OPEN)),
        waiting=_count(Q(track=Track.PRACTICE, status=Status.HANDOVER_PROPOSED)),
        hospital=_count(Q(track=Track.HOSPITAL, status__in=HOSPITAL_OPEN)),
    )
    return {
        "practice_caseload": counts["practice"] or 0,
        "waiting_list": counts["waiting"] or 0,
        "hospital_caseload": counts["hospital"] or 0,
    }


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


def flow_rates(
    estimates: list[Estimate], state: dict[str, int], *, slots_per_month: int | None
) -> FlowRates:
    values = {estimate.name: estimate.value for estimate in estimates}
    return FlowRates(
        new_per_month=values["new_per_month"],
        early_handover_per_month=values["early_handover_per_month"],
        success_at_3_months=values["success_at_3_months"],
        hospital_end_per_month=values["hospital_end_per_month"],
        hospital_slots_per_month=slots_per_month,
        **state,
    )


def estimates_payload(estimates: list[Estimate]) -> list[dict[str, Any]]:
    """The estimates as kept and shown: counts of 1-4 courses as "< 5" (small numbers are
    suppressed for everyone here: planners and the clinic are not the patients' practice)."""
    return [
        asdict(estimate) | {"count": suppress_count(estimate.count).text()}
        for estimate in estimates
    ]


def state_payload(state: dict[str, int]) -> dict[str, str]:
    """Today's counts as kept and shown, 1-4 as "< 5"."""
    return {name: suppress_count(count).text() for name, count in state.items()}
