"""The forecast API: start a forecast (a background job, 202) and read it, with its progress
and, once done, its result (the same JSON the page draws). Same action as the page."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from smertespor.entry.doors import performs
from smertespor.entry.rules import require
from smertespor.entry.schemas import Id
from smertespor.evaluation.forecast_forms import LIMITS
from smertespor.evaluation.forecast_permissions import can_forecast
from smertespor.evaluation.forecast_work import KIND, start_forecast
from smertespor.evaluation.job_schemas import JobOut
from smertespor.jobs.models import Job
from smertespor.jobs.selectors import job_for

router = Router(tags=["evaluation"])


def _bounded(name: str) -> Any:
    low, high = LIMITS[name]
    return Annotated[int, Field(ge=low, le=high)]


class ForecastIn(Schema):
    slots_per_month: _bounded("slots_per_month")  # type: ignore[valid-type]
    success_points: _bounded("success_points") = 10  # type: ignore[valid-type]
    early_handover_cut_percent: _bounded("early_handover_cut_percent") = 50  # type: ignore[valid-type]
    extra_slots: _bounded("extra_slots") = 5  # type: ignore[valid-type]
    runs: _bounded("runs") = 1000  # type: ignore[valid-type]
    seed: _bounded("seed") = 1  # type: ignore[valid-type]


@router.post("/forecast", response={202: JobOut}, url_name="evaluation_forecast_start")
@performs(start_forecast)
def start(request: HttpRequest, payload: ForecastIn) -> Status[Job]:
    """Queue a forecast of the next 24 months for your clinic (clinic staff) or your region
    (planners); follow it at ``GET /evaluation/forecast/{id}``."""
    require(request.user, can_forecast)
    return Status(202, start_forecast(user=request.user, **payload.dict()))


@router.get("/forecast/{job_id}", response=JobOut, url_name="evaluation_forecast_detail")
def detail(request: HttpRequest, job_id: Id) -> Job:
    """A forecast of your organisation: status, progress, the error in Danish if it failed,
    and the bands (10th/50th/90th percentile per month and scenario) once done."""
    require(request.user, can_forecast)
    return job_for(request.user, job_id, kind=KIND)
