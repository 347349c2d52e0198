"""Tracks benchmark: the daily 3-month rule and the two worklists over many courses.

    .venv/bin/python benchmarks/tracks.py [--courses 32000]

Sets up Django itself on a throwaway database (SQLite in a temporary folder, or PostgreSQL
when DATABASE_URL points at it; see _harness.py), migrated, and seeds with bulk_create
--courses patients (4,000 by default: the naive daily rule takes seconds a round) in 40
practices, each with one course started 0-400
days ago as if the daily job had run until yesterday: the courses that started within three
months are active, older ones closed, at the clinic or awaiting the GP's decision on the
rule's proposal, and about a day's worth of active courses reached their deadline yesterday.
Every figure is printed against a naive version measured in the same run, on the same data,
that gives the same result (checked before timing); each pair is timed interleaved (A B, B A,
… for 7 rounds after a warm-up; _timing.py) and printed as median and spread:

1. `run_daily_rules` (candidates by indexed query, then `apply_track_rule` on each: the visits
   and the patient's taper plan, then a success, a proposal to the GP or a review kept on
   plan) against a loop over every active course evaluating the rule the same way and
   applying it where it says so. Both run in a transaction that is rolled back, so each run
   sees the same data; both must act on the same courses. Then the second run of the day
   (nothing left to do).
2. The GP's worklist, each section's first page as the view renders it (`_render`: the page,
   its rows, the alerts, the template), against a naive worklist of the same section: every
   course of the practice loaded, one query per course for the patient's scope and one for
   its open alerts (and its returned handover), the sections filtered and sorted in Python,
   rendered by the same `_render`. The two pages must be the same HTML (checked).
3. The clinic's worklist likewise: every pending handover, hospital course and appointment of
   the week loaded, one query per row for the scope (and per active course for its next
   appointment), against the view's queries; the same HTML (checked).
"""

from __future__ import annotations

import argparse
import random
import re
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
from _timing import PAIRS, Timing, interleaved, ratio

COURSES = 4_000
PRACTICES = 40
SEED = 1082


def _cpr(serial: int) -> tuple[str, date]:
    birth = date(1930, 1, 1) + timedelta(days=serial % 25_000)
    return birth.strftime("%d%m%y") + f"{(serial // 25_000) % 4}{serial % 1000:03d}", birth


def _seed(today: date, count: int) -> dict[str, Any]:
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
    for serial in range(count):
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


def _queries(work: Callable[[], Any]) -> tuple[int, Any]:
    """The queries of one run, and its result."""
    from django.db import connection

    counted = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = work()
    return counted[0], result


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


def _row(label: str, fast: tuple[int, Timing], slow: tuple[int, Timing]) -> None:
    print(f"  {label}")
    print(f"    real:  {fast[0]:>6} queries, {fast[1].ms()}")
    print(f"    naive: {slow[0]:>6} queries, {slow[1].ms()}")
    print(f"    naive/real: {ratio(slow[1], fast[1])}")


def benchmark_daily_rules(today: date) -> None:
    from smertespor.tracks.rules import run_daily_rules

    fast, slow = (
        _rolled_back(lambda: _acted(today)),
        _rolled_back(lambda: _naive_daily_rules(today)),
    )
    fast_queries, fast_acted = _queries(fast)
    slow_queries, slow_acted = _queries(slow)
    if fast_acted != slow_acted:
        raise SystemExit(
            f"The versions disagree: {fast_acted} against {slow_acted} courses acted on."
        )
    timings = interleaved({"real": fast, "naive": slow})
    print(f"run_daily_rules on {today} ({fast_acted} courses acted on by both):")
    _row(
        "first run of the day (rolled back after each run)",
        (fast_queries, timings["real"]),
        (slow_queries, timings["naive"]),
    )
    run_daily_rules(today=today)  # applied for real: the day's work is done

    def real_again() -> int:
        summary = run_daily_rules(today=today)
        return summary.evaluated - summary.unchanged - len(summary.errors)

    def naive_again() -> int:
        return _naive_daily_rules(today)

    fast_queries, fast_acted = _queries(real_again)
    slow_queries, slow_acted = _queries(naive_again)
    if fast_acted != slow_acted or fast_acted != 0:
        raise SystemExit(f"The second run acted: {fast_acted} against {slow_acted}.")
    timings = interleaved({"real": real_again, "naive": naive_again})
    _row(
        "second run (nothing to do)",
        (fast_queries, timings["real"]),
        (slow_queries, timings["naive"]),
    )


def _visible(user: User, patient_id: Any) -> bool:
    from smertespor.patients.access import visible_patients

    return visible_patients(user).filter(pk=patient_id).exists()


def _ordered(items: list[Any], keys: tuple[str, ...]) -> list[Any]:
    """`order_by(*keys)` in Python (stable sorts from the last key; NULLs where the database
    puts them: first ascending on SQLite, last ascending on PostgreSQL)."""
    from django.db import connection

    nulls_last = connection.vendor == "postgresql"

    def value(item: Any, path: str) -> Any:
        for part in path.split("__"):
            item = getattr(item, part)
        return item

    for key in reversed(keys):
        path, descending = key.lstrip("-"), key.startswith("-")
        present = [i for i in items if value(i, path) is not None]
        missing = [i for i in items if value(i, path) is None]
        present.sort(key=partial(value, path=path), reverse=descending)
        items = present + missing if nulls_last != descending else missing + present
    return items


def _naive_practice(user: User, section: str, today: date) -> Any:
    """The GP's worklist the naive way: every course of the practice, a query per course."""
    from django.conf import settings
    from django.utils import timezone

    from smertespor.tracks import worklists as w
    from smertespor.tracks.models import Course, DischargeSummary, RuleReview

    chosen, sort = w._choose(w.PRACTICE_SECTIONS, section, "")
    org = user.organisation_id
    courses = [
        c
        for c in Course.objects.filter(
            responsible_organisation_id=org, track="practice"
        ).select_related("patient")
        if _visible(user, c.patient_id)
    ]
    open_alerts = {
        c.pk: list(c.alerts.filter(acknowledged_at__isnull=True))
        for c in courses
        if c.status in w.PRACTICE_OPEN
    }
    due_until = today + timedelta(days=settings.TRACKS_FOLLOW_UP_DUE_DAYS)
    approaching_until = today + timedelta(days=settings.TRACKS_APPROACHING_DAYS)
    sections: dict[str, list[Any]] = {
        "due": [
            c
            for c in courses
            if c.status in w.PRACTICE_OPEN
            and c.next_follow_up_on is not None
            and c.next_follow_up_on <= due_until
        ],
        "approaching": [
            c
            for c in courses
            if c.status == "active"
            and c.deadline is not None
            and today <= c.deadline <= approaching_until
        ],
        "alerts": [c for c in courses if open_alerts.get(c.pk)],
        "returned": [c for c in courses if c.status == "returned_to_practice_track"],
        "proposals": [
            r
            for r in RuleReview.objects.filter(
                course__responsible_organisation_id=org, outcome="pending"
            ).select_related("course__patient")
            if _visible(user, r.course.patient_id)
        ],
        "discharged": [
            d
            for d in DischargeSummary.objects.filter(
                sent_to_id=org,
                written_at__gte=timezone.now() - timedelta(days=w.DISCHARGE_WINDOW_DAYS),
            ).select_related("course__patient", "written_by", "course__responsible_organisation")
            if _visible(user, d.course.patient_id)
        ],
    }
    rows = sections[chosen.key]
    for course in rows if chosen.key == "alerts" else ():
        course.latest_alert = max(a.raised_on for a in open_alerts[course.pk])
    for course in rows if chosen.key == "returned" else ():
        returned = course.handovers.filter(decision="returned").order_by("-decided_at").first()
        course.returned_at = returned.decided_at if returned else None
        course.advice = returned.advice if returned else None
    counts = {key: len(found) for key, found in sections.items()}
    return w.Worklist(
        "practice",
        w.PRACTICE_SECTIONS,
        chosen,
        sort,
        counts,
        _ordered(rows, chosen.sorts[sort]),  # type: ignore[arg-type]
        today,
        user,
        w._search("practice", chosen, sort),
    )


def _naive_clinic(user: User, section: str, today: date) -> Any:
    """The clinic's worklist the naive way: every row loaded, a query per row for its scope."""
    from django.utils import timezone

    from smertespor.tracks import worklists as w
    from smertespor.tracks.models import Appointment, Course, Handover

    chosen, sort = w._choose(w.CLINIC_SECTIONS, section, "")
    org = user.organisation_id or 0
    courses = [
        c
        for c in Course.objects.filter(
            responsible_organisation_id=org, track="hospital"
        ).select_related("patient")
        if _visible(user, c.patient_id)
    ]
    start, end = w.week_of(today)
    sections: dict[str, list[Any]] = {
        "assessment": [c for c in courses if c.status in w.ASSESSMENT_DUE],
        "active": [c for c in courses if c.status == "plan_active"],
        "handovers": [
            h
            for h in Handover.objects.filter(clinic_id=org, decision="pending").select_related(
                "course__patient", "course__responsible_organisation"
            )
            if _visible(user, h.course.patient_id)
        ],
        "appointments": [
            a
            for a in Appointment.objects.filter(
                organisation_id=org, starts_at__gte=start, starts_at__lt=end
            ).select_related("course__patient", "clinician")
            if _visible(user, a.course.patient_id)
        ],
    }
    rows = sections[chosen.key]
    for course in rows if chosen.key == "active" else ():
        upcoming = course.appointments.filter(starts_at__gte=timezone.now()).order_by("starts_at")
        first = upcoming.first()
        course.next_appointment = first.starts_at if first else None
    counts = {key: len(found) for key, found in sections.items()}
    return w.Worklist(
        "clinic",
        w.CLINIC_SECTIONS,
        chosen,
        sort,
        counts,
        _ordered(rows, chosen.sorts[sort]),  # type: ignore[arg-type]
        today,
        user,
        w._search("clinic", chosen, sort),
    )


# Masked afresh on every render: the CSRF token (in forms and the htmx headers), a nonce.
_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|nonce=")[^"]*"')


def _html(response: Any) -> str:
    return _TOKEN.sub(r'\1"', response.content.decode())


def benchmark_worklists(seeded: dict[str, Any], today: date) -> None:
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory
    from django.urls import reverse

    from smertespor.tracks.worklist_views import _render
    from smertespor.tracks.worklists import clinic_worklist, practice_worklist

    gp, nurse = seeded["gp"], seeded["nurse"]
    for user, name, sections, real, naive in (
        (
            gp,
            "practice",
            ("due", "proposals", "approaching", "alerts", "returned", "discharged"),
            practice_worklist,
            _naive_practice,
        ),
        (
            nurse,
            "clinic",
            ("handovers", "assessment", "active", "appointments"),
            clinic_worklist,
            _naive_clinic,
        ),
    ):
        url = reverse(f"tracks:{name}_worklist")
        print(f"The {name} worklist, a section's first page rendered ({user.organisation}):")
        for section in sections:
            request = RequestFactory().get(url, {"section": section})
            request.user = user
            request.session = SessionStore()
            request._messages = FallbackStorage(request)  # type: ignore[attr-defined]

            def real_page(r: Any = request, u: Any = user, s: str = section, f: Any = real) -> Any:
                return _render(r, f(user=u, section=s, today=today))

            def naive_page(
                r: Any = request, u: Any = user, s: str = section, f: Any = naive
            ) -> Any:
                return _render(r, f(u, s, today))

            fast_queries, fast = _queries(real_page)
            slow_queries, slow = _queries(naive_page)
            if fast.status_code != 200 or _html(fast) != _html(slow):
                raise SystemExit(f"The naive {name} worklist's {section} page differs.")
            rows = real(user=user, section=section, today=today).objects.count()
            timings = interleaved({"real": real_page, "naive": naive_page})
            label = f"{section} ({rows} rows; the same HTML from both, checked)"
            _row(label, (fast_queries, timings["real"]), (slow_queries, timings["naive"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=COURSES, help=f"default {COURSES:,}")
    options = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder), load_demo=False, name="tracks")
        from django.utils import timezone

        today = timezone.localdate()
        seeded = _seed(today, options.courses)
        print(
            f"Seeded {options.courses:,} practice-track courses ({seeded['active']:,} active, "
            f"{seeded['visits']:,} visits) and {seeded['hospital']:,} hospital-track courses "
            f"in {time.perf_counter() - started:.0f} s; {PAIRS} interleaved rounds a pair."
        )
        benchmark_daily_rules(today)
        benchmark_worklists(seeded, today)
    print(f"Done in {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
