"""FHIR R4 endpoints: a patient's record out ($everything), Bundles in (`/import`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from smertespor.entry.doors import performs
from smertespor.entry.problems import problem_response
from smertespor.entry.schemas import Id
from smertespor.interop.catalogue_imports import import_catalogue_csv, preview_catalogue_csv
from smertespor.interop.csv_imports import import_medication_csv, preview_medication_csv
from smertespor.interop.csv_medication import CsvRefused
from smertespor.interop.exports import export_patient_record
from smertespor.interop.imports import BundleRefused, import_fhir_bundle
from smertespor.interop.letters import letter_messages
from smertespor.interop.medcom import MessageRefused

router = Router(tags=["fhir"])

FHIR_JSON = "application/fhir+json"
# The answer's media type as sent, so clients and `make fuzz` know it (it found it missing).
# (200 as an int, as ninja keys its own answers: a "200" beside it is a duplicate key in the JSON.)
FHIR_OK = {"responses": {200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}}}}


def fhir_response(resource: object, status: int = 200) -> HttpResponse:
    body = json.dumps(resource, ensure_ascii=False, cls=DjangoJSONEncoder)
    return HttpResponse(body, status=status, content_type=f"{FHIR_JSON}; charset=utf-8")


@router.get(
    "/Patient/{patient_id}/$everything",
    url_name="fhir_patient_everything",
    response={200: dict},
    openapi_extra=FHIR_OK,
)
def patient_everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The patient's whole record as one FHIR R4 searchset Bundle (audited as an export)."""
    return fhir_response(export_patient_record(user=request.user, patient_id=patient_id))


def _letter(request: HttpRequest, patient_id: str, kind: str, letter_id: int) -> HttpResponse:
    try:
        messages = letter_messages(
            user=request.user, patient_id=patient_id, kind=kind, letter_id=letter_id
        )
    except MessageRefused as error:
        return problem_response(422, str(error))
    response = fhir_response(messages)
    response["Content-Disposition"] = f'attachment; filename="{kind}-{letter_id}.json"'
    return response


@router.get(
    "/Patient/{patient_id}/handovers/{handover_id}/$message",
    url_name="fhir_handover_message",
    response={200: dict},
    openapi_extra=FHIR_OK,
)
def handover_message(request: HttpRequest, patient_id: str, handover_id: Id) -> HttpResponse:
    """The handover letter (practice to clinic) as a MedCom-shaped message Bundle with its
    acknowledgement (not MedCom-certified; docs/interop.md). Audited as an export."""
    return _letter(request, patient_id, "handover", handover_id)


@router.get(
    "/Patient/{patient_id}/discharge-summaries/{summary_id}/$message",
    url_name="fhir_discharge_message",
    response={200: dict},
    openapi_extra=FHIR_OK,
)
def discharge_message(request: HttpRequest, patient_id: str, summary_id: Id) -> HttpResponse:
    """The discharge summary (clinic to GP) as a MedCom-shaped message Bundle with its
    acknowledgement (not MedCom-certified; docs/interop.md). Audited as an export."""
    return _letter(request, patient_id, "discharge", summary_id)


@router.get(
    "/Patient/{patient_id}/centre-discharge-summaries/{summary_id}/$message",
    url_name="fhir_centre_discharge_message",
    response={200: dict},
    openapi_extra=FHIR_OK,
)
def centre_discharge_message(request: HttpRequest, patient_id: str, summary_id: Id) -> HttpResponse:
    """A pain centre's discharge summary (centre to GP) as a MedCom-shaped message Bundle
    with its acknowledgement (not MedCom-certified; docs/interop.md). Audited as an export."""
    return _letter(request, patient_id, "centre_discharge", summary_id)


@router.get(
    "/Patient/{patient_id}/referrals/{referral_id}/$message",
    url_name="fhir_referral_message",
    response={200: dict},
    openapi_extra=FHIR_OK,
)
def referral_messages(request: HttpRequest, patient_id: str, referral_id: Id) -> HttpResponse:
    """A sent pain-centre referral as a message Bundle (ServiceRequest), then each request
    for information and each supplement of its thread (Communication, category
    regarding-referral), each with its acknowledgement. Audited as an export."""
    return _letter(request, patient_id, "referral", referral_id)


class EntryReportOut(Schema):
    index: int
    resource_type: str
    resource_id: str
    status: str
    messages: list[str]


class ImportReportOut(Schema):
    patient_id: str | None
    entries: list[EntryReportOut]


@router.post("/import", url_name="fhir_import", response={200: ImportReportOut})
@performs(import_fhir_bundle)
def import_bundle(request: HttpRequest) -> HttpResponse:
    """Import a FHIR R4 Bundle (collection, searchset or transaction) of one Patient and
    their MedicationStatements, sent as the request body (application/fhir+json). Each entry
    is saved whole or not at all; the answer reports every entry: accepted, unchanged
    (the same line was already there: marked reconciled), refused or unknown_product (with the
    reason), skipped (read, not saved: Observations and context resources). A Bundle that
    cannot be read at all is a 422 problem and nothing is saved."""
    try:
        body = request.body
    except RequestDataTooBig:
        return problem_response(413)
    try:
        report = import_fhir_bundle(user=request.user, data=body)
    except BundleRefused as error:
        return problem_response(422, str(error))
    return HttpResponse(
        json.dumps(report.as_json(), ensure_ascii=False), content_type="application/json"
    )


csv_router = Router(tags=["interop"])


class RowProblemOut(Schema):
    row: int
    column: str
    message: str


class CsvPatientOut(Schema):
    patient_id: str | None
    cpr: str
    rows: list[int]
    status: str
    messages: list[str]


class CsvReportOut(Schema):
    encoding: str
    separator: str
    problems: list[RowProblemOut]
    patients: list[CsvPatientOut]


def _csv_report(request: HttpRequest, service: Callable[..., Any]) -> HttpResponse:
    """The CSV body through ``service`` (a preview or an import): its report, or a problem."""
    try:
        body = request.body
    except RequestDataTooBig:
        return problem_response(413)
    try:
        result = service(user=request.user, data=body)
    except CsvRefused as error:
        return problem_response(422, str(error))
    return HttpResponse(
        json.dumps(result.as_json(), ensure_ascii=False), content_type="application/json"
    )


@csv_router.post(
    "/medication-csv/preview", url_name="medication_csv_preview", response={200: CsvReportOut}
)
@performs(preview_medication_csv)
def medication_csv_preview(request: HttpRequest) -> HttpResponse:
    """Read a medication extract (the CSV file as the body, text/csv) and report per row
    (row number, column, problem) and per patient; nothing is saved."""
    return _csv_report(request, preview_medication_csv)


@csv_router.post(
    "/medication-csv/import", url_name="medication_csv_import", response={200: CsvReportOut}
)
@performs(import_medication_csv)
def medication_csv_import(request: HttpRequest) -> HttpResponse:
    """Import the same file: every patient whose rows are all sound, each whole or not at
    all (status imported / refused per patient, with the rows' problems)."""
    return _csv_report(request, import_medication_csv)


class CatalogueProductOut(Schema):
    row: int
    id: str
    name: str


class CatalogueReportOut(Schema):
    encoding: str
    separator: str
    status: str
    problems: list[RowProblemOut]
    products: list[CatalogueProductOut]


@csv_router.post(
    "/catalogue-csv/preview", url_name="catalogue_csv_preview", response={200: CatalogueReportOut}
)
@performs(preview_catalogue_csv)
def catalogue_csv_preview(request: HttpRequest) -> HttpResponse:
    """Read a products file (the CSV as the body, text/csv; UTF-8 or Windows-1252, `,` or
    `;`, decimal commas) and report per row (row, column, problem); nothing is saved.
    Administrators only."""
    return _csv_report(request, preview_catalogue_csv)


@csv_router.post(
    "/catalogue-csv/import", url_name="catalogue_csv_import", response={200: CatalogueReportOut}
)
@performs(import_catalogue_csv)
def catalogue_csv_import(request: HttpRequest) -> HttpResponse:
    """Add the same file's products to the catalogue, all or none (status imported, or
    refused with the rows' problems and nothing saved). Administrators only."""
    return _csv_report(request, import_catalogue_csv)
