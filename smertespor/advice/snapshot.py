"""The patient as the GP saw them when asking: current medication, OMEQ with the region's
active table and its warnings, and the open course (with its taper plans, once linked).

Frozen as plain JSON on the request, so the clinic advises on what the GP saw, whatever is
recorded later. Texts (warnings, labels) are in the asker's language at the time of asking.
The medication and tracks apps are read through their own selectors; either may be absent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone

from smertespor.patients.models import Patient

SNAPSHOT_VERSION = 1


def _number(value: Any) -> str | None:
    if value is None:
        return None
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def _medication(patient: Patient) -> dict[str, Any]:
    if not apps.is_installed("smertespor.medication"):
        return {"available": False}
    from smertespor.medication.selectors import patient_evaluation

    evaluation = patient_evaluation(patient)
    lines = []
    for working in evaluation.entries:
        line = working.entry.source
        result = working.result
        lines.append(
            {
                "product": working.entry.label,
                "is_opioid": working.is_opioid,
                "units_per_dose": _number(getattr(line, "units_per_dose", None)),
                "doses_per_day": _number(getattr(line, "doses_per_day", None)),
                "prn": bool(getattr(line, "prn", False)),
                "max_doses_per_day": _number(getattr(line, "max_doses_per_day", None)),
                "since": line.start_date.isoformat() if getattr(line, "start_date", None) else None,
                "omeq_mg_per_day": _number(result.contribution_mg_per_day)
                if result is not None and result.is_counted
                else None,
                "problems": list(working.problems),
            }
        )
    omeq = evaluation.result
    return {
        "available": True,
        "lines": lines,
        "omeq": {
            "is_computable": evaluation.is_computable,
            "table": f"{evaluation.table_version.table_id} {evaluation.table_version.version}",
            "scheduled_mg_per_day": _number(omeq.scheduled_mg_per_day) if omeq else None,
            "max_mg_per_day": _number(omeq.max_mg_per_day) if omeq else None,
        },
        "warnings": [
            {"code": code, "message": str(message)} for code, message in evaluation.warnings
        ],
        "problems": [str(problem.message) for problem in evaluation.problems],
    }


def _course(patient: Patient) -> dict[str, Any] | None:
    if not apps.is_installed("smertespor.tracks"):
        return None
    from smertespor.tracks.selectors import open_course_of, taper_plans_of

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
        "target_mg_per_day": _number(course.goal_target_mg_per_day),
        "baseline_omeq_mg_per_day": _number(course.baseline_omeq_mg_per_day),
        "current_omeq_mg_per_day": _number(course.current_omeq_mg_per_day),
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
