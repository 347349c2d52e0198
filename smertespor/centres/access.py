"""The one way to load a centre course or its discharge summary: the rule on the user's role
first (403, audited), then the patient through `patients.access` (out of scope 404, audited),
then the course among that patient's courses at the user's centre (else 404).

A GP never loads the course; they load the discharge summary sent to their practice.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from smertespor.accounts.models import Requester, User
from smertespor.audit.services import AuditAction, record_event
from smertespor.centres.models import Appointment, CentreCourse, DischargeSummary, TeamMember
from smertespor.centres.permissions import (
    can_read_summaries,
    can_read_summary,
    is_centre_staff,
)
from smertespor.entry.rules import require
from smertespor.patients.access import patient_for, patient_for_change, patient_for_request
from smertespor.patients.models import Patient

OBJECT_TYPE = "centre_course"


class CourseNotFound(Http404):
    pass


def _course(user: Requester, patient: Patient, course_id: object) -> CentreCourse:
    try:
        pk = int(str(course_id))
    except ValueError:
        pk = None
    organisation_id = user.organisation_id if isinstance(user, User) else None
    course = (
        CentreCourse.objects.select_related("patient", "centre", "created_by")
        .filter(pk=pk, patient=patient, centre_id=organisation_id)
        .first()
        if pk is not None
        else None
    )
    if course is None:
        record_event(
            user=user,
            action=AuditAction.REFUSED,
            object_type=OBJECT_TYPE,
            object_id=str(course_id)[:64],
            patient=patient,
            detail={"attempted": "course of another centre or none"},
        )
        raise CourseNotFound
    return course


def course_for(
    user: Requester, patient_id: object, course_id: object, *, object_type: str = OBJECT_TYPE
) -> CentreCourse:
    """A course to read (the view of the patient is audited)."""
    require(user, is_centre_staff, object_type=object_type, object_id=str(course_id)[:64])
    patient = patient_for(
        user, patient_id, object_type=object_type, detail={"centre_course": str(course_id)}
    )
    return _course(user, patient, course_id)


def course_for_change(
    user: Requester, patient_id: object, course_id: object, *, object_type: str = OBJECT_TYPE
) -> CentreCourse:
    """A course a service is about to change (the service audits the change)."""
    require(user, is_centre_staff, object_type=object_type, object_id=str(course_id)[:64])
    patient = patient_for_change(user, patient_id, object_type=object_type)
    return _course(user, patient, course_id)


def course_for_request(
    request: HttpRequest, patient_id: object, course_id: object, *, object_type: str = OBJECT_TYPE
) -> CentreCourse:
    """A course for a page: read on GET (audited), for change on POST."""
    require(request.user, is_centre_staff, object_type=object_type, object_id=str(course_id)[:64])
    patient = patient_for_request(
        request, patient_id, object_type=object_type, detail={"centre_course": str(course_id)}
    )
    return _course(request.user, patient, course_id)


def team_member_of(course: CentreCourse, member_id: object) -> TeamMember:
    """A member (on the team or former) of the course's team, or 404."""
    try:
        pk = int(str(member_id))
    except ValueError:
        raise Http404 from None
    found = course.team.select_related("user").filter(pk=pk).first()
    if found is None:
        raise Http404
    found.course = course
    return found


def appointment_of(course: CentreCourse, appointment_id: object) -> Appointment:
    try:
        pk = int(str(appointment_id))
    except ValueError:
        raise Http404 from None
    found = course.appointments.select_related("clinician", "module").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def summary_for(
    user: Requester, patient_id: object, course_id: object, *, change: bool = False
) -> DischargeSummary:
    """The discharge summary of a course, for the practice it was sent to or the centre that
    sent it (another practice, centre or clinic: 404 through the patient or here)."""
    require(user, can_read_summaries, object_type="centre_discharge_summary")
    load = patient_for_change if change else patient_for
    extra: dict[str, Any] = {} if change else {"detail": {"centre_course": str(course_id)}}
    patient = load(user, patient_id, object_type="centre_discharge_summary", **extra)
    try:
        pk = int(str(course_id))
    except ValueError:
        pk = None
    summary = (
        DischargeSummary.objects.select_related(
            "course", "course__centre", "course__patient", "sent_to", "written_by"
        )
        .filter(course_id=pk, course__patient=patient)
        .first()
        if pk is not None
        else None
    )
    if summary is None or not can_read_summary(user, summary):
        record_event(
            user=user,
            action=AuditAction.REFUSED,
            object_type="centre_discharge_summary",
            object_id=str(course_id)[:64],
            patient=patient,
        )
        raise CourseNotFound
    return summary
