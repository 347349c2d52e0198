"""The demo region's referrals: one in each state, loaded once, two pain centres."""

from datetime import time, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from smertespor.accounts.models import Organisation
from smertespor.pathways.models import Part
from smertespor.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_the_demo_has_referrals_in_every_state_and_two_centres_and_loads_once():
    call_command("load_demo_region")
    count = Referral.objects.count()
    call_command("load_demo_region")
    # Six from the referrals demo, two more for the centres demo's courses (one running,
    # one discharged by its discharge summary).
    assert Referral.objects.count() == count == 8
    assert set(Referral.objects.values_list("status", flat=True)) == {
        "draft",
        "received",
        "awaiting_information",
        "appointment_booked",
        "rejected",
        "discharged",
    }
    assert Referral.objects.filter(centre_courses__status="active").get().status == (
        "appointment_booked"
    )
    # The accepted referral's patient is in the pathway: the pain centre has them now.
    booked = Referral.objects.get(status="appointment_booked", centre_courses__isnull=True)
    assert Part.objects.filter(
        enrolment__patient=booked.patient, stage="pain_centre", status="active"
    ).exists()
    # Its first appointment is one the booking rules accept (a weekday, inside the hours).
    at = timezone.localtime(booked.first_appointment_at)
    assert at.weekday() < 5
    assert time.fromisoformat(settings.APPOINTMENT_OPENS) <= at.time()
    assert (at + timedelta(hours=1)).time() <= time.fromisoformat(settings.APPOINTMENT_CLOSES)
    assert Organisation.objects.filter(kind=Organisation.Kind.PAIN_CENTRE).count() >= 2
    assert Organisation.objects.filter(kind=Organisation.Kind.PAIN_CLINIC).exists()
    assert Referral.objects.filter(tasks__event="forward").exists()
    assert Referral.objects.exclude(criteria_missing=[]).exists()
