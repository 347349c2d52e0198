"""Building demo courses with past dates: the records and the timeline as the services would
have written them on those days (used by `tracks.demo`; never by the app itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from domain.follow_up import next_follow_up_on
from domain.tracks import add_calendar_months, course_deadline, evaluate_course
from smertespor.accounts.models import Organisation, Role, User
from smertespor.patients.models import CareRelation, Patient
from smertespor.tracks.facts import course_facts, omeq_records, rule_settings, taper_schedule
from smertespor.tracks.handover import referral_snapshot
from smertespor.tracks.models import (
    Alert,
    Appointment,
    Course,
    FollowUp,
    Handover,
    NeedsAssessment,
    RuleReview,
    TeamMember,
    TimelineEvent,
)
from smertespor.tracks.proposals import rule_working

PLAN = (
    "Superviseret nedtrapning med 10 % hver 2. uge og sygeplejerskekonsultationer; kognitiv "
    "gruppeterapi (8 gange); mestringskursus."
)


@dataclass(frozen=True)
class Visit:
    day: int  # days after the start
    share: str  # OMEQ as a share of the baseline
    peg: tuple[int, int, int] = (6, 6, 6)
    nrs: int = 6
    sows: int | None = None
    note: str = ""


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class DemoBuilder:
    def __init__(self, today: date, gp: User, nurse: User, clinic: Organisation) -> None:
        self.today = today
        self.gp, self.nurse, self.clinic = gp, nurse, clinic
        staff = {u.role: u for u in User.objects.filter(organisation=clinic).order_by("pk")}
        doctor = staff.get(Role.CLINIC_DOCTOR)
        if doctor is None or gp.organisation is None:
            raise ValueError("The demo needs a GP of a practice and a doctor at the clinic.")
        self.doctor: User = doctor
        self.practice: Organisation = gp.organisation
        self.clinic_nurse = staff.get(Role.CLINIC_NURSE)
        self.psychologist = staff.get(Role.PSYCHOLOGIST)

    def event(
        self, course: Course, kind: str, when: datetime, by: User | None, **fields: Any
    ) -> None:
        actor = (
            "system"
            if by is None
            else ("clinic" if by.organisation_id == self.clinic.pk else "practice")
        )
        TimelineEvent.objects.create(
            course=course,
            patient_id=course.patient_id,
            kind=kind,
            actor=actor,
            by=by,
            organisation_id=by.organisation_id if by else None,
            occurred_at=when,
            **fields,
        )

    def move(
        self, course: Course, kind: str, to: str, when: datetime, by: User | None, **fields: Any
    ) -> None:
        self.event(course, kind, when, by, from_status=course.status, to_status=to, **fields)
        course.status, course.status_changed_at = to, when
        course.version += 1
        if to in {"succeeded", "moved_to_hospital_track", "completed", "ended"}:
            course.closed_on = timezone.localdate(when)
        course.save()

    def practice_course(
        self, patient: Patient, mg: Decimal, table: str, started_ago: int, visits: list[Visit]
    ) -> Course:
        start = self.today - timedelta(days=started_ago)
        target = None if mg < 40 else (mg / 2).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        course = Course.objects.create(
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
        CareRelation.objects.get_or_create(
            patient=patient,
            organisation=self.practice,
            reason=CareRelation.Reason.COURSE,
            closed_at=None,
            defaults={"opened_at": at(start), "opened_by": self.gp},
        )
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
        on = course.start_date + timedelta(days=planned.day)
        mg = (course.baseline_omeq_mg_per_day * Decimal(planned.share)).quantize(Decimal("0.1"))
        follow_up = FollowUp.objects.create(
            course=course,
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
        if sum(planned.peg) - 18 >= 6:
            Alert.objects.create(
                course=course,
                follow_up=follow_up,
                code="peg_worsened",
                raised_on=on,
                params={
                    "baseline": "6.00",
                    "current": f"{sum(planned.peg) / 3:.2f}",
                    "points": f"{(sum(planned.peg) - 18) / 3:.2f}",
                },
            )
        if planned.sows is not None and planned.sows >= 11:
            Alert.objects.create(
                course=course,
                follow_up=follow_up,
                code="withdrawal_moderate_or_above",
                raised_on=on,
                params={
                    "scale": "sows",
                    "total": str(planned.sows),
                    "band": "moderate" if planned.sows <= 20 else "severe",
                },
            )
        course.last_visit_on, course.current_omeq_mg_per_day = on, mg
        course.next_follow_up_on = next_follow_up_on(
            course_start=course.start_date,
            interval_days=28,
            last_visit_on=on,
            last_next_visit_on=None,
        )
        course.version += 1
        course.save()
        self.event(
            course,
            "follow_up",
            at(on, 11),
            by,
            detail={
                "visit_on": on.isoformat(),
                "omeq_mg_per_day": str(mg),
                "alerts": list(follow_up.alerts.values_list("code", flat=True)),
            },
        )
        return follow_up

    def propose(self, course: Course, on: date) -> RuleReview:
        """The 3-month rule's proposal on `on` (after the deadline), as the daily job makes
        it: judged as the course stood on its deadline; the GP decides."""
        records = [r for r in omeq_records(course) if r.on <= on]  # as known that day
        facts = course_facts(course, records, plan=taper_schedule(course))
        outcome = evaluate_course(facts, on, rule_settings())
        check = outcome.check
        assert check is not None  # noqa: S101 - the demo proposes after the deadline
        when = at(on, 6)
        self.move(
            course, "propose_handover", "handover_review", when, None, detail=rule_working(outcome)
        )
        latest = check.latest
        return RuleReview.objects.create(
            course=course,
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

    def keep(self, course: Course, review: RuleReview, on: date, reason: str) -> None:
        """The GP keeps the course in the practice track; reviewed again a period later."""
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
        RuleReview.objects.filter(pk=review.pk).update(
            outcome="dismissed", decided_at=when, decided_by=self.gp, reason=reason
        )

    def hand_over(self, course: Course, on: date, *, early_reason: str = "") -> Handover:
        """Early by the GP on `on`; otherwise proposed by the rule on `on` and confirmed by
        the GP the next day."""
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
        handover = Handover.objects.create(
            course=course,
            clinic=self.clinic,
            kind="early" if early_reason else "rule",
            reason=early_reason,
            proposed_at=when,
            proposed_by=self.gp,
            snapshot={**referral_snapshot(course, review), "taken_on": on.isoformat()},
            gp_comment="Nedtrapningen går i stå ved hvert trin: abstinenser og dårligere søvn.",
            expected_duration="3 months",
            planned_follow_up="På smerteklinikken hver 2. uge; praksis fornyer recepterne.",
        )
        CareRelation.objects.get_or_create(
            patient=course.patient,
            organisation=self.clinic,
            reason=CareRelation.Reason.COURSE,
            closed_at=None,
            defaults={"opened_at": when},
        )
        if review is not None:
            RuleReview.objects.filter(pk=review.pk).update(
                outcome="confirmed", decided_at=when, decided_by=self.gp, handover=handover
            )
        return handover

    def accept(self, course: Course, handover: Handover, on: date) -> Course:
        when = at(on, 9)
        self.move(course, "accept", "moved_to_hospital_track", when, self.doctor)
        hospital = Course.objects.create(
            patient=course.patient,
            track="hospital",
            status="accepted",
            responsible_organisation=self.clinic,
            clinic=self.clinic,
            previous_course=course,
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
        Handover.objects.filter(pk=handover.pk).update(
            decision="accepted", decided_at=when, decided_by=self.doctor, hospital_course=hospital
        )
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
        NeedsAssessment.objects.create(
            course=course,
            disciplines=["doctor", "nurse", "psychologist"],
            interventions=["supervised_taper", "cbt_group", "self_management_education"],
            summary="Langvarig oxycodon, dårlig søvn og frygt for smerter; motiveret.",
            assessed_by=self.doctor,
            assessed_at=at(on),
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
                TeamMember.objects.create(
                    course=course,
                    user=user,
                    discipline=discipline,
                    added_by=self.doctor,
                    added_at=at(on, 11),
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
        Appointment.objects.create(
            course=course,
            organisation=self.clinic,
            starts_at=starts,
            duration_minutes=45,
            discipline=discipline,
            clinician=clinician,
            purpose=purpose,
            created_by=self.doctor,
            created_at=starts - timedelta(days=14),
        )
