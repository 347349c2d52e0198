"""The clinic's endpoints for a hospital-track course: needs assessment, team, appointments,
the plan and completion with the discharge summary (the actions the clinic's pages call, so
both answer alike: a role or side that may not 403, a course not on the hospital track 422).
A write that changes the course (needs assessment, plan, completion) names the course version
it read in `If-Match` and answers the course's new `ETag`, as the course endpoints do."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.responses import Status

from smertespor.entry.doors import performs
from smertespor.entry.rules import logged_in
from smertespor.entry.schemas import Id
from smertespor.tracks import actions
from smertespor.tracks.follow_ups import LineChange, RegimenUpdate
from smertespor.tracks.models import Appointment, NeedsAssessment
from smertespor.tracks.payloads import course_payload, discharge_payload, team_member_payload
from smertespor.tracks.schemas import (
    AppointmentCancelIn,
    AppointmentIn,
    AppointmentOut,
    CourseOut,
    DischargeSummaryIn,
    DischargeSummaryOut,
    HospitalPlanIn,
    NeedsAssessmentIn,
    NeedsAssessmentOut,
    RegimenIn,
    TeamMemberIn,
    TeamMemberOut,
    TeamMemberRemoveIn,
)
from smertespor.versions import if_match, send_etag, versioned_write

router = Router(tags=["tracks"])
_COURSE = "/patients/{patient_id}/courses/{course_id}"


@router.post(
    _COURSE + "/needs-assessment",
    response={201: NeedsAssessmentOut},
    url_name="tracks_needs_assessment",
    openapi_extra=versioned_write(201),
)
@performs(actions.assess_needs)
def post_needs_assessment(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: NeedsAssessmentIn,
) -> Status[NeedsAssessment]:
    assessment = actions.assess_needs(
        user=logged_in(request.user),
        patient_id=patient_id,
        course_id=course_id,
        version=if_match(request),
        disciplines=payload.disciplines,
        interventions=payload.interventions,
        summary=payload.summary,
    )
    send_etag(response, assessment.course)
    return Status(201, assessment)


@router.post(_COURSE + "/team", response={201: TeamMemberOut}, url_name="tracks_team_member_add")
@performs(actions.add_team_member)
def post_team_member(
    request: HttpRequest, patient_id: uuid.UUID, course_id: Id, payload: TeamMemberIn
) -> Status[dict[str, Any]]:
    member = actions.add_team_member(
        user=logged_in(request.user),
        patient_id=patient_id,
        course_id=course_id,
        user_id=payload.user_id,
        discipline=payload.discipline,
    )
    return Status(201, team_member_payload(member))


@router.post(
    _COURSE + "/appointments", response={201: AppointmentOut}, url_name="tracks_appointment_add"
)
@performs(actions.book_appointment)
def post_appointment(
    request: HttpRequest, patient_id: uuid.UUID, course_id: Id, payload: AppointmentIn
) -> Status[Appointment]:
    appointment = actions.book_appointment(
        user=logged_in(request.user),
        patient_id=patient_id,
        course_id=course_id,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        discipline=payload.discipline,
        clinician_id=payload.clinician_id,
        purpose=payload.purpose,
    )
    return Status(201, appointment)


@router.post(
    _COURSE + "/team/{member_id}/remove",
    response=TeamMemberOut,
    url_name="tracks_team_member_remove",
)
@performs(actions.remove_team_member)
def post_team_member_remove(
    request: HttpRequest,
    patient_id: uuid.UUID,
    course_id: Id,
    member_id: Id,
    payload: TeamMemberRemoveIn,
) -> dict[str, Any]:
    """Take a clinician off the team; the team's history keeps them (refused while they have
    booked appointments ahead, or for the last member of an active plan)."""
    member = actions.remove_team_member(
        user=logged_in(request.user),
        patient_id=patient_id,
        course_id=course_id,
        member_id=member_id,
        reason=payload.reason,
    )
    return team_member_payload(member)


@router.post(
    _COURSE + "/appointments/{appointment_id}/cancel",
    response=AppointmentOut,
    url_name="tracks_appointment_cancel",
)
@performs(actions.cancel_appointment)
def post_appointment_cancel(
    request: HttpRequest,
    patient_id: uuid.UUID,
    course_id: Id,
    appointment_id: Id,
    payload: AppointmentCancelIn,
) -> Appointment:
    """Cancel a booked appointment with its reason; it stays in the plan as cancelled."""
    return actions.cancel_appointment(
        user=logged_in(request.user),
        patient_id=patient_id,
        course_id=course_id,
        appointment_id=appointment_id,
        reason=payload.reason,
    )


@router.post(
    _COURSE + "/plan",
    response=CourseOut,
    url_name="tracks_plan_activate",
    openapi_extra=versioned_write(),
)
@performs(actions.activate_plan)
def post_plan(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: HospitalPlanIn,
) -> dict[str, Any]:
    """Put the course plan into effect (it needs a team member)."""
    user = logged_in(request.user)
    course = actions.activate_plan(
        user=user,
        patient_id=patient_id,
        course_id=course_id,
        version=if_match(request),
        plan_note=payload.plan_note,
    )
    send_etag(response, course)
    return course_payload(course, user)


@router.post(
    _COURSE + "/discharge-summary",
    response={201: DischargeSummaryOut},
    url_name="tracks_discharge_summary",
    openapi_extra=versioned_write(201),
)
@performs(actions.complete_course)
def post_discharge_summary(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: DischargeSummaryIn,
) -> Status[dict[str, Any]]:
    """Complete the course; the discharge summary goes to the GP. `regimen` changes the
    medication list at discharge in the same step (refused as a whole, 422, if any line is)."""
    discharge = actions.complete_course(
        user=logged_in(request.user),
        patient_id=patient_id,
        course_id=course_id,
        version=if_match(request),
        summary=payload.summary,
        recommendations=payload.recommendations,
        medication_at_discharge=payload.medication_at_discharge,
        regimen=_regimen(payload.regimen),
        omeq_mg_per_day=payload.omeq_mg_per_day,
    )
    send_etag(response, discharge.course)
    return Status(201, discharge_payload(discharge))


def _regimen(regimen: RegimenIn | None) -> RegimenUpdate:
    """The regimen as the follow-up visit's endpoint reads it."""
    if regimen is None:
        return RegimenUpdate()
    return RegimenUpdate(
        changes=tuple(LineChange(**change.dict()) for change in regimen.changes),
        stopped=tuple(regimen.stopped),
        added=tuple(line.dict() for line in regimen.added),
    )
