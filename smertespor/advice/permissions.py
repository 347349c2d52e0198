"""Who may do what with advice, written once for the actions, pages, API and templates.

A GP or practice nurse asks, and sees their own practice's requests; only the practice a
patient is listed at asks about that patient. A hospital department's doctor asks the same
way, for their department, about the patients in the department's care (an open care
relation: `departments`). The request's `practice` is the asking organisation, a general
practice or a hospital department. The pain clinic's doctors and nurses answer the requests
sent to their clinic; every clinician reads the published knowledge base; planners and
administrators see counts only.
"""

from __future__ import annotations

from smertespor.accounts.models import Organisation, Requester, Role, User
from smertespor.accounts.permissions import (
    can_see_patient_data,
    is_hospital_department_staff,
    is_practice_staff,
)
from smertespor.advice.models import AdviceMessage, AdviceRequest
from smertespor.patients.models import Patient
from smertespor.patients.selectors import has_open_care_relation

PRACTICE_ASKING_ROLES = frozenset({Role.GP, Role.PRACTICE_NURSE})
ASKING_ROLES = PRACTICE_ASKING_ROLES | {Role.HOSPITAL_DOCTOR}
# The kinds of organisation that ask: the request's `practice` is one of them.
ASKING_KINDS = frozenset({Organisation.Kind.GP_PRACTICE, Organisation.Kind.HOSPITAL_DEPARTMENT})
ANSWERING_ROLES = frozenset({Role.CLINIC_DOCTOR, Role.CLINIC_NURSE})
COUNT_ROLES = frozenset({Role.PLANNER, Role.ADMIN})


def can_ask_for_advice(user: Requester) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and is_practice_staff(user)
        and user.role in PRACTICE_ASKING_ROLES
    ) or is_hospital_department_staff(user)


def can_ask_about(user: Requester, patient: Patient) -> bool:
    """The practice the patient is listed at asks about them (others may see the patient
    through a course, but the question is the listed practice's); a hospital department
    about a patient in its care now (an open care relation: its contact)."""
    if not can_ask_for_advice(user) or not isinstance(user, User):
        return False
    if is_hospital_department_staff(user):
        return has_open_care_relation(patient, user.organisation_id)
    return patient.listed_practice_id == user.organisation_id


def is_advice_clinician(user: Requester) -> bool:
    """A pain clinic's doctor or nurse: answers, assigns, records telephone advice, writes."""
    return (
        isinstance(user, User)
        and user.is_active
        and user.role in ANSWERING_ROLES
        and user.organisation is not None
        and user.organisation.kind == Organisation.Kind.PAIN_CLINIC
    )


def can_use_advice(user: Requester) -> bool:
    return can_ask_for_advice(user) or is_advice_clinician(user)


def can_read_articles(user: Requester) -> bool:
    """Published articles are for every clinician; they hold no patient data."""
    return can_see_patient_data(user)


def can_see_advice_counts(user: Requester) -> bool:
    return (isinstance(user, User) and user.is_active and user.role in COUNT_ROLES) or (
        is_advice_clinician(user)
    )


def side_of(user: Requester, advice_request: AdviceRequest) -> str | None:
    """ "practice" or "clinic" if `user` takes part in the request, else None."""
    if not isinstance(user, User):
        return None
    if can_ask_for_advice(user) and advice_request.practice_id == user.organisation_id:
        return "practice"
    if is_advice_clinician(user) and advice_request.clinic_id == user.organisation_id:
        return "clinic"
    return None


def can_write_article_from(user: Requester, advice_request: AdviceRequest) -> bool:
    """A clinician of the request's clinic, once the clinic has given its advice."""
    return (
        side_of(user, advice_request) == "clinic"
        and advice_request.messages.filter(
            side=AdviceMessage.Side.CLINIC, kind=AdviceMessage.Kind.ANSWER
        ).exists()
    )


def can_edit_article(user: Requester, clinic_id: int) -> bool:
    """A clinician of the clinic that wrote the article."""
    return (
        is_advice_clinician(user) and isinstance(user, User) and user.organisation_id == clinic_id
    )
