"""The one way to fetch a job: only within the user's organisation, only for its role."""

from django.http import Http404

from smertespor.accounts.models import Requester
from smertespor.entry.rules import logged_in, require
from smertespor.jobs.models import Job
from smertespor.jobs.services import spec_for


def job_for(user: Requester, job_id: int, *, kind: str | None = None) -> Job:
    """The job, if it belongs to the user's organisation (404 otherwise, saying nothing about
    it) and the user's role may see jobs of its kind (403)."""
    member = logged_in(user)
    if member.organisation_id is None:
        raise Http404
    jobs = Job.objects.filter(pk=job_id, organisation_id=member.organisation_id)
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    job = jobs.select_related("started_by").first()
    if job is None:
        raise Http404
    require(user, spec_for(job).rule, object_type="job", object_id=str(job.pk))
    return job


def recent_jobs(user: Requester, *, kind: str, limit: int = 10) -> list[Job]:
    member = logged_in(user)
    if member.organisation_id is None:
        return []
    return list(
        Job.objects.filter(organisation_id=member.organisation_id, kind=kind)
        .select_related("started_by")
        .order_by("-created_at", "-pk")[:limit]
    )
