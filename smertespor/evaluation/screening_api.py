"""Screening over the API (mounted at /api/evaluation/screening), with the pages' access and
actions: planners and administrators the region's suppressed counts and the upload of an
extract (screened as a background job), practice staff their own practice's counts, a
practice's GPs their flagged patients (audited as listed) and the invitation."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, UploadedFile
from ninja.responses import Status

from smertespor.entry.doors import performs
from smertespor.entry.problems import MEDIA_TYPE, problem
from smertespor.entry.rules import require
from smertespor.entry.schemas import Id
from smertespor.evaluation import screening_actions as actions
from smertespor.evaluation.job_schemas import JobOut
from smertespor.evaluation.screening_import import ImportReport
from smertespor.evaluation.screening_permissions import (
    can_see_flagged_patients,
    can_see_practice_counts,
    can_see_region_counts,
    can_see_screening,
    can_upload_extracts,
)
from smertespor.evaluation.screening_selectors import (
    COUNT_COLUMNS,
    flagged_patients_for,
    latest_run,
    practice_counts,
    region_table,
)
from smertespor.evaluation.screening_work import KIND
from smertespor.jobs.models import Job
from smertespor.jobs.selectors import job_for

router = Router(tags=["evaluation"])


class ScreeningRunOut(Schema):
    id: int
    extract: str
    first_date: str
    last_date: str
    conversion_table: str
    opioid_users: int
    settings: dict[str, Any]


class PracticeCountsOut(Schema):
    provider_number: str
    name: str
    counts: dict[str, str]  # a number, "< 5" or "*" (suppressed) for the region's view


class ScreeningCountsOut(Schema):
    run: ScreeningRunOut | None
    practices: list[PracticeCountsOut]
    totals: dict[str, str] | None


class FlaggedPatientOut(Schema):
    patient_id: str
    name: str
    longest_era_days: int
    max_daily_omeq: str | None
    flags: list[str]
    invited_at: str | None


def _run_out(run: Any) -> dict[str, Any]:
    return {
        "id": run.pk,
        "extract": run.extract.original_name,
        "first_date": run.extract.first_date.isoformat(),
        "last_date": run.extract.last_date.isoformat(),
        "conversion_table": run.conversion_table,
        "opioid_users": run.opioid_users,
        "settings": run.settings,
    }


@router.get("/counts", response=ScreeningCountsOut, url_name="screening_counts")
def get_counts(request: HttpRequest) -> dict[str, Any]:
    """The latest run's counts: every practice (suppressed) or the user's own (unsuppressed)."""
    user = require(request.user, can_see_screening, object_type="screening")
    run = latest_run()
    if run is None:
        return {"run": None, "practices": [], "totals": None}
    fields = [field for field, _label in COUNT_COLUMNS]
    if can_see_region_counts(user):
        table = region_table(run)
        return {
            "run": _run_out(run),
            "practices": [
                {
                    "provider_number": row.provider_number,
                    "name": row.name,
                    "counts": {f: c.text() for f, c in zip(fields, row.cells, strict=True)},
                }
                for row in table.rows
            ],
            "totals": {f: c.text() for f, c in zip(fields, table.totals, strict=True)},
        }
    practices = []
    if can_see_practice_counts(user) and user.organisation is not None:
        own = practice_counts(run, user.organisation)
        if own is not None:
            practices.append(
                {
                    "provider_number": user.organisation.provider_number,
                    "name": user.organisation.name,
                    "counts": {f: str(v) for f, v in zip(fields, own, strict=True)},
                }
            )
    return {"run": _run_out(run), "practices": practices, "totals": None}


@router.get("/patients", response=list[FlaggedPatientOut], url_name="screening_patients")
def get_flagged_patients(request: HttpRequest) -> list[dict[str, Any]]:
    """The GP's own flagged patients in the latest run, matched by pseudonym."""
    user = require(request.user, can_see_flagged_patients, object_type="screening_findings")
    run = latest_run()
    if run is None:
        return []
    rows = flagged_patients_for(user, run)
    flag_names = (
        "is_long_term",
        "is_high_dose",
        "has_comedication",
        "has_several_prescribers",
        "has_scheduled_short_acting",
    )
    return [
        {
            "patient_id": str(row.patient.pk),
            "name": row.patient.name,
            "longest_era_days": row.finding.longest_era_days,
            "max_daily_omeq": None
            if row.finding.max_daily_omeq is None
            else str(row.finding.max_daily_omeq),
            "flags": [name for name in flag_names if getattr(row.finding, name)],
            "invited_at": row.invitation.invited_at.isoformat() if row.invitation else None,
        }
        for row in rows
    ]


class DispensingExtractOut(Schema):
    id: int
    original_name: str
    rows: int
    first_date: str
    last_date: str


class ExtractUploadOut(Schema):
    extract: DispensingExtractOut
    job: JobOut  # the screening; follow it at GET /screening/jobs/{id} or the page /jobs/{id}/


class ScreeningInviteIn(Schema):
    patient_id: str


class ScreeningInvitationOut(Schema):
    id: int
    finding_id: int
    patient_id: str
    invited_at: str


def _refused(report: ImportReport) -> HttpResponse:
    """The 422 problem of a refused file: every listed problem with its row and column."""
    errors = [
        {
            "field": p.column or None,
            "code": "bad_row" if p.row is not None else "bad_file",
            "message": p.problem
            if p.row is None
            else _("Row %(row)s: %(problem)s") % {"row": p.row, "problem": p.problem},
        }
        for p in report.problems
    ]
    detail = (
        _("The file was refused: %(rows)s bad rows (%(problems)s problems). Nothing was stored.")
        % {"rows": report.bad_rows, "problems": report.total_problems}
        if report.bad_rows
        else _("The file was refused. Nothing was stored.")
    )
    body = problem(422, detail, errors)
    body |= {"bad_rows": report.bad_rows, "total_problems": report.total_problems}
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=422,
        content_type=MEDIA_TYPE,
    )


@router.post("/extracts", response={202: ExtractUploadOut}, url_name="screening_extracts_create")
@performs(actions.upload_extract)
def upload_extract(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Upload a dispensing extract (multipart/form-data, ``file``: CSV in UTF-8 or Parquet with
    exactly the columns of docs/screening.md). A file with any bad row is refused whole (422,
    every problem listed with its row; nothing is stored). An accepted file is stored and
    screened in the background: the answer (202) is the extract and the screening job."""
    upload = actions.upload_extract(user=request.user, upload=file)
    extract = upload.report.extract
    if extract is None or upload.job is None:
        return _refused(upload.report)
    return Status(
        202,
        {
            "extract": {
                "id": extract.pk,
                "original_name": extract.original_name,
                "rows": extract.rows,
                "first_date": extract.first_date.isoformat(),
                "last_date": extract.last_date.isoformat(),
            },
            "job": upload.job,
        },
    )


@router.post(
    "/findings/{finding_id}/invite",
    response={201: ScreeningInvitationOut},
    url_name="screening_invite_api",
)
@performs(actions.invite)
def invite(
    request: HttpRequest, finding_id: Id, payload: ScreeningInviteIn
) -> Status[dict[str, Any]]:
    """The practice's GP invites a flagged patient of their own (matched by pseudonym) to the
    practice track; the practice's staff are told to book the visit. Anyone else's finding or
    patient is 404; a second invitation is 422."""
    invitation = actions.invite(
        user=request.user, finding_id=finding_id, patient_id=payload.patient_id
    )
    return Status(
        201,
        {
            "id": invitation.pk,
            "finding_id": invitation.finding_id,
            "patient_id": str(invitation.patient_id),
            "invited_at": invitation.invited_at.isoformat(),
        },
    )


@router.get("/jobs/{job_id}", response=JobOut, url_name="screening_job")
def screening_job(request: HttpRequest, job_id: Id) -> Job:
    """A screening of your organisation: status, progress, the error in Danish if it failed,
    and once done the run's id and its number of opioid users and findings."""
    require(request.user, can_upload_extracts, object_type="job")
    return job_for(request.user, job_id, kind=KIND)
