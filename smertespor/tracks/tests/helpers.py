"""Small helpers for the tracks tests: Danish dates, enrolment and visits via the services."""

from contextlib import AbstractContextManager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from smertespor.accounts.models import Organisation, User
from smertespor.patients.models import Patient
from smertespor.tracks.follow_ups import record_follow_up
from smertespor.tracks.models import Course, FollowUp
from smertespor.tracks.services import enrol_in_practice_track

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def on(day: date, at: time = time(12, 0)) -> AbstractContextManager[Any]:
    """Travel to `day` at noon in Denmark (time stands still)."""
    return time_machine.travel(datetime.combine(day, at, tzinfo=COPENHAGEN), tick=False)


def enrol(
    gp: User,
    patient: Patient,
    clinic: Organisation,
    start: date,
    *,
    today: date | None = None,
    **overrides: Any,
) -> Course:
    """Enrol via the service, on `today` (default: the start date)."""
    arguments: dict[str, Any] = {
        "patient": patient,
        "by": gp,
        "start_date": start,
        "clinic_id": clinic.pk,
        "baseline_peg": (6, 6, 6),
        "baseline_nrs": 6,
        "goal_kind": "target",
        "goal_target_mg_per_day": Decimal(30),
        "follow_up_interval_days": 28,
        "baseline_omeq_mg_per_day": Decimal(60),
    }
    arguments.update(overrides)
    with on(today or start):
        return enrol_in_practice_track(**arguments)


def visit(
    by: User,
    course: Course,
    day: date,
    mg: int | str,
    *,
    recorded: date | None = None,
    **scores: Any,
) -> FollowUp:
    """A visit on `day`, recorded that day or on `recorded` (OMEQ entered: no list)."""
    course.refresh_from_db()
    with on(recorded or day):
        return record_follow_up(
            course=course,
            by=by,
            expected_version=course.version,
            visit_on=day,
            omeq_mg_per_day=Decimal(mg),
            **scores,
        )
