"""The patient as the GP saw them when asking: current medication, OMEQ with the region's
active table and its warnings, and the open course (with its taper plans, once linked).

Frozen as plain JSON on the request, so the clinic advises on what the GP saw, whatever is
recorded later. Texts (warnings, labels) are in the asker's language at the time of asking;
numbers are exact strings with a dot (`entry.numbers.for_json`), shown to people through the
`number` filter. The medication and tracks apps are read through their selectors only.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from smertespor.entry.numbers import for_json
from smertespor.medication.selectors import medication_summary
from smertespor.patients.models import Patient
from smertespor.tracks.selectors import open_course_of, taper_plans_of

SNAPSHOT_VERSION = 1


def _medication(patient: Patient) -> dict[str, Any]:
    summary = medication_summary(patient)
    return {
        "available": True,
        "lines": [
            {
                "product": line.label,
                "is_opioid": line.is_opioid,
                "units_per_dose": for_json(line.units_per_dose),
                "doses_per_day": for_json(line.doses_per_day),
                "prn": line.prn,
                "max_doses_per_day": for_json(line.max_doses_per_day),
                "since": line.start_date.isoformat() if line.start_date else None,
                "omeq_mg_per_day": for_json(line.omeq_mg_per_day),
                "problems": list(line.problems),
            }
            for line in summary.lines
        ],
        "omeq": {
            "is_computable": summary.is_computable,
            "table": summary.table,
            "scheduled_mg_per_day": for_json(summary.scheduled_mg_per_day),
            "max_mg_per_day": for_json(summary.max_mg_per_day),
        },
        "warnings": [{"code": code, "message": message} for code, message in summary.warnings],
        "problems": list(summary.problems),
    }


def _course(patient: Patient) -> dict[str, Any] | None:
    course = open_course_of(patient)
    if course is None:
        return None
    return {
        "id": course.pk,
        "track": course.track,
        "track_label": str(course.get_track_display()),
        "status": course.status,
        "status_label": str(course.get_status_display()),
        "start_date": course.start_date.isoformat(),
        "deadline": course.deadline.isoformat() if course.deadline else None,
        "goal": str(course.get_goal_kind_display()),
        "target_mg_per_day": for_json(course.goal_target_mg_per_day),
        "baseline_omeq_mg_per_day": for_json(course.baseline_omeq_mg_per_day),
        "current_omeq_mg_per_day": for_json(course.current_omeq_mg_per_day),
        "last_visit_on": course.last_visit_on.isoformat() if course.last_visit_on else None,
        "taper_plans": [{"id": plan.pk, "title": str(plan)} for plan in taper_plans_of(course)],
    }


def patient_snapshot(patient: Patient) -> dict[str, Any]:
    """The snapshot of `patient` now. The caller loaded the patient through
    `patients.access` (which checked access and wrote the audit row)."""
    return {
        "version": SNAPSHOT_VERSION,
        "taken_at": timezone.now().isoformat(),
        "medication": _medication(patient),
        "course": _course(patient),
    }
