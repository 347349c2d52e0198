"""The pain centre's part of the home page ("I dag"): referrals to triage, today's
appointments and the courses ready to discharge, each linking to its page; nothing of them
for the GP's practice or another centre."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from smertespor.centres.models import Appointment
from smertespor.centres.tests.helpers import accepted_referral, active_course
from smertespor.referrals.tests.factories import sent
from smertespor.tracks.tests.helpers import on
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _book(course, doctor, when):
    return Appointment.objects.create(
        course=course,
        starts_at=when,
        duration_minutes=60,
        clinician=doctor,
        created_by=doctor,
        created_at=timezone.now(),
    )


def _sections(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {section.key: section for section in response.context["home"].sections}


def test_the_centre_sees_its_triage_today_s_appointments_and_courses_to_discharge(
    gp, practice, centre, centre_doctor, other_centre_doctor, client_for
):
    with on(date(2026, 3, 16)):  # noon: five minutes on is still today
        _the_centre_s_day(gp, practice, centre, centre_doctor, other_centre_doctor, client_for)


def _the_centre_s_day(gp, practice, centre, centre_doctor, other_centre_doctor, client_for):
    waiting = sent(gp, PatientFactory.create(listed_practice=practice), centre)
    today = PatientFactory.create(listed_practice=practice)
    accepted_referral(today, centre, gp=gp, doctor=centre_doctor)
    todays = active_course(today, centre_doctor)
    _book(todays, centre_doctor, timezone.now() + timedelta(minutes=5))
    done = PatientFactory.create(listed_practice=practice)
    accepted_referral(done, centre, gp=gp, doctor=centre_doctor)
    finished = active_course(done, centre_doctor)
    _book(finished, centre_doctor, timezone.now() - timedelta(days=7))

    sections = _sections(client_for(centre_doctor))
    assert list(sections) == ["triage", "appointments", "ready_to_discharge"]
    assert sections["triage"].items[0].url == reverse("referrals:detail", args=[waiting.pk])
    assert [item.patient_id for item in sections["appointments"].items] == [today.pk]
    assert sections["ready_to_discharge"].items[0].url == reverse(
        "centres:discharge", args=[done.pk, finished.pk]
    )

    elsewhere = _sections(client_for(other_centre_doctor))
    assert all(section.count == 0 for section in elsewhere.values())
