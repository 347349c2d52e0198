"""Role change endpoints: the same rules, selectors and actions as the administrators' pages."""

from __future__ import annotations

from ninja import Router
from ninja.responses import Status

from smertespor.accounts import actions
from smertespor.accounts.models import RoleChangeRequest
from smertespor.accounts.permissions import can_administer_users
from smertespor.accounts.requests import SignedInRequest
from smertespor.accounts.schemas import RoleChangeDecisionIn, RoleChangeIn, RoleChangeOut
from smertespor.accounts.selectors import role_change_requests
from smertespor.entry.doors import performs
from smertespor.entry.rules import requires
from smertespor.entry.schemas import Id

router = Router(tags=["accounts"])


@router.get("/role-requests", response=list[RoleChangeOut], url_name="role_requests")
@requires(can_administer_users)
def list_role_requests(request: SignedInRequest) -> list[RoleChangeRequest]:
    """Role change requests, pending first (administrators only)."""
    return list(role_change_requests()[:200])


@router.post("/role-requests", response={201: RoleChangeOut}, url_name="role_requests_create")
@performs(actions.propose_role_change)
def propose(request: SignedInRequest, payload: RoleChangeIn) -> Status[RoleChangeRequest]:
    """Propose a change of another user's role, organisation or task permissions."""
    created = actions.propose_role_change(
        user=request.user,
        target_id=payload.user_id,
        role=payload.role,
        organisation_id=payload.organisation_id,
        permissions=payload.permissions,
        reason=payload.reason,
    )
    return Status(201, created)


@router.post(
    "/role-requests/{role_request_id}/approve",
    response=RoleChangeOut,
    url_name="role_requests_approve",
)
@performs(actions.approve_role_change)
def approve(request: SignedInRequest, role_request_id: Id) -> RoleChangeRequest:
    """Approve a change another administrator proposed; it takes effect now."""
    return actions.approve_role_change(user=request.user, request_id=role_request_id)


@router.post(
    "/role-requests/{role_request_id}/reject",
    response=RoleChangeOut,
    url_name="role_requests_reject",
)
@performs(actions.reject_role_change)
def reject(
    request: SignedInRequest, role_request_id: Id, payload: RoleChangeDecisionIn
) -> RoleChangeRequest:
    """Reject a change another administrator proposed."""
    return actions.reject_role_change(
        user=request.user, request_id=role_request_id, note=payload.note
    )
