"""The pain centre's course endpoints (mounted at /api/centres): the same actions as the
pages, so both answer alike (a role that may not 403, out of scope 404, invalid 422, stale
409). Writes that change the course's status (steps, discharge) and the recording of an
appointment name the version they read in `If-Match`."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.responses import Status

from domain.centre_course import default_modules
from domain.outcomes import default_instruments
from smertespor.centres import actions
from smertespor.centres.access import course_for, summary_for
from smertespor.centres.labels import instrument_name, item_text, module_name
from smertespor.centres.payloads import (
    appointment_payload,
    course_payload,
    course_summary_payload,
    measurement_payload,
    module_payload,
    summary_payload,
    team_member_payload,
    worklist_payload,
)
from smertespor.centres.permissions import (
    can_acknowledge_summaries,
    can_see_centre_counts,
    is_centre_staff,
)
from smertespor.centres.schemas import (
    CentreAppointmentIn,
    CentreAppointmentOut,
    CentreAppointmentRecordIn,
    CentreCatalogueOut,
    CentreCountsOut,
    CentreCourseIn,
    CentreCourseOut,
    CentreCourseSummaryOut,
    CentreDischargeSummaryIn,
    CentreDischargeSummaryOut,
    CentreMeasurementOut,
    CentreModuleIn,
    CentreModuleOut,
    CentreNewSummaryOut,
    CentreOutcomeIn,
    CentreStepIn,
    CentreTaperPlanLinkIn,
    CentreTeamMemberIn,
    CentreTeamMemberOut,
    CentreTeamMemberRemoveIn,
    CentreWorklistOut,
)
from smertespor.centres.selectors import (
    centre_worklist,
    course_counts,
    courses_of_patient,
    new_summaries_for,
)
from smertespor.entry.doors import performs
from smertespor.entry.numbers import for_json
from smertespor.entry.rules import logged_in, require
from smertespor.entry.schemas import Id
from smertespor.patients.access import patient_for
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

router = Router(tags=["centres"])
_PATIENT = "/patients/{patient_id}"
_COURSE = _PATIENT + "/courses/{course_id}"


@router.get("/catalogue", response=CentreCatalogueOut, url_name="centres_catalogue")
def get_catalogue(request: HttpRequest) -> dict[str, Any]:
    """The modules a plan is made of and the outcome instruments, with their sources."""
    logged_in(request.user)
    modules = default_modules()
    return {
        "modules_version": modules.version,
        "modules_source": modules.source,
        "modules": [
            {
                "code": m.code,
                "name": module_name(m.code),
                "disciplines": [d.value for d in m.disciplines],
                "uses_taper_plan": m.uses_taper_plan,
            }
            for m in modules.modules
        ],
        "instruments": [
            {
                "code": i.code,
                "name": instrument_name(i.code, i.name),
                "version": i.version,
                "scoring": i.scoring.value,
                "higher_is_better": i.higher_is_better,
                "minimum": str(for_json(i.minimum)),
                "maximum": str(for_json(i.maximum)),
                "source": i.source,
                "licence": i.licence,
                "items": [
                    {
                        "code": item.code,
                        "text": item_text(i.code, item.code, item.text),
                        "minimum": item.minimum,
                        "maximum": item.maximum,
                    }
                    for item in i.items
                ],
            }
            for i in default_instruments().values()
        ],
    }


@router.get("/worklist", response=CentreWorklistOut, url_name="centres_worklist")
def get_worklist(request: HttpRequest) -> dict[str, Any]:
    """The centre's open courses, referred patients without a course, recently closed."""
    user = require(request.user, is_centre_staff, object_type="centre_worklist")
    return worklist_payload(centre_worklist(user))


@router.get("/counts", response=list[CentreCountsOut], url_name="centres_counts")
def get_counts(request: HttpRequest) -> list[dict[str, Any]]:
    """Courses per centre and status: counts only, for planners."""
    require(request.user, can_see_centre_counts, object_type="centre_counts")
    return course_counts()


@router.get("/summaries/new", response=list[CentreNewSummaryOut], url_name="centres_new_summaries")
def get_new_summaries(request: HttpRequest) -> list[dict[str, Any]]:
    """Discharge summaries sent to the user's practice and not yet marked received."""
    user = require(request.user, can_acknowledge_summaries, object_type="centre_summaries")
    return [
        {
            "course_id": s.course_id,
            "patient_id": s.course.patient_id,
            "patient_name": s.course.patient.name,
            "centre": s.course.centre.name,
            "sent_at": s.sent_at,
        }
        for s in new_summaries_for(user)
    ]


@router.get(
    _PATIENT + "/courses", response=list[CentreCourseSummaryOut], url_name="centres_courses"
)
def get_courses(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    """The patient's courses at the user's centre."""
    user = require(request.user, is_centre_staff, object_type="centre_course")
    patient = patient_for(user, patient_id, object_type="centre_course")
    return [course_summary_payload(c) for c in courses_of_patient(patient, user.organisation_id)]


@router.post(
    _PATIENT + "/courses", response={201: CentreCourseSummaryOut}, url_name="centres_course_plan"
)
@performs(actions.plan_course)
def post_course(
    request: HttpRequest, response: HttpResponse, patient_id: uuid.UUID, payload: CentreCourseIn
) -> Status[dict[str, Any]]:
    """Plan a course for a patient the centre has an open care relation with."""
    course = actions.plan_course(
        user=request.user,
        patient_id=patient_id,
        goals=payload.goals,
        planned_start=payload.planned_start,
    )
    send_etag(response, course)
    return Status(201, course_summary_payload(course))


@router.get(
    _COURSE, response=CentreCourseOut, url_name="centres_course", openapi_extra=VERSIONED_READ
)
def get_course(
    request: HttpRequest, response: HttpResponse, patient_id: uuid.UUID, course_id: Id
) -> dict[str, Any]:
    course = course_for(request.user, patient_id, course_id)
    send_etag(response, course)
    return course_payload(course)


@router.post(
    _COURSE + "/steps",
    response=CentreCourseSummaryOut,
    url_name="centres_course_step",
    openapi_extra=versioned_write(),
)
@performs(actions.take_step)
def post_step(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: CentreStepIn,
) -> dict[str, Any]:
    """Start the course (it needs a team member and a module) or cancel it (with a reason)."""
    course = actions.take_step(
        user=request.user,
        patient_id=patient_id,
        course_id=course_id,
        version=if_match(request),
        event=payload.event,
        reason=payload.reason,
    )
    send_etag(response, course)
    return course_summary_payload(course)


@router.post(_COURSE + "/team", response={201: CentreTeamMemberOut}, url_name="centres_team_add")
@performs(actions.add_team_member)
def post_team_member(
    request: HttpRequest, patient_id: uuid.UUID, course_id: Id, payload: CentreTeamMemberIn
) -> Status[dict[str, Any]]:
    member = actions.add_team_member(
        user=request.user,
        patient_id=patient_id,
        course_id=course_id,
        user_id=payload.user_id,
        discipline=payload.discipline,
    )
    return Status(201, team_member_payload(member))


@router.post(
    _COURSE + "/team/{member_id}/remove",
    response=CentreTeamMemberOut,
    url_name="centres_team_remove",
)
@performs(actions.remove_team_member)
def post_team_member_remove(
    request: HttpRequest,
    patient_id: uuid.UUID,
    course_id: Id,
    member_id: Id,
    payload: CentreTeamMemberRemoveIn,
) -> dict[str, Any]:
    """Take a clinician off the team; the team's history keeps them (refused while they have
    booked appointments ahead, or for the last member of an active course)."""
    member = actions.remove_team_member(
        user=request.user,
        patient_id=patient_id,
        course_id=course_id,
        member_id=member_id,
        reason=payload.reason,
    )
    return team_member_payload(member)


@router.post(_COURSE + "/modules", response={201: CentreModuleOut}, url_name="centres_module_add")
@performs(actions.add_module)
def post_module(
    request: HttpRequest, patient_id: uuid.UUID, course_id: Id, payload: CentreModuleIn
) -> Status[dict[str, Any]]:
    module = actions.add_module(
        user=request.user,
        patient_id=patient_id,
        course_id=course_id,
        code=payload.code,
        note=payload.note,
    )
    return Status(201, module_payload(module))


@router.put(
    _COURSE + "/modules/{module_id}/taper-plan",
    response=CentreModuleOut,
    url_name="centres_module_taper_plan",
)
@performs(actions.link_taper_plan)
def put_taper_plan(
    request: HttpRequest,
    patient_id: uuid.UUID,
    course_id: Id,
    module_id: Id,
    payload: CentreTaperPlanLinkIn,
) -> dict[str, Any]:
    """Link the taper module to one of the patient's taper plans (the centre's doctor)."""
    module = actions.link_taper_plan(
        user=request.user,
        patient_id=patient_id,
        course_id=course_id,
        module_id=module_id,
        taper_plan_id=payload.taper_plan_id,
    )
    return module_payload(module)


@router.post(
    _COURSE + "/appointments",
    response={201: CentreAppointmentOut},
    url_name="centres_appointment_add",
)
@performs(actions.book_appointment)
def post_appointment(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: CentreAppointmentIn,
) -> Status[dict[str, Any]]:
    appointment = actions.book_appointment(
        user=request.user,
        patient_id=patient_id,
        course_id=course_id,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        clinician_id=payload.clinician_id,
        module_id=payload.module_id,
    )
    send_etag(response, appointment)
    return Status(201, appointment_payload(appointment))


@router.post(
    _COURSE + "/appointments/{appointment_id}/record",
    response=CentreAppointmentOut,
    url_name="centres_appointment_record",
    openapi_extra=versioned_write(),
)
@performs(actions.record_appointment)
def post_appointment_record(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    appointment_id: Id,
    payload: CentreAppointmentRecordIn,
) -> dict[str, Any]:
    """Record a booked appointment as attended or cancelled (`If-Match`: the appointment's
    version, as its `version` field or the booking's `ETag` gave it)."""
    appointment = actions.record_appointment(
        user=request.user,
        patient_id=patient_id,
        course_id=course_id,
        appointment_id=appointment_id,
        version=if_match(request),
        outcome=payload.outcome,
        note=payload.note,
    )
    send_etag(response, appointment)
    return appointment_payload(appointment)


@router.post(
    _COURSE + "/outcomes", response={201: CentreMeasurementOut}, url_name="centres_outcome_add"
)
@performs(actions.record_outcome)
def post_outcome(
    request: HttpRequest, patient_id: uuid.UUID, course_id: Id, payload: CentreOutcomeIn
) -> Status[dict[str, Any]]:
    """Record an outcome measure (PEG, NRS or a questionnaire) at start, end or follow-up."""
    measurement = actions.record_outcome(
        user=request.user,
        patient_id=patient_id,
        course_id=course_id,
        instrument=payload.instrument,
        timepoint=payload.timepoint,
        answers=payload.answers,
        measured_on=payload.measured_on,
    )
    return Status(201, measurement_payload(measurement))


@router.get(
    _COURSE + "/discharge-summary", response=CentreDischargeSummaryOut, url_name="centres_summary"
)
def get_summary(request: HttpRequest, patient_id: uuid.UUID, course_id: Id) -> dict[str, Any]:
    """The discharge summary: for the practice it was sent to and the centre that sent it."""
    return summary_payload(summary_for(request.user, patient_id, course_id))


@router.post(
    _COURSE + "/discharge-summary",
    response={201: CentreDischargeSummaryOut},
    url_name="centres_summary_send",
    openapi_extra=versioned_write(201),
)
@performs(actions.send_discharge_summary)
def post_summary(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: CentreDischargeSummaryIn,
) -> Status[dict[str, Any]]:
    """Send the discharge summary to the GP: the course is discharged (`If-Match`: the
    course's version). The medication and OMEQ come from the patient's medication list."""
    summary = actions.send_discharge_summary(
        user=request.user,
        patient_id=patient_id,
        course_id=course_id,
        version=if_match(request),
        course_summary=payload.course_summary,
        plan_after=payload.plan_after,
        municipality_continues=payload.municipality_continues,
        physiotherapy_continues=payload.physiotherapy_continues,
    )
    send_etag(response, summary.course)
    return Status(201, summary_payload(summary))


@router.post(
    _COURSE + "/discharge-summary/acknowledge",
    response=CentreDischargeSummaryOut,
    url_name="centres_summary_acknowledge",
)
@performs(actions.acknowledge_summary)
def post_acknowledge(request: HttpRequest, patient_id: uuid.UUID, course_id: Id) -> dict[str, Any]:
    """The GP's practice marks the summary as received."""
    summary = actions.acknowledge_summary(
        user=request.user, patient_id=patient_id, course_id=course_id
    )
    return summary_payload(summary)
