"""Who may do what with medication, OMEQ and conversion tables (on top of accounts.permissions).

Each rule is a predicate on the user, for `smertespor.entry.rules.require` / `requires`.
"""

from smertespor.accounts.models import Requester, Role, User
from smertespor.accounts.permissions import can_see_patient_data

# Roles that record or change what a patient takes; others with access may read the list.
MEDICATION_RECORDING_ROLES = frozenset(
    {Role.GP, Role.PRACTICE_NURSE, Role.CLINIC_DOCTOR, Role.CLINIC_NURSE}
)


def can_use_omeq_calculator(user: Requester) -> bool:
    """Any clinician; planners and administrators work with aggregates and settings only."""
    return can_see_patient_data(user)


def can_record_medication(user: Requester) -> bool:
    return (
        can_see_patient_data(user)
        and isinstance(user, User)
        and user.role in MEDICATION_RECORDING_ROLES
    )


def can_manage_conversion_tables(user: Requester) -> bool:
    return isinstance(user, User) and user.is_active and user.role == Role.ADMIN


def can_manage_catalogue(user: Requester) -> bool:
    """Administrators add products to the catalogue (so may Django's superusers)."""
    return can_manage_conversion_tables(user) or (
        isinstance(user, User) and user.is_active and user.is_superuser
    )
