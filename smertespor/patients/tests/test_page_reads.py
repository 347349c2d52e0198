"""The patient page reads each thing once: the timeline and the panels share their rows, and
skip the kinds of record the patient has none of."""

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from smertespor.accounts.models import User
from smertespor.advice.models import AdviceRequest
from smertespor.centres.models import CentreCourse, DischargeSummary
from smertespor.pathways.models import Enrolment
from smertespor.patients import page_reads
from smertespor.patients.access import visible_patients
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import RECORD_KINDS, has_records, read_once
from smertespor.referrals.models import Referral
from smertespor.tapering.models import TaperPlan
from smertespor.tracks.models import Course, TimelineEvent

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


def _demo_region(capsys) -> None:
    call_command("load_demo_region")
    capsys.readouterr()


def test_has_records_knows_which_kinds_each_patient_has_in_one_query(capsys):
    _demo_region(capsys)
    owners = {
        "taper_plans": TaperPlan.objects.values_list("patient_id", flat=True),
        "advice_requests": AdviceRequest.objects.values_list("patient_id", flat=True),
        "referrals": Referral.objects.values_list("patient_id", flat=True),
        "centre_courses": CentreCourse.objects.values_list("patient_id", flat=True),
        "pathways": Enrolment.objects.values_list("patient_id", flat=True),
        "courses": Course.objects.values_list("patient_id", flat=True),
    }
    assert set(owners) == set(RECORD_KINDS)
    patients = list(Patient.objects.all())
    for kind, of in owners.items():
        having = set(of)
        # The demo region has patients with and without each kind, so both answers are tested.
        assert 0 < len(having) < len(patients), kind
    for patient in patients:
        with CaptureQueriesContext(connection) as captured:
            found = {kind: has_records(patient, kind) for kind in RECORD_KINDS}
        assert len(captured.captured_queries) == 1
        assert found == {kind: patient.pk in set(of) for kind, of in owners.items()}


def test_has_records_refuses_a_kind_it_does_not_know(patient):
    with pytest.raises(ValueError, match="Unknown kind"):
        has_records(patient, "prescriptions")


_VARYING = re.compile(r'(nonce|value|content)="[^"]*"')


def _page(client, patient: Patient) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    return _VARYING.sub("", main), len(captured.captured_queries)


def test_skipping_what_a_patient_has_none_of_changes_nothing_on_the_page(
    client_for, capsys, monkeypatch
):
    """Every patient each user may see, rendered as the page does (skipping the kinds of
    record the patient has none of) and as if the patient had every kind (every panel and
    timeline source asks): the same page, with fewer queries for the patients who lack
    something. Users of a practice, the pain clinic (a doctor and a secretary, who sees no
    advice) and a pain centre: each app's panel has its own rules for them."""
    _demo_region(capsys)
    fewer = 0
    users = ["demo-gp", "demo-clinic-doctor", "demo-clinic-secretary", "demo-centre-doctor"]
    for username in users:
        user = User.objects.get(username=username)
        client = client_for(user)
        patients = list(visible_patients(user))
        assert patients, username
        for patient in patients:
            skipped, skipped_queries = _page(client, patient)
            with monkeypatch.context() as forced:
                forced.setattr(page_reads, "_probe", lambda p: dict.fromkeys(RECORD_KINDS, True))
                asked, asked_queries = _page(client, patient)
            assert skipped == asked, (username, patient.name)
            fewer += skipped_queries < asked_queries
    assert fewer > 0
