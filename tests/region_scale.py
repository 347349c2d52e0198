"""A region's worth of rows in seconds, for the query-plan and scope tests.

Plain `bulk_create` of minimal valid rows (no services, no audit, no history): the plans a
database chooses depend on how many rows there are and how they spread, not on how they came
to be. The spread follows a real region: each practice lists about 1/`practices` of the
patients, a clinic treats a few thousand, and some relations are closed, duplicated or held
by a practice for a patient listed elsewhere, so the scope has every edge a real one has.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db import connection
from django.utils import timezone

from smertespor.accounts.models import Organisation, Region, Role, User
from smertespor.patients.models import CareRelation, Patient
from smertespor.tracks.models import (
    Alert,
    Appointment,
    Course,
    DischargeSummary,
    Handover,
    RuleReview,
    Status,
    Track,
)
from tests.factories import UserFactory

FIRST = ("Anna", "Bo", "Camilla", "Dorte", "Erik", "Freja", "Gustav", "Hanne", "Ib", "Jens")
LAST = ("Hansen", "Jensen", "Nielsen", "Pedersen", "Andersen", "Larsen", "Sørensen", "Holm")
PRACTICE_OPEN = (
    Status.ACTIVE,
    Status.ACTIVE,
    Status.ACTIVE,
    Status.HANDOVER_REVIEW,
    Status.HANDOVER_PROPOSED,
    Status.RETURNED_TO_PRACTICE_TRACK,
)
HOSPITAL_OPEN = (Status.ACCEPTED, Status.NEEDS_ASSESSED, Status.PLAN_ACTIVE)
BATCH = 2000


@dataclass
class ScaleRegion:
    practices: list[Organisation]
    clinics: list[Organisation]
    patients: int
    gp: User  # of practices[0]
    clinic_doctor: User  # of clinics[0]


def _cpr(i: int) -> str:
    # The 7th digit is 9: never one of tests.factories.next_cpr's numbers (0-3).
    return f"{i // 1000:06d}9{i % 1000:03d}"


def _course(patient_id: Any, **fields: Any) -> Course:
    defaults: dict[str, Any] = {
        "baseline_omeq_mg_per_day": Decimal(60),
        "baseline_omeq_source": "entered",
        "baseline_peg_pain": 6,
        "baseline_peg_enjoyment": 6,
        "baseline_peg_activity": 6,
        "baseline_nrs": 6,
        "goal_kind": "target",
        "goal_target_mg_per_day": Decimal(30),
        "follow_up_interval_days": 28,
    }
    return Course(patient_id=patient_id, **(defaults | fields))


def build_region(
    *,
    practices: int = 300,
    patients: int = 20_000,
    clinics: int = 8,
    seed: int = 13,
    today: date | None = None,
    analyze: bool = True,
) -> ScaleRegion:
    """Organisations, patients, care relations and courses for the worklists, then ANALYZE."""
    region, _ = Region.objects.get_or_create(code="9913", defaults={"name": "Skalaregion"})
    practice_rows = Organisation.objects.bulk_create(
        Organisation(
            region=region,
            name=f"Skalalægehus {n}",
            kind=Organisation.Kind.GP_PRACTICE,
            sor_code=f"913{n:09d}",
            provider_number=f"9{n:05d}",
        )
        for n in range(practices)
    )
    clinic_rows = Organisation.objects.bulk_create(
        Organisation(
            region=region,
            name=f"Skalasmerteklinik {n}",
            kind=Organisation.Kind.PAIN_CLINIC,
            sor_code=f"914{n:09d}",
        )
        for n in range(clinics)
    )
    gp = cast(User, UserFactory(role=Role.GP, organisation=practice_rows[0]))
    doctor = cast(User, UserFactory(role=Role.CLINIC_DOCTOR, organisation=clinic_rows[0]))
    scale = ScaleRegion(practice_rows, clinic_rows, 0, gp, doctor)
    add_patients(scale, patients, seed=seed, today=today, analyze=analyze)
    return scale


def add_patients(
    scale: ScaleRegion,
    patients: int,
    *,
    seed: int = 13,
    today: date | None = None,
    analyze: bool = True,
) -> None:
    """`patients` more patients, with their relations and courses, spread over the region."""
    rng = random.Random(seed + scale.patients)
    today = today or timezone.localdate()
    now = timezone.now()
    practice_rows, clinic_rows, doctor = scale.practices, scale.clinics, scale.clinic_doctor
    practices, clinics = len(practice_rows), len(clinic_rows)
    first = scale.patients
    scale.patients += patients
    patient_rows: list[Patient] = []
    for i in range(first, first + patients):
        patient_rows.append(
            Patient(
                cpr=_cpr(i),
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                birth_date=date(1930 + i % 70, 1 + i % 12, 1 + i % 28),
                sex=Patient.Sex.FEMALE if i % 2 else Patient.Sex.MALE,
                listed_practice=practice_rows[i % practices],
            )
        )
    Patient.objects.bulk_create(patient_rows, batch_size=BATCH)

    relations: list[CareRelation] = []
    courses: list[Course] = []

    def relation(i: int, org: Organisation, *, closed: bool = False, reason: str = "course"):
        relations.append(
            CareRelation(
                patient=patient_rows[i - first],
                organisation=org,
                reason=reason,
                opened_at=now - timedelta(days=200),
                closed_at=now - timedelta(days=10) if closed else None,
            )
        )

    for i, patient in enumerate(patient_rows, start=first):
        practice = patient.listed_practice
        if i % 5 == 0:  # clinics treat a fifth of the region; clinic 0 (the centre) half of it
            clinic = (
                clinic_rows[0] if (i // 5) % 2 == 0 else clinic_rows[1 + i // 10 % (clinics - 1)]
            )
            relation(i, clinic)
            if i % 50 == 0:  # a second open relation to the same clinic (an advice request)
                relation(i, clinic, reason=CareRelation.Reason.ADVICE_REQUEST)
            if i % 15 == 0:
                courses.append(
                    _course(
                        patient.pk,
                        track=Track.HOSPITAL,
                        status=HOSPITAL_OPEN[(i // 15) % 3],
                        responsible_organisation=clinic,
                        clinic=clinic,
                        start_date=today - timedelta(days=rng.randrange(5, 300)),
                        status_changed_at=now - timedelta(days=rng.randrange(1, 100)),
                        created_at=now - timedelta(days=300),
                    )
                )
                continue
        if i % 7 == 0:  # a relation a clinic closed
            relation(i, clinic_rows[i // 7 % clinics], closed=True)
        if i % 97 == 1 and practice != practice_rows[0]:  # practice 0 treats a visitor
            relation(i, practice_rows[0])
        if i % 89 == 2 and practice != practice_rows[0]:  # and treated one once
            relation(i, practice_rows[0], closed=True)
        if i % 31 == 4:  # other practices' visitors
            visited = practice_rows[(i // 31) % practices]
            if visited != practice:
                relation(i, visited)
        if i % 2 == 0 or i % 97 == 1:
            start = today - timedelta(days=rng.randrange(0, 120))
            courses.append(
                _course(
                    patient.pk,
                    track=Track.PRACTICE,
                    status=PRACTICE_OPEN[rng.randrange(len(PRACTICE_OPEN))],
                    responsible_organisation=practice,
                    clinic=clinic_rows[i // 2 % clinics],
                    start_date=start,
                    deadline=start + timedelta(days=91),
                    next_follow_up_on=today + timedelta(days=rng.randrange(-30, 40)),
                    status_changed_at=now - timedelta(days=rng.randrange(1, 100)),
                    created_at=now - timedelta(days=120),
                )
            )
        if i % 40 == 3:  # a finished hospital course whose summary went to the practice
            clinic = clinic_rows[i // 40 % clinics]
            courses.append(
                _course(
                    patient.pk,
                    track=Track.HOSPITAL,
                    status=Status.COMPLETED,
                    responsible_organisation=clinic,
                    clinic=clinic,
                    start_date=today - timedelta(days=200),
                    status_changed_at=now - timedelta(days=20),
                    created_at=now - timedelta(days=200),
                    closed_on=today - timedelta(days=20),
                )
            )
    CareRelation.objects.bulk_create(relations, batch_size=BATCH)
    Course.objects.bulk_create(courses, batch_size=BATCH)

    handovers: list[Handover] = []
    reviews: list[RuleReview] = []
    alerts: list[Alert] = []
    appointments: list[Appointment] = []
    summaries: list[DischargeSummary] = []
    monday = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time())
    week_start = timezone.make_aware(monday)
    listed = {patient.pk: patient.listed_practice for patient in patient_rows}
    for n, course in enumerate(courses):
        if course.status == Status.HANDOVER_PROPOSED:
            handovers.append(
                Handover(
                    course=course,
                    clinic=course.clinic,
                    kind=Handover.Kind.EARLY,
                    proposed_at=now - timedelta(days=n % 20),
                    snapshot={},
                )
            )
        elif course.status == Status.HANDOVER_REVIEW:
            reviews.append(
                RuleReview(
                    course=course,
                    deadline=course.deadline or today,
                    reviewed_at=now - timedelta(days=n % 15),
                    progress=RuleReview.Progress.BEHIND_PLAN,
                    outcome=RuleReview.Outcome.PENDING,
                )
            )
        if course.track == Track.PRACTICE and n % 8 == 0:
            alerts.append(
                Alert(
                    course=course, code=Alert.Code.PEG_WORSENED, raised_on=today - timedelta(n % 9)
                )
            )
        if course.track == Track.HOSPITAL and course.status in HOSPITAL_OPEN:
            appointments.append(
                Appointment(
                    course=course,
                    organisation=course.responsible_organisation,
                    starts_at=week_start + timedelta(weeks=-8, hours=(n * 37) % (16 * 7 * 24)),
                    duration_minutes=45,
                    discipline="physiotherapy",
                    created_by=doctor,
                    created_at=now - timedelta(days=7),
                )
            )
        if course.status == Status.COMPLETED:
            summaries.append(
                DischargeSummary(
                    course=course,
                    sent_to=listed[course.patient_id],
                    summary="Forløbet er afsluttet.",
                    recommendations="Fortsæt nedtrapningen.",
                    written_by=doctor,
                    written_at=now - timedelta(days=n % 60),
                )
            )
    Handover.objects.bulk_create(handovers, batch_size=BATCH)
    RuleReview.objects.bulk_create(reviews, batch_size=BATCH)
    Alert.objects.bulk_create(alerts, batch_size=BATCH)
    Appointment.objects.bulk_create(appointments, batch_size=BATCH)
    DischargeSummary.objects.bulk_create(summaries, batch_size=BATCH)
    if analyze:  # the planner's statistics, as autovacuum would have them in production
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
