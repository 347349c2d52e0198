"""Screening writes: run the pipeline on a stored extract, and invite a matched patient.

`run_screening(dataset, settings, progress=None)` is what the command runs directly and what a
background job will run later; `progress(done, total, message)` is told how far it got.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

import pandas as pd  # type: ignore[import-untyped]
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from domain.screening import Flag, ScreeningSettings, counts_per_practice, result_checksum, screen
from smertespor.accounts.models import Role, User
from smertespor.audit.services import AuditAction, record_event
from smertespor.evaluation.screening_import import extract_path
from smertespor.evaluation.screening_matching import pseudonym_for
from smertespor.evaluation.screening_models import (
    DispensingExtract,
    ScreeningFinding,
    ScreeningInvitation,
    ScreeningPracticeCount,
    ScreeningRun,
)
from smertespor.evaluation.screening_permissions import can_invite
from smertespor.medication.table_selectors import active_table_version, domain_table
from smertespor.notifications.services import notify
from smertespor.patients.models import Patient

Progress = Callable[[int, int, str], None]
_BATCH = 5000
_COUNT_FIELDS = {
    "opioid_users": "opioid_users",
    "long_term": Flag.LONG_TERM.value,
    "high_dose": Flag.HIGH_DOSE.value,
    "comedication": Flag.COMEDICATION.value,
    "several_prescribers": Flag.SEVERAL_PRESCRIBERS.value,
    "scheduled_short_acting": Flag.SCHEDULED_SHORT_ACTING.value,
    "any_flag": "any_flag",
}


def settings_as_json(settings: ScreeningSettings) -> dict[str, object]:
    return {
        name: str(value) if isinstance(value, Decimal) else value
        for name, value in dataclasses.asdict(settings).items()
    }


def run_screening(
    dataset: DispensingExtract,
    settings: ScreeningSettings | None = None,
    progress: Progress | None = None,
    *,
    by: User | None = None,
) -> ScreeningRun:
    """Screen a stored extract with the region's active conversion table; store the counts
    per practice and one finding per flagged person."""
    settings = settings or ScreeningSettings()
    report = progress or (lambda done, total, message: None)
    table = domain_table(active_table_version())
    run = ScreeningRun.objects.create(
        extract=dataset,
        status=ScreeningRun.Status.RUNNING,
        settings=settings_as_json(settings),
        conversion_table=f"{table.id} {table.version}",
        started_by=by,
        started_at=timezone.now(),
    )
    try:
        result = screen(
            extract_path(dataset),
            table,
            settings,
            progress=lambda done, total, message: report(done, total + 1, message),
        )
        persons = result.persons
        counts = counts_per_practice(persons)
        flagged = persons[persons[[flag.value for flag in Flag]].any(axis=1)]
        with transaction.atomic():
            ScreeningPracticeCount.objects.bulk_create(
                ScreeningPracticeCount(
                    run=run,
                    provider_number=row["provider_number"],
                    **{name: int(row[column]) for name, column in _COUNT_FIELDS.items()},
                )
                for row in counts.to_dict("records")
            )
            ScreeningFinding.objects.bulk_create(
                (_finding(run, row) for row in flagged.to_dict("records")), batch_size=_BATCH
            )
            run.status = ScreeningRun.Status.DONE
            run.rows_read = result.rows_read
            run.rows_screened = result.rows_screened
            run.opioid_users = len(persons)
            run.checksum = result_checksum(result)
            run.finished_at = timezone.now()
            run.save()
    except Exception as error:
        run.status = ScreeningRun.Status.FAILED
        run.error = str(error)[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    report(5, 5, "done")
    return run


def _finding(run: ScreeningRun, row: dict[str, object]) -> ScreeningFinding:
    dose = row["max_daily_omeq_centi"]
    return ScreeningFinding(
        run=run,
        person_id=str(row["person_id"]),
        provider_number=str(row["provider_number"]),
        longest_era_days=int(str(row["longest_era_days"])),
        max_daily_omeq=None if pd.isna(dose) else Decimal(int(str(dose))) / 100,
        **{flag.value: bool(row[flag.value]) for flag in Flag},
    )


def invite_to_practice_track(
    *, by: User, finding: ScreeningFinding, patient: Patient
) -> ScreeningInvitation:
    """The practice's GP invites a flagged patient of their own to the practice track: the
    invitation is recorded and audited, and the practice's staff are told to book the visit
    where the GP starts the course (tracks: enrol_in_practice_track)."""
    practice = by.organisation
    if not can_invite(by) or practice is None:
        raise PermissionDenied
    if (
        patient.listed_practice_id != practice.pk
        or finding.provider_number != practice.provider_number
        or finding.person_id != pseudonym_for(patient.cpr)
    ):
        raise PermissionDenied
    with transaction.atomic():
        try:
            with transaction.atomic():
                invitation = ScreeningInvitation.objects.create(
                    finding=finding,
                    patient=patient,
                    practice=practice,
                    invited_by=by,
                    invited_at=timezone.now(),
                )
        except IntegrityError:
            raise ValidationError(_("This patient has already been invited.")) from None
        record_event(
            user=by,
            action=AuditAction.CREATE,
            object_type="screening_invitation",
            object_id=str(invitation.pk),
            patient=patient,
            detail={"run": finding.run_id, "finding": finding.pk},
        )
        staff = User.objects.filter(
            organisation=practice, role__in=[Role.GP, Role.PRACTICE_NURSE], is_active=True
        )
        notify(
            list(staff),
            kind="screening_invitation",
            text=gettext_noop(
                "A patient found by screening was invited to the practice track: book the visit "
                "where the course starts."
            ),
            url=reverse("tracks:patient_courses", args=[patient.pk]),
            email=False,
        )
    return invitation
