"""Gives every request an id (also sent back as X-Request-ID) for the audit log."""

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from smertespor.audit.context import RequestContext, current_request
from smertespor.entry.client_ip import client_ip


def _client_ip(request: HttpRequest) -> str | None:
    # The real client behind a trusted reverse proxy, as the login throttle sees it.
    return client_ip(request)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = RequestContext(request_id=str(uuid.uuid4()), ip_address=_client_ip(request))
        request.request_id = context.request_id  # type: ignore[attr-defined]
        token = current_request.set(context)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = context.request_id
        return response
