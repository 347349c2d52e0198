"""The demo region has patients in the pathway at each step, with reports to demo-gp."""

import pytest
from django.core.management import call_command

from smertespor.accounts.models import User
from smertespor.notifications.models import Notification
from smertespor.pathways.models import Enrolment, Part


@pytest.mark.django_db
def test_the_demo_region_has_enrolled_patients_with_reports():
    call_command("load_demo_region")
    call_command("load_demo_region")  # idempotent
    gp = User.objects.get(username="demo-gp")
    assert Enrolment.objects.filter(coordinator=gp).count() == 4
    assert {e.level for e in Enrolment.objects.all()} == {"low", "medium", "high"}
    assert set(Part.objects.values_list("status", flat=True)) == {"active", "expected", "ended"}
    assert Notification.objects.filter(recipient=gp, kind="pathway_report").exists()
    physio = User.objects.get(username="demo-physio-practice")
    assert Notification.objects.filter(recipient=physio, kind="pathway_involved").exists()
