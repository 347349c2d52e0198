"""Every screening operation that changes something, written once for the pages and the API:
who may do it, then the service that does it (docs/screening.md).

- `upload_extract`: validate and store a dispensing extract in the request (a refused file
  stores nothing and comes back with its report), then queue its screening as a job.
- `invite`: the practice's GP invites a flagged patient of their own to the practice track.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile

from smertespor.accounts.models import Requester
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.rules import require
from smertespor.evaluation.screening_import import ImportReport, import_extract
from smertespor.evaluation.screening_models import ScreeningInvitation
from smertespor.evaluation.screening_permissions import can_invite, can_upload_extracts
from smertespor.evaluation.screening_selectors import finding_for
from smertespor.evaluation.screening_services import invite_to_practice_track
from smertespor.evaluation.screening_work import start_screening
from smertespor.jobs.models import Job
from smertespor.patients.access import patient_for_change

_SUFFIXES = {".csv", ".parquet"}


@dataclass(frozen=True)
class Upload:
    report: ImportReport  # accepted: report.extract is stored
    job: Job | None  # the queued screening of an accepted extract


def upload_extract(*, user: Requester, upload: UploadedFile) -> Upload:
    """Validate and store an extract (all or nothing); queue its screening when accepted."""
    uploader = require(user, can_upload_extracts, object_type="dispensing_extract")
    if uploader.organisation_id is None:  # a job belongs to an organisation
        raise PermissionDenied
    name = upload.name or ""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix if suffix in _SUFFIXES else ''}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        report = import_extract(path=path, original_name=name, by=uploader)
    if report.extract is None:
        return Upload(report=report, job=None)
    job = start_screening(uploader, report.extract)
    record_event(
        user=uploader,
        action=AuditAction.CREATE,
        object_type="dispensing_extract",
        object_id=str(report.extract.pk),
        detail={"rows": report.extract.rows, "job": job.pk},
    )
    return Upload(report=report, job=job)


def invite(*, user: Requester, finding_id: object, patient_id: object) -> ScreeningInvitation:
    """Invite the GP's own flagged, matched patient (404 for anyone else's)."""
    gp = require(user, can_invite, object_type="screening_invitation")
    patient = patient_for_change(gp, patient_id, object_type="screening_invitation")
    finding = finding_for(gp, finding_id, patient)
    return invite_to_practice_track(by=gp, finding=finding, patient=patient)
