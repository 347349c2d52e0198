"""Operations on users' roles: the rule, then the service. Pages and API call these."""

from __future__ import annotations

from collections.abc import Iterable

from smertespor.accounts import selectors, services
from smertespor.accounts.models import RoleChangeRequest, User
from smertespor.accounts.permissions import (
    can_administer_users,
    can_decide_role_change,
    can_propose_role_change,
)
from smertespor.entry.rules import require


def propose_role_change(
    *,
    user: User,
    target_id: object,
    role: str,
    organisation_id: object,
    permissions: Iterable[str] = (),
    reason: str,
) -> RoleChangeRequest:
    """Propose a change of another user's role, organisation or task permissions."""
    require(user, can_administer_users, object_type="role_change_request")
    target = selectors.user_by_id(target_id)
    by = require(
        user,
        can_propose_role_change(user, target),
        object_type="role_change_request",
        object_id=str(target.pk),
    )
    organisation = selectors.organisation_by_id(organisation_id)
    return services.propose_role_change(
        by=by,
        user=target,
        role=role,
        organisation=organisation,
        permissions=permissions,
        reason=reason,
    )


def _decidable(user: User, request_id: object) -> tuple[User, RoleChangeRequest]:
    require(user, can_administer_users, object_type="role_change_request")
    request = selectors.role_change_request(request_id)
    by = require(
        user,
        can_decide_role_change(user, request),
        object_type="role_change_request",
        object_id=str(request.pk),
    )
    return by, request


def approve_role_change(*, user: User, request_id: object) -> RoleChangeRequest:
    """Approve a change another administrator proposed: only now does it take effect."""
    by, request = _decidable(user, request_id)
    return services.approve_role_change(by=by, request=request)


def reject_role_change(*, user: User, request_id: object, note: str = "") -> RoleChangeRequest:
    """Reject a change another administrator proposed: the user stays as they are."""
    by, request = _decidable(user, request_id)
    return services.reject_role_change(by=by, request=request, note=note)
