"""Work functions the job tests run (registered like any app's work)."""

from typing import Any

from smertespor.jobs.models import Job
from smertespor.jobs.services import JobFailed, Progress, work
from smertespor.tracks.permissions import CLINIC_CLINICIANS, is_clinic_staff


def is_clinic_clinician(user: Any) -> bool:
    return is_clinic_staff(user) and user.role in CLINIC_CLINICIANS


@work(kind="test-count", rule=is_clinic_clinician, result_url="jobs:detail")
def count_to(*, job: Job, progress: Progress, steps: int) -> dict[str, Any]:
    """Counts to `steps`, reading back after each step what the job row says."""
    seen = []
    for step in range(1, steps + 1):
        progress(step, steps, f"step {step}")
        row = Job.objects.get(pk=job.pk)
        seen.append([row.status, row.done, row.total, row.message])
    return {"counted": steps, "seen": seen}


@work(kind="test-fail", rule=is_clinic_clinician, result_url="jobs:detail")
def refuse(*, job: Job, progress: Progress, reason: str) -> None:
    progress(1, 4, "halfway")
    raise JobFailed(reason)


@work(kind="test-crash", rule=is_clinic_clinician, result_url="jobs:detail")
def crash(*, job: Job, progress: Progress) -> None:
    raise RuntimeError("a programming error with internals the user must not see")
