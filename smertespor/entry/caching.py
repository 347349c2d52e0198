"""Nothing a signed-in user sees may be kept by a browser or a proxy cache.

Pages, PDFs, calendar files and API answers carry patient data; a shared or back-button
cache would show them to the next person at the screen. Every answer to a signed-in user,
and every API answer, is sent with ``Cache-Control: no-store`` (Django's
`add_never_cache_headers`). Static files are served before this and keep their caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from smertespor.entry.middleware import API_PREFIX


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith(API_PREFIX) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
