"""The measures' endpoints: the same figures, access and suppression as the pages, and the
recomputation of a month as a background job (planners and administrators)."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from smertespor.entry.doors import performs
from smertespor.entry.rules import require
from smertespor.entry.schemas import Id
from smertespor.evaluation import measures_selectors as selectors
from smertespor.evaluation.job_schemas import JobOut
from smertespor.evaluation.measures_pages import MeasureRow, overview_rows
from smertespor.evaluation.measures_permissions import (
    can_compute_measures,
    can_see_measure_dashboards,
    can_see_region_measures,
    is_own_practice,
)
from smertespor.evaluation.measures_schemas import PracticeMeasuresOut, RegionMeasuresOut
from smertespor.evaluation.measures_tables import as_json, month_label
from smertespor.evaluation.measures_work import KIND, start_measures
from smertespor.jobs.models import Job
from smertespor.jobs.selectors import job_for

MONTH = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"  # year 0 is no date (a 500 found by make fuzz)


class MeasuresComputeIn(Schema):
    month: str = Field(pattern=MONTH, description="YYYY-MM, from 2000-01 up to this month")


def _month(region_id: int, text: str | None) -> datetime.date | None:
    """The month asked for (404 when it has no figures), or the newest."""
    month = selectors.chosen_month(region_id, text)
    if text and (month is None or month_label(month) != text):
        raise Http404
    return month


def _figures(rows: list[MeasureRow], *, with_practice: bool) -> list[dict[str, object]]:
    return [
        {
            "code": row.measure.code,
            "title": row.title,
            "unit": row.measure.unit.value,
            "higher_is_better": row.measure.higher_is_better,
            "region": as_json(row.region),
            "practice": as_json(row.mine) if with_practice and row.mine else None,
        }
        for row in rows
    ]


def add_measure_endpoints(router: Router) -> None:
    @router.get("/measures/region", response=RegionMeasuresOut, url_name="measures_region_api")
    def region_measures(
        request: HttpRequest, month: str | None = Query(None, pattern=MONTH)
    ) -> dict[str, object]:
        """Every measure for the user's region in a month (default the newest), suppressed:
        counts of 1-4 as "< 5", rates hidden under the minimum denominator."""
        user = require(request.user, can_see_region_measures, object_type="measures")
        if user.organisation is None:
            raise Http404
        region_id = user.organisation.region_id
        chosen = _month(region_id, month)
        rows = overview_rows(region_id, chosen) if chosen else []
        return {
            "month": month_label(chosen) if chosen else None,
            "measures": _figures(rows, with_practice=False),
        }

    @router.get(
        "/measures/practices/{practice_id}",
        response=PracticeMeasuresOut,
        url_name="measures_practice_api",
    )
    def practice_measures(
        request: HttpRequest, practice_id: Id, month: str | None = Query(None, pattern=MONTH)
    ) -> dict[str, object]:
        """One practice's measures against the region: in full for the practice's own staff,
        suppressed for planners; any other practice is not found."""
        user = require(request.user, can_see_region_measures, object_type="measures")
        own = is_own_practice(user, practice_id)
        if not own and not can_see_measure_dashboards(user):
            raise Http404
        if user.organisation is None:
            raise Http404
        region_id = user.organisation.region_id
        practice = selectors.region_practices(region_id).filter(pk=practice_id).first()
        if practice is None:
            raise Http404
        chosen = _month(region_id, month)
        rows = (
            overview_rows(region_id, chosen, organisation_id=practice.pk, full=own)
            if chosen
            else []
        )
        return {
            "month": month_label(chosen) if chosen else None,
            "practice": {"id": practice.pk, "name": practice.name},
            "measures": _figures(rows, with_practice=True),
        }

    @router.post("/measures/compute", response={202: JobOut}, url_name="measures_compute_api")
    @performs(start_measures)
    def compute(request: HttpRequest, payload: MeasuresComputeIn) -> Status[Job]:
        """Recompute every measure for a month in the background, replacing its figures (the
        same as the nightly run); follow it at ``GET /evaluation/measures/jobs/{id}``."""
        month = datetime.datetime.strptime(payload.month, "%Y-%m").date()  # noqa: DTZ007
        return Status(202, start_measures(user=request.user, month=month))

    @router.get("/measures/jobs/{job_id}", response=JobOut, url_name="measures_job_api")
    def compute_job(request: HttpRequest, job_id: Id) -> Job:
        """A recomputation of your organisation: status, progress, and once done the month
        and the number of figures stored."""
        require(request.user, can_compute_measures, object_type="job")
        return job_for(request.user, job_id, kind=KIND)
