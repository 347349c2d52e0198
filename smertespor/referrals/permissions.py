"""Who may do what with referrals, written once for the actions, pages, API and templates.

The patient's GP refers (only the practice the patient is listed at); the practice's GPs and
nurses follow their referrals and answer the centre; the recipient's staff (a pain centre or
pain clinic) see the referrals sent to them, its doctors and nurses triage, and its
secretary may also book the first appointment; planners and administrators see counts only.
"""

from __future__ import annotations

from smertespor.accounts.models import Organisation, Requester, Role, User
from smertespor.accounts.permissions import CLINIC_ROLES, is_practice_staff
from smertespor.patients.models import Patient
from smertespor.referrals.models import Referral, Side

REFERRING_ROLES = frozenset({Role.GP})
PRACTICE_READERS = frozenset({Role.GP, Role.PRACTICE_NURSE})
TRIAGE_ROLES = frozenset({Role.CLINIC_DOCTOR, Role.CLINIC_NURSE})
BOOKING_ROLES = TRIAGE_ROLES | {Role.SECRETARY}
COUNT_ROLES = frozenset({Role.PLANNER, Role.ADMIN})
RECIPIENT_KINDS = frozenset({Organisation.Kind.PAIN_CENTRE, Organisation.Kind.PAIN_CLINIC})


def _active(user: Requester) -> bool:
    return isinstance(user, User) and user.is_active


def _role_in(user: Requester, roles: frozenset[str]) -> bool:
    return isinstance(user, User) and user.role in roles


def is_referring_practice_staff(user: Requester) -> bool:
    """A GP or practice nurse: sees the practice's referrals and writes in their threads."""
    return _active(user) and is_practice_staff(user) and _role_in(user, PRACTICE_READERS)


def can_refer(user: Requester) -> bool:
    """Only a GP refers to a pain centre (the specialty plan: GP referral only)."""
    return is_referring_practice_staff(user) and _role_in(user, REFERRING_ROLES)


def can_refer_patient(user: Requester, patient: Patient) -> bool:
    """The GP of the practice the patient is listed at."""
    return (
        can_refer(user)
        and isinstance(user, User)
        and patient.listed_practice_id == user.organisation_id
    )


def is_recipient_staff(user: Requester) -> bool:
    """Staff of a pain centre or pain clinic: they receive referrals."""
    return (
        _active(user)
        and isinstance(user, User)
        and _role_in(user, CLINIC_ROLES)
        and user.organisation is not None
        and user.organisation.kind in RECIPIENT_KINDS
    )


def can_triage(user: Requester) -> bool:
    return is_recipient_staff(user) and _role_in(user, TRIAGE_ROLES)


def can_book(user: Requester) -> bool:
    return is_recipient_staff(user) and _role_in(user, BOOKING_ROLES)


def can_use_referrals(user: Requester) -> bool:
    return is_referring_practice_staff(user) or is_recipient_staff(user)


def can_see_referral_counts(user: Requester) -> bool:
    return (_active(user) and _role_in(user, COUNT_ROLES)) or is_recipient_staff(user)


def side_of(user: Requester, referral: Referral) -> str | None:
    """ "practice" or "centre" when `user` takes part in the referral, else None."""
    if not isinstance(user, User):
        return None
    if is_referring_practice_staff(user) and referral.practice_id == user.organisation_id:
        return Side.PRACTICE
    if (
        is_recipient_staff(user)
        and referral.recipient_id == user.organisation_id
        and not referral.is_draft
    ):
        return Side.CENTRE
    return None


def can_triage_referral(user: Requester, referral: Referral) -> bool:
    return can_triage(user) and side_of(user, referral) == Side.CENTRE


def can_book_for(user: Requester, referral: Referral) -> bool:
    return can_book(user) and side_of(user, referral) == Side.CENTRE


def can_change_as_referrer(user: Requester, referral: Referral) -> bool:
    """The practice's GP edits, sends and withdraws the practice's referral."""
    return can_refer(user) and side_of(user, referral) == Side.PRACTICE


# The criteria's versions hold no patient data: planners and administrators read them (the
# clinicians see the version each referral was judged on, on the referral); only an
# administrator publishes one.
CRITERIA_READERS = frozenset({Role.PLANNER, Role.ADMIN})


def can_see_criteria_versions(user: Requester) -> bool:
    return _active(user) and _role_in(user, CRITERIA_READERS)


def can_publish_criteria(user: Requester) -> bool:
    return _active(user) and _role_in(user, frozenset({Role.ADMIN}))
