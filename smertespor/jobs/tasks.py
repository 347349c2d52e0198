"""The one django-tasks task: run a job by its id (the work itself is in `Job.work`)."""

from django_tasks import task

from smertespor.jobs.services import execute_job


@task()
def run_job(job_id: int) -> None:
    execute_job(job_id)
