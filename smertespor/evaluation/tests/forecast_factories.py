"""A finished forecast job, for tests that need one to look at (the access matrix)."""

from smertespor.accounts.models import User
from smertespor.evaluation.forecast_work import KIND, run_forecast
from smertespor.jobs.models import Job

PARAMS = {
    "runs": 100,
    "seed": 1,
    "months": 24,
    "slots_per_month": 10,
    "success_points": 10,
    "early_handover_cut_percent": 50,
    "extra_slots": 5,
}


def finished_forecast(by: User) -> Job:
    """A forecast of ``by``'s organisation, run here (not in the worker) and stored done."""
    assert by.organisation is not None
    job = Job.objects.create(
        kind=KIND,
        work="smertespor.evaluation.forecast_work.run_forecast",
        params=PARAMS,
        started_by=by,
        organisation=by.organisation,
    )
    result = run_forecast(job=job, progress=lambda done, total, message="": None, **PARAMS)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, result=result, done=6, total=6)
    job.refresh_from_db()
    return job
