"""Who may do what with medication, OMEQ and conversion tables (on top of accounts.permissions).

Each rule is a predicate on the user, for `smertespor.entry.rules.require` / `requires`.

Conversion tables change every patient's OMEQ, so no single person changes them: an
administrator drafts (copies and edits), and someone else signs off — another administrator,
or a clinician the region has named by giving them the Django permission
``medication.sign_off_conversion_table`` (in the admin, per user or through a group). A
permission rather than a role: signing off the region's table is a task a region gives to
named people (its medicines committee's doctor or pharmacist), not to every clinic doctor or
GP; and it can be granted and withdrawn without changing anyone's role.
"""

from __future__ import annotations

from collections.abc import Callable

from smertespor.accounts.models import Requester, Role, User
from smertespor.accounts.permissions import can_see_patient_data
from smertespor.medication.models import ConversionTableVersion

# Roles that record or change what a patient takes; others with access may read the list.
MEDICATION_RECORDING_ROLES = frozenset(
    {Role.GP, Role.PRACTICE_NURSE, Role.CLINIC_DOCTOR, Role.CLINIC_NURSE}
)
SIGN_OFF_PERMISSION = "medication.sign_off_conversion_table"


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
    """Administrators copy and edit tables (drafts)."""
    return isinstance(user, User) and user.is_active and user.role == Role.ADMIN


def can_sign_off_conversion_tables(user: Requester) -> bool:
    """An administrator, or a clinician given the sign-off permission; never for a draft they
    drafted themselves (`is_not_a_drafter_of`)."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.is_clinical and user.has_perm(SIGN_OFF_PERMISSION)


def can_review_conversion_tables(user: Requester) -> bool:
    """Who may read the tables' pages and a draft's impact: those who draft or sign off."""
    return can_manage_conversion_tables(user) or can_sign_off_conversion_tables(user)


def is_not_a_drafter_of(version: ConversionTableVersion) -> Callable[[Requester], bool]:
    """The two-person rule for one version: a rule true for anyone who neither copied nor
    edited it (its draft steps, and whoever created it)."""

    def is_not_a_drafter(user: Requester) -> bool:
        drafters = set(version.draft_steps.values_list("by_id", flat=True))
        return isinstance(user, User) and user.pk not in {*drafters, version.created_by_id}

    return is_not_a_drafter


def can_manage_catalogue(user: Requester) -> bool:
    """Administrators add products to the catalogue (so may Django's superusers)."""
    return can_manage_conversion_tables(user) or (
        isinstance(user, User) and user.is_active and user.is_superuser
    )
