"""Screening pages: the region's counts per practice (planners, administrators), a practice's
own counts and, for its GPs, their flagged patients with the invitation; the upload page."""

from __future__ import annotations

import csv

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
from smertespor.entry.doors import performs
from smertespor.entry.forms import form_status
from smertespor.entry.rules import require, requires
from smertespor.evaluation import screening_actions as actions
from smertespor.evaluation.screening_matching import matching_enabled
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
from smertespor.jobs.selectors import job_for, recent_jobs


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
@requires(can_upload_extracts)
@require_http_methods(["GET", "POST"])
@performs(actions.upload_extract)
def screening_upload(request: HttpRequest) -> HttpResponse:
    """Validate and store the extract here (a refused file's report shows at once), then
    follow its screening on the job's progress page."""
    form = ExtractForm(request.POST, request.FILES) if request.method == "POST" else ExtractForm()
    report = None
    if request.method == "POST" and form.is_valid():
        upload = actions.upload_extract(user=request.user, upload=form.cleaned_data["file"])
        if upload.job is not None:
            messages.success(
                request,
                _("The extract was imported (%(rows)s rows). It is being screened now.")
                % {"rows": upload.report.extract.rows if upload.report.extract else 0},
            )
            return redirect("jobs:detail", upload.job.pk)
        report = upload.report
    status = 422 if report is not None else form_status(form)
    context = {"form": form, "report": report, "jobs": recent_jobs(request.user, kind=KIND)}
    return render(request, "evaluation/screening_upload.html", context, status=status)


@login_required
@requires(can_upload_extracts)
@require_GET
def screening_result(request: HttpRequest, job_id: int) -> HttpResponse:
    """Where a finished screening job links: the screening page (the newest run)."""
    job_for(request.user, job_id, kind=KIND)
    return redirect("evaluation:screening")


@login_required
@require_POST
@performs(actions.invite)
def screening_invite(request: HttpRequest, finding_id: int) -> HttpResponse:
    try:
        invitation = actions.invite(
            user=request.user, finding_id=finding_id, patient_id=request.POST.get("patient", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("evaluation:screening")
    messages.success(
        request,
        _("%(name)s is invited to the practice track.") % {"name": invitation.patient.name},
    )
    return redirect("evaluation:screening")
