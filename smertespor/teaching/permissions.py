"""Who may do what with teaching, written once for the pages, the API and the services.

The clinic (staff of a pain clinic or pain centre) organises; general-practice staff take
part; planners see aggregate reach only. A secretary's side is decided by where they work.
"""

from typing import Any

from django.core.exceptions import PermissionDenied

from smertespor.accounts.models import Organisation, Role, User
from smertespor.accounts.permissions import CLINIC_ROLES, is_practice_staff

CLINIC_KINDS = frozenset({Organisation.Kind.PAIN_CLINIC, Organisation.Kind.PAIN_CENTRE})


def is_clinic_staff(user: Any) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and user.role in CLINIC_ROLES
        and user.organisation is not None
        and user.organisation.kind in CLINIC_KINDS
    )


def can_organise_teaching(user: Any) -> bool:
    return is_clinic_staff(user)


def can_take_part_in_teaching(user: Any) -> bool:
    return isinstance(user, User) and user.is_active and is_practice_staff(user)


def can_see_teaching(user: Any) -> bool:
    """The programme, a session's page, its materials and calendar file."""
    return can_organise_teaching(user) or can_take_part_in_teaching(user)


def can_see_teaching_reach(user: Any) -> bool:
    """Aggregate figures, no names: planners and the clinic."""
    return (isinstance(user, User) and user.is_active and user.role == Role.PLANNER) or (
        is_clinic_staff(user)
    )


def can_manage_session(user: Any, session: Any) -> bool:
    """Edit, mark attendance, invite: the organising clinic's staff and the session's teachers."""
    if not is_clinic_staff(user):
        return False
    if user.organisation_id == session.organiser_id:
        return True
    return bool(session.teachers.filter(pk=user.pk).exists())


def ensure(allowed: bool) -> None:
    """For services: refuse (PermissionDenied, a 403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied
