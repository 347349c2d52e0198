"""`require(user, rule)`: refuse a user who fails a rule, and write the attempt to the audit log.

A rule is any predicate on the user (``can_enrol``, ``is_clinic_staff``...), or a boolean
already computed from the user and an object. Views, API endpoints and actions all refuse
the same way: `PermissionDenied`, which the web renders as 403 and the API as a 403 problem.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from smertespor.accounts.models import Requester, User
from smertespor.audit.services import AuditAction, record_event

Rule = Callable[[Any], bool]
P = ParamSpec("P")
R = TypeVar("R")


def rule_name(rule: Rule | bool) -> str:
    return rule if isinstance(rule, str) else getattr(rule, "__name__", "rule")


def require(
    user: Requester,
    rule: Rule | bool,
    *,
    object_type: str = "",
    object_id: str = "",
    patient: Any = None,
) -> User:
    """Refuse ``user`` unless ``rule`` holds: audit the refused attempt, raise PermissionDenied.
    Returns the user, typed as the signed-in `User` every rule requires.

    ``rule`` is a predicate taking the user, or a boolean the caller computed (for rules that
    also need an object, e.g. ``can_decide(user, course)``).
    """
    allowed = rule if isinstance(rule, bool) else bool(rule(user))
    if allowed:
        return logged_in(user)
    record_event(
        user=user,
        action=AuditAction.REFUSED,
        object_type=object_type or "operation",
        object_id=object_id,
        patient=patient,
        detail={"rule": rule_name(rule)} if not isinstance(rule, bool) else None,
    )
    raise PermissionDenied


def logged_in(user: Requester) -> User:
    """``user`` as the signed-in User they are, once a rule has let them through.

    Every rule admits signed-in users only, so this refuses nobody the rule let in; it
    turns ``request.user``'s type into `User` for the service (403 otherwise).
    """
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def requires(rule: Rule) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a view or a ninja endpoint (request first) with `require(request.user, rule)`.

    The refused attempt names the route, so the audit log says where it was tried.
    """

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            request = args[0]
            assert isinstance(request, HttpRequest)  # noqa: S101 - a programming error
            match = request.resolver_match
            require(
                request.user,
                rule,
                object_type="view",
                object_id=(match.view_name if match else "") or request.path[:64],
            )
            return view(*args, **kwargs)

        # ninja reads the endpoint's signature from the wrapper and would resolve string
        # annotations (``from __future__ import annotations``) in this module: give it the
        # view's own, already resolved.
        # A name imported only for type checking cannot be resolved: then leave it as it is.
        with contextlib.suppress(NameError):
            wrapped.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        return wrapped

    return decorator
