"""Lists and worklists log which patients they showed; "who has seen my record" shows it."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from smertespor.audit.context import RequestContext, current_request
from smertespor.audit.keys import mac_matches
from smertespor.audit.models import AuditEvent
from smertespor.audit.services import (
    AuditAction,
    Search,
    record_event,
    record_listed,
    row_payload,
)
from smertespor.tracks.tests.factories import CourseFactory
from smertespor.tracks.tests.helpers import on
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _listed(object_type: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.LISTED, object_type=object_type).order_by(
            "sequence"
        )
    )


def test_the_patient_list_logs_every_patient_on_the_page(client_for, gp, patient, other_patient):
    others: list[Any] = [PatientFactory(listed_practice=gp.organisation) for _ in range(2)]
    response = client_for(gp).get(reverse("patients:list"))
    assert response.status_code == 200
    rows = _listed("patient_list")
    assert {row.patient_id for row in rows} == {patient.pk, *(p.pk for p in others)}
    assert other_patient.pk not in {row.patient_id for row in rows}  # not shown, not logged
    assert {row.user_id for row in rows} == {gp.pk}
    assert {row.request_id for row in rows} == {response["X-Request-ID"]}


def test_the_api_patient_list_logs_the_patients_it_returned(client_for, gp, patient):
    response = client_for(gp).get("/api/patients")
    assert response.status_code == 200
    assert [row.patient_id for row in _listed("patient_list")] == [patient.pk]


def test_search_results_log_the_patients_found(client_for, gp, patient):
    client_for(gp).post(reverse("patients:search"), {"query": patient.cpr})
    assert [row.patient_id for row in _listed("patient_search")] == [patient.pk]


def test_the_worklist_logs_the_patients_on_its_page(client_for, gp, clinic):
    courses: list[Any] = [
        CourseFactory(
            patient=PatientFactory(listed_practice=gp.organisation),
            clinic=clinic,
            next_follow_up_on=date(2026, 3, 16),
        )
        for _ in range(2)
    ]
    with on(date(2026, 3, 16)):
        client_for(gp).get(reverse("tracks:practice_worklist"), {"section": "due"})
    rows = _listed("practice_worklist")
    assert {row.patient_id for row in rows} == {c.patient_id for c in courses}
    assert rows[0].detail == {"section": "due", "page": 1}


def test_the_access_log_says_the_patient_was_seen_in_a_list(client_for, gp, patient):
    client = client_for(gp)
    client.get(reverse("patients:list"))
    response = client.get(reverse("patients:access_log", args=[patient.pk]))
    content = response.content.decode()
    assert "Så dig på en liste" in content
    assert "patientliste" in content


@pytest.mark.django_db
def test_a_page_views_audit_row_is_two_round_trips_on_postgresql(gp):
    """nextval and one INSERT: no BEGIN/COMMIT around them (issue 13). SQLite needs its
    transaction to number the row, so there it is wrapped."""
    with CaptureQueriesContext(connection) as queries:
        record_event(user=gp, action=AuditAction.VIEW, object_type="patient_list")
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert statements == ["SELECT", "INSERT"]
    else:
        assert "INSERT" in statements


def _genuine(row: AuditEvent) -> bool:
    return mac_matches(row.key_id, row_payload(row), row.row_mac)


@pytest.mark.django_db
def test_a_lists_rows_are_stored_as_they_were_signed_each_under_its_own_id(gp):
    """record_listed stores its rows in one INSERT (PostgreSQL: unnest, not the ORM) and
    gives each returned event the id of its own row."""
    patients = PatientFactory.create_batch(25, listed_practice=gp.organisation)
    detail = {"sort": "name", "pages": (1, 2), "query": "Ærø ' -- ;"}
    token = current_request.set(RequestContext(request_id="r-25", ip_address="2001:DB8::0:1"))
    try:
        with CaptureQueriesContext(connection) as queries:
            events = record_listed(
                user=gp, patients=reversed(patients), object_type="patient_list", detail=detail
            )
    finally:
        current_request.reset(token)
    if connection.vendor == "postgresql":
        assert [q["sql"].split()[0].upper() for q in queries.captured_queries] == [
            "SELECT",
            "INSERT",
        ]
    stored = AuditEvent.objects.in_bulk([event.pk for event in events])
    assert len(stored) == 25
    for event in events:
        row = stored[event.pk]
        assert (row.patient_id, row.sequence, row.row_mac) == (
            event.patient_id,
            event.sequence,
            event.row_mac,
        )
        assert row.detail == {"sort": "name", "pages": [1, 2], "query": "Ærø ' -- ;"}
        assert (row.ip_address, row.request_id, row.user_id) == ("2001:db8::1", "r-25", gp.pk)
        assert _genuine(row)
    assert [event.patient_id for event in events] == [p.pk for p in reversed(patients)]


@pytest.mark.django_db
def test_an_event_without_user_patient_or_request_is_stored_with_nulls_and_verifies():
    event = record_event(user=None, action=AuditAction.VIEW)
    row = AuditEvent.objects.get(pk=event.pk)
    assert (row.user_id, row.organisation_id, row.patient_id, row.ip_address) == (
        None,
        None,
        None,
        None,
    )
    assert row.sequence == event.sequence and _genuine(row)


def test_the_patient_list_logs_its_search_and_its_patients_in_one_insert(
    client_for, gp, patient, other_patient
):
    client = client_for(gp)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("patients:list"), {"sort": "-name"})
    inserts = [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")
    ]
    assert len(inserts) == 1 and AuditEvent._meta.db_table in inserts[0]["sql"]
    search = AuditEvent.objects.get(action=AuditAction.SEARCH, object_type="patient")
    assert search.detail == {"query": "", "sort": "-name"}
    (listed,) = _listed("patient_list")
    assert listed.patient_id == patient.pk and listed.request_id == search.request_id
    assert search.sequence < listed.sequence


def test_a_search_that_found_nobody_is_logged_alone(gp):
    events = record_listed(
        user=gp, patients=[], object_type="patient_search", search=Search("patient", {"q": 1})
    )
    assert [(event.action, event.object_type) for event in events] == [("search", "patient")]
    assert AuditEvent.objects.get().detail == {"q": 1}
    assert record_listed(user=gp, patients=[], object_type="patient_search") == []
