"""The CSV import page: upload, a preview with a report per row, then the confirmed import.

Nothing is saved until the user confirms; the confirmation sends the same file back (as
the preview's hidden field) and it is read again, so the import does what the preview said.
"""

from __future__ import annotations

import base64
import binascii
import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from smertespor.centres.models import DischargeSummary as CentreDischargeSummary
from smertespor.entry.doors import performs
from smertespor.entry.forms import INVALID_STATUS
from smertespor.entry.rules import requires
from smertespor.interop.catalogue_imports import import_catalogue_csv, preview_catalogue_csv
from smertespor.interop.csv_imports import import_medication_csv, preview_medication_csv
from smertespor.interop.csv_medication import MAX_BYTES, CsvRefused
from smertespor.interop.fhir_import import MAX_BUNDLE_BYTES
from smertespor.interop.imports import BundleRefused, import_fhir_bundle
from smertespor.interop.permissions import can_export_records, can_import_records
from smertespor.medication.permissions import can_manage_catalogue
from smertespor.patients.access import patient_for
from smertespor.referrals.models import Referral
from smertespor.tracks.models import DischargeSummary, Handover

TEMPLATE = "interop/medication_csv.html"


def _file_bytes(request: HttpRequest) -> bytes | None:
    if request.POST.get("action") == "import":
        try:
            return base64.b64decode(request.POST.get("data", ""), validate=True) or None
        except (binascii.Error, ValueError):
            return None
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > MAX_BYTES:
        return None
    return upload.read()


@login_required
@requires(can_import_records)
@require_http_methods(["GET", "POST"])
@performs(preview_medication_csv, import_medication_csv)
def medication_csv(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"max_mb": MAX_BYTES // 1024 // 1024}
    if request.method == "GET":
        return render(request, TEMPLATE, context)
    data = _file_bytes(request)
    if data is None:
        context["error"] = _("Choose a CSV file of at most %(mb)s MB.") % {"mb": context["max_mb"]}
        return render(request, TEMPLATE, context, status=INVALID_STATUS)
    importing = request.POST.get("action") == "import"
    try:
        if importing:
            result = import_medication_csv(user=request.user, data=data)
        else:
            result = preview_medication_csv(user=request.user, data=data)
    except CsvRefused as error:
        context["error"] = str(error)
        return render(request, TEMPLATE, context, status=INVALID_STATUS)
    context.update(
        result=result,
        imported=importing,
        data=base64.b64encode(data).decode("ascii"),
        can_confirm=not importing and any(o.status == "ready" for o in result.patients),
    )
    return render(request, TEMPLATE, context)


CATALOGUE_TEMPLATE = "interop/catalogue_csv.html"


@login_required
@requires(can_manage_catalogue)
@require_http_methods(["GET", "POST"])
@performs(preview_catalogue_csv, import_catalogue_csv)
def catalogue_csv(request: HttpRequest) -> HttpResponse:
    """Products for the catalogue from a CSV file: a preview by row, then all or nothing."""
    context: dict[str, object] = {"max_mb": MAX_BYTES // 1024 // 1024}
    if request.method == "GET":
        return render(request, CATALOGUE_TEMPLATE, context)
    data = _file_bytes(request)
    if data is None:
        context["error"] = _("Choose a CSV file of at most %(mb)s MB.") % {"mb": context["max_mb"]}
        return render(request, CATALOGUE_TEMPLATE, context, status=INVALID_STATUS)
    importing = request.POST.get("action") == "import"
    service = import_catalogue_csv if importing else preview_catalogue_csv
    try:
        result = service(user=request.user, data=data)
    except CsvRefused as error:
        context["error"] = str(error)
        return render(request, CATALOGUE_TEMPLATE, context, status=INVALID_STATUS)
    context.update(
        result=result,
        imported=importing,
        data=base64.b64encode(data).decode("ascii"),
        can_confirm=result.status == "ready",
    )
    status = INVALID_STATUS if result.status == "refused" else 200
    return render(request, CATALOGUE_TEMPLATE, context, status=status)


@login_required
@requires(can_export_records)
@require_GET
def patient_exchange(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """What of the patient's record can leave Smertespor: the whole record as FHIR and each
    letter as a message (each download is audited as an export when it is fetched)."""
    patient = patient_for(request.user, patient_id, object_type="patient_exchange")
    context = {
        "patient": patient,
        "tab": "medication",
        "handovers": Handover.objects.filter(course__patient=patient).order_by("-proposed_at"),
        "discharge_summaries": DischargeSummary.objects.filter(course__patient=patient).order_by(
            "-written_at"
        ),
        "centre_summaries": CentreDischargeSummary.objects.filter(course__patient=patient).order_by(
            "-sent_at"
        ),
        "referrals": Referral.objects.filter(patient=patient)
        .exclude(status="draft")
        .order_by("-created_at"),
    }
    return render(request, "interop/patient_exchange.html", context)


FHIR_TEMPLATE = "interop/fhir_import.html"
_ENTRY_STATUS_LABELS = {
    "accepted": _lazy("Imported"),
    "unchanged": _lazy("Already on the list (reconciled)"),
    "refused": _lazy("Refused"),
    "unknown_product": _lazy("Unknown product"),
    "skipped": _lazy("Not imported"),
}


@login_required
@requires(can_import_records)
@require_http_methods(["GET", "POST"])
@performs(import_fhir_bundle)
def fhir_import(request: HttpRequest) -> HttpResponse:
    """Upload a FHIR R4 Bundle; each entry is imported whole or not at all, and the page
    reports every entry."""
    context: dict[str, object] = {"max_mb": MAX_BUNDLE_BYTES // 1024 // 1024}
    if request.method == "GET":
        return render(request, FHIR_TEMPLATE, context)
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > MAX_BUNDLE_BYTES:
        context["error"] = _("Choose a FHIR file (JSON) of at most %(mb)s MB.") % {
            "mb": context["max_mb"]
        }
        return render(request, FHIR_TEMPLATE, context, status=INVALID_STATUS)
    try:
        report = import_fhir_bundle(user=request.user, data=upload.read())
    except BundleRefused as error:
        context["error"] = str(error)
        return render(request, FHIR_TEMPLATE, context, status=INVALID_STATUS)
    context["report"] = report
    context["rows"] = [(e, _ENTRY_STATUS_LABELS.get(e.status, e.status)) for e in report.entries]
    return render(request, FHIR_TEMPLATE, context)
