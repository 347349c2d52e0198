"""Regression tests for what issue 11 found in the 3-month rule, tried as a clinician would.

- With goal "stop" and the tool's own default pace, almost no course from 30 mg OMEQ or more
  can finish in 3 months, so nearly every course was handed to the clinic automatically.
- One low reading in week 2 closed a course as a success.
- A switch to substitution treatment counted as "stopped".
- Rendering a page changed who may see a patient: the rule ran on GET (the course panel, the
  course pages, the course API), creating handovers and care relations.
- `run_daily_rules --today` accepted a date in the future.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from smertespor.medication.models import MedicationLine
from smertespor.patients.models import CareRelation
from smertespor.tapering.services import create_taper_plan, default_pace
from smertespor.tracks.follow_ups import RegimenUpdate, record_follow_up
from smertespor.tracks.models import Course, FollowUp, Handover, RuleReview, TimelineEvent
from smertespor.tracks.rules import run_daily_rules
from smertespor.tracks.tests.factories import FollowUpFactory
from smertespor.tracks.tests.helpers import enrol, on, visit

pytestmark = pytest.mark.django_db
START = date(2026, 1, 5)
DEADLINE = date(2026, 4, 5)


def _morphine(patient, strength="30"):
    """Morphine depot twice a day: 60 mg OMEQ from the list at 30 mg."""
    return MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=Decimal(strength),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(2),
        start_date=START - timedelta(days=200),
    )


def _expected(plan, day):
    """The plan's dose on `day` (OMEQ incl. as-needed): the last step begun, else the start."""
    begun = [s for s in plan.steps.order_by("number") if s.start_date <= day]
    return begun[-1].omeq_mg_per_day if begun else plan.baseline_omeq_mg_per_day


def _clinical_state(course):
    course.refresh_from_db()
    return (
        course.status,
        course.version,
        Handover.objects.filter(course=course).count(),
        CareRelation.objects.filter(patient=course.patient, organisation=course.clinic).count(),
        TimelineEvent.objects.filter(course=course).count(),
    )


def test_a_stop_course_on_its_default_pace_plan_is_not_handed_over_at_3_months(gp, patient, clinic):
    _morphine(patient)
    course = enrol(
        gp,
        patient,
        clinic,
        START,
        goal_kind="stop",
        goal_target_mg_per_day=None,
        baseline_omeq_mg_per_day=None,
    )
    with on(START):
        plan = create_taper_plan(
            patient=patient, by=gp, pace=default_pace(START), activate=True, today=START
        )
    assert plan.last_change_date > DEADLINE  # the default pace cannot stop in 3 months
    for day in (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 30)):
        FollowUpFactory(
            course=course, visit_on=day, omeq_mg_per_day=_expected(plan, day), recorded_by=gp
        )
    with on(DEADLINE + timedelta(days=1)):
        run_daily_rules()
    course.refresh_from_db()
    assert course.status == "active"
    assert not Handover.objects.filter(course=course).exists()
    assert not CareRelation.objects.filter(patient=patient, organisation=clinic).exists()
    review = RuleReview.objects.get(course=course)
    assert (review.outcome, review.progress) == ("kept", "on_plan")


def test_one_low_reading_in_week_2_does_not_close_the_course_as_a_success(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)  # target 30 mg/day from 60
    visit(gp, course, START + timedelta(days=14), 30)
    course.refresh_from_db()
    assert course.status == "active"
    visit(gp, course, START + timedelta(days=42), 55)
    with on(DEADLINE + timedelta(days=1)):
        run_daily_rules()
    course.refresh_from_db()
    assert course.status != "succeeded"


def test_a_switch_to_substitution_treatment_is_not_stopped(gp, patient, clinic):
    line = _morphine(patient)
    course = enrol(
        gp,
        patient,
        clinic,
        START,
        goal_kind="stop",
        goal_target_mg_per_day=None,
        baseline_omeq_mg_per_day=None,
    )
    course.refresh_from_db()
    with on(DEADLINE - timedelta(days=5)):
        record_follow_up(
            course=course,
            by=gp,
            expected_version=course.version,
            visit_on=DEADLINE - timedelta(days=5),
            regimen=RegimenUpdate(
                stopped=(line.pk,),
                added=(
                    {
                        "product_id": "buprenorphine-substitution-sublingual-tablet",
                        "strength": Decimal(8),
                        "units_per_dose": Decimal(1),
                        "doses_per_day": Decimal(1),
                        "indication": MedicationLine.Indication.SUBSTITUTION,
                    },
                ),
            ),
        )
    with on(DEADLINE + timedelta(days=1)):
        run_daily_rules()
    course.refresh_from_db()
    assert course.status != "succeeded"
    assert FollowUp.objects.get(course=course).on_substitution_treatment
    assert RuleReview.objects.get(course=course).progress == "substitution_treatment"
    assert FollowUp.objects.get(course=course).on_substitution_treatment
    assert RuleReview.objects.get(course=course).progress == "substitution_treatment"


def _url(name, course, query=""):
    return reverse(f"tracks:{name}", args=[course.patient_id, course.pk]) + query


_API = "/api/tracks/patients/{p}/courses/{c}"
READS = [
    pytest.param(lambda c: _url("course_detail", c), id="course-page"),
    pytest.param(lambda c: reverse("tracks:patient_courses", args=[c.patient_id]), id="courses"),
    pytest.param(lambda c: reverse("patients:detail", args=[c.patient_id]), id="panel"),
    pytest.param(lambda c: _url("proposal", c), id="proposal-page"),
    pytest.param(lambda c: _url("follow_up_create", c), id="follow-up-form"),
    pytest.param(lambda c: _url("course_step", c, "?event=hand_over_early"), id="decision-form"),
    pytest.param(lambda c: reverse("tracks:practice_worklist"), id="worklist"),
    pytest.param(lambda c: _API.format(p=c.patient_id, c=c.pk), id="api-course"),
    pytest.param(lambda c: _API.format(p=c.patient_id, c=c.pk) + "/reviews", id="api-reviews"),
    pytest.param(lambda c: f"/api/tracks/patients/{c.patient_id}/courses", id="api-courses"),
    pytest.param(lambda c: "/api/tracks/worklists/practice", id="api-worklist"),
]


@pytest.mark.parametrize("page", READS)
def test_reading_a_course_after_its_deadline_writes_no_clinical_state(
    gp, patient, clinic, client_for, page
):
    course = enrol(gp, patient, clinic, START)
    before = _clinical_state(course)
    with on(DEADLINE + timedelta(days=1)):
        response = client_for(gp).get(page(course))
    assert response.status_code == 200
    assert _clinical_state(course) == before
    assert Course.objects.get(pk=course.pk).status == "active"


def test_the_daily_job_refuses_a_date_in_the_future(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)
    with on(START + timedelta(days=10)), pytest.raises(CommandError, match="future"):
        call_command("run_daily_rules", "--today", (DEADLINE + timedelta(days=1)).isoformat())
    assert _clinical_state(course)[0] == "active"
    assert not Handover.objects.exists()
