"""Web and API agree: every web operation that changes something has an API twin.

A page that accepts POST declares the action it performs (`@performs(actions.x)`); an API
endpoint declares the same. Each web action must be performed by some API operation, unless
it is on the short, commented allow-list below. Views that only show a page must say so with
`require_GET` / `require_safe`, so an undeclared POST route cannot slip through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config.api import api
from smertespor.entry.doors import performed_by

# Web routes that take POST but are not clinical operations, or whose API twin is the
# protocol itself: (url name) -> why.
NOT_OPERATIONS = {
    "login": "Django's login; the API authenticates with the same session.",
    "logout": "Django's logout.",
    "set_language": "The language switch; the API honours Accept-Language instead.",
    "patients:search": "A search sent by POST so a CPR never enters a URL; the API searches too.",
    "accounts:mfa_totp": "Setting up the second factor belongs to the login, not the API.",
    "accounts:mfa_recovery_codes": "New recovery codes: part of the login, not the API.",
    "accounts:mfa_verify": "The second step of the login; the API uses the same session.",
    "otp_webauthn:credential-registration-begin": "A passkey ceremony (WebAuthn protocol).",
    "otp_webauthn:credential-registration-complete": "A passkey ceremony (WebAuthn protocol).",
    "otp_webauthn:credential-authentication-begin": "A passkey ceremony (WebAuthn protocol).",
    "otp_webauthn:credential-authentication-complete": "A passkey ceremony (WebAuthn protocol).",
}
# Web actions without an API operation yet: (action) -> why.
WEB_ONLY: dict[str, str] = {}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in {"admin", "api"}:
                continue
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _walk(entry.url_patterns, prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry.callback


def allowed_methods(view: Callable[..., Any]) -> frozenset[str] | None:
    """The methods a view's `require_http_methods` decorator lets through, if it has one."""
    seen: set[int] = set()
    current: Any = view
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = current.__closure__[code.co_freevars.index("request_method_list")]
            return frozenset(cell.cell_contents)
        view_class = getattr(current, "view_class", None)
        if view_class is not None:
            return frozenset(m.upper() for m in view_class.http_method_names) - {"OPTIONS"}
        current = getattr(current, "__wrapped__", None)
    return None


WEB_ROUTES = sorted(_walk(get_resolver().url_patterns))


def api_actions() -> frozenset[str]:
    found: frozenset[str] = frozenset()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                found |= performed_by(operation.view_func)
    return found


@pytest.mark.parametrize(("name", "view"), WEB_ROUTES, ids=[n for n, _ in WEB_ROUTES])
def test_every_web_route_declares_what_it_does(name, view):
    methods = allowed_methods(view)
    assert methods is not None, f"{name}: declare its methods (require_GET, require_POST...)"
    if methods <= {"GET", "HEAD"} or name in NOT_OPERATIONS:
        return
    assert performed_by(view), f"{name} takes {sorted(methods)}: mark it @performs(action)"


@pytest.mark.parametrize(("name", "view"), WEB_ROUTES, ids=[n for n, _ in WEB_ROUTES])
def test_every_web_operation_has_an_api_operation_with_the_same_action(name, view):
    missing = performed_by(view) - api_actions() - set(WEB_ONLY)
    assert missing == set(), f"{name}: no API operation performs {sorted(missing)}"


def test_the_allow_lists_name_only_what_exists():
    names = {name for name, _ in WEB_ROUTES}
    assert set(NOT_OPERATIONS) <= names
    web_actions = frozenset().union(*(performed_by(view) for _, view in WEB_ROUTES))
    assert set(WEB_ONLY) <= web_actions - api_actions()
