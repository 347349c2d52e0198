"""The API's answers for pain centre courses, built once from the stored records."""

from __future__ import annotations

from typing import Any

from smertespor.centres.labels import instrument_name, module_name, status_label
from smertespor.centres.models import (
    Appointment,
    CentreCourse,
    DischargeSummary,
    OutcomeMeasurement,
    PlannedModule,
    TeamMember,
)
from smertespor.centres.selectors import CentreWorklist, course_records
from smertespor.entry.numbers import for_json


def _text(value: Any) -> str | None:
    return None if value is None else str(for_json(value))


def team_member_payload(member: TeamMember) -> dict[str, Any]:
    return {
        "id": member.pk,
        "user_id": member.user_id,
        "name": str(member.user),
        "discipline": member.discipline,
        "removed_at": member.removed_at,
        "removal_reason": member.removal_reason,
    }


def module_payload(module: PlannedModule) -> dict[str, Any]:
    return {
        "id": module.pk,
        "code": module.code,
        "name": module_name(module.code),
        "note": module.note,
        "taper_plan_id": module.taper_plan_id,
    }


def appointment_payload(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": appointment.pk,
        "starts_at": appointment.starts_at,
        "duration_minutes": appointment.duration_minutes,
        "clinician_id": appointment.clinician_id,
        "module_id": appointment.module_id,
        "status": appointment.status,
        "status_note": appointment.status_note,
        "version": appointment.version,
    }


def measurement_payload(measurement: OutcomeMeasurement) -> dict[str, Any]:
    return {
        "id": measurement.pk,
        "instrument": measurement.instrument,
        "instrument_version": measurement.instrument_version,
        "timepoint": measurement.timepoint,
        "answers": measurement.answers,
        "score": _text(measurement.score),
        "measured_on": measurement.measured_on,
    }


def course_summary_payload(course: CentreCourse) -> dict[str, Any]:
    return {
        "id": course.pk,
        "patient_id": course.patient_id,
        "centre_id": course.centre_id,
        "status": course.status,
        "status_label": status_label(course.status),
        "goals": course.goals,
        "planned_start": course.planned_start,
        "started_on": course.started_on,
        "closed_on": course.closed_on,
        "cancel_reason": course.cancel_reason,
        "version": course.version,
    }


def course_payload(course: CentreCourse) -> dict[str, Any]:
    records = course_records(course)
    return {
        **course_summary_payload(course),
        "module_catalogue_version": course.module_catalogue_version,
        "team": [team_member_payload(m) for m in records.team],
        "former_team": [team_member_payload(m) for m in records.former_team],
        "modules": [module_payload(m) for m in records.modules],
        "appointments": [appointment_payload(a) for a in records.appointments],
        "measurements": [measurement_payload(m) for m in records.measurements],
        "outcomes": [
            {
                "instrument": row.instrument.code,
                "higher_is_better": row.instrument.higher_is_better,
                "start": _text(row.change.start),
                "end": _text(row.change.end),
                "follow_up": _text(row.change.follow_up),
                "start_to_end": _text(row.change.start_to_end),
                "end_to_follow_up": _text(row.change.end_to_follow_up),
                "start_to_follow_up": _text(row.change.start_to_follow_up),
            }
            for row in records.outcomes
        ],
        "events": [
            {
                "kind": e.kind,
                "by": str(e.by) if e.by else "",
                "occurred_at": e.occurred_at,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
            }
            for e in records.events
        ],
        "has_discharge_summary": records.summary is not None,
    }


def summary_payload(summary: DischargeSummary) -> dict[str, Any]:
    return {
        "course_id": summary.course_id,
        "centre": summary.course.centre.name,
        "sent_to_id": summary.sent_to_id,
        "course_summary": summary.course_summary,
        "plan_after": summary.plan_after,
        "municipality_continues": summary.municipality_continues,
        "physiotherapy_continues": summary.physiotherapy_continues,
        "medication": summary.medication,
        "omeq_at_discharge_mg_per_day": _text(summary.omeq_at_discharge_mg_per_day),
        "omeq_table": summary.omeq_table,
        "outcomes": [
            {**o, "name": instrument_name(str(o.get("instrument", "")))} for o in summary.outcomes
        ],
        "written_by": str(summary.written_by),
        "sent_at": summary.sent_at,
        "acknowledged_at": summary.acknowledged_at,
    }


def worklist_payload(worklist: CentreWorklist) -> dict[str, Any]:
    def row(course: CentreCourse) -> dict[str, Any]:
        return {
            "course_id": course.pk,
            "patient_id": course.patient_id,
            "patient_name": course.patient.name,
            "status": course.status,
            "planned_start": course.planned_start,
            "closed_on": course.closed_on,
        }

    return {
        "open_courses": [row(c) for c in worklist.open_courses],
        "closed": [row(c) for c in worklist.closed],
        "referred": [
            {
                "patient_id": r.patient_id,
                "patient_name": r.patient.name,
                "referral_id": r.pk,
                "status": r.status,
                "sent_at": r.sent_at,
                "first_appointment_at": r.first_appointment_at,
            }
            for r in worklist.referred
        ],
    }
