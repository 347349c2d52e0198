"""The one way to load a course: through its patient (`patients.access`, which applies the
role rules and writes the audit row), then the course among that patient's (else 404).

A view that shows a page on GET and changes the course on POST uses `course_for_request`;
the actions, which change it, use `course_for_change`; the API's reads use `course_for`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from smertespor.accounts.models import Requester
from smertespor.entry.rules import require
from smertespor.patients.access import patient_for, patient_for_change, patient_for_request
from smertespor.tracks.models import Course, Track
from smertespor.tracks.permissions import can_run_hospital_course
from smertespor.tracks.selectors import course_of


def course_for(
    user: Requester, patient_id: Any, course_id: Any, *, object_type: str = "course"
) -> Course:
    """A course to read: the patient's access is checked and the view audited."""
    patient = patient_for(
        user, patient_id, object_type=object_type, detail={"course": str(course_id)}
    )
    return course_of(patient, course_id)


def course_for_change(
    user: Requester, patient_id: Any, course_id: Any, *, object_type: str = "course"
) -> Course:
    """A course a service is about to change (the service audits the change)."""
    return course_of(patient_for_change(user, patient_id, object_type=object_type), course_id)


def course_for_request(
    request: HttpRequest, patient_id: Any, course_id: Any, *, object_type: str = "course"
) -> Course:
    """A course for a page: read on GET (audited here), for change on POST."""
    patient = patient_for_request(
        request, patient_id, object_type=object_type, detail={"course": str(course_id)}
    )
    return course_of(patient, course_id)


def refuse_unless(user: Requester, allowed: bool, course: Course, *, object_type: str) -> None:
    """403 (audited, naming the course and its patient) unless `allowed`."""
    require(
        user, allowed, object_type=object_type, object_id=str(course.pk), patient=course.patient
    )


def check_hospital_course(user: Requester, course: Course, *, object_type: str) -> None:
    """The clinic's pages and endpoints of a hospital-track course: another side or role is
    refused (403, audited); a course on the practice track is not in a state for it (422)."""
    refuse_unless(user, can_run_hospital_course(user, course), course, object_type=object_type)
    if course.track != Track.HOSPITAL:
        raise ValidationError(
            _("This is done on a hospital-track course."), code="not_hospital_track"
        )
