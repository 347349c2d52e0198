"""Recomputing a month's measures as a background job (docs/evaluation.md).

`start_measures` is the one action (page and API); `run_measures_job` is the work the task
worker runs: `compute_measures` with the job's progress, one step per measure.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from smertespor.accounts.models import Requester
from smertespor.entry.rules import require
from smertespor.evaluation.measures_permissions import can_compute_measures
from smertespor.evaluation.measures_services import compute_measures
from smertespor.jobs.models import Job
from smertespor.jobs.services import Progress, start_job, work

KIND = "measures"
FIRST_MONTH = datetime.date(2000, 1, 1)


def check_month(month: datetime.date) -> datetime.date:
    """The first day of ``month``; a month before 2000 or after this one is refused."""
    first = month.replace(day=1)
    if first < FIRST_MONTH or first > timezone.localdate().replace(day=1):
        raise ValidationError(_("Choose a month from January 2000 up to this month."), code="month")
    return first


def start_measures(*, user: Requester, month: datetime.date) -> Job:
    """Queue the recomputation of ``month``'s measures (planners and administrators)."""
    planner = require(user, can_compute_measures, object_type="measures")
    if planner.organisation_id is None:  # a job belongs to an organisation
        raise PermissionDenied
    first = check_month(month)
    return start_job(KIND, planner, run_measures_job, month=first.isoformat())


@work(kind=KIND, rule=can_compute_measures, result_url="evaluation:measures_result")
def run_measures_job(*, job: Job, progress: Progress, month: str) -> dict[str, Any]:
    first = datetime.date.fromisoformat(month)
    progress(0, 1, _("Reading the month's records"))

    def told(done: int, total: int, code: str) -> None:
        progress(done, total, _("Computed %(code)s") % {"code": code})

    report = compute_measures(first, progress=told)
    return {"month": month, "figures": report.figures, "measures": report.measures}
