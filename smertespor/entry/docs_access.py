"""Who may read the API's docs and schema: anyone while developing, a signed-in user in
production (``settings.API_DOCS_PUBLIC``; issue 12).

The schema names every operation, field and code; it is no secret, but there is no reason to
hand it to the internet. Read at request time, so the setting can change without reloading
the URLconf. The docs page (a person in a browser) sends an anonymous visitor to the login
page; the schema (a program) answers 401 as a problem, like the rest of the API.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from smertespor.entry.problems import problem_response


def docs_behind_login(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja's ``docs_decorator``: wraps both the docs page and the OpenAPI schema."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.API_DOCS_PUBLIC or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return problem_response(401)
        return redirect_to_login(request.get_full_path())

    return guarded
