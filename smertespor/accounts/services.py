"""Changes to who may do what: requested by one administrator, decided by a second.

Nobody changes their own role, organisation or permissions. A change of someone else's is a
`RoleChangeRequest`: proposed (who, whom, from, to, why), then approved or rejected by a
second administrator; only approval changes the user. Each step is written to the
hash-chained audit log, not only to Django's admin log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smertespor.accounts.models import Organisation, Role, RoleChangeRequest, User
from smertespor.audit.services import AuditAction, record_event

# Task permissions a region gives named people; granted and withdrawn through a request.
GRANTABLE_PERMISSIONS = ("medication.sign_off_conversion_table",)

# Which kinds of organisation each role works in.
_PRACTICE: set[str] = {Organisation.Kind.GP_PRACTICE}
_REGION: set[str] = {Organisation.Kind.REGIONAL_ADMINISTRATION}
_HOSPITAL_DEPARTMENT: set[str] = {Organisation.Kind.HOSPITAL_DEPARTMENT}
_CARE: set[str] = set(Organisation.Kind.values) - _PRACTICE - _REGION
ROLE_ORGANISATIONS: dict[str, set[str]] = {
    Role.GP.value: _PRACTICE,
    Role.PRACTICE_NURSE.value: _PRACTICE,
    Role.SECRETARY.value: _PRACTICE | _CARE,
    Role.CLINIC_DOCTOR.value: _CARE,
    Role.CLINIC_NURSE.value: _CARE,
    Role.PSYCHOLOGIST.value: _CARE,
    Role.PHYSIOTHERAPIST.value: _CARE,
    Role.SOCIAL_WORKER.value: _CARE,
    Role.HOSPITAL_DOCTOR.value: _HOSPITAL_DEPARTMENT,
    Role.PLANNER.value: _REGION,
    Role.ADMIN.value: _REGION,
}


def task_permissions_of(user: User) -> list[str]:
    """The grantable task permissions ``user`` holds directly, sorted."""
    held = {
        f"{app}.{codename}"
        for app, codename in user.user_permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    return sorted(held & set(GRANTABLE_PERMISSIONS))


def _audit_detail(request: RoleChangeRequest, **extra: Any) -> dict[str, Any]:
    return {
        "who": request.proposed_by.username,
        "whom": request.user.username,
        "from": {
            "role": request.from_role,
            "organisation_id": request.from_organisation_id,
            "permissions": request.from_permissions,
        },
        "to": {
            "role": request.to_role,
            "organisation_id": request.to_organisation_id,
            "permissions": request.to_permissions,
        },
        **extra,
    }


def propose_role_change(
    *,
    by: User,
    user: User,
    role: str,
    organisation: Organisation,
    permissions: Iterable[str] = (),
    reason: str,
) -> RoleChangeRequest:
    """Propose that ``user`` gets ``role`` in ``organisation`` (and these task permissions).

    The rule that ``by`` is an administrator and not ``user`` is the action's.
    """
    wanted = sorted(set(permissions))
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("Choose a role.")
    elif organisation.kind not in ROLE_ORGANISATIONS[role]:
        errors["organisation"] = _("This role does not work in this kind of organisation.")
    if set(wanted) - set(GRANTABLE_PERMISSIONS):
        errors["permissions"] = _("Only task permissions can be requested.")
    if not reason.strip():
        errors["reason"] = _("Say why the change is needed.")
    if errors:
        raise ValidationError(errors)
    current = task_permissions_of(user)
    if (user.role, user.organisation_id, current) == (role, organisation.pk, wanted):
        raise ValidationError(
            _("The user already has this role, organisation and permissions."), code="no_change"
        )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if RoleChangeRequest.objects.filter(user=locked, status="pending").exists():
            raise ValidationError(
                _("A change for this user is already awaiting approval."), code="pending"
            )
        request = RoleChangeRequest(
            user=locked,
            proposed_by=by,
            proposed_at=timezone.now(),
            reason=reason.strip(),
            from_role=locked.role,
            to_role=role,
            from_organisation_id=locked.organisation_id,
            to_organisation=organisation,
            from_permissions=current,
            to_permissions=wanted,
        )
        request.full_clean()
        request.save(force_insert=True)
        record_event(
            user=by,
            action=AuditAction.CREATE,
            object_type="role_change_request",
            object_id=str(request.pk),
            detail=_audit_detail(request, reason=request.reason),
        )
    return request


def _pending(request: RoleChangeRequest) -> RoleChangeRequest:
    locked = RoleChangeRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_pending:
        raise ValidationError(_("This request has already been decided."), code="decided")
    return locked


def approve_role_change(*, by: User, request: RoleChangeRequest) -> RoleChangeRequest:
    """Carry out a proposed change (``by`` is a second administrator: the action's rule)."""
    with transaction.atomic():
        locked = _pending(request)
        user = User.objects.select_for_update().get(pk=locked.user_id)
        if (user.role, user.organisation_id, task_permissions_of(user)) != (
            locked.from_role,
            locked.from_organisation_id,
            locked.from_permissions,
        ):
            raise ValidationError(
                _("The user has changed since the request was made. Reject it and propose again."),
                code="conflict",
            )
        user.role = locked.to_role
        user.organisation_id = locked.to_organisation_id
        # The admin site is the administrator's workplace, and no one else's.
        user.is_staff = locked.to_role == Role.ADMIN
        user.save(update_fields=["role", "organisation", "is_staff"])
        for label in GRANTABLE_PERMISSIONS:
            app_label, codename = label.split(".")
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            if label in locked.to_permissions:
                user.user_permissions.add(permission)
            else:
                user.user_permissions.remove(permission)
        locked.status = RoleChangeRequest.Status.APPROVED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        record_event(
            user=by,
            action=AuditAction.UPDATE,
            object_type="role_change_request",
            object_id=str(locked.pk),
            detail=_audit_detail(locked, decision="approved"),
        )
    return locked


def reject_role_change(
    *, by: User, request: RoleChangeRequest, note: str = ""
) -> RoleChangeRequest:
    """Close a proposal without changing the user."""
    with transaction.atomic():
        locked = _pending(request)
        locked.status = RoleChangeRequest.Status.REJECTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_note = note.strip()
        locked.full_clean()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record_event(
            user=by,
            action=AuditAction.UPDATE,
            object_type="role_change_request",
            object_id=str(locked.pk),
            detail=_audit_detail(locked, decision="rejected", note=locked.decision_note),
        )
    return locked
