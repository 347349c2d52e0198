"""Every read of a referral is in the patient's access log; refused attempts too; lists log
each patient they showed; every step is written with who and what."""

import pytest
from django.urls import reverse

from smertespor.audit.models import AuditEvent
from smertespor.referrals.tests.factories import sent

pytestmark = pytest.mark.django_db


def test_reading_a_referral_is_logged_against_the_patient(
    client_for, gp, patient, centre, centre_doctor
):
    referral = sent(gp, patient, centre)
    before = AuditEvent.objects.filter(patient=patient, user=centre_doctor).count()
    client_for(centre_doctor).get(reverse("referrals:detail", args=[referral.pk]))
    client_for(centre_doctor).get(f"/api/referrals/{referral.pk}")
    views = AuditEvent.objects.filter(
        patient=patient, user=centre_doctor, action="view", object_type="referral"
    )
    assert views.count() - before >= 2
    first = views.first()
    assert first is not None
    assert first.detail == {"referral": referral.pk}


def test_a_refused_read_is_logged_against_the_patient(
    client_for, gp, patient, centre, other_centre_doctor
):
    referral = sent(gp, patient, centre)
    client_for(other_centre_doctor).get(reverse("referrals:detail", args=[referral.pk]))
    assert AuditEvent.objects.filter(
        patient=patient, user=other_centre_doctor, action="refused"
    ).exists()


def test_the_worklist_logs_each_patient_it_showed(client_for, gp, patient, centre, centre_doctor):
    sent(gp, patient, centre)
    client_for(centre_doctor).get(reverse("referrals:list"))
    assert AuditEvent.objects.filter(
        patient=patient, user=centre_doctor, object_type="referrals"
    ).exists()


def test_each_step_is_written_with_what_changed(gp, patient, centre):
    referral = sent(gp, patient, centre)
    step = AuditEvent.objects.filter(patient=patient, user=gp, action="update").last()
    assert step is not None
    assert step.object_id == str(referral.pk)
    assert step.detail == {"event": "send", "from": "draft", "to": "received"}
