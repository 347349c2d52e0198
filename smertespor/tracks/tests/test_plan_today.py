"""The course page and the visit form show what the taper plan expects today, and a visit's
OMEQ against it (issue 16: the course did not link its plan, the visit form did not show
the plan's dose)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from smertespor.medication.models import MedicationLine
from smertespor.tapering.pace import Pace
from smertespor.tapering.services import create_taper_plan
from smertespor.tracks.models import Track
from smertespor.tracks.plan_today import plan_today
from smertespor.tracks.tests.factories import CourseFactory

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _fixed_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def morphine(patient):
    """Morphine depot 30 mg twice a day: 60 mg/day OMEQ."""
    return MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=Decimal(30),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(2),
        start_date=datetime.date(2025, 6, 1),
    )


@pytest.fixture
def plan(patient, gp, morphine):
    """Begun four weeks ago, a step each week: a step below 60 mg/day is in force today."""
    pace = Pace(
        start_date=TODAY - datetime.timedelta(days=28), step_percent=Decimal(25), interval_days=7
    )
    return create_taper_plan(patient=patient, by=gp, pace=pace, activate=True)


def _today(plan):
    return max((s for s in plan.steps.all() if s.start_date <= TODAY), key=lambda s: s.number)


def test_the_plan_today_is_the_last_step_begun(patient, plan):
    found = plan_today(patient, TODAY)

    step = _today(plan)
    assert found is not None
    assert (found.step_number, found.mg_per_day) == (step.number, step.omeq_mg_per_day)
    assert found.url == reverse("tapering:plan_detail", args=[patient.pk, plan.pk])


def test_no_plan_today_without_a_plan_in_force_or_before_it_starts(patient, gp, morphine):
    assert plan_today(patient, TODAY) is None
    create_taper_plan(
        patient=patient,
        by=gp,
        pace=Pace(
            start_date=TODAY + datetime.timedelta(days=3),
            step_percent=Decimal(10),
            interval_days=28,
        ),
        activate=True,
    )
    assert plan_today(patient, TODAY) is None


def test_the_difference_reads_over_under_or_as_the_plan(patient, plan):
    found = plan_today(patient, TODAY)
    assert found is not None
    expected = found.mg_per_day

    assert found.difference(expected + Decimal("12.5")) == "12,5 mg/døgn over planen"
    assert found.difference(expected - 5) == "5 mg/døgn under planen"
    assert found.difference(expected) == "som planen forventer"
    assert found.difference(None) == ""


def test_the_hospital_course_page_links_the_plan_and_shows_todays_dose(
    patient, plan, clinic, gp, client_for
):
    course = CourseFactory.create(
        patient=patient,
        clinic=clinic,
        track=Track.HOSPITAL,
        status="plan_active",
        responsible_organisation=clinic,
    )

    page = client_for(gp).get(reverse("tracks:course_detail", args=[patient.pk, course.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Gældende nedtrapningsplan" in text
    assert reverse("tapering:plan_detail", args=[patient.pk, plan.pk]) in text
    assert "Forventet dosis i dag" in text
    assert f"(trin {_today(plan).number}, fra" in text


def test_the_visit_form_shows_the_plans_dose_and_the_lists_difference(
    patient, plan, clinic, gp, client_for
):
    course = CourseFactory.create(patient=patient, clinic=clinic)
    step = _today(plan)

    page = client_for(gp).get(reverse("tracks:follow_up_create", args=[patient.pk, course.pk]))

    text = page.content.decode()
    assert 'data-testid="plan-dose-today"' in text
    assert f"(trin {step.number})" in text
    # The list still says 60 mg/day: the plan expects less by now.
    gap = Decimal(60) - step.omeq_mg_per_day
    assert gap > 0
    assert "mg/døgn over planen" in text


def test_without_a_list_the_visit_omeq_is_prefilled_with_the_plans(
    patient, plan, clinic, gp, client_for, morphine
):
    course = CourseFactory.create(patient=patient, clinic=clinic)
    MedicationLine.objects.filter(pk=morphine.pk).delete()  # no list: the OMEQ is entered
    step = _today(plan)
    url = reverse("tracks:follow_up_create", args=[patient.pk, course.pk])
    over = f"{step.omeq_mg_per_day + Decimal('12.5'):f}".rstrip("0").replace(".", ",")

    page = client_for(gp).get(url)
    posted = client_for(gp).post(
        url, {"visit_on": "2026-03-02", "omeq_mg_per_day": "abc", "version": course.version}
    )
    entered = client_for(gp).post(
        url,
        {
            "visit_on": "2026-03-02",
            # As a Danish user types it, with a decimal comma.
            "omeq_mg_per_day": over,
            "peg_pain": "11",  # refused: the form comes back with the difference
            "version": course.version,
        },
    )

    field = page.content.decode().split('name="omeq_mg_per_day"')[1].split(">")[0]
    expected = f"{step.omeq_mg_per_day:f}".rstrip("0").rstrip(".").replace(".", ",")
    assert f'value="{expected}"' in field
    assert posted.status_code == 422  # bad input: a Danish error, nothing saved
    text = entered.content.decode()
    assert "12,5 mg/døgn over planen" in text, text[text.find("omeq_mg_per_day") - 300 :][:1500]
    assert course.follow_ups.count() == 0


def test_recording_the_visit_says_how_it_stands_against_the_plan(
    patient, plan, clinic, gp, client_for
):
    course = CourseFactory.create(patient=patient, clinic=clinic)
    url = reverse("tracks:follow_up_create", args=[patient.pk, course.pk])
    data = {"visit_on": "2026-03-02", "version": course.version}
    line = patient.medication_lines.get()
    data.update(
        {
            f"line-{line.pk}-units_per_dose": "1",
            f"line-{line.pk}-doses_per_day": "2",
        }
    )

    answer = client_for(gp).post(url, data, follow=True)

    assert course.follow_ups.count() == 1, answer.content.decode()[:2000]
    assert "Besøgets OMEQ er" in answer.content.decode()
    assert "over planen" in answer.content.decode()
