"""Who may do what with medication, OMEQ and conversion tables (on top of accounts.permissions)."""

from typing import Any

from smertespor.accounts.models import Role, User
from smertespor.accounts.permissions import can_see_patient_data

# Roles that record or change what a patient takes; others with access may read the list.
MEDICATION_RECORDING_ROLES = frozenset(
    {Role.GP, Role.PRACTICE_NURSE, Role.CLINIC_DOCTOR, Role.CLINIC_NURSE}
)


def can_use_omeq_calculator(user: Any) -> bool:
    """Any clinician; planners and administrators work with aggregates and settings only."""
    return can_see_patient_data(user)


def can_record_medication(user: Any) -> bool:
    return can_see_patient_data(user) and user.role in MEDICATION_RECORDING_ROLES


def can_manage_conversion_tables(user: Any) -> bool:
    return isinstance(user, User) and user.is_active and user.role == Role.ADMIN
