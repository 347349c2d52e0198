"""Doctors of hospital departments take part in teaching as GPs do; the reach counts their
departments apart from the practices."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from smertespor.teaching.models import Registration
from smertespor.teaching.selectors import teaching_reach
from smertespor.teaching.tests.factories import (
    TeachingSessionFactory,
    past_session_with_attendance,
)


def test_a_hospital_doctor_signs_up_and_cancels(client_for, hospital_doctor, clinic):
    session = TeachingSessionFactory.create(organiser=clinic, for_hospital_departments=True)
    http = client_for(hospital_doctor)
    assert http.get(reverse("teaching:list")).status_code == 200
    response = http.post(f"/api/teaching/sessions/{session.pk}/registration")
    assert response.status_code in (200, 201), response.content
    registration = Registration.objects.get(session=session, participant=hospital_doctor)
    assert registration.organisation == hospital_doctor.organisation
    assert http.delete(f"/api/teaching/sessions/{session.pk}/registration").status_code == 200


def test_the_reach_counts_departments_apart_from_practices(
    clinic, gp, hospital_doctor, other_department
):
    past_session_with_attendance(organiser=clinic, attendees=[gp, hospital_doctor])
    now = timezone.now()
    reach = teaching_reach(since=now - timedelta(days=365), now=now)
    assert reach.practices_reached == 1
    assert (reach.departments_reached, reach.departments_total) == (1, 2)


def test_planners_see_the_departments_reached(client_for, planner, clinic, hospital_doctor):
    past_session_with_attendance(organiser=clinic, attendees=[hospital_doctor])
    response = client_for(planner).get(reverse("teaching:reach"))
    assert response.status_code == 200
    assert 'data-testid="departments-reached"' in response.content.decode()
    assert hospital_doctor.last_name not in response.content.decode()
