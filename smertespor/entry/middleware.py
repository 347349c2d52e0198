"""The same refusal gives the same status on every door.

- Under ``/api/`` every error answer is a problem (RFC 9457), including those no endpoint
  wrote: an unknown URL, a method not allowed, a CSRF refusal, a server error.
- On the pages, a `StaleVersion` or `ValidationError` that no view caught answers 409 or 422
  with its message, instead of a server error.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from smertespor.entry.problems import MEDIA_TYPE, problem_response
from smertespor.versions import StaleVersion

API_PREFIX = "/api/"
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class ProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith(MEDIA_TYPE)
        ):
            problem = problem_response(response.status_code, _detail_of(response))
            for header in _KEPT_HEADERS:
                if header in response:
                    problem[header] = response[header]
            return problem
        return response

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        if request.path.startswith(API_PREFIX):
            return None
        if isinstance(error, StaleVersion):
            return _page(request, 409, error)
        if isinstance(error, ValidationError):
            return _page(request, 422, error)
        return None


def _detail_of(response: HttpResponse) -> str:
    if not response.get("Content-Type", "").startswith("application/json"):
        return ""
    try:
        detail = json.loads(response.content).get("detail", "")
    except (ValueError, AttributeError):
        return ""
    return detail if isinstance(detail, str) else ""


def _page(request: HttpRequest, status: int, error: ValidationError) -> HttpResponse:
    return render(
        request, "refused.html", {"status": status, "messages_": error.messages}, status=status
    )
