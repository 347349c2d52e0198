"""The API's one error shape: RFC 9457 problem details (``application/problem+json``).

Every 4xx and 5xx answer of ``/api/`` is a problem: ``type``, ``title``, ``status``,
``detail`` and, for invalid input, ``errors: [{field, code, message}]``. The status follows
the refusal, the same as on the web pages: out of scope 404, not allowed 403, invalid 422,
stale 409 (a write without If-Match 428, one that names no version 412). Titles and
messages are in the language the client asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://smertespor.dk/problems/"

# Only what needs words of its own; any other status is "about:blank" with its reason phrase.
_TYPES = {
    400: "bad-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "too-large",
    422: "invalid",
    428: "precondition-required",
    429: "too-many-requests",
    500: "server-error",
}


def _title(status: int) -> str:
    titles = {
        400: _("The request could not be read."),
        401: _("Log in to use the API."),
        403: _("Your role does not give access to this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("Someone else changed this in the meantime."),
        412: _("If-Match names no version of this record."),
        413: _("The request is too large."),
        422: _("The data were not accepted."),
        428: _("Name the version you read in If-Match."),
        429: _("Too many requests. Wait a moment and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
    }
    return str(titles.get(status, _("The request failed.")))


class FieldError(Schema):
    field: str | None = None
    code: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []


def problem_type(status: int) -> str:
    slug = _TYPES.get(status)
    return f"{TYPE_BASE}{slug}" if slug else "about:blank"


def problem(
    status: int,
    detail: str = "",
    errors: Iterable[Mapping[str, Any]] = (),
    *,
    title: str = "",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(status),
        "title": str(title) or _title(status),
        "status": status,
        "detail": str(detail),
    }
    field_errors = [
        {
            "field": e.get("field"),
            "code": str(e.get("code") or "invalid"),
            "message": str(e["message"]),
        }
        for e in errors
    ]
    if field_errors:
        body["errors"] = field_errors
    return body


def problem_response(
    status: int,
    detail: str = "",
    errors: Iterable[Mapping[str, Any]] = (),
    *,
    title: str = "",
) -> HttpResponse:
    body = problem(status, detail, errors, title=title)
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=MEDIA_TYPE,
    )


def field_errors(error: ValidationError) -> list[dict[str, Any]]:
    """A Django ValidationError as ``[{field, code, message}]`` (field None for the whole)."""
    if hasattr(error, "error_dict"):
        return [
            {"field": None if field == "__all__" else field, "code": e.code, "message": m}
            for field, errors in error.error_dict.items()
            for e in errors
            for m in e.messages
        ]
    return [
        {"field": None, "code": e.code, "message": m} for e in error.error_list for m in e.messages
    ]


def summary(errors: list[dict[str, Any]]) -> str:
    """One line for ``detail``: the first message, and how many more there are."""
    if not errors:
        return ""
    first = str(errors[0]["message"])
    more = len(errors) - 1
    return (
        first
        if more == 0
        else _("%(first)s (and %(count)d more)") % {"first": first, "count": more}
    )


# Schema (pydantic) errors from ninja, in the user's language for the common kinds.
def _schema_message(kind: str, fallback: str) -> str:
    messages = {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "decimal_parsing": _("Enter a number."),
        "decimal_type": _("Enter a number."),
        "number_parsing": _("Enter a number."),
        "number_not_finite": _("Enter a finite number."),
        "number_too_large": _("The number is too large."),
        "null_characters_not_allowed": _("The text contains an invalid character (NUL)."),
        "bool_parsing": _("Enter true or false."),
        "date_from_datetime_parsing": _("Enter a valid date (YYYY-MM-DD)."),
        "date_parsing": _("Enter a valid date (YYYY-MM-DD)."),
        "datetime_parsing": _("Enter a valid date and time with its UTC offset."),
        "datetime_from_date_parsing": _("Enter a valid date and time with its UTC offset."),
        "uuid_parsing": _("Enter a valid id."),
        "string_type": _("Enter a text."),
        "string_too_long": _("The text is too long."),
        "string_too_short": _("The text is too short."),
        "literal_error": _("Choose one of the allowed values."),
        "enum": _("Choose one of the allowed values."),
        "too_long": _("Too many items."),
        "too_short": _("Too few items."),
        "greater_than_equal": _("The value is too small."),
        "greater_than": _("The value is too small."),
        "less_than_equal": _("The value is too large."),
        "less_than": _("The value is too large."),
        "json_invalid": _("The body is not valid JSON."),
        "model_attributes_type": _("The body must be a JSON object."),
        "dict_type": _("The body must be a JSON object."),
        "list_type": _("Enter a list."),
    }
    return str(messages.get(kind, fallback))


_LOCATIONS = frozenset({"body", "query", "path", "form", "header", "cookie", "file"})


def schema_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """ninja's schema errors as ``[{field, code, message}]`` with dotted field paths."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]
        if loc and loc[0] == "payload":
            loc = loc[1:]
        kind = str(error.get("type", "invalid"))
        result.append(
            {
                "field": ".".join(loc) or None,
                "code": kind,
                "message": _schema_message(kind, str(error.get("msg", ""))),
            }
        )
    return result


# For the OpenAPI schema: the answers every operation may give besides its own.
def responses(*statuses: int) -> dict[int, type[Problem]]:
    return dict.fromkeys(statuses, Problem)


READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 422)
