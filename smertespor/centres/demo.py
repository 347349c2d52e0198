"""Demo courses at the demo region's pain centre, for two of demo-gp's patients: one running
(team, the five modules, appointments attended, cancelled and coming, outcome measures at the
start) and one discharged with its summary sent to the practice, not yet marked received (so
demo-gp sees it on the worklist), with the follow-up measured.

Each course answers a referral from demo-gp that the centre accepted (made through the
referrals app's services, with the referrals demo's content), so the referral's status and
the care relation are as in real use; discharging the course discharges its referral.
Everything is built through the services, so the audit log and the course events are as
real ones. Idempotent: a centre that already has courses is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from smertespor.accounts.models import Organisation, Role, User
from smertespor.centres import services
from smertespor.centres.models import CentreCourse, CourseEvent, PlannedModule
from smertespor.entry.appointment_times import bookable_on, next_bookable
from smertespor.patients.models import Patient
from smertespor.referrals import services as referral_services
from smertespor.referrals.demo import CONTENT, MET
from smertespor.referrals.models import Referral
from smertespor.tapering.selectors import plan_to_show
from smertespor.tracks.models import Course

TEAM = [
    (Role.CLINIC_DOCTOR, "doctor"),
    (Role.CLINIC_NURSE, "nurse"),
    (Role.PSYCHOLOGIST, "psychologist"),
    (Role.PHYSIOTHERAPIST, "physiotherapist"),
    (Role.SOCIAL_WORKER, "social_worker"),
]
MODULES = [
    ("cbt_group", "8 gange à 2½ time, tirsdag formiddag"),
    ("pain_education", "Smerteskole, 3 gange"),
    ("graded_activity", "Træning 2 gange om ugen med fysioterapeut"),
    ("self_management", "Mestring, søvn og arbejde"),
    ("medication_review_taper", "Gennemgang af smertestillende medicin"),
]


def _team(centre: Organisation) -> dict[str, User]:
    found: dict[str, User] = {}
    for role, discipline in TEAM:
        user = User.objects.filter(organisation=centre, role=role, is_active=True).first()
        if user is not None:
            found[discipline] = user
    return found


def _patients(practice: Organisation) -> list[Patient]:
    """Two of the practice's patients on opioids without a tapering course or a referral,
    by CPR."""
    in_courses = Course.objects.values("patient_id")
    referred = Referral.objects.values("patient_id")
    return list(
        Patient.objects.filter(listed_practice=practice, medication_lines__isnull=False)
        .exclude(pk__in=in_courses)
        .exclude(pk__in=referred)
        .distinct()
        .order_by("-cpr")[:2]
    )


def _accepted_referral(patient: Patient, gp: User, doctor: User, *, weeks_ago: int) -> Referral:
    """demo-gp's referral, sent, accepted and with its first appointment (dated back to
    when the course started, as if it had been booked then)."""
    centre = doctor.organisation
    assert centre is not None  # noqa: S101 - a centre user has one
    draft = referral_services.save_referral_draft(
        by=gp, patient=patient, recipient_id=centre.pk, content=CONTENT, criteria=MET
    )
    referral = referral_services.send_referral(referral=draft, by=gp, exception_reason="")
    referral = referral_services.accept_referral(
        referral=referral, by=doctor, priority="routine", expected_wait_weeks=8
    )
    referral = referral_services.book_first_appointment(
        referral=referral, by=doctor, at=next_bookable(timezone.now())
    )
    first = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    Referral.objects.filter(pk=referral.pk).update(
        first_appointment_at=first - timedelta(weeks=weeks_ago)
    )
    return referral


def _course(patient: Patient, gp: User, team: dict[str, User], *, weeks_ago: int) -> CentreCourse:
    doctor = team["doctor"]
    _accepted_referral(patient, gp, doctor, weeks_ago=weeks_ago)
    started = timezone.localdate() - timedelta(weeks=weeks_ago)
    course = services.plan_course(
        patient=patient,
        by=doctor,
        goals="Komme tilbage i arbejde på nedsat tid, sove bedre og bruge mindre opioid.",
        planned_start=started,
    )
    for discipline, user in team.items():
        services.add_team_member(course=course, by=doctor, user_id=user.pk, discipline=discipline)
    for code, note in MODULES:
        services.add_module(course=course, by=doctor, code=code, note=note)
    plan = plan_to_show(patient)
    if plan is not None:
        taper = course.modules.get(code="medication_review_taper")
        services.link_taper_plan(
            course=course, by=doctor, module_id=taper.pk, taper_plan_id=plan.pk
        )
    _measure(course, doctor, "start", started, peg=(8, 7, 7), nrs=7, pseq2=(2, 3))
    services.start_course(course=course, by=doctor, expected_version=course.version)
    CentreCourse.objects.filter(pk=course.pk).update(started_on=started)
    course.refresh_from_db()
    return course


def _measure(
    course: CentreCourse,
    by: User,
    timepoint: str,
    day: date,
    *,
    peg: tuple[int, int, int],
    nrs: int,
    pseq2: tuple[int, int],
) -> None:
    pain, enjoyment, activity = peg
    work, lifestyle = pseq2
    for code, answers in (
        ("peg", {"pain": pain, "enjoyment": enjoyment, "activity": activity}),
        ("nrs", {"nrs": nrs}),
        ("pseq2", {"work": work, "lifestyle": lifestyle}),
    ):
        services.record_outcome(
            course=course,
            by=by,
            instrument_code=code,
            timepoint=timepoint,
            answers=answers,
            measured_on=day,
        )


def _appointments(
    course: CentreCourse, team: dict[str, User], *, first_week: int, last_week: int
) -> None:
    """A weekly appointment from `first_week` to `last_week` (relative to this week): the
    past ones attended (one cancelled), the coming ones booked."""
    doctor = team["doctor"]
    modules = {m.code: m for m in PlannedModule.objects.filter(course=course)}
    rota = [
        ("psychologist", "cbt_group", 150),
        ("physiotherapist", "graded_activity", 60),
        ("nurse", "pain_education", 90),
        ("doctor", "medication_review_taper", 30),
        ("social_worker", "self_management", 60),
    ]
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    for week in range(first_week, last_week + 1):
        discipline, code, minutes = rota[(week - first_week) % len(rota)]
        clinician = team.get(discipline, doctor)
        # Inside the opening hours on a working day (the service refuses weekends, holidays).
        on = bookable_on(start + timedelta(weeks=week), earlier=week < 0)
        appointment = services.book_appointment(
            course=course,
            by=doctor,
            starts_at=on,
            duration_minutes=minutes,
            clinician_id=clinician.pk,
            module_id=modules[code].pk,
        )
        if week < 0:
            outcome = "cancel" if week == first_week + 2 else "attend"
            services.record_appointment(
                appointment=appointment,
                by=clinician,
                expected_version=appointment.version,
                outcome=outcome,
                note="Sygdom" if outcome == "cancel" else "",
            )


@transaction.atomic
def load_demo_centre_courses(*, centre_name: str, gp_username: str) -> int:
    centre = Organisation.objects.filter(name=centre_name).first()
    gp = User.objects.filter(username=gp_username).select_related("organisation").first()
    if centre is None or gp is None or gp.organisation is None:
        return 0
    if CentreCourse.objects.filter(centre=centre).exists():
        return 0
    team = _team(centre)
    if "doctor" not in team:
        return 0
    patients = _patients(gp.organisation)
    if len(patients) < 2:
        return 0
    running, finished = patients
    course = _course(running, gp, team, weeks_ago=4)
    _appointments(course, team, first_week=-4, last_week=2)

    done = _course(finished, gp, team, weeks_ago=14)
    _appointments(done, team, first_week=-13, last_week=-3)
    _measure(
        done,
        team["doctor"],
        "end",
        timezone.localdate() - timedelta(days=14),
        peg=(5, 4, 4),
        nrs=5,
        pseq2=(4, 4),
    )
    services.send_discharge_summary(
        course=done,
        by=team["doctor"],
        expected_version=done.version,
        course_summary=(
            "Tværfagligt forløb over 12 uger: kognitivt baseret gruppeforløb, smerteskole, "
            "gradueret træning og medicingennemgang. Patienten har deltaget stabilt og "
            "bruger nu pacing i hverdagen. PEG faldt fra 7,3 til 4,3."
        ),
        plan_after=(
            "Egen læge overtager. Fortsæt nedtrapningsplanen med kontrol hver 4. uge. "
            "Henvis igen, hvis nedtrapningen går i stå i to trin, eller funktionen falder."
        ),
        municipality_continues="Jobcentret: virksomhedspraktik 12 timer om ugen fra næste måned.",
        physiotherapy_continues="Holdtræning 2 gange om ugen i 3 måneder (genoptræningsplan).",
    )
    _measure(
        done, team["doctor"], "follow_up", timezone.localdate(), peg=(5, 5, 4), nrs=5, pseq2=(4, 5)
    )
    # The discharged course ran for twelve weeks and ended a fortnight ago.
    ended = timezone.localdate() - timedelta(days=14)
    CentreCourse.objects.filter(pk=done.pk).update(closed_on=ended)
    CourseEvent.objects.filter(course=done, kind="discharge").update(
        occurred_at=timezone.now() - timedelta(days=14)
    )
    return 2
