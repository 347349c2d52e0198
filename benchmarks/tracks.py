"""Tracks benchmark: the daily 3-month rule and the two worklists with 32,000 courses.

    .venv/bin/python benchmarks/tracks.py

Sets up Django itself on a throwaway SQLite database in a temporary folder (migrated), and
seeds with bulk_create 32,000 patients in 40 practices, each with one course started 0-400
days ago as if the daily job had run until yesterday: the courses that started within three
months are active, older ones closed, at the clinic or awaiting the GP's decision on the
rule's proposal, and about a day's worth of active courses reached their deadline yesterday.
Every figure is printed against a naive version measured in the same run, on the same data:

1. `run_daily_rules` (candidates by indexed query, then `apply_track_rule` on each: the visits
   and the patient's taper plan, then a success, a proposal to the GP or a review kept on
   plan) against a loop over every active course evaluating the rule the same way and
   applying it where it says so. Both run in a transaction that is rolled back, so each run
   sees the same data; both must act on the same courses. Then the second run of the day
   (nothing left to do).
2. The GP's worklist (each section, first page, through the page view) against a loop over the
   practice's courses with one query per course for its visits and one for its alerts.
3. The clinic's worklist likewise, against a loop over the courses it supports with one
   query per course for its pending handover.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smertespor.accounts.models import User

from _harness import setup_django

COURSES = 32_000
PRACTICES = 40
SEED = 1082
FAST_RUNS = 7


def _cpr(serial: int) -> tuple[str, date]:
    birth = date(1930, 1, 1) + timedelta(days=serial % 25_000)
    return birth.strftime("%d%m%y") + f"{(serial // 25_000) % 4}{serial % 1000:03d}", birth


def _seed(today: date) -> dict[str, Any]:
    from django.utils import timezone

    from domain.tracks import course_deadline
    from smertespor.accounts.models import Organisation, Region, Role, User
    from smertespor.patients.models import CareRelation, Patient
    from smertespor.tracks.facts import rule_settings
    from smertespor.tracks.models import (
        Alert,
        Appointment,
        Course,
        FollowUp,
        Handover,
        RuleReview,
    )

    rng = random.Random(SEED)  # synthetic data, the same every run
    region = Region.objects.create(name="Region Midtjylland", code="1082")
    practices = Organisation.objects.bulk_create(
        Organisation(
            region=region,
            name=f"Lægehus {n}",
            kind="gp_practice",
            sor_code=f"{800000000000 + n}",
            provider_number=f"{300000 + n}",
        )
        for n in range(PRACTICES)
    )
    clinic = Organisation.objects.create(
        region=region, name="Smerteklinikken", kind="pain_clinic", sor_code="900000000001"
    )
    gp = User.objects.create(username="gp", role=Role.GP, organisation=practices[0])
    nurse = User.objects.create(username="nurse", role=Role.CLINIC_NURSE, organisation=clinic)
    now = timezone.now()
    patients = []
    for serial in range(COURSES):
        cpr, birth = _cpr(serial)
        patients.append(
            Patient(
                cpr=cpr,
                name=f"Patient {serial:05d}",
                birth_date=birth,
                sex="female",
                listed_practice=practices[serial % PRACTICES],
            )
        )
    Patient.objects.bulk_create(patients, batch_size=2000)
    settings = rule_settings()
    courses, relations = [], []
    for patient in patients:
        start = today - timedelta(days=rng.randrange(400))
        deadline = course_deadline(start, settings)
        if deadline >= today - timedelta(days=1):
            status, track = "active", "practice"  # the job ran until yesterday
        else:
            status = rng.choices(
                [
                    "succeeded",
                    "handover_review",
                    "handover_proposed",
                    "ended",
                    "moved_to_hospital_track",
                ],
                [50, 3, 12, 10, 25],
            )[0]
            track = "practice"
        courses.append(
            Course(
                patient=patient,
                track=track,
                status=status,
                responsible_organisation_id=patient.listed_practice_id,
                clinic=clinic,
                start_date=start,
                baseline_omeq_mg_per_day=Decimal(rng.choice([30, 45, 60, 90, 120])),
                baseline_omeq_source="entered",
                baseline_peg_pain=6,
                baseline_peg_enjoyment=6,
                baseline_peg_activity=6,
                baseline_nrs=6,
                goal_kind="target",
                goal_target_mg_per_day=Decimal(20),
                follow_up_interval_days=28,
                deadline=deadline,
                next_follow_up_on=start + timedelta(days=rng.randrange(20, 60)),
                status_changed_at=now,
                created_at=now,
            )
        )
    Course.objects.bulk_create(courses, batch_size=2000)
    visits, alerts, handovers, hospital, proposals = [], [], [], [], []
    for course in courses:
        for day in (28, 56):
            on = course.start_date + timedelta(days=day)
            if on < today:
                visits.append(
                    FollowUp(
                        course=course,
                        visit_on=on,
                        actor="practice",
                        recorded_by=gp,
                        recorded_at=now,
                        omeq_mg_per_day=course.baseline_omeq_mg_per_day * Decimal("0.9"),
                        omeq_source="entered",
                    )
                )
        if course.status == "active" and rng.random() < 0.05:
            alerts.append(Alert(course=course, code="peg_worsened", raised_on=today))
        if course.status in {"handover_proposed", "moved_to_hospital_track"}:
            relations.append(
                CareRelation(
                    patient_id=course.patient_id,
                    organisation=clinic,
                    reason="course",
                    opened_at=now,
                )
            )
        if course.status == "handover_review" and course.deadline is not None:
            proposals.append(
                RuleReview(
                    course=course,
                    deadline=course.deadline,
                    reviewed_at=now,
                    progress="behind_plan",
                    outcome="pending",
                )
            )
        if course.status == "handover_proposed":
            handovers.append(
                Handover(course=course, clinic=clinic, kind="rule", proposed_at=now, snapshot={})
            )
        if course.status == "moved_to_hospital_track" and course.deadline is not None:
            hospital.append(
                Course(
                    patient_id=course.patient_id,
                    track="hospital",
                    status=rng.choice(["accepted", "plan_active", "completed"]),
                    responsible_organisation=clinic,
                    clinic=clinic,
                    previous_course=course,
                    start_date=course.deadline + timedelta(days=3),
                    baseline_omeq_mg_per_day=course.baseline_omeq_mg_per_day,
                    baseline_omeq_source="entered",
                    baseline_peg_pain=6,
                    baseline_peg_enjoyment=6,
                    baseline_peg_activity=6,
                    baseline_nrs=6,
                    goal_kind="target",
                    goal_target_mg_per_day=Decimal(20),
                    follow_up_interval_days=14,
                    status_changed_at=now,
                    created_at=now,
                )
            )
    FollowUp.objects.bulk_create(visits, batch_size=2000)
    Alert.objects.bulk_create(alerts, batch_size=2000)
    Handover.objects.bulk_create(handovers, batch_size=2000)
    RuleReview.objects.bulk_create(proposals, batch_size=2000)
    CareRelation.objects.bulk_create(relations, batch_size=2000)
    Course.objects.bulk_create(hospital, batch_size=2000)
    monday = today - timedelta(days=today.weekday())
    Appointment.objects.bulk_create(
        (
            Appointment(
                course=course,
                organisation=clinic,
                starts_at=timezone.make_aware(datetime.combine(monday, datetime.min.time()))
                + timedelta(days=rng.randrange(14), hours=rng.randrange(8, 16)),
                duration_minutes=45,
                discipline="nurse",
                created_by=nurse,
                created_at=now,
            )
            for course in hospital
            if course.status == "plan_active"
        ),
        batch_size=2000,
    )
    return {
        "gp": gp,
        "nurse": nurse,
        "active": sum(c.status == "active" for c in courses),
        "visits": len(visits),
        "hospital": len(hospital),
    }


def _measure(work: Callable[[], Any], runs: int) -> tuple[float, int, Any]:
    """Median seconds, the queries of one run, and the last run's result."""
    from django.db import connection

    counted = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted[0] += 1
        return execute(sql, params, many, context)

    times, result = [], None
    for _ in range(runs):
        counted[0] = 0
        with connection.execute_wrapper(count):
            start = time.perf_counter()
            result = work()
            times.append(time.perf_counter() - start)
    return statistics.median(times), counted[0], result


def _rolled_back(work: Callable[[], Any]) -> Callable[[], Any]:
    from django.db import transaction

    def run() -> Any:
        with transaction.atomic():
            result = work()
            transaction.set_rollback(True)
        return result

    return run


def _naive_daily_rules(today: date) -> int:
    """Every active course, its visits and taper plan, the rule, the step where it says so."""
    from domain.tracks import RuleAction
    from smertespor.tracks.facts import rule_settings
    from smertespor.tracks.models import Course
    from smertespor.tracks.rules import apply_track_rule, evaluate

    settings, acted = rule_settings(), 0
    acts = {
        RuleAction.RECORD_SUCCESS,
        RuleAction.PROPOSE_HANDOVER,
        RuleAction.KEEP_IN_PRACTICE_TRACK,
    }
    for course in Course.objects.filter(status="active", track="practice").select_related(
        "patient", "responsible_organisation", "clinic"
    ):
        if evaluate(course, today, settings).action in acts:
            acted += apply_track_rule(course, today=today).applied is not None
    return acted


def _acted(today: date) -> int:
    from smertespor.tracks.rules import run_daily_rules

    summary = run_daily_rules(today=today)
    return summary.evaluated - summary.unchanged - len(summary.errors)


def _row(label: str, fast: tuple[float, int, Any], slow: tuple[float, int, Any]) -> None:
    ratio = slow[0] / fast[0] if fast[0] else float("inf")
    print(
        f"  {label:<34} {fast[1]:>6} queries {fast[0] * 1000:>9.1f} ms"
        f" | naive {slow[1]:>6} queries {slow[0] * 1000:>9.1f} ms | {ratio:>7.1f}x faster"
    )


def benchmark_daily_rules(today: date) -> None:
    from smertespor.tracks.rules import run_daily_rules

    fast = _measure(_rolled_back(lambda: _acted(today)), 3)
    slow = _measure(_rolled_back(lambda: _naive_daily_rules(today)), 1)
    if fast[2] != slow[2]:
        raise SystemExit(f"The versions disagree: {fast[2]} against {slow[2]} courses acted on.")
    print(f"run_daily_rules on {today} ({fast[2]} courses acted on by both):")
    _row("first run of the day", fast, slow)
    run_daily_rules(today=today)  # applied for real: the day's work is done
    again = _measure(lambda: run_daily_rules(today=today).evaluated, FAST_RUNS)
    slow_again = _measure(lambda: _naive_daily_rules(today), 1)
    _row("second run (nothing to do)", again, slow_again)


def _naive_practice_rows(user: User, today: date) -> list[Any]:
    """The GP's due list the naive way: each course of the practice, its visits and alerts."""
    from django.conf import settings

    from domain.follow_up import next_follow_up_on
    from smertespor.tracks.models import Course

    rows = []
    until = today + timedelta(days=settings.TRACKS_FOLLOW_UP_DUE_DAYS)
    for course in Course.objects.filter(responsible_organisation_id=user.organisation_id):
        if course.status not in {
            "active",
            "handover_review",
            "handover_proposed",
            "returned_to_practice_track",
        }:
            continue
        last = course.follow_ups.order_by("-visit_on").first()
        due = next_follow_up_on(
            course_start=course.start_date,
            interval_days=course.follow_up_interval_days,
            last_visit_on=last.visit_on if last else None,
            last_next_visit_on=last.next_visit_on if last else None,
        )
        alerts = list(course.alerts.filter(acknowledged_at__isnull=True))
        if due <= until:
            rows.append((due, course.pk, len(alerts)))
    return sorted(rows)[:25]


def _naive_clinic_rows(user: User) -> list[Any]:
    from smertespor.tracks.models import Course

    rows = []
    for course in Course.objects.filter(clinic_id=user.organisation_id, track="practice"):
        handover = course.handovers.filter(decision="pending").first()
        if handover is not None:
            rows.append((handover.proposed_at, course.pk))
    return sorted(rows)[:25]


def benchmark_worklists(seeded: dict[str, Any], today: date) -> None:
    from django.test import Client
    from django.urls import reverse

    gp, nurse = seeded["gp"], seeded["nurse"]
    for user, name, sections, naive, naive_runs in (
        (
            gp,
            "practice",
            ("due", "proposals", "approaching", "alerts", "returned"),
            lambda: _naive_practice_rows(gp, today),
            3,
        ),
        (
            nurse,
            "clinic",
            ("handovers", "assessment", "active", "appointments"),
            lambda: _naive_clinic_rows(nurse),
            1,
        ),
    ):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        url = reverse(f"tracks:{name}_worklist")
        slow = _measure(naive, naive_runs)
        print(f"The {name} worklist, first page through the view ({user.organisation}):")
        for section in sections:
            fast = _measure(partial(client.get, url, {"section": section}), FAST_RUNS)
            if fast[2].status_code != 200:
                raise SystemExit(f"The {name} worklist answered {fast[2].status_code}.")
            label = f"{section} ({fast[2].context['page'].paginator.count} rows)"
            _row(label, fast, slow)
        print(f"  naive: the first section's rows only, {slow[1]} queries (one or two per course)")


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder), load_demo=False)
        from django.utils import timezone

        today = timezone.localdate()
        seeded = _seed(today)
        print(
            f"Seeded {COURSES:,} practice-track courses ({seeded['active']:,} active, "
            f"{seeded['visits']:,} visits) and {seeded['hospital']:,} hospital-track courses "
            f"in {time.perf_counter() - started:.0f} s."
        )
        benchmark_daily_rules(today)
        benchmark_worklists(seeded, today)
    print(f"Done in {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
