"""Screening reads: the latest run, counts per practice (suppressed for the region's view),
a practice's own counts, and a GP's flagged patients (which writes the audit rows)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from domain.suppression import Cell, column_total, suppress_column
from smertespor.accounts.models import Organisation, Requester, User
from smertespor.audit.services import record_listed
from smertespor.evaluation.screening_matching import listed_patients_by_pseudonym, pseudonym_for
from smertespor.evaluation.screening_models import (
    ScreeningFinding,
    ScreeningInvitation,
    ScreeningPracticeCount,
    ScreeningRun,
)
from smertespor.evaluation.screening_permissions import can_see_flagged_patients
from smertespor.patients.models import Patient

# The counted columns, in the order shown, with their headings.
COUNT_COLUMNS = (
    ("opioid_users", _("Opioid users")),
    ("long_term", _("Long-term use")),
    ("high_dose", _("High dose")),
    ("comedication", _("With benzodiazepine, z-drug or gabapentinoid")),
    ("several_prescribers", _("Several prescribers")),
    ("scheduled_short_acting", _("Short-acting on a schedule")),
    ("any_flag", _("Any flag")),
)


@dataclass(frozen=True)
class PracticeRow:
    provider_number: str
    name: str
    cells: list[Cell]


@dataclass(frozen=True)
class RegionTable:
    rows: list[PracticeRow]
    totals: list[Cell]


@dataclass(frozen=True)
class FlaggedPatient:
    finding: ScreeningFinding
    patient: Patient
    invitation: ScreeningInvitation | None


def latest_run() -> ScreeningRun | None:
    return ScreeningRun.objects.filter(status=ScreeningRun.Status.DONE).first()


def region_table(run: ScreeningRun) -> RegionTable:
    """Every practice's counts, each column suppressed with its total (domain.suppression)."""
    counts = list(ScreeningPracticeCount.objects.filter(run=run).order_by("provider_number"))
    names = dict(
        Organisation.objects.filter(
            provider_number__in=[c.provider_number for c in counts]
        ).values_list("provider_number", "name")
    )
    columns = []
    totals = []
    for field, _label in COUNT_COLUMNS:
        values = [getattr(count, field) for count in counts]
        columns.append(suppress_column(values))
        totals.append(column_total(values))
    rows = [
        PracticeRow(
            count.provider_number, names.get(count.provider_number, ""), [c[i] for c in columns]
        )
        for i, count in enumerate(counts)
    ]
    return RegionTable(rows=rows, totals=totals)


def practice_counts(run: ScreeningRun, practice: Organisation) -> list[int] | None:
    """The practice's own counts, unsuppressed (they are its own patients)."""
    count = ScreeningPracticeCount.objects.filter(
        run=run, provider_number=practice.provider_number
    ).first()
    return None if count is None else [getattr(count, field) for field, _label in COUNT_COLUMNS]


def flagged_patients_for(user: Requester, run: ScreeningRun) -> list[FlaggedPatient]:
    """The GP's own practice's flagged persons that match a patient listed there; each shown
    patient gets a `listed` audit row."""
    if not can_see_flagged_patients(user) or not isinstance(user, User):
        raise PermissionDenied
    practice = user.organisation
    assert practice is not None  # noqa: S101 - practice staff have an organisation
    by_pseudonym = listed_patients_by_pseudonym(practice)
    findings = ScreeningFinding.objects.filter(
        run=run, provider_number=practice.provider_number, person_id__in=list(by_pseudonym)
    )
    invitations = {
        inv.finding_id: inv
        for inv in ScreeningInvitation.objects.filter(finding__run=run, practice=practice)
    }
    out = [FlaggedPatient(f, by_pseudonym[f.person_id], invitations.get(f.pk)) for f in findings]
    out.sort(key=lambda row: row.patient.name)
    record_listed(
        user=user,
        patients=[row.patient for row in out],
        object_type="screening_findings",
        detail={"run": run.pk},
    )
    return out


def finding_for(user: Requester, finding_id: object, patient: Patient) -> ScreeningFinding:
    """A finding of the GP's own practice that matches `patient`; anything else is 404."""
    if not can_see_flagged_patients(user) or not isinstance(user, User):
        raise PermissionDenied
    practice = user.organisation
    assert practice is not None  # noqa: S101 - practice staff have an organisation
    try:
        return ScreeningFinding.objects.get(
            pk=int(str(finding_id)),
            provider_number=practice.provider_number,
            person_id=pseudonym_for(patient.cpr),
        )
    except (ValueError, ScreeningFinding.DoesNotExist):
        raise Http404 from None
