"""Referrals for tests, made through the services (so every rule holds)."""

from __future__ import annotations

from datetime import date
from typing import Any

from smertespor.referrals import services

COMPLETE_CONTENT: dict[str, Any] = {
    "priority": "routine",
    "contact": "Datter Lise, 20 30 40 50",
    "diagnosis_code": "DM545",
    "diagnosis_text": "Lænderygsmerter",
    "comorbidity": "Depression",
    "history": "Smerter i lænden siden 2023, udstråling til venstre ben.",
    "question": "Tværfagligt forløb og nedtrapning af opioid.",
    "results": "MR-scanning uden behandlingskrævende fund.",
    "interpreter_language": "",
    "special_needs": "",
    "pain_since": date(2023, 3, 1),
    "function_and_work": "Kan gå 500 m; sygemeldt på halv tid.",
    "work_status": "part_time_sick_leave",
    "social_situation": "Gift, to børn.",
    "earlier_treatment": "Fysioterapi 2024, psykolog 6 samtaler.",
    "earlier_centre_courses": "Ingen.",
    "patient_expectations": "At kunne arbejde igen.",
    "gp_expectations": "Plan for nedtrapning og mestring.",
}
ALL_MET: dict[str, Any] = {
    "complex": {"options": {"psychological": "yes"}, "evidence": "Depression"},
    "worked_up": {
        "options": {
            "somatic_examination": "yes",
            "blood_tests": "yes",
            "imaging_if_indicated": "yes",
            "specialist_assessment": "yes",
        },
        "evidence": "Rygcenter 2024",
    },
    "primary_treatment_tried": {"options": {"physiotherapy": "yes"}},
    "motivated": {"answer": "yes"},
    "gp_takes_back": {"answer": "yes"},
}


def draft(gp, patient, recipient, *, content=None, criteria=None, files=()):
    return services.save_referral_draft(
        by=gp,
        patient=patient,
        recipient_id=recipient.pk,
        content=COMPLETE_CONTENT if content is None else content,
        criteria=ALL_MET if criteria is None else criteria,
        files=files,
    )


def sent(gp, patient, recipient, *, reason="", **kwargs):
    referral = draft(gp, patient, recipient, **kwargs)
    return services.send_referral(referral=referral, by=gp, exception_reason=reason)


def accepted(gp, patient, centre, doctor):
    """A referral the centre has accepted (routine, six weeks): ready for its first appointment."""
    return services.accept_referral(
        referral=sent(gp, patient, centre), by=doctor, priority="routine", expected_wait_weeks=6
    )
