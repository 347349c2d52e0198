"""The JSON API (django-ninja): the same operations as the web pages, with OpenAPI docs."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja import errors as ninja_errors
from ninja.security import django_auth

from smertespor.accounts.api import router as accounts_router
from smertespor.advice.api import router as advice_router
from smertespor.centres.api import router as centres_router
from smertespor.departments.api import router as departments_router
from smertespor.entry.docs_access import docs_behind_login
from smertespor.entry.openapi import document_problems
from smertespor.entry.problems import field_errors, problem_response, schema_errors, summary
from smertespor.evaluation.api import router as evaluation_router
from smertespor.home.api import router as home_router
from smertespor.interop.api import csv_router
from smertespor.interop.api import router as fhir_router
from smertespor.medication.api import medication_router, omeq_router
from smertespor.pathways.api import router as pathways_router
from smertespor.patients.api import router as patients_router
from smertespor.referrals.api import router as referrals_router
from smertespor.tapering.api import router as tapering_router
from smertespor.teaching.api import router as teaching_router
from smertespor.tracks.api import router as tracks_router
from smertespor.versions import StaleVersion


class SmertesporAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI schema names the problem answers every operation may give."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        return document_problems(schema)


api = SmertesporAPI(
    title="Smertespor API",
    version="1",
    description=(
        "Chronic-pain care across general practice, the pain clinic and pain centres. "
        "Every error is an RFC 9457 problem (application/problem+json): out of scope 404, "
        "not allowed 403, invalid 422 (with `errors` per field), stale 409."
    ),
    auth=django_auth,
    urls_namespace="api",
    docs_url="/docs",
    # Behind login in production (API_DOCS_PUBLIC); ninja serves Swagger UI from its static
    # files, so the page runs under the same Content-Security-Policy as every other.
    docs_decorator=docs_behind_login,
)


@api.exception_handler(StaleVersion)
def _stale(request: HttpRequest, error: StaleVersion) -> HttpResponse:
    return problem_response(409, str(error.messages[0]), field_errors(error))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = field_errors(error)
    return problem_response(422, summary(errors), errors)


@api.exception_handler(ninja_errors.ValidationError)
def _invalid_schema(request: HttpRequest, error: ninja_errors.ValidationError) -> HttpResponse:
    errors = schema_errors(error.errors)
    return problem_response(422, summary(errors), errors)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return problem_response(403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem_response(404)


@api.exception_handler(ninja_errors.AuthenticationError)
def _not_authenticated(request: HttpRequest, error: Exception) -> HttpResponse:
    return problem_response(401)


# django-ninja's session auth refuses a write without the CSRF token with this message.
NINJA_CSRF_MESSAGE = "CSRF check Failed"


@api.exception_handler(ninja_errors.HttpError)
def _http_error(request: HttpRequest, error: ninja_errors.HttpError) -> HttpResponse:
    if error.status_code == 403 and str(error) == NINJA_CSRF_MESSAGE:
        # Not a matter of the role: the browser session's write lacked its CSRF token.
        return problem_response(
            403,
            _(
                "Send the CSRF token: the X-CSRFToken header with the value of the csrftoken "
                "cookie (a page that was open for long: reload it and try again)."
            ),
            title=_("The security check of the request failed."),
        )
    return problem_response(error.status_code, str(error))


api.add_router("/home", home_router)
api.add_router("/patients", patients_router)
api.add_router("/advice", advice_router)
api.add_router("/patients", medication_router)
api.add_router("/omeq", omeq_router)
api.add_router("/teaching", teaching_router)
api.add_router("/tracks", tracks_router)
api.add_router("/tapering", tapering_router)
api.add_router("/centres", centres_router)
api.add_router("/notifications", "smertespor.notifications.api.router")
api.add_router("/accounts", accounts_router)
api.add_router("/departments", departments_router)
api.add_router("/referrals", referrals_router)
api.add_router("/pathways", pathways_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/fhir", fhir_router)
api.add_router("/interop", csv_router)
