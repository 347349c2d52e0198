"""Demo courses for demo-gp's practice, at every stage of the two tracks.

Practice-track courses started days or months ago (one just begun, one with a visit overdue,
two approaching the 3-month mark, one with a withdrawal alert), one the 3-month rule proposes
to hand over (awaiting the GP's decision), one the GP kept in the practice track after the
rule's proposal, one handed over on the rule's proposal (confirmed by the GP) and waiting at
the clinic, one handed over early, one returned with advice, one that succeeded, and on the
hospital track one awaiting assessment, one with its plan, team and appointments this week,
and one completed with a discharge summary. Dates are relative to
the day the demo loads, and every step is on the timeline with who, when and why.
Idempotent: a practice that already has courses is left alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from smertespor.accounts.models import Organisation, Role, User
from smertespor.medication.models import OmeqSnapshot
from smertespor.patients.models import Patient
from smertespor.tracks.demo_builder import DemoBuilder, Visit, at
from smertespor.tracks.facts import rule_settings
from smertespor.tracks.models import Course, DischargeSummary, Handover

ADVICE = (
    "Læg først oxycodon efter behov om til faste tider, og trap derefter ned med 5 % hver 4. uge. "
    "Ring til os, hvis nedtrapningen går i stå igen."
)
DISCHARGE = {
    "summary": "Superviseret nedtrapning fra 60 til 15 mg OMEQ/døgn over 5 måneder med kognitiv "
    "gruppeterapi og et mestringskursus. Søvn og aktivitet er bedret (PEG fra 7 til 4).",
    "medication_at_discharge": "Morfin depottablet 5 mg to gange dagligt.",
    "recommendations": "Fortsæt med at trappe 5 mg ned hver 4. uge med konsultation hver 4. uge. "
    "Henvis igen, hvis nedtrapningen går i stå i to trin.",
}


def _candidates(practice: Organisation) -> list[tuple[Patient, Decimal, str]]:
    """Patients of the practice whose medication list gives an OMEQ above 0, by CPR."""
    found = []
    for patient in Patient.objects.filter(listed_practice=practice).order_by("cpr"):
        snapshot = (
            OmeqSnapshot.objects.filter(patient=patient).order_by("-recorded_at", "-pk").first()
        )
        if (
            snapshot
            and snapshot.is_computable
            and snapshot.max_mg_per_day
            and snapshot.max_mg_per_day > 0
        ):
            mg = snapshot.max_mg_per_day.quantize(Decimal("0.1"))
            found.append((patient, mg, f"{snapshot.table_id} {snapshot.table_version}"))
    return found


@transaction.atomic
def load_demo_courses(*, gp_username: str, nurse_username: str, clinic_name: str) -> int:
    """Demo courses for the practice of `gp_username`; the number created (0 if it has some)."""
    gp = User.objects.select_related("organisation").filter(username=gp_username).first()
    nurse = User.objects.filter(username=nurse_username).first()
    clinic = Organisation.objects.filter(name=clinic_name).first()
    if gp is None or nurse is None or clinic is None or gp.organisation is None:
        return 0
    if not User.objects.filter(organisation=clinic, role=Role.CLINIC_DOCTOR).exists():
        return 0
    if Course.objects.filter(responsible_organisation=gp.organisation).exists():
        return 0
    patients = iter(_candidates(gp.organisation))
    demo = DemoBuilder(timezone.localdate(), gp, nurse, clinic)
    # Fewer patients on opioids than stages: the stages made so far will do.
    with contextlib.suppress(StopIteration):
        _load(demo, patients)
    return Course.objects.filter(responsible_organisation__in=[gp.organisation, clinic]).count()


def _load(demo: DemoBuilder, patients: Iterator[tuple[Patient, Decimal, str]]) -> None:
    practice, today = demo.practice, demo.today

    def practice_course(started_ago: int, visits: list[Visit]) -> Course:
        patient, mg, table = next(patients)
        return demo.practice_course(patient, mg, table, started_ago, visits)

    # On the practice track, at various stages.
    practice_course(12, [])
    practice_course(
        45, [Visit(14, "0.9", (6, 5, 6), 6, note="Fewer as-needed doses")]
    )  # next visit overdue
    practice_course(
        80, [Visit(28, "0.9"), Visit(56, "0.8", (9, 8, 7), 7, note="Pain worse, low mood")]
    )
    practice_course(86, [Visit(30, "0.9"), Visit(58, "0.85", sows=9)])
    practice_course(60, [Visit(28, "0.9", sows=14, note="Uro i benene, nattesved")])
    # The 3-month rule proposes a handover: the GP decides.
    proposed = practice_course(
        95, [Visit(28, "0.95"), Visit(56, "0.95"), Visit(84, "0.95", (7, 6, 7), 7)]
    )
    assert proposed.deadline is not None  # noqa: S101 - a practice course has one
    demo.propose(proposed, proposed.deadline + timedelta(days=1))
    # Proposed, but the GP kept the course in the practice track.
    kept = practice_course(
        118, [Visit(28, "0.9"), Visit(56, "0.85"), Visit(84, "0.85"), Visit(112, "0.75")]
    )
    assert kept.deadline is not None  # noqa: S101
    review = demo.propose(kept, kept.deadline + timedelta(days=1))
    demo.keep(
        kept,
        review,
        kept.deadline + timedelta(days=2),
        "Langsomt, men stabilt siden sidste besøg; patienten vil gerne fortsætte hos os.",
    )
    # Handed over on the rule's proposal and waiting at the clinic; one handed over early.
    waiting = practice_course(
        100, [Visit(28, "0.95"), Visit(56, "0.95"), Visit(84, "0.9", (7, 7, 7), 7)]
    )
    assert waiting.deadline is not None  # noqa: S101
    demo.hand_over(waiting, waiting.deadline + timedelta(days=1))
    early = practice_course(40, [Visit(20, "1.0", (8, 7, 7), 8, sows=18)])
    demo.hand_over(
        early,
        today - timedelta(days=2),
        early_reason="Abstinenser ved første trin; patienten ønsker smerteklinikken.",
    )
    # Returned with advice.
    returned = practice_course(70, [Visit(28, "0.95")])
    handover = demo.hand_over(
        returned,
        returned.start_date + timedelta(days=35),
        early_reason="Ingen fremgang efter 5 uger.",
    )
    when = at(returned.start_date + timedelta(days=40))
    advice = ADVICE
    demo.move(
        returned,
        "return_to_practice",
        "returned_to_practice_track",
        when,
        demo.clinic_nurse or demo.doctor,
        reason=advice,
    )
    Handover.objects.filter(pk=handover.pk).update(
        decision="returned", decided_at=when, decided_by=demo.clinic_nurse, advice=advice
    )
    # Succeeded.
    succeeded = practice_course(
        200, [Visit(28, "0.7"), Visit(56, "0.5", (5, 4, 4), 4), Visit(84, "0.5", (4, 4, 4), 4)]
    )
    assert succeeded.deadline is not None  # noqa: S101
    demo.move(
        succeeded,
        "record_success",
        "succeeded",
        at(succeeded.deadline + timedelta(days=1), 6),
        None,
        detail={
            "success_on": (succeeded.start_date + timedelta(days=84)).isoformat(),
            "success_reason": "target_reached",
            "omeq_mg_per_day": str(succeeded.current_omeq_mg_per_day),
            "deadline": succeeded.deadline.isoformat(),
            "period_months": rule_settings().period_months,
        },
    )
    # On the hospital track: awaiting assessment; plan active with appointments; completed.
    for started_ago, accepted_ago, stage in (
        (110, 6, "accepted"),
        (150, 50, "plan_active"),
        (300, 200, "completed"),
    ):
        course = practice_course(
            started_ago, [Visit(28, "0.95"), Visit(56, "0.9", (7, 7, 6), 7, sows=12)]
        )
        assert course.deadline is not None  # noqa: S101
        handover = demo.hand_over(course, course.deadline + timedelta(days=1))
        hospital = demo.accept(course, handover, today - timedelta(days=accepted_ago))
        if stage == "accepted":
            continue
        demo.assess_and_plan(hospital, hospital.start_date + timedelta(days=7))
        monday = today - timedelta(days=today.weekday())
        if stage == "plan_active":
            demo.appointment(
                hospital,
                at(monday + timedelta(days=1), 9),
                "nurse",
                demo.clinic_nurse,
                "Nedtrapningstrin og COWS",
            )
            demo.appointment(
                hospital,
                at(monday + timedelta(days=3), 13),
                "psychologist",
                demo.psychologist,
                "Kognitiv gruppeterapi, 4. gang",
            )
            demo.appointment(
                hospital,
                at(monday + timedelta(days=8), 9),
                "doctor",
                demo.doctor,
                "Gennemgang af planen",
            )
            continue
        written = at(today - timedelta(days=20))
        DischargeSummary.objects.create(
            course=hospital,
            sent_to=practice,
            **DISCHARGE,
            written_by=demo.doctor,
            written_at=written,
        )
        demo.move(
            hospital,
            "complete",
            "completed",
            written,
            demo.doctor,
            detail={"sent_to": practice.name},
        )
