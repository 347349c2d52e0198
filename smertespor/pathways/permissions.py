"""Who may do what in the pathway, written once for the pages, the API and the services.

Seeing a patient's pathway is seeing the patient (`patients.access`: their practice, and
organisations with an open care relation). The patient's own GP (tovholder) enrols, sets
the level, involves other organisations and ends the pathway; each organisation's clinical
staff report the start, plan and end of their own part; administrators publish versions of
the pathway but see no patient; planners and administrators see counts only.
"""

from __future__ import annotations

from smertespor.accounts.models import Organisation, Requester, Role, User
from smertespor.accounts.permissions import can_see_aggregates, can_see_patient_data
from smertespor.patients.models import Patient

COORDINATOR_ROLES = frozenset({Role.GP})
# The clinicians who report their organisation's part (secretaries, planners and
# administrators do not).
REPORTING_ROLES = frozenset(
    {
        Role.GP,
        Role.PRACTICE_NURSE,
        Role.CLINIC_DOCTOR,
        Role.CLINIC_NURSE,
        Role.PSYCHOLOGIST,
        Role.PHYSIOTHERAPIST,
        Role.SOCIAL_WORKER,
    }
)


def is_gp(user: Requester) -> bool:
    return (
        isinstance(user, User)
        and can_see_patient_data(user)
        and user.role in COORDINATOR_ROLES
        and user.organisation is not None
        and user.organisation.kind == Organisation.Kind.GP_PRACTICE
    )


def can_enrol(user: Requester) -> bool:
    """A GP may enrol (the patient must be listed at their practice: `is_patients_gp`)."""
    return is_gp(user)


def is_patients_gp(user: Requester, patient: Patient) -> bool:
    """The patient's own GP: a GP of the practice the patient is listed at."""
    return (
        is_gp(user)
        and isinstance(user, User)
        and patient.listed_practice_id == user.organisation_id
    )


def is_coordinator(user: Requester, coordinator_practice_id: int) -> bool:
    """A GP of the practice coordinating the enrolment."""
    return (
        is_gp(user) and isinstance(user, User) and user.organisation_id == coordinator_practice_id
    )


def can_report(user: Requester) -> bool:
    """Clinical staff of any organisation report their own part."""
    return isinstance(user, User) and can_see_patient_data(user) and user.role in REPORTING_ROLES


def can_see_enrolments(user: Requester) -> bool:
    return can_see_patient_data(user)


def can_publish(user: Requester) -> bool:
    return isinstance(user, User) and user.is_active and user.role == Role.ADMIN


def can_see_counts(user: Requester) -> bool:
    return can_see_aggregates(user)


def can_read_definitions(user: Requester) -> bool:
    """The pathway itself holds no patient data: everyone signed in may read it."""
    return isinstance(user, User) and user.is_active
