"""A job's page, and the progress partial it polls (htmx) until the job has finished."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from smertespor.jobs.models import Job
from smertespor.jobs.selectors import job_for
from smertespor.jobs.services import spec_for


def _context(job: Job) -> dict[str, object]:
    result_url = reverse(spec_for(job).result_url, args=[job.pk]) if job.is_finished else ""
    return {"job": job, "result_url": result_url}


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_for(request.user, job_id)
    return render(request, "jobs/job_detail.html", _context(job))


@login_required
@require_GET
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_for(request.user, job_id)
    return render(request, "jobs/_progress.html", _context(job))
