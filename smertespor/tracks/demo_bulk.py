"""Demo courses in bulk: the rows `DemoBuilder` writes one at a time, collected in memory and
written with `bulk_create` in batches (used by the region generator; never by the app itself).

`StagedDemoBuilder` is `DemoBuilder` plus the two steps `tracks.demo` writes inline (a return
with advice, a discharge summary), so that a whole stage can be made through builder methods
only. `BulkDemoBuilder` overrides every writing method of it: each row gets its primary key
up front from a `BulkStore` (so rows can point at each other before any is written), the
course changes its fields in memory, and `BulkStore.flush` writes everything at the end, in
the final state. A handover's referral snapshot is the one row that reads the database (the
course's visits and alerts, the patient's medication and taper plans): it is taken after the
visits and alerts are written, from a copy of the course as it stood when it was handed over.
`run_stage` is the stage programme both builders run; a test checks that they write equal rows.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from domain.follow_up import next_follow_up_on
from domain.tracks import OmeqRecord, add_calendar_months, course_deadline, evaluate_course
from smertespor.accounts.models import Organisation, User
from smertespor.patients.models import CareRelation, Patient
from smertespor.tracks.demo_builder import PLAN, DemoBuilder, Visit, at
from smertespor.tracks.facts import course_facts, rule_settings, taper_schedule
from smertespor.tracks.handover import referral_snapshot
from smertespor.tracks.models import (
    Alert,
    Appointment,
    Course,
    DischargeSummary,
    FollowUp,
    Handover,
    NeedsAssessment,
    RuleReview,
    TeamMember,
    TimelineEvent,
)
from smertespor.tracks.proposals import rule_working

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
# The stages of `tracks.demo`, in its order (and a relapse: a course that succeeded, then a new
# one); the relapse and the three hospital stages make two courses each.
STAGES = (
    "new",
    "overdue",
    "worse",
    "approaching",
    "withdrawal",
    "proposed",
    "kept",
    "waiting",
    "early",
    "returned",
    "succeeded",
    "relapse",
    "hospital_accepted",
    "hospital_plan_active",
    "hospital_completed",
)
HOSPITAL_STAGES = frozenset(s for s in STAGES if s.startswith("hospital_"))
WRITTEN = (
    Course,
    FollowUp,
    Alert,
    TimelineEvent,
    CareRelation,
    RuleReview,
    Handover,
    NeedsAssessment,
    TeamMember,
    Appointment,
    DischargeSummary,
)


class StagedDemoBuilder(DemoBuilder):
    """`DemoBuilder` with the return and discharge steps of `tracks.demo` as methods."""

    def return_to_practice(self, course: Course, handover: Handover, on: date) -> None:
        when = at(on)
        self.move(
            course,
            "return_to_practice",
            "returned_to_practice_track",
            when,
            self.clinic_nurse or self.doctor,
            reason=ADVICE,
        )
        Handover.objects.filter(pk=handover.pk).update(
            decision="returned", decided_at=when, decided_by=self.clinic_nurse, advice=ADVICE
        )

    def discharge(self, hospital: Course, written: datetime) -> None:
        DischargeSummary.objects.create(
            course=hospital,
            sent_to=self.practice,
            **DISCHARGE,
            written_by=self.doctor,
            written_at=written,
        )
        self.move(
            hospital,
            "complete",
            "completed",
            written,
            self.doctor,
            detail={"sent_to": self.practice.name},
        )


class BulkStore:
    """Rows waiting to be written, each with its primary key already chosen."""

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[Any]] = defaultdict(list)
        self._next: dict[type[models.Model], int] = {}
        self.follow_ups: dict[int, list[FollowUp]] = defaultdict(list)
        self.handed_over: set[int] = set()
        self.snapshots: list[tuple[Handover, Course, RuleReview | None, date]] = []
        self.open_relations = set(
            CareRelation.objects.filter(closed_at=None).values_list(
                "patient_id", "organisation_id", "reason"
            )
        )
        from smertespor.tapering.models import TaperPlan

        self.patients_with_plans = set(TaperPlan.objects.values_list("patient_id", flat=True))

    def add(self, row: models.Model) -> models.Model:
        model = type(row)
        if model not in self._next:
            last = model._default_manager.aggregate(last=models.Max("pk"))["last"] or 0
            self._next[model] = last + 1
        row.pk = self._next[model]
        self._next[model] += 1
        self.rows[model].append(row)
        return row

    def care_relation(
        self, patient_id: UUID, organisation: Organisation, when: datetime, by: User | None
    ) -> None:
        """`CareRelation.objects.get_or_create(..., closed_at=None)` for a course."""
        key = (patient_id, organisation.pk, CareRelation.Reason.COURSE)
        if key in self.open_relations:
            return
        self.open_relations.add(key)
        self.add(
            CareRelation(
                patient_id=patient_id,
                organisation=organisation,
                reason=CareRelation.Reason.COURSE,
                opened_at=when,
                opened_by=by,
            )
        )

    def flush(self, batch_size: int = 1000) -> dict[str, int]:
        """Write every row (call inside a transaction: foreign keys are checked at commit)."""
        written: dict[str, int] = {}
        for model in WRITTEN:
            if model is Handover:
                continue
            rows = self.rows.pop(model, [])
            model._default_manager.bulk_create(rows, batch_size=batch_size)
            written[model._meta.model_name or ""] = len(rows)
        # The visits and alerts are in: take each handover's snapshot as it was taken that day
        # (the courses' taper plans read in one query, as `prefetch_related` would).
        self._prefetch_taper_plans([course for _h, course, _r, _on in self.snapshots])
        for handover, course, review, on in self.snapshots:
            handover.snapshot = {**referral_snapshot(course, review), "taken_on": on.isoformat()}
        self.snapshots.clear()
        handovers = self.rows.pop(Handover, [])
        Handover.objects.bulk_create(handovers, batch_size=batch_size)
        written["handover"] = len(handovers)
        self.follow_ups.clear()
        self.handed_over.clear()
        self._reset_sequences()
        return written

    @staticmethod
    def _prefetch_taper_plans(courses: list[Course]) -> None:
        from smertespor.tapering.models import TaperPlan

        plans: dict[int | None, list[Any]] = defaultdict(list)
        for plan in TaperPlan.objects.filter(course_id__in=[c.pk for c in courses]):
            plans[plan.course_id].append(plan)
        for course in courses:
            cached = TaperPlan.objects.filter(course_id=course.pk)
            cached._result_cache = plans[course.pk]
            cached._prefetch_done = True  # type: ignore[attr-defined]
            course._prefetched_objects_cache = {"taper_plans": cached}  # type: ignore[attr-defined]

    def _reset_sequences(self) -> None:
        """The keys were chosen here: move PostgreSQL's sequences past them."""
        if connection.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT follows the largest key written
        statements = connection.ops.sequence_reset_sql(no_style(), list(WRITTEN))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _as_stored(model: type[models.Model], field: str, value: Decimal) -> Decimal:
    """A decimal as the database gives it back: with the field's decimal places."""
    places = model._meta.get_field(field).decimal_places  # type: ignore[union-attr]
    return value.quantize(Decimal(1).scaleb(-places))


class BulkDemoBuilder(StagedDemoBuilder):
    """The same rows as `StagedDemoBuilder`, kept in `store` until `store.flush()`."""

    def __init__(
        self,
        today: date,
        gp: User,
        nurse: User,
        clinic: Organisation,
        *,
        store: BulkStore,
        doctor: User,
        clinic_nurse: User | None,
        psychologist: User | None,
    ) -> None:
        if gp.organisation is None:
            raise ValueError("The demo needs a GP of a practice.")
        self.today = today
        self.gp, self.nurse, self.clinic = gp, nurse, clinic
        self.practice = gp.organisation
        self.doctor, self.clinic_nurse, self.psychologist = doctor, clinic_nurse, psychologist
        self.store = store

    def event(
        self, course: Course, kind: str, when: datetime, by: User | None, **fields: Any
    ) -> None:
        actor = (
            "system"
            if by is None
            else ("clinic" if by.organisation_id == self.clinic.pk else "practice")
        )
        self.store.add(
            TimelineEvent(
                course_id=course.pk,
                patient_id=course.patient_id,
                kind=kind,
                actor=actor,
                by=by,
                organisation_id=by.organisation_id if by else None,
                occurred_at=when,
                **fields,
            )
        )

    def move(
        self, course: Course, kind: str, to: str, when: datetime, by: User | None, **fields: Any
    ) -> None:
        self.event(course, kind, when, by, from_status=course.status, to_status=to, **fields)
        course.status, course.status_changed_at = to, when
        course.version += 1
        if to in {"succeeded", "moved_to_hospital_track", "completed", "ended"}:
            course.closed_on = timezone.localdate(when)

    def practice_course(
        self, patient: Patient, mg: Decimal, table: str, started_ago: int, visits: list[Visit]
    ) -> Course:
        start = self.today - timedelta(days=started_ago)
        target = None if mg < 40 else (mg / 2).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        course = Course(
            patient=patient,
            track="practice",
            status="active",
            responsible_organisation=self.practice,
            clinic=self.clinic,
            start_date=start,
            baseline_omeq_mg_per_day=mg,
            baseline_omeq_source="medication_list",
            baseline_omeq_table=table,
            baseline_peg_pain=6,
            baseline_peg_enjoyment=6,
            baseline_peg_activity=6,
            baseline_nrs=6,
            goal_kind="stop" if target is None else "target",
            goal_target_mg_per_day=target,
            follow_up_interval_days=28,
            plan_note="10 % af startdosis mindre hver 4. uge; langsommere under det halve.",
            deadline=course_deadline(start, rule_settings()),
            next_follow_up_on=start + timedelta(days=28),
            status_changed_at=at(start),
            created_at=at(start),
            created_by=self.gp,
        )
        self.store.add(course)
        self.store.care_relation(patient.pk, self.practice, at(start), self.gp)
        self.event(
            course,
            "created",
            at(start),
            self.gp,
            to_status="active",
            detail={
                "baseline_omeq_mg_per_day": str(mg),
                "deadline": course.deadline.isoformat() if course.deadline else None,
            },
        )
        for number, planned in enumerate(visits):
            self.visit(course, planned, by=self.nurse if number % 2 else self.gp)
        return course

    def visit(self, course: Course, planned: Visit, *, by: User) -> FollowUp:
        if course.pk in self.store.handed_over:
            raise ValueError("A visit after the handover would change the handover's snapshot.")
        on = course.start_date + timedelta(days=planned.day)
        mg = (course.baseline_omeq_mg_per_day * Decimal(planned.share)).quantize(Decimal("0.1"))
        follow_up = FollowUp(
            course_id=course.pk,
            visit_on=on,
            actor="clinic" if by.organisation_id == self.clinic.pk else "practice",
            recorded_by=by,
            recorded_at=at(on, 11),
            omeq_mg_per_day=mg,
            omeq_source="entered",
            peg_pain=planned.peg[0],
            peg_enjoyment=planned.peg[1],
            peg_activity=planned.peg[2],
            nrs=planned.nrs,
            sows_total=planned.sows,
            note=planned.note,
        )
        self.store.add(follow_up)
        self.store.follow_ups[course.pk].append(follow_up)
        codes = []
        if sum(planned.peg) - 18 >= 6:
            self.store.add(
                Alert(
                    course_id=course.pk,
                    follow_up_id=follow_up.pk,
                    code="peg_worsened",
                    raised_on=on,
                    params={
                        "baseline": "6.00",
                        "current": f"{sum(planned.peg) / 3:.2f}",
                        "points": f"{(sum(planned.peg) - 18) / 3:.2f}",
                    },
                )
            )
            codes.append("peg_worsened")
        if planned.sows is not None and planned.sows >= 11:
            self.store.add(
                Alert(
                    course_id=course.pk,
                    follow_up_id=follow_up.pk,
                    code="withdrawal_moderate_or_above",
                    raised_on=on,
                    params={
                        "scale": "sows",
                        "total": str(planned.sows),
                        "band": "moderate" if planned.sows <= 20 else "severe",
                    },
                )
            )
            codes.append("withdrawal_moderate_or_above")
        course.last_visit_on, course.current_omeq_mg_per_day = on, mg
        course.next_follow_up_on = next_follow_up_on(
            course_start=course.start_date,
            interval_days=28,
            last_visit_on=on,
            last_next_visit_on=None,
        )
        course.version += 1
        self.event(
            course,
            "follow_up",
            at(on, 11),
            by,
            detail={
                "visit_on": on.isoformat(),
                "omeq_mg_per_day": str(mg),
                # As `follow_up.alerts` lists them: newest first (the Alert ordering).
                "alerts": codes[::-1],
            },
        )
        return follow_up

    def _records(self, course: Course, on: date) -> list[OmeqRecord]:
        """`omeq_records(course)` as known on `on`, from the visits kept here."""
        visits = sorted(self.store.follow_ups[course.pk], key=lambda f: (f.visit_on, f.pk))
        return [
            OmeqRecord(
                f.visit_on,
                _as_stored(FollowUp, "omeq_mg_per_day", f.omeq_mg_per_day or Decimal(0)),
                on_substitution_treatment=f.on_substitution_treatment,
                next_visit_on=f.next_visit_on,
            )
            for f in visits
            if f.visit_on <= on
        ]

    def propose(self, course: Course, on: date) -> RuleReview:
        plan = (
            taper_schedule(course) if course.patient_id in self.store.patients_with_plans else None
        )
        facts = course_facts(course, self._records(course, on), plan=plan)
        outcome = evaluate_course(facts, on, rule_settings())
        check = outcome.check
        assert check is not None  # noqa: S101 - the demo proposes after the deadline
        when = at(on, 6)
        self.move(
            course, "propose_handover", "handover_review", when, None, detail=rule_working(outcome)
        )
        latest = check.latest
        review = RuleReview(
            course_id=course.pk,
            deadline=outcome.deadline,
            reviewed_at=when,
            progress=check.progress.value,
            latest_visit_on=latest.on if latest else None,
            latest_omeq_mg_per_day=latest.mg_per_day if latest else None,
            follow_up_due_on=check.follow_up_due_on,
            expected_mg_per_day=check.expected_mg_per_day,
            allowed_mg_per_day=check.allowed_mg_per_day,
            tolerance_percent=check.tolerance_percent,
            plan=check.plan_reference,
            outcome="pending",
        )
        self.store.add(review)
        return review

    def keep(self, course: Course, review: RuleReview, on: date, reason: str) -> None:
        when = at(on, 14)
        next_review = add_calendar_months(on, rule_settings().review_months)
        course.review_from, course.deadline = on, next_review
        self.move(
            course,
            "keep_in_practice",
            "active",
            when,
            self.gp,
            reason=reason,
            detail={
                "deadline": review.deadline.isoformat(),
                "progress": review.progress,
                "next_review": next_review.isoformat(),
            },
        )
        review.outcome, review.decided_at, review.decided_by = "dismissed", when, self.gp
        review.reason = reason

    def hand_over(self, course: Course, on: date, *, early_reason: str = "") -> Handover:
        review = None
        if early_reason:
            when = at(on, 6)
            self.move(
                course, "hand_over_early", "handover_proposed", when, self.gp, reason=early_reason
            )
        else:
            review = self.propose(course, on)
            on += timedelta(days=1)
            when = at(on, 9)
            self.move(
                course,
                "confirm_handover",
                "handover_proposed",
                when,
                self.gp,
                detail={"deadline": review.deadline.isoformat(), "progress": review.progress},
            )
        handover = Handover(
            course_id=course.pk,
            clinic=self.clinic,
            kind="early" if early_reason else "rule",
            reason=early_reason,
            proposed_at=when,
            proposed_by=self.gp,
            snapshot={},  # taken in `BulkStore.flush`, once the visits are written
            gp_comment="Nedtrapningen går i stå ved hvert trin: abstinenser og dårligere søvn.",
            expected_duration="3 months",
            planned_follow_up="På smerteklinikken hver 2. uge; praksis fornyer recepterne.",
        )
        self.store.add(handover)
        self.store.handed_over.add(course.pk)
        self.store.snapshots.append((handover, copy.copy(course), copy.copy(review), on))
        self.store.care_relation(course.patient_id, self.clinic, when, None)
        if review is not None:
            review.outcome, review.decided_at, review.decided_by = "confirmed", when, self.gp
            review.handover_id = handover.pk
        return handover

    def accept(self, course: Course, handover: Handover, on: date) -> Course:
        when = at(on, 9)
        self.move(course, "accept", "moved_to_hospital_track", when, self.doctor)
        hospital = Course(
            patient_id=course.patient_id,
            track="hospital",
            status="accepted",
            responsible_organisation=self.clinic,
            clinic=self.clinic,
            previous_course_id=course.pk,
            start_date=on,
            baseline_omeq_mg_per_day=course.current_omeq_mg_per_day
            or course.baseline_omeq_mg_per_day,
            baseline_omeq_source="entered",
            baseline_peg_pain=7,
            baseline_peg_enjoyment=7,
            baseline_peg_activity=6,
            baseline_nrs=7,
            goal_kind=course.goal_kind,
            goal_target_mg_per_day=course.goal_target_mg_per_day,
            follow_up_interval_days=14,
            status_changed_at=when,
            created_at=when,
            created_by=self.doctor,
        )
        self.store.add(hospital)
        handover.decision, handover.decided_at, handover.decided_by = "accepted", when, self.doctor
        handover.hospital_course_id = hospital.pk
        self.event(
            hospital,
            "created",
            when,
            self.doctor,
            to_status="accepted",
            detail={"previous_course": course.pk},
        )
        return hospital

    def assess_and_plan(self, course: Course, on: date, *, activate: bool = True) -> None:
        self.store.add(
            NeedsAssessment(
                course_id=course.pk,
                disciplines=["doctor", "nurse", "psychologist"],
                interventions=["supervised_taper", "cbt_group", "self_management_education"],
                summary="Langvarig oxycodon, dårlig søvn og frygt for smerter; motiveret.",
                assessed_by=self.doctor,
                assessed_at=at(on),
            )
        )
        self.move(
            course,
            "assess_needs",
            "needs_assessed",
            at(on),
            self.doctor,
            detail={"disciplines": ["doctor", "nurse", "psychologist"]},
        )
        for user, discipline in (
            (self.doctor, "doctor"),
            (self.clinic_nurse, "nurse"),
            (self.psychologist, "psychologist"),
        ):
            if user is not None:
                self.store.add(
                    TeamMember(
                        course_id=course.pk,
                        user=user,
                        discipline=discipline,
                        added_by=self.doctor,
                        added_at=at(on, 11),
                    )
                )
        if activate:
            course.plan_note = PLAN
            self.move(
                course, "activate_plan", "plan_active", at(on + timedelta(days=2)), self.doctor
            )

    def appointment(
        self,
        course: Course,
        starts: datetime,
        discipline: str,
        clinician: User | None,
        purpose: str,
    ) -> None:
        self.store.add(
            Appointment(
                course_id=course.pk,
                organisation=self.clinic,
                starts_at=starts,
                duration_minutes=45,
                discipline=discipline,
                clinician=clinician,
                purpose=purpose,
                created_by=self.doctor,
                created_at=starts - timedelta(days=14),
            )
        )

    def return_to_practice(self, course: Course, handover: Handover, on: date) -> None:
        when = at(on)
        self.move(
            course,
            "return_to_practice",
            "returned_to_practice_track",
            when,
            self.clinic_nurse or self.doctor,
            reason=ADVICE,
        )
        handover.decision, handover.decided_at = "returned", when
        handover.decided_by, handover.advice = self.clinic_nurse, ADVICE

    def discharge(self, hospital: Course, written: datetime) -> None:
        self.store.add(
            DischargeSummary(
                course_id=hospital.pk,
                sent_to=self.practice,
                **DISCHARGE,
                written_by=self.doctor,
                written_at=written,
            )
        )
        self.move(
            hospital,
            "complete",
            "completed",
            written,
            self.doctor,
            detail={"sent_to": self.practice.name},
        )


def run_stage(
    demo: StagedDemoBuilder, stage: str, patient: Patient, mg: Decimal, table: str
) -> list[Course]:
    """One patient's course(s) at `stage`, as `tracks.demo` makes that stage; the courses made."""
    today = demo.today

    def course(started_ago: int, visits: list[Visit]) -> Course:
        return demo.practice_course(patient, mg, table, started_ago, visits)

    if stage == "new":
        return [course(12, [])]
    if stage == "overdue":
        return [course(45, [Visit(14, "0.9", (6, 5, 6), 6, note="Fewer as-needed doses")])]
    if stage == "worse":
        visits = [Visit(28, "0.9"), Visit(56, "0.8", (9, 8, 7), 7, note="Pain worse, low mood")]
        return [course(80, visits)]
    if stage == "approaching":
        return [course(86, [Visit(30, "0.9"), Visit(58, "0.85", sows=9)])]
    if stage == "withdrawal":
        return [course(60, [Visit(28, "0.9", sows=14, note="Uro i benene, nattesved")])]
    if stage == "proposed":
        made = course(95, [Visit(28, "0.95"), Visit(56, "0.95"), Visit(84, "0.95", (7, 6, 7), 7)])
        demo.propose(made, _deadline(made) + timedelta(days=1))
        return [made]
    if stage == "kept":
        made = course(
            118, [Visit(28, "0.9"), Visit(56, "0.85"), Visit(84, "0.85"), Visit(112, "0.75")]
        )
        review = demo.propose(made, _deadline(made) + timedelta(days=1))
        demo.keep(
            made,
            review,
            _deadline(made) + timedelta(days=2),
            "Langsomt, men stabilt siden sidste besøg; patienten vil gerne fortsætte hos os.",
        )
        return [made]
    if stage == "waiting":
        made = course(100, [Visit(28, "0.95"), Visit(56, "0.95"), Visit(84, "0.9", (7, 7, 7), 7)])
        demo.hand_over(made, _deadline(made) + timedelta(days=1))
        return [made]
    if stage == "early":
        made = course(40, [Visit(20, "1.0", (8, 7, 7), 8, sows=18)])
        demo.hand_over(
            made,
            today - timedelta(days=2),
            early_reason="Abstinenser ved første trin; patienten ønsker smerteklinikken.",
        )
        return [made]
    if stage == "returned":
        made = course(70, [Visit(28, "0.95")])
        handover = demo.hand_over(
            made, made.start_date + timedelta(days=35), early_reason="Ingen fremgang efter 5 uger."
        )
        demo.return_to_practice(made, handover, made.start_date + timedelta(days=40))
        return [made]
    if stage == "relapse":  # succeeded before, and a new course began 12 days ago
        return [*run_stage(demo, "succeeded", patient, mg, table), course(12, [])]
    if stage == "succeeded":
        made = course(
            200,
            [Visit(28, "0.7"), Visit(56, "0.5", (5, 4, 4), 4), Visit(84, "0.5", (4, 4, 4), 4)],
        )
        deadline = _deadline(made)
        demo.move(
            made,
            "record_success",
            "succeeded",
            at(deadline + timedelta(days=1), 6),
            None,
            detail={
                "success_on": (made.start_date + timedelta(days=84)).isoformat(),
                "success_reason": "target_reached",
                "omeq_mg_per_day": str(made.current_omeq_mg_per_day),
                "deadline": deadline.isoformat(),
                "period_months": rule_settings().period_months,
            },
        )
        return [made]
    if stage not in HOSPITAL_STAGES:
        raise ValueError(f"Unknown stage: {stage}")
    started_ago, accepted_ago = {
        "hospital_accepted": (110, 6),
        "hospital_plan_active": (150, 50),
        "hospital_completed": (300, 200),
    }[stage]
    made = course(started_ago, [Visit(28, "0.95"), Visit(56, "0.9", (7, 7, 6), 7, sows=12)])
    handover = demo.hand_over(made, _deadline(made) + timedelta(days=1))
    hospital = demo.accept(made, handover, today - timedelta(days=accepted_ago))
    if stage == "hospital_accepted":
        return [made, hospital]
    demo.assess_and_plan(hospital, hospital.start_date + timedelta(days=7))
    if stage == "hospital_plan_active":
        monday = today - timedelta(days=today.weekday())
        for days, hour, discipline, clinician, purpose in (
            (1, 9, "nurse", demo.clinic_nurse, "Nedtrapningstrin og COWS"),
            (3, 13, "psychologist", demo.psychologist, "Kognitiv gruppeterapi, 4. gang"),
            (8, 9, "doctor", demo.doctor, "Gennemgang af planen"),
        ):
            demo.appointment(
                hospital, at(monday + timedelta(days=days), hour), discipline, clinician, purpose
            )
        return [made, hospital]
    demo.discharge(hospital, at(today - timedelta(days=20)))
    return [made, hospital]


def _deadline(course: Course) -> date:
    if course.deadline is None:
        raise ValueError("A practice-track course has a deadline.")
    return course.deadline


def stage_cycle(weights: Iterable[tuple[str, int]]) -> list[str]:
    """The stages repeated by weight, interleaved: a cycle to deal patients into."""
    pending = [[stage] * weight for stage, weight in weights]
    cycle: list[str] = []
    while any(pending):
        for group in pending:
            if group:
                cycle.append(group.pop())
    return cycle
