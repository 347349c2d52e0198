"""FHIR R4 endpoints: a patient's record out ($everything), Bundles in (`/import`)."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Router

from smertespor.interop.exports import export_patient_record

router = Router(tags=["fhir"])

FHIR_JSON = "application/fhir+json"


def fhir_response(resource: object, status: int = 200) -> HttpResponse:
    body = json.dumps(resource, ensure_ascii=False, cls=DjangoJSONEncoder)
    return HttpResponse(body, status=status, content_type=f"{FHIR_JSON}; charset=utf-8")


@router.get(
    "/Patient/{patient_id}/$everything",
    url_name="fhir_patient_everything",
    response={200: dict},
)
def patient_everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The patient's whole record as one FHIR R4 searchset Bundle (audited as an export)."""
    return fhir_response(export_patient_record(user=request.user, patient_id=patient_id))
