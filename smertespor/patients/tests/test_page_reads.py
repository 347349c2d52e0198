"""The patient page reads each thing once: the timeline and the panels share their rows."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from smertespor.accounts.models import User
from smertespor.advice.models import AdviceRequest
from smertespor.centres.models import DischargeSummary
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import read_once
from smertespor.referrals.models import Referral
from smertespor.tracks.models import TimelineEvent

pytestmark = pytest.mark.django_db


def _selects_twice(client, patient: Patient) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and '"audit_auditevent"' not in q["sql"]
    ]
    return len(reads), [sql[:160] for sql, n in Counter(reads).items() if n > 1]


def test_the_demo_patients_pages_run_no_read_twice(client_for, capsys):
    call_command("load_demo_region")
    capsys.readouterr()
    gp = User.objects.get(username="demo-gp")
    # The demo's patients whose page has the most to show twice: a pain centre's discharge
    # summary, referrals, advice requests, course events.
    patients = {
        DischargeSummary.objects.get().course.patient_id,
        *Referral.objects.filter(practice=gp.organisation).values_list("patient_id", flat=True),
        *AdviceRequest.objects.filter(practice=gp.organisation).values_list(
            "patient_id", flat=True
        ),
        *TimelineEvent.objects.filter(patient__listed_practice=gp.organisation).values_list(
            "patient_id", flat=True
        ),
    }
    assert len(patients) >= 3
    client = client_for(gp)
    for patient in Patient.objects.filter(pk__in=patients):
        reads, twice = _selects_twice(client, patient)
        assert twice == [], (patient.name, twice)
        assert reads > 10  # the page did read its panels and timeline


def test_a_read_is_kept_on_the_instance_only(patient):
    calls: list[int] = []

    def read() -> list[int]:
        calls.append(1)
        return [len(calls)]

    assert read_once(patient, "k", read) == [1]
    assert read_once(patient, "k", read) == [1]  # the same page: read once
    assert read_once(patient, "other", read) == [2]  # another read
    fresh = Patient.objects.get(pk=patient.pk)  # the next page loads the patient again
    assert read_once(fresh, "k", read) == [3]
