"""The forecast's rates from recorded courses, worked by hand; settings when too few."""

import math
from datetime import date, timedelta

import pytest

from smertespor.evaluation.forecast_rates import (
    DAYS_PER_MONTH,
    Estimate,
    current_state,
    estimate_rates,
    estimates_payload,
    scope_courses,
    state_payload,
)
from smertespor.tracks.models import Handover, Status, Track
from smertespor.tracks.tests.factories import CourseFactory, HandoverFactory
from tests.factories import ClinicFactory, RegionFactory

TODAY = date(2026, 6, 1)
pytestmark = pytest.mark.django_db


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def recorded(clinic):
    """Six practice-track courses and two hospital-track courses at the clinic."""
    for _ in range(2):
        CourseFactory(clinic=clinic, start_date=ago(200), status=Status.SUCCEEDED)
    by_rule = CourseFactory(
        clinic=clinic, start_date=ago(200), status=Status.MOVED_TO_HOSPITAL_TRACK
    )
    HandoverFactory(course=by_rule, kind=Handover.Kind.RULE)
    early = CourseFactory(clinic=clinic, start_date=ago(150), status=Status.HANDOVER_PROPOSED)
    HandoverFactory(course=early, kind=Handover.Kind.EARLY)
    for _ in range(2):
        CourseFactory(clinic=clinic, start_date=ago(30))
    CourseFactory(
        clinic=clinic,
        track=Track.HOSPITAL,
        status=Status.COMPLETED,
        start_date=ago(100),
        closed_on=ago(40),
    )
    CourseFactory(clinic=clinic, track=Track.HOSPITAL, status=Status.ACCEPTED, start_date=ago(61))
    return clinic


def by_name(estimates):
    return {estimate.name: estimate for estimate in estimates}


def test_rates_from_enough_courses_are_worked_out_by_hand(recorded, settings):
    settings.FORECAST_MIN_COURSES = 1
    rates = by_name(estimate_rates(scope_courses(recorded, clinic_only=True), today=TODAY))

    assert rates["new_per_month"].count == 6
    assert rates["new_per_month"].value == pytest.approx(6 * DAYS_PER_MONTH / 365)
    # 1 early handover among the 4 courses that have had three months: 25 % in 3 months
    assert rates["early_handover_per_month"].count == 4
    assert rates["early_handover_per_month"].value == pytest.approx(1 - 0.75 ** (1 / 3))
    # 2 succeeded, 1 handed over by the rule
    assert rates["success_at_3_months"].count == 3
    assert rates["success_at_3_months"].value == pytest.approx(2 / 3)
    # 1 ending in 60 + 61 days in the hospital track
    assert rates["hospital_end_per_month"].count == 2
    monthly = 1 / (121 / DAYS_PER_MONTH)
    assert rates["hospital_end_per_month"].value == pytest.approx(1 - math.exp(-monthly))
    assert all(estimate.from_courses for estimate in rates.values())


def test_too_few_courses_fall_back_to_the_settings_and_say_how_many(recorded, settings):
    settings.FORECAST_MIN_COURSES = 5
    rates = by_name(estimate_rates(scope_courses(recorded, clinic_only=True), today=TODAY))
    assert rates["new_per_month"].from_courses  # 6 courses: enough
    success = rates["success_at_3_months"]
    assert not success.from_courses
    assert success.count == 3
    assert success.value == settings.FORECAST_DEFAULT_RATES["success_at_3_months"]


def test_the_state_today_counts_open_courses(recorded):
    state = current_state(scope_courses(recorded, clinic_only=True))
    assert state == {"practice_caseload": 2, "waiting_list": 1, "hospital_caseload": 1}


def test_a_clinic_counts_its_own_courses_and_a_region_all_its_clinics(recorded):
    neighbour = ClinicFactory(region=recorded.region)
    CourseFactory(clinic=neighbour)
    elsewhere = ClinicFactory(region=RegionFactory(name="Region Nordjylland", code="1081"))
    CourseFactory(clinic=elsewhere)
    assert scope_courses(recorded, clinic_only=True).count() == 8
    assert scope_courses(recorded, clinic_only=False).count() == 9


def test_no_courses_at_all_use_every_setting(clinic, settings):
    rates = estimate_rates(scope_courses(clinic, clinic_only=True), today=TODAY)
    assert [estimate.count for estimate in rates] == [0, 0, 0, 0]
    assert not any(estimate.from_courses for estimate in rates)


def test_small_counts_leave_the_module_as_less_than_five():
    shown = estimates_payload(
        [Estimate("success_at_3_months", 0.6, 3, from_courses=False), Estimate("x", 0.1, 0, False)]
    )
    assert [row["count"] for row in shown] == ["< 5", "0"]
    assert state_payload({"waiting_list": 2, "hospital_caseload": 12}) == {
        "waiting_list": "< 5",
        "hospital_caseload": "12",
    }
