"""The JSON API (django-ninja): the same operations as the web pages, with OpenAPI docs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import django_auth

from smertespor.advice.api import router as advice_router
from smertespor.medication.api import medication_router, omeq_router
from smertespor.patients.api import router as patients_router
from smertespor.tapering.api import router as tapering_router
from smertespor.teaching.api import router as teaching_router
from smertespor.tracks.api import router as tracks_router

api = NinjaAPI(
    title="Smertespor API",
    version="1",
    description="Chronic-pain care across general practice, the pain clinic and pain centres.",
    auth=django_auth,
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    if hasattr(error, "error_dict"):
        detail = [
            {"field": field, "message": str(message)}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        detail = [{"field": None, "message": str(message)} for message in error.messages]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Your role does not give access to this.")}, status=403
    )


api.add_router("/patients", patients_router)
api.add_router("/advice", advice_router)
api.add_router("/patients", medication_router)
api.add_router("/omeq", omeq_router)
api.add_router("/teaching", teaching_router)
api.add_router("/tracks", tracks_router)
api.add_router("/tapering", tapering_router)
