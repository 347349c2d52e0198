"""The clinic's endpoints for a hospital-track course: needs assessment, team, appointments,
the plan and completion with the discharge summary (the services of `hospital_services`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from smertespor.accounts.models import User
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.numbers import for_json
from smertespor.tracks.hospital_services import (
    activate_plan,
    add_team_member,
    assess_needs,
    book_appointment,
    complete_course,
)
from smertespor.tracks.labels import CourseConflict
from smertespor.tracks.models import Course, Track
from smertespor.tracks.payloads import conflict, course_payload, load
from smertespor.tracks.permissions import can_work_hospital_track
from smertespor.tracks.schemas import (
    AppointmentIn,
    AppointmentOut,
    CourseOut,
    DischargeSummaryIn,
    DischargeSummaryOut,
    NeedsAssessmentIn,
    NeedsAssessmentOut,
    PlanIn,
    Problem,
    TeamMemberIn,
    TeamMemberOut,
)

router = Router(tags=["tracks"])
_COURSE = "/patients/{patient_id}/courses/{course_id}"


def _hospital_course(request: HttpRequest, patient_id: str, course_id: int, what: str) -> Course:
    if not can_work_hospital_track(request.user):
        record_event(user=request.user, action=AuditAction.REFUSED, object_type=f"api_{what}")
        raise PermissionDenied
    _patient, course = load(request, patient_id, course_id, change=True, what=what)
    if course.track != Track.HOSPITAL:
        raise ValidationError(_("This is done on a hospital-track course."))
    return course


@router.post(
    _COURSE + "/needs-assessment",
    response={201: NeedsAssessmentOut, 409: Problem},
    url_name="tracks_needs_assessment",
)
def post_needs_assessment(
    request: HttpRequest, patient_id: str, course_id: int, payload: NeedsAssessmentIn
) -> Status[Any]:
    course = _hospital_course(request, patient_id, course_id, "needs_assessment")
    try:
        assessment = assess_needs(
            course=course,
            by=request.user,
            expected_version=payload.version,
            disciplines=payload.disciplines,
            interventions=payload.interventions,
            summary=payload.summary,
        )
    except CourseConflict as error:
        return conflict(error)
    return Status(201, assessment)


@router.post(_COURSE + "/team", response={201: TeamMemberOut}, url_name="tracks_team_member_add")
def post_team_member(
    request: HttpRequest, patient_id: str, course_id: int, payload: TeamMemberIn
) -> Status[dict[str, Any]]:
    course = _hospital_course(request, patient_id, course_id, "course_team")
    user = User.objects.filter(pk=payload.user_id).first()
    if user is None:
        raise ValidationError(
            {"user_id": _("Choose a clinician of the clinic running the course.")}
        )
    member = add_team_member(
        course=course, by=request.user, user=user, discipline=payload.discipline
    )
    return Status(
        201,
        {"id": member.pk, "user_id": user.pk, "name": str(user), "discipline": member.discipline},
    )


@router.post(
    _COURSE + "/appointments", response={201: AppointmentOut}, url_name="tracks_appointment_add"
)
def post_appointment(
    request: HttpRequest, patient_id: str, course_id: int, payload: AppointmentIn
) -> Status[Any]:
    course = _hospital_course(request, patient_id, course_id, "appointment")
    clinician = None
    if payload.clinician_id is not None:
        clinician = User.objects.filter(pk=payload.clinician_id).first()
        if clinician is None:
            raise ValidationError({"clinician_id": _("Choose a member of the course's team.")})
    appointment = book_appointment(
        course=course,
        by=request.user,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        discipline=payload.discipline,
        clinician=clinician,
        purpose=payload.purpose,
    )
    return Status(201, appointment)


@router.post(
    _COURSE + "/plan", response={200: CourseOut, 409: Problem}, url_name="tracks_plan_activate"
)
def post_plan(
    request: HttpRequest, patient_id: str, course_id: int, payload: PlanIn
) -> Status[dict[str, Any]]:
    """Put the course plan into effect (it needs a team member)."""
    course = _hospital_course(request, patient_id, course_id, "course_plan")
    try:
        activate_plan(
            course=course,
            by=request.user,
            expected_version=payload.version,
            plan_note=payload.plan_note,
        )
    except CourseConflict as error:
        return conflict(error)
    return Status(200, course_payload(course, request.user))


@router.post(
    _COURSE + "/discharge-summary",
    response={201: DischargeSummaryOut, 409: Problem},
    url_name="tracks_discharge_summary",
)
def post_discharge_summary(
    request: HttpRequest, patient_id: str, course_id: int, payload: DischargeSummaryIn
) -> Status[dict[str, Any]]:
    """Complete the course; the discharge summary goes to the GP."""
    course = _hospital_course(request, patient_id, course_id, "discharge_summary")
    try:
        discharge = complete_course(
            course=course,
            by=request.user,
            expected_version=payload.version,
            summary=payload.summary,
            recommendations=payload.recommendations,
            medication_at_discharge=payload.medication_at_discharge,
        )
    except CourseConflict as error:
        return conflict(error)
    return Status(
        201,
        {
            "course_id": course.pk,
            "sent_to_id": discharge.sent_to_id,
            "summary": discharge.summary,
            "recommendations": discharge.recommendations,
            "medication_at_discharge": discharge.medication_at_discharge,
            "omeq_at_discharge_mg_per_day": for_json(discharge.omeq_at_discharge_mg_per_day),
            "written_at": discharge.written_at,
        },
    )
