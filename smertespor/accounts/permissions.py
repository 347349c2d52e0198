"""Which roles may do what, written once; views and the API both ask here."""

from smertespor.accounts.models import Organisation, Requester, Role, User

PRACTICE_ROLES = frozenset({Role.GP, Role.PRACTICE_NURSE, Role.SECRETARY})
CLINIC_ROLES = frozenset(
    {
        Role.CLINIC_DOCTOR,
        Role.CLINIC_NURSE,
        Role.PSYCHOLOGIST,
        Role.PHYSIOTHERAPIST,
        Role.SOCIAL_WORKER,
        Role.SECRETARY,
    }
)
AGGREGATE_ROLES = frozenset({Role.PLANNER, Role.ADMIN})


def is_practice_staff(user: Requester) -> bool:
    return (
        isinstance(user, User)
        and user.role in PRACTICE_ROLES
        and user.organisation is not None
        and user.organisation.kind == Organisation.Kind.GP_PRACTICE
    )


def can_see_patient_data(user: Requester) -> bool:
    """Planners and administrators see aggregates only, never a patient."""
    return (
        isinstance(user, User)
        and user.is_active
        and user.role not in AGGREGATE_ROLES
        and user.organisation_id is not None
    )


def can_register_patients(user: Requester) -> bool:
    return is_practice_staff(user)


def can_see_aggregates(user: Requester) -> bool:
    return isinstance(user, User) and user.role in AGGREGATE_ROLES
