"""The pain centre's home ("I dag") costs the same number of queries with two patients in
each section as with eight."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from smertespor.centres.models import Appointment
from smertespor.centres.tests.helpers import accepted_referral, active_course
from smertespor.home.tests.test_home import MAX_QUERIES
from smertespor.referrals.tests.factories import sent
from smertespor.tracks.tests.helpers import on
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 16)  # a Monday; `on` sets noon


def _centre_world(gp, practice, centre, doctor, n):
    """`n` referrals to triage, `n` appointments today and `n` courses ready to discharge."""
    for _ in range(n):
        sent(gp, PatientFactory.create(listed_practice=practice), centre)
        for offset in (timedelta(minutes=5), timedelta(days=-7)):
            patient = PatientFactory.create(listed_practice=practice)
            accepted_referral(patient, centre, gp=gp, doctor=doctor)
            Appointment.objects.create(
                course=active_course(patient, doctor),
                starts_at=timezone.now() + offset,
                duration_minutes=30,
                clinician=doctor,
                created_by=doctor,
                created_at=timezone.now(),
            )


def _count(client):
    with on(DAY), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    sections = {section.key: section for section in response.context["home"].sections}
    return len(queries), sections


def test_the_pain_centre_s_home_takes_a_fixed_number_of_queries(
    gp, practice, centre, centre_doctor, client_for, django_assert_max_num_queries
):
    client = client_for(centre_doctor)
    with on(DAY):
        _centre_world(gp, practice, centre, centre_doctor, 2)
        client.get(reverse("home"))  # the first signed-in request renews the session
    few, sections = _count(client)
    assert [sections[key].count for key in ("triage", "appointments", "ready_to_discharge")] == [
        2,
        2,
        2,
    ]
    with on(DAY):
        _centre_world(gp, practice, centre, centre_doctor, 6)
    with django_assert_max_num_queries(few):
        many, sections = _count(client)
    assert many == few <= MAX_QUERIES
    assert [sections[key].count for key in ("triage", "appointments", "ready_to_discharge")] == [
        8,
        8,
        8,
    ]
