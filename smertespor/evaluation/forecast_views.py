"""The forecast pages: the scenario form (starts a background job), the result with its
band chart, data table and CSV download. Aggregates only: no patient is shown or read."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from smertespor.entry.doors import performs
from smertespor.entry.forms import form_status
from smertespor.entry.rules import requires
from smertespor.evaluation.forecast_charts import band_chart
from smertespor.evaluation.forecast_forms import ForecastForm
from smertespor.evaluation.forecast_permissions import can_forecast
from smertespor.evaluation.forecast_tables import (
    csv_rows,
    estimate_rows,
    scenario_labels,
    summary_rows,
    table_rows,
)
from smertespor.evaluation.forecast_work import KIND, start_forecast
from smertespor.jobs.models import Job
from smertespor.jobs.selectors import job_for, recent_jobs


@login_required
@requires(can_forecast)
@require_http_methods(["GET", "POST"])
@performs(start_forecast)
def forecast_start(request: HttpRequest) -> HttpResponse:
    form = ForecastForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = start_forecast(user=request.user, **form.cleaned_data)
        return redirect("jobs:detail", job.pk)
    context = {"form": form, "jobs": recent_jobs(request.user, kind=KIND)}
    return render(request, "evaluation/forecast_start.html", context, status=form_status(form))


def _finished(request: HttpRequest, job_id: int) -> tuple[Job, dict[str, Any]] | HttpResponse:
    """The finished forecast and its result, or a redirect to its progress page."""
    job = job_for(request.user, job_id, kind=KIND)
    if job.status != Job.Status.DONE or not isinstance(job.result, dict):
        return redirect("jobs:detail", job.pk)
    return job, job.result


@login_required
@requires(can_forecast)
@require_GET
def forecast_result(request: HttpRequest, job_id: int) -> HttpResponse:
    finished = _finished(request, job_id)
    if isinstance(finished, HttpResponse):
        return finished
    job, result = finished
    context = {
        "job": job,
        "result": result,
        "estimates": estimate_rows(result),
        "summary": summary_rows(result),
        "table": table_rows(result),
        "chart": band_chart(result),
        "scenario_labels": scenario_labels(result),
    }
    return render(request, "evaluation/forecast_result.html", context)


@login_required
@requires(can_forecast)
@require_GET
def forecast_csv(request: HttpRequest, job_id: int) -> HttpResponse:
    finished = _finished(request, job_id)
    if isinstance(finished, HttpResponse):
        return finished
    job, result = finished
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="forecast-{job.pk}.csv"'
    writer = csv.writer(response)
    for row in csv_rows(result):
        writer.writerow(row)
    return response
