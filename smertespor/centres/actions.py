"""Each operation on a pain centre course, once: the rule on the role (403, audited), the
patient and course through `centres.access` (out of scope 404), then the service (invalid
422, stale 409). The pages, the API and the demo builder call these."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from smertespor.accounts.models import Requester
from smertespor.centres import services
from smertespor.centres.access import (
    appointment_of,
    course_for_change,
    summary_for,
    team_member_of,
)
from smertespor.centres.models import (
    Appointment,
    CentreCourse,
    DischargeSummary,
    OutcomeMeasurement,
    PlannedModule,
    TeamMember,
)
from smertespor.centres.permissions import (
    can_acknowledge_summaries,
    can_send_discharge_summaries,
    can_work_centre_courses,
)
from smertespor.entry.rules import require
from smertespor.patients.access import patient_for_change
from smertespor.versions import ExpectedVersion

OBJECT_TYPE = "centre_course"


def _course(user: Requester, patient_id: object, course_id: object) -> CentreCourse:
    require(user, can_work_centre_courses, object_type=OBJECT_TYPE, object_id=str(course_id))
    return course_for_change(user, patient_id, course_id)


def plan_course(
    *, user: Requester, patient_id: object, goals: str, planned_start: date
) -> CentreCourse:
    """A clinician of the centre plans a course for a patient the centre has a referral for."""
    by = require(user, can_work_centre_courses, object_type=OBJECT_TYPE)
    patient = patient_for_change(by, patient_id, object_type=OBJECT_TYPE)
    return services.plan_course(patient=patient, by=by, goals=goals, planned_start=planned_start)


def take_step(
    *,
    user: Requester,
    patient_id: object,
    course_id: object,
    version: ExpectedVersion,
    event: str,
    reason: str = "",
) -> CentreCourse:
    """Start the course or cancel it (with a reason)."""
    course = _course(user, patient_id, course_id)
    by = require(user, can_work_centre_courses)
    services.step(course=course, by=by, expected_version=version, event=event, reason=reason)
    return course


def add_team_member(
    *, user: Requester, patient_id: object, course_id: object, user_id: int, discipline: str
) -> TeamMember:
    course = _course(user, patient_id, course_id)
    by = require(user, can_work_centre_courses)
    return services.add_team_member(course=course, by=by, user_id=user_id, discipline=discipline)


def remove_team_member(
    *, user: Requester, patient_id: object, course_id: object, member_id: object, reason: str = ""
) -> TeamMember:
    """Take a clinician off the course team (the team's history keeps them)."""
    course = _course(user, patient_id, course_id)
    by = require(user, can_work_centre_courses)
    member = team_member_of(course, member_id)
    return services.remove_team_member(member=member, by=by, reason=reason)


def add_module(
    *, user: Requester, patient_id: object, course_id: object, code: str, note: str = ""
) -> PlannedModule:
    course = _course(user, patient_id, course_id)
    by = require(user, can_work_centre_courses)
    return services.add_module(course=course, by=by, code=code, note=note)


def link_taper_plan(
    *,
    user: Requester,
    patient_id: object,
    course_id: object,
    module_id: int,
    taper_plan_id: int,
) -> PlannedModule:
    """The centre's doctor links the taper module to one of the patient's taper plans."""
    require(user, can_send_discharge_summaries, object_type=OBJECT_TYPE, object_id=str(course_id))
    course = course_for_change(user, patient_id, course_id)
    by = require(user, can_send_discharge_summaries)
    return services.link_taper_plan(
        course=course, by=by, module_id=module_id, taper_plan_id=taper_plan_id
    )


def book_appointment(
    *,
    user: Requester,
    patient_id: object,
    course_id: object,
    starts_at: datetime,
    duration_minutes: int,
    clinician_id: int,
    module_id: int | None = None,
) -> Appointment:
    course = _course(user, patient_id, course_id)
    by = require(user, can_work_centre_courses)
    return services.book_appointment(
        course=course,
        by=by,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        clinician_id=clinician_id,
        module_id=module_id,
    )


def record_appointment(
    *,
    user: Requester,
    patient_id: object,
    course_id: object,
    appointment_id: object,
    version: ExpectedVersion,
    outcome: str,
    note: str = "",
) -> Appointment:
    """Record a booked appointment as attended or cancelled."""
    course = _course(user, patient_id, course_id)
    by = require(user, can_work_centre_courses)
    appointment = appointment_of(course, appointment_id)
    appointment.course = course
    return services.record_appointment(
        appointment=appointment, by=by, expected_version=version, outcome=outcome, note=note
    )


def record_outcome(
    *,
    user: Requester,
    patient_id: object,
    course_id: object,
    instrument: str,
    timepoint: str,
    answers: Mapping[str, object],
    measured_on: date,
) -> OutcomeMeasurement:
    course = _course(user, patient_id, course_id)
    by = require(user, can_work_centre_courses)
    return services.record_outcome(
        course=course,
        by=by,
        instrument_code=instrument,
        timepoint=timepoint,
        answers=answers,
        measured_on=measured_on,
    )


def send_discharge_summary(
    *,
    user: Requester,
    patient_id: object,
    course_id: object,
    version: ExpectedVersion,
    course_summary: str,
    plan_after: str,
    municipality_continues: str = "",
    physiotherapy_continues: str = "",
) -> DischargeSummary:
    """The centre's doctor discharges the course with the summary to the GP."""
    require(user, can_send_discharge_summaries, object_type=OBJECT_TYPE, object_id=str(course_id))
    course = course_for_change(user, patient_id, course_id)
    by = require(user, can_send_discharge_summaries)
    return services.send_discharge_summary(
        course=course,
        by=by,
        expected_version=version,
        course_summary=course_summary,
        plan_after=plan_after,
        municipality_continues=municipality_continues,
        physiotherapy_continues=physiotherapy_continues,
    )


def acknowledge_summary(
    *, user: Requester, patient_id: object, course_id: object
) -> DischargeSummary:
    """The GP's practice marks the summary sent to it as received."""
    by = require(user, can_acknowledge_summaries, object_type="centre_discharge_summary")
    summary = summary_for(by, patient_id, course_id, change=True)
    return services.acknowledge_summary(summary=summary, by=by)
