"""The 3-month rule on stored courses: the daily job and the course page, at their edges."""

from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from smertespor.patients.models import CareRelation
from smertespor.tracks.models import Course, Handover, TimelineEvent
from smertespor.tracks.rules import apply_track_rule, run_daily_rules
from smertespor.tracks.services import hand_over_early
from smertespor.tracks.tests.helpers import enrol, on, visit

pytestmark = pytest.mark.django_db


def _status(course):
    course.refresh_from_db()
    return course.status


def _run(day):
    with on(day):
        return run_daily_rules()


def _action(course):
    """What the rule says about `course` today (it always has a say on an active course)."""
    outcome = apply_track_rule(course).outcome
    assert outcome is not None
    return outcome.action


def test_on_day_89_the_course_is_approaching_and_stays_active(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))  # deadline 1 April, day 90
    summary = _run(date(2026, 3, 31))
    assert _status(course) == "active"
    assert summary.handovers_proposed == 0
    with on(date(2026, 3, 31)):
        assert _action(course) == "flag_approaching"


def test_on_day_92_the_course_is_handed_over_to_the_clinic(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    summary = _run(date(2026, 4, 3))
    assert _status(course) == "handover_proposed"
    assert summary.handovers_proposed == 1
    handover = Handover.objects.get(course=course)
    assert handover.kind == "rule"
    assert handover.clinic == clinic
    assert handover.proposed_by is None
    assert CareRelation.objects.filter(patient=patient, organisation=clinic).exists()


def test_on_the_deadline_day_the_course_is_still_active_and_the_next_day_it_is_handed_over(
    gp, patient, clinic
):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    _run(date(2026, 4, 1))
    assert _status(course) == "active"
    _run(date(2026, 4, 2))
    assert _status(course) == "handover_proposed"


def test_three_calendar_months_can_be_89_days_so_day_90_is_already_too_late(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 31))  # 30 April: day 89
    assert course.deadline == date(2026, 4, 30)
    _run(date(2026, 5, 1))
    assert _status(course) == "handover_proposed"


def test_three_calendar_months_can_be_92_days_so_day_92_is_still_in_time(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 3, 1))  # 1 June: day 92
    _run(date(2026, 6, 1))
    assert _status(course) == "active"
    _run(date(2026, 6, 2))
    assert _status(course) == "handover_proposed"


def test_a_course_started_on_the_31st_ends_on_the_last_day_of_a_shorter_month(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 8, 31))
    assert course.deadline == date(2026, 11, 30)
    _run(date(2026, 11, 30))
    assert _status(course) == "active"
    _run(date(2026, 12, 1))
    assert _status(course) == "handover_proposed"


def test_the_deadline_can_be_29_february_in_a_leap_year(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2027, 11, 30))
    assert course.deadline == date(2028, 2, 29)
    _run(date(2028, 2, 29))
    assert _status(course) == "active"
    _run(date(2028, 3, 1))
    assert _status(course) == "handover_proposed"


def test_a_course_started_on_29_february_has_its_deadline_on_29_may(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2028, 2, 29))
    assert course.deadline == date(2028, 5, 29)


def test_the_rule_counts_the_danish_date_not_utc(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    # 00:30 in Copenhagen on 2 April is still 1 April in UTC.
    with on(date(2026, 4, 2), at=time(0, 30)):
        run_daily_rules()
    assert _status(course) == "handover_proposed"


def test_a_course_that_reached_its_target_in_time_succeeds_and_is_never_handed_over(
    gp, patient, clinic
):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    visit(gp, course, date(2026, 3, 30), 30)  # the target, two days before the deadline
    assert _status(course) == "succeeded"
    summary = _run(date(2026, 4, 10))
    assert _status(course) == "succeeded"
    assert summary.evaluated == 0
    assert not Handover.objects.exists()
    event = TimelineEvent.objects.get(course=course, kind="record_success")
    assert event.actor == "system"
    assert event.detail["success_on"] == "2026-03-30"
    assert event.detail["success_reason"] == "target_reached"


def test_stopping_counts_as_success_under_a_target_goal(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    visit(gp, course, date(2026, 2, 1), 0)
    assert _status(course) == "succeeded"
    event = TimelineEvent.objects.get(course=course, kind="record_success")
    assert event.detail["success_reason"] == "stopped"


def test_reaching_the_target_after_the_deadline_does_not_count(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    visit(gp, course, date(2026, 3, 1), 50)
    # The day after the deadline: too late, and the visit's own evaluation hands it over.
    visit(gp, course, date(2026, 4, 2), 30)
    assert _status(course) == "handover_proposed"


def test_a_late_recorded_visit_dated_before_the_deadline_still_counts(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    visit(gp, course, date(2026, 3, 31), 20, recorded=date(2026, 4, 6))
    assert _status(course) == "succeeded"


def test_under_stopped_only_a_reached_target_is_not_success(gp, patient, clinic, settings):
    settings.TRACKS_SUCCESS_DEFINITION = "stopped_only"
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    visit(gp, course, date(2026, 3, 1), 25)
    assert _status(course) == "active"
    _run(date(2026, 4, 2))
    assert _status(course) == "handover_proposed"


def test_a_course_already_handed_over_early_is_left_alone_by_the_rule(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    with on(date(2026, 2, 1)):
        hand_over_early(
            course=course, by=gp, expected_version=course.version, reason="Patient asks for it"
        )
    summary = _run(date(2026, 4, 10))
    assert summary.evaluated == 0
    assert Handover.objects.filter(course=course).count() == 1
    assert Handover.objects.get(course=course).kind == "early"
    with on(date(2026, 4, 10)):
        assert _action(course) == "not_applicable"


def test_running_the_job_twice_changes_the_course_once(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    first = _run(date(2026, 4, 2))
    second = _run(date(2026, 4, 2))
    assert (first.handovers_proposed, second.handovers_proposed) == (1, 0)
    assert second.evaluated == 0
    assert Handover.objects.filter(course=course).count() == 1
    assert TimelineEvent.objects.filter(course=course, kind="propose_handover").count() == 1


def test_after_a_week_without_the_job_every_course_is_judged_as_if_it_had_run_daily(
    gp, patient, other_patient, clinic
):
    from tests.factories import PatientFactory

    late = enrol(gp, patient, clinic, date(2026, 1, 1))  # deadline 1 April
    also_late = enrol(
        gp, PatientFactory.create(listed_practice=gp.organisation), clinic, date(2026, 1, 3)
    )  # deadline 3 April
    succeeded = enrol(
        gp, PatientFactory.create(listed_practice=gp.organisation), clinic, date(2026, 1, 2)
    )
    not_yet = enrol(
        gp, PatientFactory.create(listed_practice=gp.organisation), clinic, date(2026, 1, 20)
    )
    # A success recorded in time but (say) the visit's own evaluation failed to apply it:
    from smertespor.tracks.tests.factories import FollowUpFactory

    FollowUpFactory(course=succeeded, visit_on=date(2026, 3, 15), omeq_mg_per_day=0, recorded_by=gp)
    summary = _run(date(2026, 4, 8))  # the job last ran on 31 March
    assert summary.handovers_proposed == 2
    assert summary.successes_recorded == 1
    assert [_status(c) for c in (late, also_late, succeeded, not_yet)] == [
        "handover_proposed",
        "handover_proposed",
        "succeeded",
        "active",
    ]
    event = TimelineEvent.objects.get(course=late, kind="propose_handover")
    assert event.detail["deadline"] == "2026-04-01"


def test_viewing_a_course_applies_the_rule_without_the_job(gp, patient, clinic, client_for):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    with on(date(2026, 4, 2)):
        response = client_for(gp).get(reverse("tracks:course_detail", args=[patient.pk, course.pk]))
    assert response.status_code == 200
    assert _status(course) == "handover_proposed"
    assert b'data-status="handover_proposed"' in response.content


def test_viewing_the_patient_page_applies_the_rule_too(gp, patient, clinic, client_for):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    with on(date(2026, 4, 2)):
        response = client_for(gp).get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    assert _status(course) == "handover_proposed"


def test_a_course_viewed_by_two_people_while_the_job_runs_changes_once(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    stale = Course.objects.get(pk=course.pk)
    with on(date(2026, 4, 2)):
        run_daily_rules()
        result = apply_track_rule(stale)  # evaluated from a copy read before the job ran
    assert result.applied is None
    assert result.course.status == "handover_proposed"
    assert Handover.objects.filter(course=course).count() == 1


def test_a_new_rule_period_moves_the_stored_deadlines(gp, patient, clinic, settings):
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    settings.TRACKS_RULE_PERIOD_MONTHS = 4
    summary = _run(date(2026, 4, 2))
    course.refresh_from_db()
    assert summary.deadlines_updated == 1
    assert course.deadline == date(2026, 5, 1)
    assert course.status == "active"


def test_the_command_prints_a_summary_and_takes_a_date(gp, patient, clinic, capsys):
    enrol(gp, patient, clinic, date(2026, 1, 1))
    with on(date(2026, 1, 10)):
        call_command("run_daily_rules", "--today", "2026-04-02")
        call_command("run_daily_rules", "--today", "2026-04-02")
    out = capsys.readouterr().out
    assert "2026-04-02" in out
    assert "1 handover proposed" in out
    assert "0 handovers proposed" in out


def test_the_command_refuses_a_malformed_date(capsys):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("run_daily_rules", "--today", "2 April")


def test_the_approaching_window_is_a_setting(gp, patient, clinic, settings):
    settings.TRACKS_APPROACHING_DAYS = 3
    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    with on(date(2026, 3, 28)):
        assert _action(course) == "nothing_due"
    with on(date(2026, 3, 29)):
        assert _action(course) == "flag_approaching"
    assert date(2026, 4, 1) - timedelta(days=3) == date(2026, 3, 29)
