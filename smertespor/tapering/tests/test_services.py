"""Making plans, changing their status with history, one plan in force, adjusting."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from smertespor.audit.models import AuditEvent
from smertespor.tapering import actions
from smertespor.tapering.models import Status, TaperPlan, TaperPlanEvent
from smertespor.tapering.services import (
    adjust_taper_plan,
    change_taper_plan_status,
    create_taper_plan,
    preview_taper_plan,
    regenerate,
)
from smertespor.tapering.tests.conftest import TODAY, add_line

pytestmark = pytest.mark.django_db


def test_a_plan_is_saved_with_its_request_its_steps_and_the_table_version(
    gp, patient, morphine_list, pace
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace())
    assert plan.status == Status.DRAFT
    assert plan.table_id == "nordic" and plan.table_version
    assert plan.catalogue_id == "dk-products"
    assert {line["product_id"] for line in plan.lines} == {
        "morphine-depot-tablet",
        "morphine-tablet",
    }
    depot = next(line for line in plan.lines if line["kind"] == "scheduled")
    assert (depot["morning"], depot["evening"], depot["noon"]) == ("1", "1", "0")
    steps = list(plan.steps.order_by("number"))
    assert len(steps) == plan.step_count > 5
    assert steps[0].start_date == TODAY
    assert steps[-1].end_date is None and steps[-1].omeq_mg_per_day == 0
    assert plan.baseline_omeq_mg_per_day == 100  # 60 mg depot + 4 x 10 mg as needed
    omeqs = [s.omeq_mg_per_day for s in steps]
    assert omeqs == sorted(omeqs, reverse=True)  # never up
    assert [e.to_status for e in plan.events.all()] == [Status.DRAFT]


def test_the_stored_plan_is_the_plan_generated_again_from_its_request(
    gp, patient, morphine_list, pace
):
    plan = create_taper_plan(
        patient=patient,
        by=gp,
        pace=pace(slow_down_below_percent=Decimal(50), slow_down_step_percent=Decimal(50)),
    )
    again = regenerate(plan)
    stored = list(plan.steps.order_by("number"))
    assert [(s.start_date, s.omeq_mg_per_day) for s in stored] == [
        (s.start_date, s.omeq.max_mg_per_day) for s in again.steps
    ]


def test_every_status_change_is_recorded_with_who_when_and_why(gp, patient, morphine_list, pace):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace())
    change_taper_plan_status(plan=plan, by=gp, action="activate")
    change_taper_plan_status(plan=plan, by=gp, action="pause", reason="Withdrawal symptoms")
    change_taper_plan_status(plan=plan, by=gp, action="resume")
    change_taper_plan_status(plan=plan, by=gp, action="complete", reason="Target reached")
    plan.refresh_from_db()
    assert plan.status == Status.COMPLETED
    assert plan.ended_on == TODAY and plan.end_reason == "Target reached"
    events = list(TaperPlanEvent.objects.filter(plan=plan).order_by("pk"))
    assert [(e.from_status, e.to_status, e.reason) for e in events] == [
        ("", "draft", ""),
        ("draft", "active", ""),
        ("active", "paused", "Withdrawal symptoms"),
        ("paused", "active", ""),
        ("active", "completed", "Target reached"),
    ]
    assert all(e.by == gp and e.occurred_at for e in events)
    audited = AuditEvent.objects.filter(object_type="taper_plan", patient=patient)
    assert audited.filter(action="create").count() == 1
    assert audited.filter(action="update").count() == 4


@pytest.mark.parametrize("action", ["pause", "complete", "abandon"])
def test_pausing_completing_and_abandoning_need_a_reason(gp, patient, morphine_list, pace, action):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    with pytest.raises(ValidationError) as caught:
        change_taper_plan_status(plan=plan, by=gp, action=action, reason="  ")
    assert "reason" in caught.value.message_dict
    plan.refresh_from_db()
    assert plan.status == Status.ACTIVE


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "pause"),
        ("draft", "resume"),
        ("draft", "complete"),
        ("active", "activate"),
        ("completed", "resume"),
        ("abandoned", "activate"),
    ],
)
def test_a_transition_the_status_does_not_allow_is_refused(
    gp, patient, morphine_list, pace, status, action
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace())
    TaperPlan.objects.filter(pk=plan.pk).update(status=status)
    with pytest.raises(ValidationError):
        change_taper_plan_status(plan=plan, by=gp, action=action, reason="Because")
    plan.refresh_from_db()
    assert plan.status == status


def test_a_patient_has_one_active_plan(gp, patient, morphine_list, pace):
    first = create_taper_plan(patient=patient, by=gp, pace=pace())
    second = create_taper_plan(patient=patient, by=gp, pace=pace())
    change_taper_plan_status(plan=first, by=gp, action="activate")
    with pytest.raises(ValidationError, match="already has an active taper plan"):
        change_taper_plan_status(plan=second, by=gp, action="activate")
    change_taper_plan_status(plan=first, by=gp, action="pause", reason="Holiday")
    with pytest.raises(ValidationError, match="already has an active taper plan"):
        change_taper_plan_status(plan=second, by=gp, action="activate")  # paused is in force
    change_taper_plan_status(plan=first, by=gp, action="abandon", reason="New plan")
    change_taper_plan_status(plan=second, by=gp, action="activate")
    assert TaperPlan.objects.filter(patient=patient, status="active").get() == second


def test_the_database_refuses_a_second_active_plan(gp, patient, morphine_list, pace):
    first = create_taper_plan(patient=patient, by=gp, pace=pace())
    second = create_taper_plan(patient=patient, by=gp, pace=pace())
    change_taper_plan_status(plan=first, by=gp, action="activate")
    with pytest.raises(IntegrityError), transaction.atomic():
        TaperPlan.objects.filter(pk=second.pk).update(status="active")


def test_making_an_active_plan_while_one_is_active_saves_nothing(gp, patient, morphine_list, pace):
    create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    with pytest.raises(ValidationError):
        create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    assert TaperPlan.objects.count() == 1


@pytest.mark.parametrize("activate", [True, False])
@pytest.mark.parametrize("in_force", ["active", "paused"])
def test_no_new_plan_is_made_while_one_is_in_force(
    gp, patient, morphine_list, pace, activate, in_force
):
    first = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    TaperPlan.objects.filter(pk=first.pk).update(status=in_force)
    with translation.override("da"), pytest.raises(ValidationError) as refused:
        create_taper_plan(patient=patient, by=gp, pace=pace(), activate=activate)
    assert refused.value.messages[0].startswith(
        "Patienten har allerede en nedtrapningsplan i kraft (version 1 fra "
    )
    assert "Juster den plan i stedet for at lave en ny" in refused.value.messages[0]
    assert list(TaperPlan.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_draft_is_not_activated_once_the_medication_list_has_changed(
    gp, patient, morphine_list, pace
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace())
    depot, _prn = morphine_list
    depot.strength = Decimal(60)
    depot.save()
    with pytest.raises(ValidationError, match="medication list has changed"):
        change_taper_plan_status(plan=plan, by=gp, action="activate")


def test_a_draft_whose_start_is_long_past_is_not_activated(
    gp, patient, morphine_list, pace, time_machine
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace())
    time_machine.move_to(datetime.datetime(2026, 5, 1, 10, tzinfo=datetime.UTC), tick=False)
    with pytest.raises(ValidationError, match="more than 30 days ago"):
        change_taper_plan_status(plan=plan, by=gp, action="activate")


def test_adjusting_makes_a_new_version_from_the_current_step_and_keeps_the_old(
    gp, patient, morphine_list, pace, time_machine
):
    old = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    old_steps = list(old.steps.order_by("number"))
    time_machine.move_to(datetime.datetime(2026, 4, 10, 10, tzinfo=datetime.UTC), tick=False)
    current = next(s for s in reversed(old_steps) if s.start_date <= datetime.date(2026, 4, 10))
    new = adjust_taper_plan(
        plan=old,
        by=gp,
        reason="Withdrawal: slower",
        pace=pace(step_percent=Decimal(5), interval_days=42, start_date=datetime.date(2026, 4, 27)),
    )
    old.refresh_from_db()
    assert old.status == Status.SUPERSEDED and old.end_reason == "Withdrawal: slower"
    assert old.steps.count() == len(old_steps)  # the old version stays readable, unchanged
    assert new.status == Status.ACTIVE and new.previous_plan == old and new.version_number == 2
    assert new.baseline_omeq_mg_per_day == current.omeq_mg_per_day
    assert new.interval_days == 42
    first = new.steps.order_by("number").first()
    assert first is not None
    assert first.start_date == datetime.date(2026, 4, 27)
    assert first.omeq_mg_per_day < current.omeq_mg_per_day


@pytest.fixture(autouse=True)
def _english_messages():
    # These tests read the English source messages; the UI itself is Danish by default.
    with translation.override("en"):
        yield


def test_only_plan_makers_write_and_a_refusal_is_audited(
    practice_nurse, patient, morphine_list, pace
):
    with pytest.raises(PermissionDenied):
        actions.create_taper_plan(user=practice_nurse, patient_id=patient.pk, pace=pace())
    assert TaperPlan.objects.count() == 0
    refused = AuditEvent.objects.get(action="refused", user=practice_nurse)
    assert refused.object_type == "taper_plan"


def test_lines_a_taper_plan_does_not_reduce_are_named_not_dropped(gp, patient, pace):
    add_line(patient, "morphine-depot-tablet", "30")
    add_line(patient, "pregabalin-capsule", "75")
    add_line(patient, "methadone-tablet", "10", per_day="1", indication="opioid_use_disorder")
    preview = preview_taper_plan(patient=patient, pace=pace())
    assert [line.reason for line in preview.excluded] == ["not_an_opioid", "substitution"]
    assert [line.product_id for line in preview.lines] == ["morphine-depot-tablet"]


def test_a_plan_is_linked_to_the_patients_open_course(gp, patient, morphine_list, pace, clinic):
    from smertespor.tracks.selectors import taper_plans_of
    from smertespor.tracks.tests.factories import CourseFactory

    course = CourseFactory.create(patient=patient, clinic=clinic)
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    assert plan.course == course
    assert taper_plans_of(course) == [plan]
