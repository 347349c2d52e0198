"""The 3-month rule on stored courses, with time-machine: its deadlines at the calendar's
edges, and each outcome (on plan, behind plan, no plan, no follow-up, substitution treatment,
success held or not). The rule proposes; it never hands a patient to the clinic."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from smertespor.medication.models import MedicationLine
from smertespor.notifications.models import Notification
from smertespor.patients.models import CareRelation
from smertespor.tapering.services import change_taper_plan_status, create_taper_plan, default_pace
from smertespor.tracks.labels import why
from smertespor.tracks.models import Course, Handover, RuleReview, TimelineEvent
from smertespor.tracks.rules import apply_track_rule, rule_standing, run_daily_rules
from smertespor.tracks.services import hand_over_early
from smertespor.tracks.tests.factories import FollowUpFactory
from smertespor.tracks.tests.helpers import enrol, on, visit

pytestmark = pytest.mark.django_db
START = date(2026, 1, 5)  # deadline 5 April 2026
DEADLINE = date(2026, 4, 5)
AFTER = DEADLINE + timedelta(days=1)


def _status(course):
    course.refresh_from_db()
    return course.status


def _run(day):
    with on(day):
        return run_daily_rules()


def _action(course, day):
    with on(day):
        outcome = rule_standing(course).outcome
    assert outcome is not None
    return outcome.action


def _nothing_handed_over(course):
    assert not Handover.objects.filter(course=course).exists()
    assert not CareRelation.objects.filter(
        patient=course.patient, organisation=course.clinic
    ).exists()


def _with_plan(gp, patient, clinic, start=START, **overrides):
    """A stop course from morphine depot 30 mg twice a day (60 mg OMEQ) with an active
    default-pace plan made on the start date."""
    MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=Decimal(30),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(2),
        start_date=start - timedelta(days=200),
    )
    arguments = {"goal_kind": "stop", "goal_target_mg_per_day": None}
    course = enrol(
        gp, patient, clinic, start, baseline_omeq_mg_per_day=None, **arguments | overrides
    )
    with on(start):
        plan = create_taper_plan(
            patient=patient, by=gp, pace=default_pace(start), activate=True, today=start
        )
    return course, plan


def _expected(plan, day):
    begun = [s for s in plan.steps.order_by("number") if s.start_date <= day]
    return begun[-1].omeq_mg_per_day if begun else plan.baseline_omeq_mg_per_day


def _visits(course, gp, plan, days, extra=Decimal(0)):
    for day in days:
        FollowUpFactory(
            course=course,
            visit_on=day,
            omeq_mg_per_day=_expected(plan, day) + extra,
            recorded_by=gp,
        )


MONTHLY = (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 30))


# --- the deadline at the calendar's edges -----------------------------------------------------


def test_on_day_89_the_course_is_approaching_and_stays_active(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))  # deadline 1 April, day 90
    summary = _run(date(2026, 3, 31))
    assert _status(course) == "active"
    assert summary.evaluated == 0
    assert _action(course, date(2026, 3, 31)) == "flag_approaching"


def test_the_day_after_the_deadline_the_rule_proposes_and_hands_nobody_over(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    summary = _run(date(2026, 4, 3))
    assert _status(course) == "handover_review"
    assert summary.proposals_made == 1
    review = RuleReview.objects.get(course=course)
    assert (review.outcome, review.progress, review.deadline) == (
        "pending",
        "no_follow_up",
        date(2026, 4, 1),
    )
    _nothing_handed_over(course)
    event = TimelineEvent.objects.get(course=course, kind="propose_handover")
    assert (event.actor, event.by, event.to_status) == ("system", None, "handover_review")
    assert event.detail["progress"] == "no_follow_up"


def test_the_gp_who_enrolled_the_patient_is_told_of_the_proposal(gp, patient, clinic):
    from tests.factories import UserFactory

    colleague = UserFactory.create(username="colleague", role="gp", organisation=gp.organisation)
    course = enrol(gp, patient, clinic, START)
    _run(AFTER)
    [notification] = Notification.objects.filter(kind="tracks_handover_proposal")
    assert notification.recipient == gp
    assert not Notification.objects.filter(recipient=colleague).exists()
    assert f"/courses/{course.pk}/proposal/" in notification.url
    assert patient.name not in notification.message


def test_without_the_enrolling_gp_every_gp_of_the_practice_is_told(gp, patient, clinic):
    from tests.factories import UserFactory

    colleague = UserFactory.create(username="colleague", role="gp", organisation=gp.organisation)
    enrol(gp, patient, clinic, START)
    gp.is_active = False
    gp.save()
    _run(AFTER)
    recipients = set(
        Notification.objects.filter(kind="tracks_handover_proposal").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {colleague.pk}


def test_on_the_deadline_day_the_course_is_still_active_and_the_next_day_it_is_proposed(
    gp, patient, clinic
):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    _run(date(2026, 4, 1))
    assert _status(course) == "active"
    _run(date(2026, 4, 2))
    assert _status(course) == "handover_review"


def test_three_calendar_months_can_be_89_days_so_day_90_is_already_too_late(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 31))  # 30 April: day 89
    assert course.deadline == date(2026, 4, 30)
    _run(date(2026, 5, 1))
    assert _status(course) == "handover_review"


def test_three_calendar_months_can_be_92_days_so_day_92_is_still_in_time(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 3, 1))  # 1 June: day 92
    _run(date(2026, 6, 1))
    assert _status(course) == "active"
    _run(date(2026, 6, 2))
    assert _status(course) == "handover_review"


def test_a_course_started_on_the_31st_ends_on_the_last_day_of_a_shorter_month(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 8, 31))
    assert course.deadline == date(2026, 11, 30)
    _run(date(2026, 11, 30))
    assert _status(course) == "active"
    _run(date(2026, 12, 1))
    assert _status(course) == "handover_review"


def test_the_deadline_can_be_29_february_in_a_leap_year(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2027, 11, 30))
    assert course.deadline == date(2028, 2, 29)
    _run(date(2028, 2, 29))
    assert _status(course) == "active"
    _run(date(2028, 3, 1))
    assert _status(course) == "handover_review"


def test_a_course_started_on_29_february_has_its_deadline_on_29_may(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2028, 2, 29))
    assert course.deadline == date(2028, 5, 29)


def test_the_rule_counts_the_danish_date_not_utc(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    # 00:30 in Copenhagen on 2 April is still 1 April in UTC.
    with on(date(2026, 4, 2), at=time(0, 30)):
        run_daily_rules()
    assert _status(course) == "handover_review"


# --- each outcome -------------------------------------------------------------------------------


def test_on_plan_the_course_stays_in_the_practice_track_and_is_reviewed_a_month_later(
    gp, patient, clinic
):
    course, plan = _with_plan(gp, patient, clinic)
    _visits(course, gp, plan, MONTHLY)
    summary = _run(AFTER)
    course.refresh_from_db()
    assert (course.status, course.review_from, course.deadline) == (
        "active",
        DEADLINE,
        date(2026, 5, 5),
    )
    assert (summary.kept_on_plan, summary.proposals_made) == (1, 0)
    review = RuleReview.objects.get(course=course)
    assert (review.outcome, review.progress) == ("kept", "on_plan")
    assert review.expected_mg_per_day == _expected(plan, date(2026, 3, 30))
    assert review.allowed_mg_per_day == review.expected_mg_per_day + Decimal(6)  # 10 % of 60
    assert review.plan == str(plan)
    event = TimelineEvent.objects.get(course=course, kind="kept_on_plan")
    assert (event.actor, event.detail["next_review"]) == ("system", "2026-05-05")
    _nothing_handed_over(course)
    assert not Notification.objects.exists()


def test_a_course_kept_on_plan_is_proposed_when_it_falls_behind_at_the_next_review(
    gp, patient, clinic
):
    course, plan = _with_plan(gp, patient, clinic)
    _visits(course, gp, plan, MONTHLY)
    _run(AFTER)
    _visits(course, gp, plan, [date(2026, 4, 27)], extra=Decimal(12))  # two steps behind
    _run(date(2026, 5, 6))
    assert _status(course) == "handover_review"
    review = RuleReview.objects.get(course=course, outcome="pending")
    assert (review.deadline, review.progress) == (date(2026, 5, 5), "behind_plan")
    event = TimelineEvent.objects.get(course=course, kind="propose_handover")
    with translation.override("en"):
        text = why(event)
    assert "after the course was kept in the practice track on" in text
    assert "Behind the taper plan" in text
    assert "The GP decides" in text


def test_behind_plan_the_rule_proposes_with_its_working(gp, patient, clinic):
    course, plan = _with_plan(gp, patient, clinic)
    _visits(course, gp, plan, MONTHLY, extra=Decimal("6.5"))
    _run(AFTER)
    assert _status(course) == "handover_review"
    review = RuleReview.objects.get(course=course)
    expected = _expected(plan, date(2026, 3, 30))
    assert (review.progress, review.latest_omeq_mg_per_day) == (
        "behind_plan",
        expected + Decimal("6.5"),
    )
    assert (review.expected_mg_per_day, review.allowed_mg_per_day) == (expected, expected + 6)
    _nothing_handed_over(course)


def test_without_a_plan_the_rule_proposes(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)
    for day in MONTHLY:
        visit(gp, course, day, 50)
    _run(AFTER)
    review = RuleReview.objects.get(course=course)
    assert (review.outcome, review.progress) == ("pending", "no_plan")


def test_without_a_recent_follow_up_the_rule_proposes_even_on_a_plan(gp, patient, clinic):
    course, plan = _with_plan(gp, patient, clinic)
    _visits(course, gp, plan, MONTHLY[:2])  # the visit due 30 March was missed
    _run(AFTER)
    review = RuleReview.objects.get(course=course)
    assert (review.progress, review.follow_up_due_on) == ("no_follow_up", date(2026, 3, 30))


def test_a_paused_plan_holds_the_dose_so_a_patient_holding_it_is_on_plan(gp, patient, clinic):
    course, plan = _with_plan(gp, patient, clinic)
    with on(date(2026, 2, 10)):
        change_taper_plan_status(plan=plan, by=gp, action="pause", reason="Sleeping badly")
    held = _expected(plan, date(2026, 2, 10))
    for day in MONTHLY:
        FollowUpFactory(course=course, visit_on=day, omeq_mg_per_day=held, recorded_by=gp)
    _run(AFTER)
    assert RuleReview.objects.get(course=course).progress == "on_plan"


def test_substitution_treatment_is_a_proposal_never_a_success(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START, goal_kind="stop", goal_target_mg_per_day=None)
    for day in MONTHLY:
        FollowUpFactory(
            course=course,
            visit_on=day,
            omeq_mg_per_day=0,
            on_substitution_treatment=True,
            recorded_by=gp,
        )
    _run(AFTER)
    assert _status(course) == "handover_review"
    assert RuleReview.objects.get(course=course).progress == "substitution_treatment"


def test_the_goal_held_at_the_latest_visit_is_success_at_the_deadline(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)  # target 30 mg/day from 60
    for day, mg in zip(MONTHLY, (45, 30, 25), strict=True):
        visit(gp, course, day, mg)
    assert _status(course) == "active"  # not before the deadline
    summary = _run(AFTER)
    assert _status(course) == "succeeded"
    assert summary.successes_recorded == 1
    event = TimelineEvent.objects.get(course=course, kind="record_success")
    assert event.actor == "system"
    assert (event.detail["success_on"], event.detail["success_reason"]) == (
        "2026-03-30",
        "target_reached",
    )
    _nothing_handed_over(course)


def test_a_target_reached_once_and_lost_again_is_not_success(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)
    for day, mg in zip(MONTHLY, (30, 45, 50), strict=True):
        visit(gp, course, day, mg)
    _run(AFTER)
    assert _status(course) == "handover_review"
    assert RuleReview.objects.get(course=course).progress == "no_plan"


def test_stopping_counts_as_success_under_a_target_goal(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)
    for day, mg in zip(MONTHLY, (30, 0, 0), strict=True):
        visit(gp, course, day, mg)
    _run(AFTER)
    event = TimelineEvent.objects.get(course=course, kind="record_success")
    assert event.detail["success_reason"] == "stopped"


def test_reaching_the_target_after_the_deadline_does_not_count(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)
    for day in MONTHLY:
        visit(gp, course, day, 50)
    # The day after the deadline: too late, and the visit's own evaluation proposes.
    visit(gp, course, AFTER, 30)
    assert _status(course) == "handover_review"


def test_a_late_recorded_visit_dated_before_the_deadline_still_counts(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)
    visit(gp, course, date(2026, 3, 2), 40)
    visit(gp, course, date(2026, 3, 30), 20, recorded=date(2026, 4, 6))
    assert _status(course) == "succeeded"


def test_under_stopped_only_a_reached_target_is_not_success(gp, patient, clinic, settings):
    settings.TRACKS_SUCCESS_DEFINITION = "stopped_only"
    course = enrol(gp, patient, clinic, START)
    for day in MONTHLY:
        visit(gp, course, day, 25)
    _run(AFTER)
    assert _status(course) == "handover_review"


def test_a_region_may_let_only_success_keep_a_course(gp, patient, clinic, settings):
    settings.TRACKS_ON_PLAN_KEEPS_COURSE = False
    course, plan = _with_plan(gp, patient, clinic)
    _visits(course, gp, plan, MONTHLY)
    _run(AFTER)
    review = RuleReview.objects.get(course=course)
    assert (review.outcome, review.progress) == ("pending", "on_plan")


def test_the_tolerance_is_a_setting(gp, patient, clinic, settings):
    settings.TRACKS_ON_PLAN_TOLERANCE_PERCENT = "20"
    course, plan = _with_plan(gp, patient, clinic)
    _visits(course, gp, plan, MONTHLY, extra=Decimal(12))  # 20 % of 60
    _run(AFTER)
    assert RuleReview.objects.get(course=course).outcome == "kept"


# --- the job: once, late, concurrently ----------------------------------------------------------


def test_a_course_already_handed_over_early_is_left_alone_by_the_rule(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)
    with on(date(2026, 2, 1)):
        hand_over_early(
            course=course, by=gp, expected_version=course.version, reason="Patient asks for it"
        )
    summary = _run(date(2026, 4, 10))
    assert summary.evaluated == 0
    assert Handover.objects.get(course=course).kind == "early"
    assert not RuleReview.objects.exists()
    assert _action(course, date(2026, 4, 10)) == "not_applicable"


def test_running_the_job_twice_changes_the_course_once(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)
    first = _run(AFTER)
    second = _run(AFTER)
    assert (first.proposals_made, second.proposals_made) == (1, 0)
    assert second.evaluated == 0
    assert RuleReview.objects.filter(course=course).count() == 1
    assert TimelineEvent.objects.filter(course=course, kind="propose_handover").count() == 1
    assert Notification.objects.count() == 1


def test_after_weeks_without_the_job_every_course_is_judged_as_if_it_had_run_daily(
    gp, patient, clinic
):
    from tests.factories import PatientFactory

    def another():
        return PatientFactory.create(listed_practice=gp.organisation)

    late = enrol(gp, patient, clinic, START)
    succeeded = enrol(gp, another(), clinic, START)
    for day in MONTHLY:
        FollowUpFactory(course=succeeded, visit_on=day, omeq_mg_per_day=0, recorded_by=gp)
    on_plan, plan = _with_plan(gp, another(), clinic)
    _visits(on_plan, gp, plan, (*MONTHLY, date(2026, 4, 27)))
    not_yet = enrol(gp, another(), clinic, date(2026, 2, 20))
    summary = _run(date(2026, 5, 10))  # the job last ran in March: two reviews are due
    assert (summary.proposals_made, summary.successes_recorded) == (1, 1)
    assert summary.kept_on_plan == 2  # on plan on 5 April and on 5 May
    assert [_status(c) for c in (late, succeeded, on_plan, not_yet)] == [
        "handover_review",
        "succeeded",
        "active",
        "active",
    ]
    reviews = list(RuleReview.objects.filter(course=on_plan).order_by("deadline"))
    assert [(r.deadline, r.outcome) for r in reviews] == [
        (DEADLINE, "kept"),
        (date(2026, 5, 5), "kept"),
    ]
    on_plan.refresh_from_db()
    assert on_plan.deadline == date(2026, 6, 5)


def test_a_stale_copy_of_a_course_changes_nothing_once_the_job_has_run(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)
    stale = Course.objects.get(pk=course.pk)
    with on(AFTER):
        run_daily_rules()
        result = apply_track_rule(stale)  # evaluated from a copy read before the job ran
    assert result.applied is None
    assert result.course.status == "handover_review"
    assert RuleReview.objects.filter(course=course).count() == 1


def test_a_new_rule_period_moves_the_stored_deadlines(gp, patient, clinic, settings):
    course = enrol(gp, patient, clinic, START)
    settings.TRACKS_RULE_PERIOD_MONTHS = 4
    summary = _run(AFTER)
    course.refresh_from_db()
    assert summary.deadlines_updated == 1
    assert course.deadline == date(2026, 5, 5)
    assert course.status == "active"


def test_a_new_review_period_moves_the_deadline_of_a_kept_course(gp, patient, clinic, settings):
    course, plan = _with_plan(gp, patient, clinic)
    _visits(course, gp, plan, MONTHLY)
    _run(AFTER)
    settings.TRACKS_REVIEW_MONTHS = 2
    _run(date(2026, 4, 20))
    course.refresh_from_db()
    assert (course.review_from, course.deadline) == (DEADLINE, date(2026, 6, 5))


def test_the_command_prints_a_summary_and_takes_a_past_date(gp, patient, clinic, capsys):
    enrol(gp, patient, clinic, START)
    with on(date(2026, 4, 20)):
        call_command("run_daily_rules", "--today", AFTER.isoformat())
        call_command("run_daily_rules", "--today", AFTER.isoformat())
    out = capsys.readouterr().out
    assert AFTER.isoformat() in out
    assert "1 handover proposed to the GP" in out
    assert "0 handovers proposed to the GP" in out


def test_the_command_refuses_a_malformed_date():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("run_daily_rules", "--today", "2 April")


def test_the_service_refuses_a_future_date_too(gp, patient, clinic):
    enrol(gp, patient, clinic, START)
    with on(START), pytest.raises(ValueError, match="future"):
        run_daily_rules(today=AFTER)
    assert not RuleReview.objects.exists()


def test_the_approaching_window_is_a_setting(gp, patient, clinic, settings):
    settings.TRACKS_APPROACHING_DAYS = 3
    course = enrol(gp, patient, clinic, START)
    assert _action(course, date(2026, 4, 1)) == "nothing_due"
    assert _action(course, date(2026, 4, 2)) == "flag_approaching"


def test_the_course_page_says_the_course_was_kept_and_how_it_stands_today(
    gp, patient, clinic, client_for
):
    course, plan = _with_plan(gp, patient, clinic)
    _visits(course, gp, plan, MONTHLY)
    _run(AFTER)
    with on(date(2026, 4, 10)):
        response = client_for(gp).get(reverse("tracks:course_detail", args=[patient.pk, course.pk]))
    assert response.status_code == 200
    assert b'data-testid="kept"' in response.content
    assert b'data-testid="progress-now" data-progress="on_plan"' in response.content
