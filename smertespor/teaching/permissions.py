"""Who may do what with teaching, written once for the pages, the API and the actions.

The clinic (staff of a pain clinic or pain centre) organises; general-practice staff and the
doctors of hospital departments that treat these patients take part; planners see aggregate
reach only. A secretary's side is decided by where they work.
Every rule refuses a visitor who is not logged in.
"""

from smertespor.accounts.models import Organisation, Requester, Role, User
from smertespor.accounts.permissions import (
    CLINIC_ROLES,
    is_hospital_department_staff,
    is_practice_staff,
)
from smertespor.teaching.models import TeachingSession

CLINIC_KINDS = frozenset({Organisation.Kind.PAIN_CLINIC, Organisation.Kind.PAIN_CENTRE})


def is_clinic_staff(user: Requester) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and user.role in CLINIC_ROLES
        and user.organisation is not None
        and user.organisation.kind in CLINIC_KINDS
    )


def can_organise_teaching(user: Requester) -> bool:
    return is_clinic_staff(user)


def can_take_part_in_teaching(user: Requester) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and (is_practice_staff(user) or is_hospital_department_staff(user))
    )


def can_see_teaching(user: Requester) -> bool:
    """The programme, a session's page, its materials and calendar file."""
    return can_organise_teaching(user) or can_take_part_in_teaching(user)


def can_see_teaching_reach(user: Requester) -> bool:
    """Aggregate figures, no names: planners and the clinic."""
    return (isinstance(user, User) and user.is_active and user.role == Role.PLANNER) or (
        is_clinic_staff(user)
    )


def can_manage_session(user: Requester, session: TeachingSession) -> bool:
    """Edit, mark attendance, invite, add materials: the organising clinic's staff and the
    session's teachers."""
    if not isinstance(user, User) or not is_clinic_staff(user):
        return False
    if user.organisation_id == session.organiser_id:
        return True
    return session.teachers.filter(pk=user.pk).exists()
