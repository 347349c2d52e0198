"""The demo region shows the pain centre: a running course and a discharged one whose summary
demo-gp sees as new."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from smertespor.accounts.models import User
from smertespor.centres.models import CentreCourse, DischargeSummary
from smertespor.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_the_demo_region_has_a_running_and_a_discharged_course(client_for, capsys):
    call_command("load_demo_region")
    assert "demo-centre-doctor" in capsys.readouterr().out
    statuses = sorted(CentreCourse.objects.values_list("status", flat=True))
    assert statuses == ["active", "discharged"]
    running = CentreCourse.objects.get(status="active")
    assert running.team.count() == 5
    assert running.modules.count() == 5
    assert running.appointments.filter(status="attended").exists()
    assert running.appointments.filter(status="booked").exists()
    assert running.referral is not None
    assert running.referral.status == "appointment_booked"
    summary = DischargeSummary.objects.get()
    assert summary.course.referral is not None
    assert summary.course.referral.status == "discharged"
    # The referrals demo's accepted referral has no course yet: the centre's worklist shows it.
    waiting = Referral.objects.filter(status="appointment_booked", centre_courses__isnull=True)
    assert waiting.count() == 1
    assert summary.course.measurements.filter(timepoint="follow_up").exists()
    gp = User.objects.get(username="demo-gp")
    page = client_for(gp).get(reverse("tracks:practice_worklist")).content.decode()
    assert 'data-testid="new-discharge-summaries"' in page
    doctor = User.objects.get(username="demo-centre-doctor")
    page = client_for(doctor).get(
        reverse("centres:course_detail", args=[running.patient_id, running.pk])
    )
    assert page.status_code == 200
    worklist = client_for(doctor).get(reverse("centres:worklist")).content.decode()
    assert waiting.get().patient.name in worklist
    call_command("load_demo_region")
    assert CentreCourse.objects.count() == 2
