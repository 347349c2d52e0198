"""A region's worth of fictitious data, the same for the same seed (`manage.py make_region`).

For benchmarks and load tests at region scale: practices shaped like the demo's (SOR code,
ydernummer), two GPs and a nurse each, the pain clinic, the pain centre and the region office
with their staff; patients listed round-robin with valid-shaped CPR numbers and their history
rows; medication lines with OMEQ snapshots (`load_demo_medication`); courses at every stage of
the two tracks (`tracks.demo_bulk`: the rows `DemoBuilder` writes, in bulk); a sample of taper
plans, advice requests and teaching registrations through the real services; and a little audit
history through `record_event`. Everything is fictitious (addresses on "Demovej").
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice
from uuid import UUID

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from smertespor.accounts.models import Organisation, Region, Role, User
from smertespor.demo_region import (
    DEMO_PASSWORD,
    FIRST_NAMES,
    LAST_NAMES,
    OTHER_ORGANISATIONS,
    _demo_cpr,
)
from smertespor.medication.demo import load_demo_medication
from smertespor.medication.models import OmeqSnapshot
from smertespor.patients.models import Patient
from smertespor.tracks.demo_bulk import BulkDemoBuilder, BulkStore, run_stage, stage_cycle
from smertespor.tracks.models import Course

Kind = Organisation.Kind
MAX_PATIENTS = 500_000
MAX_PRACTICES = 999  # the ydernummer shape below has room for 999
PATIENTS_PER_PRACTICE = (10, 5_000)
TOWNS = (
    "Silkeborg",
    "Viborg",
    "Aarhus",
    "Herning",
    "Skanderborg",
    "Randers",
    "Horsens",
    "Holstebro",
    "Skive",
    "Ikast",
    "Grenaa",
    "Lemvig",
    "Odder",
    "Ringkøbing",
    "Hedensted",
    "Favrskov",
)
# How often each stage is dealt to a patient on opioids. Every such patient has a course; a
# relapse and the hospital stages add a second, which gives the region about 1.2
# courses a patient (38,000 for 32,000 patients, 85 % of them with medication).
STAGE_WEIGHTS = (
    ("new", 6),
    ("overdue", 4),
    ("worse", 3),
    ("approaching", 4),
    ("withdrawal", 3),
    ("proposed", 2),
    ("kept", 2),
    ("waiting", 1),
    ("early", 1),
    ("returned", 1),
    ("succeeded", 4),
    ("relapse", 14),
    ("hospital_accepted", 2),
    ("hospital_plan_active", 2),
    ("hospital_completed", 2),
)
FLUSH_EVERY_PRACTICES = 40
TAPER_PLAN_PRACTICES = 40  # one plan at each of the first 40: ~0.2 s each through the service
ADVICE_PER_PRACTICE = 2
TEACHING_SESSIONS = 6


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    organisation: str


@dataclass
class RegionReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)


class RegionError(ValueError):
    """The arguments or the database do not allow the region asked for."""


def check_arguments(*, patients: int, practices: int, seed: int) -> None:
    if not 1 <= practices <= MAX_PRACTICES:
        raise RegionError(f"--practices must be between 1 and {MAX_PRACTICES} (got {practices}).")
    if not 1 <= patients <= MAX_PATIENTS:
        raise RegionError(f"--patients must be between 1 and {MAX_PATIENTS:,} (got {patients}).")
    low, high = PATIENTS_PER_PRACTICE
    if not low <= patients / practices <= high:
        raise RegionError(
            f"{patients} patients in {practices} practices is {patients / practices:.1f} a "
            f"practice; a region has between {low} and {high:,} (Danish lists: about 1,600 a GP)."
        )
    if seed < 0:
        raise RegionError(f"--seed must be 0 or more (got {seed}).")


def _practice_sor(index: int) -> str:
    """15 digits like the demo's SOR codes, in a range of their own (the demo's practices are
    900000000000001-8, its clinic and the others 900000000000101-6)."""
    return f"9000000010{index:05d}"


def _provider_number(index: int) -> str:
    """Six digits shaped like the demo's ydernumre (100101, 100202, …) but from 2: the demo's
    can be in the same database (--add)."""
    return f"2{index:03d}{index % 100:02d}"


class _Timer:
    def __init__(self, report: RegionReport) -> None:
        self.report = report

    def run(self, name: str, work: Callable[[], int]) -> int:
        start = time.perf_counter()
        made = work()
        self.report.seconds[name] = time.perf_counter() - start
        self.report.counts[name] = made
        return made


def make_region(
    *,
    patients: int,
    practices: int,
    seed: int,
    add: bool = False,
    today: date | None = None,
    audit_events: int | None = None,
) -> RegionReport:
    """Make the region; refuses a database with patients unless `add` (then more patients are
    listed with the region's practices, and only they get medication and courses)."""
    check_arguments(patients=patients, practices=practices, seed=seed)
    if not add and Patient.objects.exists():
        raise RegionError(
            f"The database already has {Patient.objects.count():,} patients; use a fresh "
            "database, or --add to add a region's patients to it."
        )
    today = today or timezone.localdate()
    report = RegionReport()
    timer = _Timer(report)
    with transaction.atomic():
        region, _ = Region.objects.get_or_create(
            code="1082", defaults={"name": "Region Midtjylland"}
        )
        practice_list = _practices(region, practices)
        others = _other_organisations(region)
        staff = _users(practice_list, others, report)
        made: list[Patient] = []

        def list_patients() -> int:
            made.extend(_patients(practice_list, patients, seed))
            return len(made)

        timer.run("patients", list_patients)
        timer.run("medication_lines", lambda: load_demo_medication(made, today=today))
        timer.run(
            "courses",
            lambda: _courses(made, practice_list, staff, others, today=today, seed=seed),
        )
        timer.run("taper_plans", lambda: _taper_plans(practice_list, staff, today))
        timer.run("advice_requests", lambda: _advice(practice_list, staff, others, seed))
        timer.run("teaching_registrations", lambda: _teaching(practice_list, staff, others))
        events = audit_events if audit_events is not None else max(10, patients // 40)
        timer.run("audit_events", lambda: record_audit_history(made, staff, events, seed))
    report.counts["practices"] = len(practice_list)
    return report


def _practices(region: Region, count: int) -> list[Organisation]:
    existing = {
        o.sor_code: o
        for o in Organisation.objects.filter(
            sor_code__in=[_practice_sor(i) for i in range(1, count + 1)]
        )
    }
    new = []
    for index in range(1, count + 1):
        if _practice_sor(index) in existing:
            continue
        town = TOWNS[(index - 1) % len(TOWNS)]
        new.append(
            Organisation(
                region=region,
                name=f"Lægehuset {town} {index:03d}",
                kind=Kind.GP_PRACTICE,
                sor_code=_practice_sor(index),
                provider_number=_provider_number(index),
                address=f"Demovej {index}, {town}",
                phone=f"8{index:03d}{index:04d}"[:8],
            )
        )
    Organisation.objects.bulk_create(new)
    by_sor = {
        o.sor_code: o
        for o in Organisation.objects.filter(
            sor_code__in=[_practice_sor(i) for i in range(1, count + 1)]
        )
    }
    return [by_sor[_practice_sor(i)] for i in range(1, count + 1)]


def _other_organisations(region: Region) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    for name, kind, sor_code in OTHER_ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            sor_code=sor_code, defaults={"region": region, "name": name, "kind": kind}
        )
        found[kind] = organisation
    return found


@dataclass
class Staff:
    gps: dict[int, list[User]]  # by practice pk
    nurses: dict[int, User]
    clinic: dict[str, list[User]]  # by role
    others: dict[str, User]


CLINIC_STAFF = (
    (Role.CLINIC_DOCTOR, ("Anders", "Kjær"), ("Lise", "Friis"), ("Ole", "Bjerre")),
    (Role.CLINIC_NURSE, ("Sofie", "Winther"), ("Tina", "Holt"), ("Maja", "Krag"), ("Eva", "Lind")),
    (Role.PSYCHOLOGIST, ("Ida", "Mørk")),
    (Role.SECRETARY, ("Birgit", "Skov")),
)


def _users(
    practices: list[Organisation], others: dict[str, Organisation], report: RegionReport
) -> Staff:
    """Two GPs and a nurse a practice, the clinic's staff, the centre's, the planner."""
    password = make_password(DEMO_PASSWORD)  # one hash for all: hashing 1,200 times takes minutes
    clinic = others[Kind.PAIN_CLINIC]
    wanted: list[User] = []

    def user(username: str, first: str, last: str, role: str, organisation: Organisation) -> None:
        wanted.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                role=role,
                organisation=organisation,
                password=password,
            )
        )

    rng = random.Random(f"region-staff-{len(practices)}")  # noqa: S311 - fictitious names
    for index, practice in enumerate(practices, start=1):
        for number in (1, 2):
            sex = "female" if (index + number) % 2 else "male"
            first, last = rng.choice(FIRST_NAMES[sex]), rng.choice(LAST_NAMES)
            user(f"region-gp-{index:03d}-{number}", first, last, Role.GP, practice)
        first, last = rng.choice(FIRST_NAMES["female"]), rng.choice(LAST_NAMES)
        user(f"region-nurse-{index:03d}", first, last, Role.PRACTICE_NURSE, practice)
    for role, *names in CLINIC_STAFF:
        for number, (first, last) in enumerate(names, start=1):
            user(f"region-{role.replace('_', '-')}-{number}", first, last, role, clinic)
    centre, office = others[Kind.PAIN_CENTRE], others[Kind.REGIONAL_ADMINISTRATION]
    user("region-physiotherapist-1", "Mads", "Krogh", Role.PHYSIOTHERAPIST, centre)
    user("region-social-worker-1", "Hanne", "Vestergaard", Role.SOCIAL_WORKER, centre)
    user("region-planner-1", "Peter", "Brandt", Role.PLANNER, office)
    existing = set(
        User.objects.filter(username__in=[u.username for u in wanted]).values_list(
            "username", flat=True
        )
    )
    User.objects.bulk_create([u for u in wanted if u.username not in existing], batch_size=500)
    report.counts["users"] = len(wanted) - len(existing)
    users = {
        u.username: u
        for u in User.objects.select_related("organisation").filter(
            username__in=[u.username for u in wanted]
        )
    }
    staff = Staff(
        gps={
            p.pk: [users[f"region-gp-{i:03d}-1"], users[f"region-gp-{i:03d}-2"]]
            for i, p in enumerate(practices, start=1)
        },
        nurses={p.pk: users[f"region-nurse-{i:03d}"] for i, p in enumerate(practices, start=1)},
        clinic={
            role: [users[f"region-{role.replace('_', '-')}-{n}"] for n in range(1, len(names) + 1)]
            for role, *names in CLINIC_STAFF
        },
        others={
            "physiotherapist": users["region-physiotherapist-1"],
            "planner": users["region-planner-1"],
        },
    )
    report.logins = [
        Login("region-gp-001-1", str(Role.GP.label), practices[0].name),
        Login("region-nurse-001", str(Role.PRACTICE_NURSE.label), practices[0].name),
        Login("region-clinic-doctor-1", str(Role.CLINIC_DOCTOR.label), clinic.name),
        Login("region-clinic-nurse-1", str(Role.CLINIC_NURSE.label), clinic.name),
        Login("region-psychologist-1", str(Role.PSYCHOLOGIST.label), clinic.name),
        Login("region-secretary-1", str(Role.SECRETARY.label), clinic.name),
        Login("region-physiotherapist-1", str(Role.PHYSIOTHERAPIST.label), centre.name),
        Login("region-planner-1", str(Role.PLANNER.label), office.name),
    ]
    return staff


def _patients(practices: list[Organisation], count: int, seed: int) -> list[Patient]:
    rng = random.Random(f"region-patients-{seed}")  # noqa: S311 - fictitious patients
    taken = set(Patient.objects.values_list("cpr", flat=True))
    start = Patient.objects.count()
    patients = []
    for index in range(start, start + count):
        cpr, birth, sex = _demo_cpr(rng, taken)
        practice = practices[index % len(practices)]
        town = practice.address.split(", ")[-1]
        patients.append(
            Patient(
                cpr=cpr,
                name=f"{rng.choice(FIRST_NAMES[sex])} {rng.choice(LAST_NAMES)}",
                birth_date=birth,
                sex=sex,
                listed_practice=practice,
                address=f"Demovej {index + 10}, {town}",
            )
        )
    written = bulk_create_with_history(patients, Patient, batch_size=1000)
    # bulk_create fills the primary keys on PostgreSQL and on SQLite 3.35 or later.
    if written and written[0].pk is None:
        raise RegionError("This database does not return the keys of bulk-inserted rows.")
    return list(written)


def _candidates(patients: list[Patient]) -> dict[UUID, tuple[Decimal, str]]:
    """Patients whose latest OMEQ snapshot is above 0 (as `tracks.demo._candidates`)."""
    ids = {p.pk for p in patients}
    latest: dict[UUID, tuple[Decimal, str]] = {}
    seen: set[UUID] = set()
    rows = OmeqSnapshot.objects.order_by("patient_id", "-recorded_at", "-pk").values_list(
        "patient_id", "is_computable", "max_mg_per_day", "table_id", "table_version"
    )
    for patient_id, computable, max_mg, table_id, table_version in rows.iterator(chunk_size=5000):
        if patient_id in seen:
            continue
        seen.add(patient_id)
        if patient_id in ids and computable and max_mg and max_mg > 0:
            latest[patient_id] = (max_mg.quantize(Decimal("0.1")), f"{table_id} {table_version}")
    return latest


def _courses(
    patients: list[Patient],
    practices: list[Organisation],
    staff: Staff,
    others: dict[str, Organisation],
    *,
    today: date,
    seed: int,
) -> int:
    clinic = others[Kind.PAIN_CLINIC]
    candidates = _candidates(patients)
    by_practice: dict[int, list[Patient]] = {}
    for patient in sorted(patients, key=lambda p: p.cpr):
        if patient.pk in candidates:
            by_practice.setdefault(patient.listed_practice_id, []).append(patient)
    cycle = stage_cycle(STAGE_WEIGHTS)
    doctors = staff.clinic[Role.CLINIC_DOCTOR]
    nurses = staff.clinic[Role.CLINIC_NURSE]
    psychologist = staff.clinic[Role.PSYCHOLOGIST][0]
    made = 0
    store = BulkStore()
    for index, practice in enumerate(practices):
        gp = staff.gps[practice.pk][0]
        gp.organisation = practice
        demo = BulkDemoBuilder(
            today,
            gp,
            staff.nurses[practice.pk],
            clinic,
            store=store,
            doctor=doctors[index % len(doctors)],
            clinic_nurse=nurses[index % len(nurses)],
            psychologist=psychologist,
        )
        offset = (index * 7 + seed) % len(cycle)
        for number, patient in enumerate(by_practice.get(practice.pk, [])):
            mg, table = candidates[patient.pk]
            stage = cycle[(offset + number) % len(cycle)]
            made += len(run_stage(demo, stage, patient, mg, table))
        if (index + 1) % FLUSH_EVERY_PRACTICES == 0:
            store.flush()
    store.flush()
    return made


def _open_practice_courses(practice: Organisation) -> Iterator[Course]:
    return (
        Course.objects.filter(responsible_organisation=practice, track="practice", status="active")
        .select_related("patient")
        .order_by("patient__cpr")
        .iterator()
    )


def _taper_plans(practices: list[Organisation], staff: Staff, today: date) -> int:
    """A modest sample through the real service: an active plan for the first patient in an
    active practice-track course at each of the first practices (the service links it to the
    course)."""
    from smertespor.tapering.services import create_taper_plan, default_pace

    made = 0
    for practice in practices[:TAPER_PLAN_PRACTICES]:
        gp = staff.gps[practice.pk][0]
        for course in islice(_open_practice_courses(practice), 5):
            pace = replace(default_pace(today), start_date=today + timedelta(days=3))
            try:
                create_taper_plan(
                    patient=course.patient, by=gp, pace=pace, activate=True, today=today
                )
            except ValidationError:
                continue  # e.g. substitution treatment only: the next patient
            made += 1
            break
    return made


ADVICE_QUESTIONS = (
    (
        "taper_strategy",
        "Nedtrapning efter 2 års opioidbehandling",
        "Patienten ønsker at trappe ned. Hvor hurtigt kan vi gå frem?",
    ),
    (
        "withdrawal",
        "Abstinenser i uge 3 af nedtrapningen",
        "Patienten har uro og svedeture. Skal vi holde pause eller sætte dosis op?",
    ),
    (
        "switching",
        "Omregning fra tramadol til morfin",
        "Hvilken omregningsfaktor bruger klinikken for tramadol?",
    ),
)


def _advice(
    practices: list[Organisation], staff: Staff, others: dict[str, Organisation], seed: int
) -> int:
    """A handful per practice through the services: asked by a GP, every other one answered."""
    from smertespor.advice.services import ask_for_advice, reply_to_advice_request

    clinic = others[Kind.PAIN_CLINIC]
    doctor = staff.clinic[Role.CLINIC_DOCTOR][0]
    first_patients: dict[int | None, Patient] = {}
    for patient in Patient.objects.filter(listed_practice__in=practices).order_by("cpr"):
        first_patients.setdefault(patient.listed_practice_id, patient)
    made = 0
    for index, practice in enumerate(practices):
        for number in range(ADVICE_PER_PRACTICE):
            category, subject, question = ADVICE_QUESTIONS[(index + number + seed) % 3]
            request = ask_for_advice(
                by=staff.gps[practice.pk][number % 2],
                clinic_id=clinic.pk,
                patient=first_patients.get(practice.pk) if number == 0 else None,
                subject=subject,
                question=question,
                category=category,
            )
            if (index + number) % 2 == 0:
                reply_to_advice_request(
                    advice_request=request,
                    by=doctor,
                    kind="answer",
                    body="Reducér med ca. 10 % af startdosis hver 4. uge, og hold pause ved "
                    "abstinenser.",
                )
            made += 1
    return made


def _teaching(practices: list[Organisation], staff: Staff, others: dict[str, Organisation]) -> int:
    """A monthly series at the clinic; one GP or nurse of each practice signs up to one."""
    from smertespor.teaching.services import create_teaching_sessions, register_for_session
    from smertespor.teaching.topics import Topic

    doctor = staff.clinic[Role.CLINIC_DOCTOR][0]
    now = timezone.localtime()
    starts = (now + timedelta(days=14)).replace(hour=15, minute=0, second=0, microsecond=0)
    sessions = create_teaching_sessions(
        by=doctor,
        title="ECHO-session: nedtrapning af opioider i almen praksis",
        topics=[Topic.TAPER_STRATEGY, Topic.WITHDRAWAL],
        audience=["gps", "practice_nurses"],
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        location="Smerteklinikken, mødelokale 3",
        capacity=max(20, len(practices)),
        teachers=[doctor],
        repeat="monthly",
        occurrences=TEACHING_SESSIONS,
    )
    made = 0
    for index, practice in enumerate(practices):
        participant = staff.gps[practice.pk][0] if index % 3 else staff.nurses[practice.pk]
        register_for_session(by=participant, session=sessions[index % len(sessions)])
        made += 1
    return made


def record_audit_history(patients: list[Patient], staff: Staff, count: int, seed: int) -> int:
    """Audit rows through the public service: GPs viewing and searching their patients.

    Kept small and in one place: the audit log is being redesigned (keyed, sealed rows), and
    a bulk path belongs with that design."""
    from smertespor.audit.models import AuditEvent
    from smertespor.audit.services import record_event

    rng = random.Random(f"region-audit-{seed}")  # noqa: S311 - fictitious history
    if not patients:
        return 0
    for _ in range(count):
        patient = rng.choice(patients)
        gp = staff.gps[patient.listed_practice_id][rng.randint(0, 1)]
        if rng.random() < 0.8:
            record_event(
                user=gp,
                action=AuditEvent.Action.VIEW,
                object_type="patient",
                object_id=str(patient.pk),
                patient=patient,
            )
        else:
            record_event(
                user=gp,
                action=AuditEvent.Action.SEARCH,
                object_type="patient",
                detail={"query": patient.cpr[:6]},
            )
    return count
