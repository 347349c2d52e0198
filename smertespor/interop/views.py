"""The CSV import page: upload, a preview with a report per row, then the confirmed import.

Nothing is saved until the user confirms; the confirmation sends the same file back (as
the preview's hidden field) and it is read again, so the import does what the preview said.
"""

from __future__ import annotations

import base64
import binascii

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smertespor.entry.doors import performs
from smertespor.entry.forms import INVALID_STATUS
from smertespor.entry.rules import requires
from smertespor.interop.csv_imports import import_medication_csv, preview_medication_csv
from smertespor.interop.csv_medication import MAX_BYTES, CsvRefused
from smertespor.interop.permissions import can_import_records

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
