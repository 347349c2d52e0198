"""Input no database column can hold is refused at the door (issue 12).

A NUL byte ("\\x00") in a URL, a query parameter or an API body (JSON or form) made
PostgreSQL refuse the query (a server error), and the audit row of a refused patient id went
down with it. `RefuseNulMiddleware` answers such a request with 422 before any view reads it:
a problem naming the field under ``/api/``, the "not accepted" page elsewhere. An attempt on a
patient id is audited as refused, with the NUL shown as "␀", against the patient it names (if
one exists), so "who has seen my record" still shows it.

`RequestSizeMiddleware` refuses a body larger than ``REQUEST_MAX_BYTES`` by its declared
Content-Length before a byte of it is read (413), so a 200 MB upload is not received whole
before the form says it is too large.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from smertespor.entry.problems import problem_response

API_PREFIX = "/api/"
NUL = "\x00"
SHOWN_NUL = "\N{SYMBOL FOR NULL}"
PATIENT_ID = "patient_id"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _json_fields(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (dotted field, text) in a parsed JSON value, keys included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _json_fields(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_fields(item, f"{path}.{index}" if path else str(index))


def _texts(request: HttpRequest) -> Iterator[tuple[str, str]]:
    """(field, text) for every piece of text the request carries that a view may read."""
    if NUL in request.path_info:
        try:
            kwargs = resolve(request.path_info).kwargs
        except Resolver404:
            kwargs = {}
        yield from ((name, str(value)) for name, value in kwargs.items())
        yield "path", request.path_info
    for key, values in request.GET.lists():
        yield key, key
        yield from ((key, value) for value in values)
    content_type = request.content_type or ""
    if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
        return
    if content_type in _FORM_TYPES and request.path.startswith(API_PREFIX):
        # On the pages, Django's form fields refuse a NUL next to the field itself.
        for key, values in request.POST.lists():
            yield key, key
            yield from ((key, value) for value in values)
    elif content_type == "application/json" or content_type.endswith("+json"):
        try:
            body = json.loads(request.body)
        except (ValueError, RequestDataTooBig, RawPostDataException):
            return  # the view answers malformed or oversized JSON itself
        except RecursionError:
            raise TooDeep from None  # no parser below would read it either
        yield from _json_fields(body)


def nul_field(request: HttpRequest) -> tuple[str, str] | None:
    """The first (field, text) of ``request`` that holds a NUL byte, or None."""
    for field, text in _texts(request):
        if NUL in text:
            return field.replace(NUL, SHOWN_NUL), text
    return None


def _audit_refused_patient_id(request: HttpRequest, text: str) -> None:
    from smertespor.audit.services import AuditAction, record_event
    from smertespor.patients.models import Patient

    user = getattr(request, "user", None)
    try:
        named = uuid.UUID(text.replace(NUL, ""))
    except ValueError:
        named = None
    target = Patient.objects.filter(pk=named).only("pk").first() if named else None
    record_event(
        user=user,
        action=AuditAction.REFUSED,
        object_type="patient",
        object_id=text.replace(NUL, SHOWN_NUL)[:64],
        patient=target,
        detail={"attempted": "invalid_input", "method": request.method or ""},
    )


def _refused(request: HttpRequest, status: int, message: str, field: str | None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        code = {422: "null_characters_not_allowed", 400: "too_deep"}.get(status, "too_large")
        errors = [{"field": field, "code": code, "message": message}] if field else []
        return problem_response(status, message, errors)
    return render(
        request, "refused.html", {"status": status, "messages_": [message]}, status=status
    )


class TooDeep(Exception):
    """A JSON body nested deeper than Python's parser goes (e.g. 100,000 "[")."""


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            found = nul_field(request)
        except (TooDeep, RecursionError):  # parsed, but too deep to walk field by field
            message = _("The JSON is nested too deeply to be read.")
            return _refused(request, 400, message, None)
        if found is None:
            return self.get_response(request)
        field, text = found
        if field.rpartition(".")[2] == PATIENT_ID:
            _audit_refused_patient_id(request, text)
        message = _("The text contains an invalid character (NUL).")
        return _refused(request, 422, message, None if field == "path" else field)


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit: int = settings.REQUEST_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            message = _("The request is too large (%(size)s); the limit is %(limit)s.") % {
                "size": filesizeformat(declared),
                "limit": filesizeformat(limit),
            }
            return _refused(request, 413, message, None)
        return self.get_response(request)
