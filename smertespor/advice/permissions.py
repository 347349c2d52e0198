"""Who may do what with advice, written once for the pages, the API and the services.

A GP or practice nurse asks, and sees their own practice's requests; the pain clinic's doctors
and nurses answer the requests sent to their clinic; every clinician reads the published
knowledge base; planners and administrators see counts only.
"""

from typing import Any

from smertespor.accounts.models import Organisation, Role, User
from smertespor.accounts.permissions import can_see_patient_data, is_practice_staff

ASKING_ROLES = frozenset({Role.GP, Role.PRACTICE_NURSE})
ANSWERING_ROLES = frozenset({Role.CLINIC_DOCTOR, Role.CLINIC_NURSE})
COUNT_ROLES = frozenset({Role.PLANNER, Role.ADMIN})


def can_ask_for_advice(user: Any) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and is_practice_staff(user)
        and user.role in ASKING_ROLES
    )


def is_advice_clinician(user: Any) -> bool:
    """A pain clinic's doctor or nurse: answers, assigns, records telephone advice, writes."""
    return (
        isinstance(user, User)
        and user.is_active
        and user.role in ANSWERING_ROLES
        and user.organisation is not None
        and user.organisation.kind == Organisation.Kind.PAIN_CLINIC
    )


def can_use_advice(user: Any) -> bool:
    return can_ask_for_advice(user) or is_advice_clinician(user)


def can_read_articles(user: Any) -> bool:
    """Published articles are for every clinician; they hold no patient data."""
    return can_see_patient_data(user)


def can_see_advice_counts(user: Any) -> bool:
    return (isinstance(user, User) and user.is_active and user.role in COUNT_ROLES) or (
        is_advice_clinician(user)
    )


def side_of(user: Any, advice_request: Any) -> str | None:
    """ "practice" or "clinic" if `user` takes part in the request, else None."""
    if can_ask_for_advice(user) and advice_request.practice_id == user.organisation_id:
        return "practice"
    if is_advice_clinician(user) and advice_request.clinic_id == user.organisation_id:
        return "clinic"
    return None
