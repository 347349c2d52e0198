"""Starting background jobs and running them in the task worker (docs/jobs.md).

Another app registers a work function with `@work(kind=..., rule=..., result_url=...)` and
starts it with `start_job(kind, user, function, **params)`. The worker calls it as
``function(job=job, progress=progress, **params)``; ``progress(done, total, message)``
records how far it has come, raising `JobFailed` ends the job with a message for the user,
and what it returns (JSON) is kept as the job's result.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from smertespor.accounts.models import Requester
from smertespor.entry.rules import require
from smertespor.jobs.models import Job

logger = logging.getLogger(__name__)

Rule = Callable[[Requester], bool]


class Progress(Protocol):
    def __call__(self, done: int, total: int, message: str = "") -> None: ...


class JobFailed(Exception):
    """Raised by a work function: the job ends failed with this (translated) message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class WorkSpec:
    kind: str
    rule: Rule  # who may start the job and see it (within the organisation)
    result_url: str  # the URL name of the result page, taking the job's id


_WORK: dict[str, WorkSpec] = {}


def _path(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def work(*, kind: str, rule: Rule, result_url: str) -> Callable[[Callable[..., Any]], Any]:
    """Register a module-level function as the work of jobs of ``kind``."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        _WORK[_path(function)] = WorkSpec(kind=kind, rule=rule, result_url=result_url)
        return function

    return register


def spec_for(job: Job) -> WorkSpec:
    """The registration of a job's work (importing its module registers it)."""
    if job.work not in _WORK:
        import_string(job.work)
    return _WORK[job.work]


def start_job(kind: str, user: Requester, task: Callable[..., Any], **params: Any) -> Job:
    """Queue ``task`` for the worker as a job of ``user``'s organisation; the job row exists
    before the worker can see it (the task is enqueued when the transaction commits)."""
    spec = _WORK.get(_path(task))
    if spec is None or spec.kind != kind:
        raise ValueError(f"{_path(task)} is not registered as work of kind {kind!r}")
    starter = require(user, spec.rule, object_type="job")
    if starter.organisation_id is None:
        raise ValueError("A job belongs to an organisation; this user has none.")
    json.dumps(params)  # the parameters travel as JSON: refuse anything else here
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            work=_path(task),
            params=params,
            started_by=starter,
            organisation_id=starter.organisation_id,
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from smertespor.jobs.tasks import run_job

    result = run_job.enqueue(job_id)
    Job.objects.filter(pk=job_id).update(task_id=result.id)


def _progress(job_id: int) -> Progress:
    def progress(done: int, total: int, message: str = "") -> None:
        total = max(total, 0)
        done = min(max(done, 0), total)
        Job.objects.filter(pk=job_id).update(done=done, total=total, message=message[:200])

    return progress


def execute_job(job_id: int) -> None:
    """Run one queued job (in the worker): running, then done with its result or failed
    with a message in Danish. A job that is not queued is left alone (never run twice)."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.select_related("started_by", "organisation").get(pk=job_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            function = import_string(job.work)
            result = function(job=job, progress=_progress(job.pk), **job.params)
            json.dumps(result)
        except JobFailed as failure:
            _finish(job.pk, error=failure.message)
        except Exception:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            _finish(
                job.pk,
                error=_(
                    "The job stopped because of an unexpected error. It has been logged; "
                    "try again, and tell the support team if it happens again."
                ),
            )
        else:
            _finish(job.pk, result=result)


def _finish(job_id: int, *, result: Any = None, error: str = "") -> None:
    fields: dict[str, Any] = {"finished_at": timezone.now()}
    if error:
        fields |= {"status": Job.Status.FAILED, "error": error}
    else:
        job = Job.objects.get(pk=job_id)
        fields |= {"status": Job.Status.DONE, "result": result, "done": job.total}
    Job.objects.filter(pk=job_id).update(**fields)
