"""Which service a web view or an API endpoint is the door to.

`@performs(services.answer_advice_request)` on a view and on an endpoint says both call that
service. The web/API parity test compares the two sets: an operation the web offers must have
an API endpoint with the same service (or be on its short, commented allow-list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
ATTRIBUTE = "performs"


def service_name(service: Callable[..., Any]) -> str:
    return f"{service.__module__}.{service.__qualname__}"


def performs(*services: Callable[..., Any]) -> Callable[[F], F]:
    """Record on ``view`` the services it calls; returns the same function, unwrapped."""

    def mark(view: F) -> F:
        names = frozenset(service_name(s) for s in services)
        setattr(view, ATTRIBUTE, getattr(view, ATTRIBUTE, frozenset()) | names)
        return view

    return mark


def performed_by(view: Callable[..., Any] | None) -> frozenset[str]:
    """The services ``view`` declared, looking through decorators that used functools.wraps."""
    seen: set[int] = set()
    found: frozenset[str] = frozenset()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        found |= getattr(view, ATTRIBUTE, frozenset())
        view = getattr(view, "__wrapped__", None)
    return found


def union(views: Iterable[Callable[..., Any] | None]) -> frozenset[str]:
    result: frozenset[str] = frozenset()
    for view in views:
        result |= performed_by(view)
    return result
