"""Who may do what with a pain centre's courses, written once for the pages, the API and the
services.

Seeing a course is seeing the patient (`patients.access`: the centre's open care relation)
*and* being staff of the centre running it. The team's clinicians plan and run the course;
the centre's doctor links the taper plan and sends the discharge summary (the taper and the
medication at discharge are a doctor's decision, Sundhedsstyrelsen vejledning nr. 9523/2019).
The patient's GP practice reads the discharge summary sent to it; planners see counts only.
"""

from smertespor.accounts.models import Organisation, Requester, Role, User
from smertespor.accounts.permissions import (
    AGGREGATE_ROLES,
    CLINIC_ROLES,
    can_see_patient_data,
    is_practice_staff,
)
from smertespor.centres.models import CentreCourse, DischargeSummary, TeamDiscipline

CENTRE_CLINICIANS = frozenset(
    {
        Role.CLINIC_DOCTOR,
        Role.CLINIC_NURSE,
        Role.PSYCHOLOGIST,
        Role.PHYSIOTHERAPIST,
        Role.SOCIAL_WORKER,
    }
)
CENTRE_DOCTORS = frozenset({Role.CLINIC_DOCTOR})
# The role a team member of each discipline has at the centre.
DISCIPLINE_ROLES = {
    TeamDiscipline.DOCTOR: Role.CLINIC_DOCTOR,
    TeamDiscipline.NURSE: Role.CLINIC_NURSE,
    TeamDiscipline.PSYCHOLOGIST: Role.PSYCHOLOGIST,
    TeamDiscipline.PHYSIOTHERAPIST: Role.PHYSIOTHERAPIST,
    TeamDiscipline.SOCIAL_WORKER: Role.SOCIAL_WORKER,
}


def is_centre_staff(user: Requester) -> bool:
    """Staff of an interdisciplinary pain centre (its secretary included)."""
    return (
        isinstance(user, User)
        and can_see_patient_data(user)
        and user.role in CLINIC_ROLES
        and user.organisation is not None
        and user.organisation.kind == Organisation.Kind.PAIN_CENTRE
    )


def can_work_centre_courses(user: Requester) -> bool:
    """A clinician of a pain centre: plans and runs its courses."""
    return is_centre_staff(user) and isinstance(user, User) and user.role in CENTRE_CLINICIANS


def can_send_discharge_summaries(user: Requester) -> bool:
    """The centre's doctor: the taper plan and the discharge summary."""
    return can_work_centre_courses(user) and isinstance(user, User) and user.role in CENTRE_DOCTORS


def runs(user: Requester, course: CentreCourse) -> bool:
    """`user` is staff of the centre running `course`."""
    return (
        is_centre_staff(user)
        and isinstance(user, User)
        and user.organisation_id == course.centre_id
    )


def can_read_summaries(user: Requester) -> bool:
    """Centre staff and the staff of general practices (each their own)."""
    return is_centre_staff(user) or (can_see_patient_data(user) and is_practice_staff(user))


def receives(user: Requester, summary: DischargeSummary) -> bool:
    """`user` works at the practice the summary was sent to."""
    return (
        is_practice_staff(user)
        and can_see_patient_data(user)
        and isinstance(user, User)
        and user.organisation_id == summary.sent_to_id
    )


def can_read_summary(user: Requester, summary: DischargeSummary) -> bool:
    return receives(user, summary) or runs(user, summary.course)


def can_acknowledge_summaries(user: Requester) -> bool:
    return can_see_patient_data(user) and is_practice_staff(user)


def can_see_centre_counts(user: Requester) -> bool:
    """Counts only, no patient: planners and administrators, and the centres' own staff."""
    return (isinstance(user, User) and user.role in AGGREGATE_ROLES) or is_centre_staff(user)
