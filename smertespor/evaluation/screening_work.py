"""Screening as a background job: the pipeline on a stored extract, with its progress.

The upload validates and stores the extract in the request (so a refused file's report shows
at once); `run_screening_job` is what the task worker then runs (docs/screening.md).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smertespor.accounts.models import User
from smertespor.evaluation.screening_models import DispensingExtract
from smertespor.evaluation.screening_permissions import can_upload_extracts
from smertespor.evaluation.screening_services import run_screening
from smertespor.jobs.models import Job
from smertespor.jobs.services import JobFailed, Progress, start_job, work

KIND = "screening"
# The pipeline's steps (domain.screening reports them in English) as the user reads them.
_STEPS = {
    "reading": gettext_noop("Reading the extract"),
    "periods": gettext_noop("Finding the treatment periods"),
    "flags": gettext_noop("Finding the patients to look at"),
    "periods out": gettext_noop("Collecting the periods"),
    "done": gettext_noop("Storing the counts and findings"),
}


def start_screening(user: User, extract: DispensingExtract) -> Job:
    """Queue the screening of a stored extract (planners and administrators)."""
    return start_job(KIND, user, run_screening_job, extract_id=extract.pk)


@work(kind=KIND, rule=can_upload_extracts, result_url="evaluation:screening_result")
def run_screening_job(*, job: Job, progress: Progress, extract_id: int) -> dict[str, Any]:
    extract = DispensingExtract.objects.filter(pk=extract_id).first()
    if extract is None:
        raise JobFailed(_("The extract is no longer stored. Upload it again."))

    def told(done: int, total: int, message: str) -> None:
        if done >= total:
            progress(done, total, _("Done"))
        else:
            progress(done, total, _(_STEPS[message]) if message in _STEPS else message)

    run = run_screening(extract, progress=told, by=job.started_by)
    return {
        "run": run.pk,
        "extract": extract.pk,
        "rows_read": run.rows_read,
        "opioid_users": run.opioid_users,
        "findings": run.findings.count(),
    }
