"""The demo region's courses: every stage of both tracks, loaded once."""

import pytest
from django.core.management import call_command

from smertespor.tracks.models import (
    Course,
    DischargeSummary,
    Handover,
    RuleReview,
    TimelineEvent,
)
from smertespor.tracks.rules import run_daily_rules

pytestmark = pytest.mark.django_db


def test_the_demo_has_courses_at_every_stage_and_loads_only_once():
    call_command("load_demo_region")
    statuses = set(Course.objects.values_list("status", flat=True))
    assert {
        "active",
        "handover_review",
        "handover_proposed",
        "returned_to_practice_track",
        "succeeded",
        "moved_to_hospital_track",
        "accepted",
        "plan_active",
        "completed",
    } <= statuses
    assert Handover.objects.filter(decision="pending").count() == 2
    outcomes = sorted(RuleReview.objects.values_list("outcome", flat=True))
    assert outcomes == ["confirmed", "confirmed", "confirmed", "confirmed", "dismissed", "pending"]
    assert not Handover.objects.filter(kind="rule", proposed_by__isnull=True).exists()
    assert DischargeSummary.objects.count() == 1
    counts = (Course.objects.count(), TimelineEvent.objects.count())
    call_command("load_demo_region")
    assert (Course.objects.count(), TimelineEvent.objects.count()) == counts


def test_the_demo_courses_are_as_the_rule_would_leave_them():
    call_command("load_demo_region")
    summary = run_daily_rules()
    assert summary.evaluated == 0
    assert summary.proposals_made == 0
    assert summary.successes_recorded == 0
    assert summary.errors == []


def test_one_open_course_per_demo_patient():
    call_command("load_demo_region")
    open_statuses = [
        "active",
        "handover_review",
        "handover_proposed",
        "returned_to_practice_track",
        "accepted",
        "needs_assessed",
        "plan_active",
    ]
    patients = list(
        Course.objects.filter(status__in=open_statuses).values_list("patient_id", flat=True)
    )
    assert len(patients) == len(set(patients))
