"""Screening results over the API (mounted at /api/evaluation/screening), with the pages'
access: planners and administrators the region's suppressed counts, practice staff their own
practice's counts, a practice's GPs their flagged patients (audited as listed)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from smertespor.entry.rules import require
from smertespor.evaluation.screening_permissions import (
    can_see_flagged_patients,
    can_see_practice_counts,
    can_see_region_counts,
    can_see_screening,
)
from smertespor.evaluation.screening_selectors import (
    COUNT_COLUMNS,
    flagged_patients_for,
    latest_run,
    practice_counts,
    region_table,
)

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
