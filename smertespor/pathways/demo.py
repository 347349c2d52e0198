"""Demo enrolments in the low back pain pathway for demo-gp's practice.

One patient at high risk with physiotherapy and the municipality under way, one at medium
risk whose physiotherapy has ended with its outcome reported back, one at low risk just
enrolled, and one at high risk whom the GP has involved the pain clinic for (expected, not
started yet). Dates are relative to the day the demo loads; every step goes through the
services, so the timeline, the care relations and the GP's notifications are as in real use.
Idempotent: a practice that already has enrolments is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from smertespor.accounts.models import Organisation, User
from smertespor.pathways.models import Enrolment
from smertespor.pathways.services import (
    enrol_patient,
    involve_organisation,
    record_stage_transition,
)
from smertespor.patients.models import Patient

HIGH = {
    1: "agree",
    2: "agree",
    3: "agree",
    4: "agree",
    5: "agree",
    6: "agree",
    7: "disagree",
    8: "agree",
    9: "very_much",
}  # total 8, subscale 4
MEDIUM = {
    1: "agree",
    2: "agree",
    3: "agree",
    4: "disagree",
    5: "agree",
    6: "disagree",
    7: "disagree",
    8: "disagree",
    9: "moderately",
}  # total 4, subscale 1
LOW = {
    1: "agree",
    2: "disagree",
    3: "disagree",
    4: "disagree",
    5: "disagree",
    6: "disagree",
    7: "disagree",
    8: "disagree",
    9: "slightly",
}  # total 1


def _reporter(organisation: Organisation) -> User | None:
    return (
        User.objects.filter(organisation=organisation, is_active=True)
        .exclude(role="secretary")
        .first()
    )


@transaction.atomic
def load_demo_pathways(
    *, gp_username: str, physiotherapy: str, municipality: str, clinic: str
) -> int:
    gp = User.objects.filter(username=gp_username).select_related("organisation").first()
    if gp is None or gp.organisation is None:
        return 0
    if Enrolment.objects.filter(coordinator_practice=gp.organisation).exists():
        return 0
    organisations = {
        o.name: o
        for o in Organisation.objects.filter(name__in=[physiotherapy, municipality, clinic])
    }
    physio, kommune, pain_clinic = (
        organisations.get(n) for n in (physiotherapy, municipality, clinic)
    )
    if physio is None or kommune is None or pain_clinic is None:
        return 0
    patients = list(
        Patient.objects.filter(listed_practice=gp.organisation)
        .exclude(pathway_enrolments__isnull=False)
        .order_by("cpr")[20:24]
    )
    if len(patients) < 4:
        return 0
    today = timezone.localdate()
    day = lambda n: today - timedelta(days=n)  # noqa: E731
    physio_user, kommune_user = _reporter(physio), _reporter(kommune)

    # 1. High risk: physiotherapy and the municipality's training and job centre under way.
    first = enrol_patient(patient=patients[0], by=gp, enrolled_on=day(28), answers=HIGH)
    involve_organisation(
        enrolment=first,
        by=gp,
        expected_version=None,
        stage="physiotherapy",
        organisation_id=physio.pk,
        note="Psykologisk informeret fysioterapi, tak.",
        on=day(27),
    )
    involve_organisation(
        enrolment=first,
        by=gp,
        expected_version=None,
        stage="municipality",
        organisation_id=kommune.pk,
        note="Sygemeldt 6 uger; jobcentret er orienteret.",
        on=day(27),
    )
    if physio_user:
        record_stage_transition(
            enrolment=first,
            by=physio_user,
            stage="physiotherapy",
            organisation=physio,
            event="start",
            on=day(21),
            text="Superviseret træning 2 gange ugentligt i 8 uger.",
        )
        record_stage_transition(
            enrolment=first,
            by=physio_user,
            stage="physiotherapy",
            organisation=physio,
            event="plan",
            text="Superviseret træning 2 gange ugentligt; smerteforståelse og gradueret aktivitet.",
        )
    if kommune_user:
        record_stage_transition(
            enrolment=first,
            by=kommune_user,
            stage="municipality",
            organisation=kommune,
            event="start",
            on=day(14),
            text="Holdtræning i kommunens sundhedscenter; samtale i jobcentret om "
            "delvis raskmelding.",
        )

    # 2. Medium risk: physiotherapy ended, its outcome back with the GP.
    second = enrol_patient(patient=patients[1], by=gp, enrolled_on=day(30), answers=MEDIUM)
    involve_organisation(
        enrolment=second,
        by=gp,
        expected_version=None,
        stage="physiotherapy",
        organisation_id=physio.pk,
        on=day(29),
    )
    if physio_user:
        record_stage_transition(
            enrolment=second,
            by=physio_user,
            stage="physiotherapy",
            organisation=physio,
            event="start",
            on=day(25),
            text="6 ugers træning.",
        )
        record_stage_transition(
            enrolment=second,
            by=physio_user,
            stage="physiotherapy",
            organisation=physio,
            event="end",
            on=day(2),
            text="Målet er nået: går 3 km, tilbage på fuld tid. Fortsætter selv med øvelser.",
        )

    # 3. Low risk: just enrolled; advice and self-care in general practice.
    enrol_patient(patient=patients[2], by=gp, enrolled_on=day(3), answers=LOW)

    # 4. High risk by clinical judgement: the pain clinic involved, not started yet.
    fourth = enrol_patient(
        patient=patients[3],
        by=gp,
        enrolled_on=day(10),
        level="high",
        level_reason="Smerter i 14 måneder, opioidbehandling og sygemeldt; ikke screenet.",
    )
    involve_organisation(
        enrolment=fourth,
        by=gp,
        expected_version=None,
        stage="pain_clinic",
        organisation_id=pain_clinic.pk,
        note="Vurdering af opioidbehandlingen.",
        on=day(9),
    )
    return 4
