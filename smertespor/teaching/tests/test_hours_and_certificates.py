"""Education hours per participant and per practice, and the printable certificate."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from smertespor.accounts.models import Role
from smertespor.teaching.models import education_hours
from smertespor.teaching.selectors import (
    education_minutes,
    hours_by_participant,
    hours_by_practice,
    teaching_reach,
)
from smertespor.teaching.tests.factories import (
    RegistrationFactory,
    TeachingSessionFactory,
    past_session_with_attendance,
)
from tests.factories import OrganisationFactory, UserFactory


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(90, "1.50"), (45, "0.75"), (60, "1.00"), (20, "0.33"), (0, "0.00"), (135, "2.25")],
)
def test_minutes_become_hours_to_the_hundredth(minutes, hours):
    assert education_hours(minutes) == Decimal(hours)


def test_hours_add_up_per_participant_and_per_practice(clinic, gp, practice_nurse, other_gp):
    past_session_with_attendance(organiser=clinic, attendees=[gp, practice_nurse], minutes=90)
    past_session_with_attendance(organiser=clinic, attendees=[gp], minutes=45, days_ago=30)
    past_session_with_attendance(organiser=clinic, attendees=[other_gp], minutes=120)
    assert education_minutes(participant=gp) == 135
    assert education_minutes(participant=practice_nurse) == 90
    assert education_minutes(organisation_id=gp.organisation_id) == 225
    by_practice = {row["organisation__name"]: row for row in hours_by_practice()}
    assert by_practice[gp.organisation.name]["hours"] == Decimal("3.75")
    assert by_practice[gp.organisation.name]["participants"] == 2
    assert by_practice[gp.organisation.name]["sessions"] == 2
    assert by_practice[other_gp.organisation.name]["hours"] == Decimal("2.00")


def test_absence_and_unmarked_attendance_give_no_hours(clinic, gp, practice_nurse):
    session = TeachingSessionFactory.create(
        organiser=clinic, starts_at=timezone.now() - timedelta(days=1)
    )
    RegistrationFactory.create(session=session, participant=gp, attended=False)
    RegistrationFactory.create(session=session, participant=practice_nurse, attended=None)
    assert education_minutes(organisation_id=gp.organisation_id) == 0


def test_hours_stay_with_the_practice_the_participant_worked_in(clinic, gp, other_practice):
    past_session_with_attendance(organiser=clinic, attendees=[gp], minutes=60)
    first_practice = gp.organisation
    gp.organisation = other_practice
    gp.save()
    assert education_minutes(organisation_id=first_practice.pk) == 60
    assert education_minutes(organisation_id=other_practice.pk) == 0
    assert education_minutes(participant=gp) == 60


def test_a_window_counts_only_recent_teaching(clinic, gp):
    past_session_with_attendance(organiser=clinic, attendees=[gp], minutes=60, days_ago=400)
    past_session_with_attendance(organiser=clinic, attendees=[gp], minutes=30, days_ago=10)
    since = timezone.now() - timedelta(days=365)
    assert education_minutes(participant=gp, since=since) == 30
    assert [row["hours"] for row in hours_by_participant(since=since)] == [Decimal("0.50")]


def test_my_teaching_page_shows_own_hours_and_the_practice_total(
    client_for, clinic, gp, practice_nurse, other_gp
):
    past_session_with_attendance(organiser=clinic, attendees=[gp, practice_nurse], minutes=90)
    past_session_with_attendance(organiser=clinic, attendees=[practice_nurse], minutes=60)
    past_session_with_attendance(organiser=clinic, attendees=[other_gp], minutes=600)
    response = client_for(gp).get(reverse("teaching:mine"))
    assert response.context["hours"] == Decimal("1.50")
    assert response.context["practice_hours"] == Decimal("4.00")  # 90 + 90 + 60 minutes
    assert response.context["practice_people"] == 2
    assert len(response.context["attended"]) == 1
    body = response.content.decode()
    assert "1,5" in body  # Danish decimal comma
    assert practice_nurse.last_name not in body  # colleagues counted, not named


def test_the_participant_prints_a_certificate(client_for, gp, past_session):
    registration = past_session.registrations.get(participant=gp)
    response = client_for(gp).get(reverse("teaching:certificate", args=[registration.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="certificate"' in body
    assert past_session.title in body
    assert gp.get_full_name() in body
    assert gp.organisation.provider_number in body
    assert "teaching/teaching.css" in body  # the print stylesheet


def test_the_organiser_may_print_a_participants_certificate(
    client_for, clinic_nurse, gp, past_session
):
    registration = past_session.registrations.get(participant=gp)
    url = reverse("teaching:certificate", args=[registration.pk])
    assert client_for(clinic_nurse).get(url).status_code == 200


def test_nobody_else_sees_a_certificate(client_for, practice_nurse, other_gp, gp, past_session):
    registration = past_session.registrations.get(participant=gp)
    url = reverse("teaching:certificate", args=[registration.pk])
    for user in (practice_nurse, other_gp):
        response = client_for(user).get(url)
        assert response.status_code == 404
        assert gp.get_full_name().encode() not in response.content


def test_there_is_no_certificate_without_attendance(client_for, gp, clinic):
    session = TeachingSessionFactory.create(
        organiser=clinic, starts_at=timezone.now() - timedelta(days=1)
    )
    registration = RegistrationFactory.create(session=session, participant=gp, attended=False)
    url = reverse("teaching:certificate", args=[registration.pk])
    assert client_for(gp).get(url).status_code == 404


def test_reach_is_aggregate_only(client_for, planner, clinic, gp, practice_nurse):
    past_session_with_attendance(organiser=clinic, attendees=[gp, practice_nurse], minutes=90)
    TeachingSessionFactory.create(organiser=clinic)
    OrganisationFactory()
    now = timezone.now()
    reach = teaching_reach(since=now - timedelta(days=365), now=now)
    assert (reach.sessions_held, reach.sessions_planned, reach.participants) == (1, 1, 2)
    assert (reach.practices_reached, reach.hours) == (1, Decimal("3.00"))
    response = client_for(planner).get(reverse("teaching:reach"))
    assert response.status_code == 200
    body = response.content.decode()
    assert gp.last_name not in body
    assert practice_nurse.last_name not in body
    assert gp.organisation.name in body
    assert f'href="{reverse("teaching:list")}"' not in body  # no link a planner cannot use


def test_the_clinic_sees_hours_per_participant(client_for, clinic_nurse, clinic, gp):
    past_session_with_attendance(organiser=clinic, attendees=[gp], minutes=90)
    response = client_for(clinic_nurse).get(reverse("teaching:hours"))
    assert gp.last_name in response.content.decode()
    sorted_by_name = client_for(clinic_nurse).get(reverse("teaching:hours"), {"sort": "name"})
    assert sorted_by_name.status_code == 200


def test_a_planner_is_refused_the_lists_with_names(client_for, planner, clinic, gp, past_session):
    for name in ("teaching:hours", "teaching:list", "teaching:mine", "teaching:need"):
        response = client_for(planner).get(reverse(name))
        assert response.status_code == 403, name
        assert gp.last_name.encode() not in response.content
    registration = past_session.registrations.get(participant=gp)
    response = client_for(planner).get(reverse("teaching:certificate", args=[registration.pk]))
    assert response.status_code == 403


def test_a_user_without_an_organisation_sees_nothing(client_for, upcoming_session):
    drifter = UserFactory(role=Role.GP, organisation=None)
    assert client_for(drifter).get(reverse("teaching:list")).status_code == 403
