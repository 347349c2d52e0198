"""What Smertespor already knows about the patient, for the referral: never re-typed.

The current medication and OMEQ (`medication.selectors.medication_summary`), the taper plans
(`tapering.selectors`), the open course with its latest scores (`tracks.selectors`) and the
advice the practice asked about the patient (`advice.selectors`). A draft shows it live; the
referral freezes it as plain JSON when it is sent, so the centre triages what the GP sent.
Numbers are exact strings with a dot (`entry.numbers.for_json`).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from smertespor.accounts.models import User
from smertespor.advice.selectors import advice_requests_of_patient
from smertespor.entry.numbers import for_json
from smertespor.medication.selectors import medication_summary
from smertespor.patients.models import Patient
from smertespor.tapering.selectors import plans_of
from smertespor.tracks.selectors import follow_ups_of, open_course_of

SNAPSHOT_VERSION = 1
ADVICE_SHOWN = 5
PLANS_SHOWN = 5


def _medication(patient: Patient) -> dict[str, Any]:
    summary = medication_summary(patient)
    return {
        "lines": [
            {
                "product": line.label,
                "is_opioid": line.is_opioid,
                "units_per_dose": for_json(line.units_per_dose),
                "doses_per_day": for_json(line.doses_per_day),
                "prn": line.prn,
                "since": line.start_date.isoformat() if line.start_date else None,
                "omeq_mg_per_day": for_json(line.omeq_mg_per_day),
            }
            for line in summary.lines
        ],
        "omeq": {
            "is_computable": summary.is_computable,
            "table": summary.table,
            "scheduled_mg_per_day": for_json(summary.scheduled_mg_per_day),
            "max_mg_per_day": for_json(summary.max_mg_per_day),
        },
        "warnings": [message for _, message in summary.warnings],
        "problems": list(summary.problems),
    }


def _taper_plans(patient: Patient) -> list[dict[str, Any]]:
    return [
        {
            "id": plan.pk,
            "title": str(plan),
            "status": plan.status,
            "status_label": str(plan.get_status_display()),
            "start_date": plan.start_date.isoformat(),
        }
        for plan in plans_of(patient)[:PLANS_SHOWN]
    ]


def _course(patient: Patient) -> dict[str, Any] | None:
    course = open_course_of(patient)
    if course is None:
        return None
    latest = follow_ups_of(course).order_by("-visit_on", "-pk").first()
    return {
        "id": course.pk,
        "track_label": str(course.get_track_display()),
        "status_label": str(course.get_status_display()),
        "start_date": course.start_date.isoformat(),
        "baseline_omeq_mg_per_day": for_json(course.baseline_omeq_mg_per_day),
        "baseline_peg": for_json(course.baseline_peg_score),
        "baseline_nrs": course.baseline_nrs,
        "latest_visit_on": latest.visit_on.isoformat() if latest else None,
        "latest_peg": for_json(latest.peg_score) if latest else None,
        "latest_nrs": latest.nrs if latest else None,
        "latest_omeq_mg_per_day": for_json(latest.omeq_mg_per_day) if latest else None,
    }


def _advice(user: User, patient: Patient) -> list[dict[str, Any]]:
    return [
        {
            "id": request.pk,
            "subject": request.subject,
            "status_label": str(request.get_status_display()),
            "asked_on": request.asked_at.date().isoformat(),
        }
        for request in advice_requests_of_patient(user, patient).order_by("-asked_at")[
            :ADVICE_SHOWN
        ]
    ]


def referral_prefill(user: User, patient: Patient) -> dict[str, Any]:
    """The snapshot of `patient` now, as `user` (the referring GP) sees it. The caller loaded
    the patient through `patients.access`, which checked access and wrote the audit row."""
    return {
        "version": SNAPSHOT_VERSION,
        "taken_at": timezone.now().isoformat(),
        "medication": _medication(patient),
        "taper_plans": _taper_plans(patient),
        "course": _course(patient),
        "advice": _advice(user, patient),
    }
