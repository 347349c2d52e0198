"""The demo region's referrals to the pain centres: one in each state a GP and a centre
meet (a draft, received with a criterion flagged, waiting for the GP's supplement,
accepted with the first appointment booked, rejected with advice, forwarded to the second
centre). Made through the services, so care relations, steps, audit rows and
notifications are real. Idempotent: nothing is made if the GP's practice has referrals.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from smertespor.accounts.models import Organisation, User
from smertespor.entry.appointment_times import next_bookable
from smertespor.patients.models import Patient
from smertespor.referrals import services
from smertespor.referrals.models import Referral

CONTENT: dict[str, Any] = {
    "priority": "routine",
    "diagnosis_code": "DM545",
    "diagnosis_text": "Kroniske lænderygsmerter",
    "comorbidity": "Let depression, søvnbesvær.",
    "history": "Lænderygsmerter i flere år med udstråling til venstre ben; "
    "forværring trods fysioterapi og medicinjustering.",
    "question": "Vurdering til tværfagligt forløb med mestring og nedtrapning af opioid.",
    "results": "MR-scanning 2024 uden behandlingskrævende fund. Blodprøver normale.",
    "pain_since": date(2023, 9, 1),
    "function_and_work": "Kan gå ca. 500 m, sidder højst 30 minutter ad gangen.",
    "work_status": "part_time_sick_leave",
    "social_situation": "Gift, to hjemmeboende børn.",
    "earlier_treatment": "Fysioterapi 2024 (12 gange), psykolog 6 samtaler.",
    "earlier_centre_courses": "Ingen.",
    "patient_expectations": "At kunne arbejde på fuld tid igen.",
    "gp_expectations": "En plan for mestring og nedtrapning, som jeg kan følge op på.",
}
MET: dict[str, Any] = {
    "complex": {"options": {"psychological": "yes", "social": "yes"}, "evidence": "Sygemeldt"},
    "worked_up": {
        "options": {
            "somatic_examination": "yes",
            "blood_tests": "yes",
            "imaging_if_indicated": "yes",
            "specialist_assessment": "yes",
        },
        "evidence": "Rygcenter Silkeborg 2024",
    },
    "primary_treatment_tried": {"options": {"physiotherapy": "yes", "psychology": "yes"}},
    "motivated": {"answer": "yes"},
    "gp_takes_back": {"answer": "yes"},
}


def load_demo_referrals(*, gp_username: str, centre_name: str, second_centre_name: str) -> int:
    gp = User.objects.filter(username=gp_username).select_related("organisation").first()
    centre = Organisation.objects.filter(name=centre_name).first()
    second = Organisation.objects.filter(name=second_centre_name).first()
    if gp is None or centre is None or second is None or gp.organisation is None:
        return 0
    if Referral.objects.filter(practice=gp.organisation).exists():
        return 0
    doctor = User.objects.filter(organisation=centre, role="clinic_doctor").first()
    if doctor is None:
        return 0
    # Patients far down the list, so the other demos' patients keep their own story.
    patients = list(Patient.objects.filter(listed_practice=gp.organisation).order_by("cpr")[20:26])
    if len(patients) < 6:
        return 0

    def make(patient: Patient, criteria: dict[str, Any] | None = None) -> Referral:
        return services.save_referral_draft(
            by=gp,
            patient=patient,
            recipient_id=centre.pk,
            content=CONTENT,
            criteria=MET if criteria is None else criteria,
        )

    def send(referral: Referral, reason: str = "") -> Referral:
        return services.send_referral(referral=referral, by=gp, exception_reason=reason)

    # 1. A draft the GP has not finished: two criteria unknown.
    make(patients[0], {**MET, "motivated": {"answer": "unknown"}, "worked_up": {}})
    # 2. Received, flagged: the patient's motivation is unknown.
    send(
        make(patients[1], {**MET, "motivated": {"answer": "unknown"}}),
        "Patienten er usikker, men vil gerne til en samtale om forløbet.",
    )
    # 3. The centre asked for more: it waits for the GP's answer.
    waiting = services.start_triage(referral=send(make(patients[2])), by=doctor)
    services.request_information(
        referral=waiting,
        by=doctor,
        question="Har patienten prøvet et kommunalt tilbud om genoptræning eller jobcenter?",
    )
    # 4. Accepted with the first appointment booked.
    accepted = services.accept_referral(
        referral=send(make(patients[3])), by=doctor, priority="routine", expected_wait_weeks=10
    )
    services.book_first_appointment(
        referral=accepted, by=doctor, at=next_bookable(timezone.now(), days=60)
    )
    # 5. Rejected: another offer fits better.
    services.reject_referral(
        referral=send(make(patients[4])),
        by=doctor,
        rejection_reason="wrong_track",
        advice_to_gp="Henvis først til Rygcenter Silkeborg til vurdering af nerverodspåvirkning; "
        "henvis igen, hvis smerterne fortsætter efter udredningen.",
    )
    # 6. Forwarded to the second centre, which has shorter waiting times.
    services.forward_referral(
        referral=send(make(patients[5])),
        by=doctor,
        to_id=second.pk,
        reason="Kortere ventetid i Gødstrup; patienten bor i Herning.",
    )
    return 6
