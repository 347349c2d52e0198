"""Screening pages: the region's counts per practice (planners, administrators), a practice's
own counts and, for its GPs, their flagged patients with the invitation; the upload page."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.rules import require
from smertespor.evaluation.screening_import import import_extract
from smertespor.evaluation.screening_matching import matching_enabled
from smertespor.evaluation.screening_permissions import (
    can_invite,
    can_see_flagged_patients,
    can_see_practice_counts,
    can_see_region_counts,
    can_see_screening,
    can_upload_extracts,
)
from smertespor.evaluation.screening_selectors import (
    COUNT_COLUMNS,
    finding_for,
    flagged_patients_for,
    latest_run,
    practice_counts,
    region_table,
)
from smertespor.evaluation.screening_services import invite_to_practice_track, run_screening
from smertespor.patients.access import patient_for_change


class ExtractForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Dispensing extract (CSV or Parquet)"))


@login_required
@require_GET
def screening(request: HttpRequest) -> HttpResponse:
    user = require(request.user, can_see_screening, object_type="screening")
    run = latest_run()
    context: dict[str, object] = {"run": run, "columns": [label for _f, label in COUNT_COLUMNS]}
    if run is not None:
        if can_see_region_counts(user):
            context["region"] = region_table(run)
        if can_see_practice_counts(user) and user.organisation is not None:
            context["own_counts"] = practice_counts(run, user.organisation)
        if can_see_flagged_patients(user):
            context["flagged"] = flagged_patients_for(user, run)
            context["matching_enabled"] = matching_enabled()
    context["can_upload"] = can_upload_extracts(user)
    return render(request, "evaluation/screening_overview.html", context)


@login_required
@require_GET
def screening_csv(request: HttpRequest) -> HttpResponse:
    """The region's table as CSV, suppressed exactly as on the page."""
    user = require(request.user, can_see_region_counts, object_type="screening")
    run = latest_run()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="screening-practices.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [_("Provider number"), _("Practice"), *[str(label) for _f, label in COUNT_COLUMNS]]
    )
    if run is not None:
        table = region_table(run)
        for row in table.rows:
            writer.writerow([row.provider_number, row.name, *[c.text() for c in row.cells]])
        writer.writerow([_("Total"), "", *[c.text() for c in table.totals]])
    record_event(user=user, action=AuditAction.EXPORT, object_type="screening_counts")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def screening_upload(request: HttpRequest) -> HttpResponse:
    user = require(request.user, can_upload_extracts, object_type="dispensing_extract")
    form = ExtractForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix if suffix in {'.csv', '.parquet'} else ''}"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            report = import_extract(path=path, original_name=upload.name, by=user)
        if report.extract is not None:
            run = run_screening(report.extract, by=user)
            record_event(
                user=user,
                action=AuditAction.CREATE,
                object_type="dispensing_extract",
                object_id=str(report.extract.pk),
                detail={"rows": report.extract.rows, "run": run.pk},
            )
            messages.success(
                request,
                _("The extract was imported (%(rows)s rows) and screened.")
                % {"rows": report.extract.rows},
            )
            return redirect("evaluation:screening")
    status = 422 if report is not None else 200
    return render(
        request, "evaluation/screening_upload.html", {"form": form, "report": report}, status=status
    )


@login_required
@require_POST
def screening_invite(request: HttpRequest, finding_id: int) -> HttpResponse:
    user = require(request.user, can_invite, object_type="screening_invitation")
    patient = patient_for_change(
        user, request.POST.get("patient", ""), object_type="screening_invitation"
    )
    finding = finding_for(user, finding_id, patient)
    try:
        invite_to_practice_track(by=user, finding=finding, patient=patient)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("evaluation:screening")
    messages.success(
        request,
        _("%(name)s is invited to the practice track.") % {"name": patient.name},
    )
    return redirect("evaluation:screening")
