"""Who may do what with courses, written once for the pages, the API and the services.

Seeing a course is seeing the patient (`patients.access`). Acting on one also needs the right
role *and* the right organisation: the practice responsible for a practice-track course, the
clinic it is handed over to, or the clinic running a hospital-track course.
"""

from django.core.exceptions import PermissionDenied

from smertespor.accounts.models import Organisation, Requester, Role, User
from smertespor.accounts.permissions import CLINIC_ROLES, can_see_patient_data, is_practice_staff
from smertespor.tracks.models import Actor, Course, Discipline, Track

# A course, its goal and its transitions are the doctor's decision (Sundhedsstyrelsen,
# vejledning nr. 9523/2019: the treatment plan for dependence-forming medicines).
PRACTICE_DECIDERS = frozenset({Role.GP})
PRACTICE_FOLLOW_UP = frozenset({Role.GP, Role.PRACTICE_NURSE})
CLINIC_CLINICIANS = frozenset({Role.CLINIC_DOCTOR, Role.CLINIC_NURSE})
CLINIC_DISCHARGE = frozenset({Role.CLINIC_DOCTOR})
CLINIC_KINDS = frozenset({Organisation.Kind.PAIN_CLINIC})
# The roles (professions) that may fill each discipline on the clinic's course team: a
# secretary is on no team, a nurse is never the team's doctor.
DISCIPLINE_ROLES: dict[str, frozenset[str]] = {
    Discipline.DOCTOR: frozenset({Role.CLINIC_DOCTOR}),
    Discipline.NURSE: frozenset({Role.CLINIC_NURSE}),
    Discipline.PSYCHOLOGIST: frozenset({Role.PSYCHOLOGIST}),
    Discipline.PHYSIOTHERAPIST: frozenset({Role.PHYSIOTHERAPIST}),
    Discipline.SOCIAL_WORKER: frozenset({Role.SOCIAL_WORKER}),
}
TEAM_ROLES: frozenset[str] = frozenset().union(*DISCIPLINE_ROLES.values())


def is_clinic_staff(user: Requester) -> bool:
    return (
        isinstance(user, User)
        and can_see_patient_data(user)
        and user.role in CLINIC_ROLES
        and user.organisation is not None
        and user.organisation.kind in CLINIC_KINDS
    )


def can_see_practice_worklist(user: Requester) -> bool:
    return can_see_patient_data(user) and is_practice_staff(user)


def can_see_clinic_worklist(user: Requester) -> bool:
    return is_clinic_staff(user)


def can_see_a_worklist(user: Requester) -> bool:
    return can_see_practice_worklist(user) or can_see_clinic_worklist(user)


def can_enrol(user: Requester) -> bool:
    return (
        isinstance(user, User)
        and can_see_practice_worklist(user)
        and user.role in PRACTICE_DECIDERS
    )


def can_work_hospital_track(user: Requester) -> bool:
    return isinstance(user, User) and is_clinic_staff(user) and user.role in CLINIC_CLINICIANS


def can_discharge(user: Requester) -> bool:
    """Completing a hospital course with the discharge summary is the clinic doctor's."""
    return (
        can_work_hospital_track(user) and isinstance(user, User) and user.role in CLINIC_DISCHARGE
    )


def actor_for(user: Requester, course: Course) -> Actor | None:
    """The side `user` acts for on `course`, or None if they may only read it."""
    if not isinstance(user, User) or not can_see_patient_data(user):
        return None
    org_id = user.organisation_id
    if course.track == Track.PRACTICE:
        if is_practice_staff(user) and course.responsible_organisation_id == org_id:
            return Actor.PRACTICE
        if is_clinic_staff(user) and course.clinic_id == org_id:
            return Actor.CLINIC
    elif is_clinic_staff(user) and course.responsible_organisation_id == org_id:
        return Actor.CLINIC
    return None


def roles_for(actor: Actor | None, *, decision: bool) -> frozenset[str]:
    """The roles that may act for `actor`: decisions (transitions) or follow-up work."""
    if actor == Actor.PRACTICE:
        return PRACTICE_DECIDERS if decision else PRACTICE_FOLLOW_UP
    if actor == Actor.CLINIC:
        return CLINIC_CLINICIANS
    return frozenset()


def _acts(user: Requester, course: Course, *, decision: bool) -> Actor | None:
    """The side `user` acts for on `course` if their role may take decisions (or do the
    follow-up work) there, else None."""
    actor = actor_for(user, course)
    if actor is None or not isinstance(user, User):
        return None
    return actor if user.role in roles_for(actor, decision=decision) else None


def can_decide(user: Requester, course: Course) -> bool:
    return _acts(user, course, decision=True) is not None


def can_follow_up(user: Requester, course: Course) -> bool:
    """Follow-up work on the course: see to its alerts (and record visits, see below)."""
    return _acts(user, course, decision=False) is not None


def can_record_follow_up(user: Requester, course: Course) -> bool:
    """Visits are recorded by the side running the course: the practice on the practice
    track, the clinic on the hospital track."""
    actor = _acts(user, course, decision=False)
    return actor is not None and (actor == Actor.CLINIC) == (course.track == Track.HOSPITAL)


def can_decide_proposal(user: Requester, course: Course) -> bool:
    """The 3-month rule's proposal is decided by a GP of the practice running the course."""
    return _acts(user, course, decision=True) == Actor.PRACTICE


def can_write_handover_letter(user: Requester, course: Course) -> bool:
    """The handover letter is the deciding GP's, on their practice's course."""
    return _acts(user, course, decision=True) == Actor.PRACTICE


def can_run_hospital_course(user: Requester, course: Course) -> bool:
    """The clinic's work on a course it runs or is asked to take over (see the actions for
    the state it must be in)."""
    return can_work_hospital_track(user) and actor_for(user, course) == Actor.CLINIC


def require_actor(user: Requester, course: Course, *, decision: bool) -> Actor:
    """The actor `user` is on `course`, or PermissionDenied (the services' own check)."""
    actor = _acts(user, course, decision=decision)
    if actor is None:
        raise PermissionDenied
    return actor
