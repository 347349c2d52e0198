from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from smertespor.audit.models import AuditEvent, AuditSeal
from smertespor.audit.sealing import seal_pending
from smertespor.audit.services import AuditAction, record_event


def test_every_patient_view_writes_exactly_one_row(client_for, gp, patient):
    before = AuditEvent.objects.count()
    response = client_for(gp).get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    rows = list(AuditEvent.objects.order_by("sequence")[before:])
    assert len(rows) == 1
    row = rows[0]
    assert row.action == AuditAction.VIEW
    assert row.patient_id == patient.pk
    assert row.user_id == gp.pk
    assert row.role == "gp"
    assert row.organisation_id == gp.organisation_id
    assert row.object_id == str(patient.pk)
    assert len(row.request_id) == 36
    assert row.request_id == response["X-Request-ID"]
    assert row.ip_address == "127.0.0.1"


def test_a_refused_attempt_is_logged_against_the_patient(client_for, other_gp, patient):
    response = client_for(other_gp).get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 404
    row = AuditEvent.objects.latest("sequence")
    assert row.action == AuditAction.REFUSED
    assert row.user_id == other_gp.pk
    assert row.patient_id == patient.pk


def test_a_search_is_logged_with_the_cpr_masked(client_for, gp, patient):
    client_for(gp).post(reverse("patients:search"), {"query": patient.cpr})
    row = AuditEvent.objects.filter(action=AuditAction.SEARCH).latest("sequence")
    assert row.action == AuditAction.SEARCH
    assert row.detail["query"] == patient.cpr[:6] + "-****"
    assert patient.cpr not in str(row.detail)


def _expect_refused(statement: str, params: list[int]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_database_refuses_update_and_delete_on_the_audit_table(gp):
    event = record_event(user=gp, action=AuditAction.VIEW, object_type="patient")
    (seal,) = seal_pending(grace=timedelta(0))
    _expect_refused("UPDATE audit_auditseal SET row_count = 0 WHERE id = %s", [seal.pk])
    _expect_refused("DELETE FROM audit_auditseal WHERE id = %s", [seal.pk])
    _expect_refused("UPDATE audit_auditevent SET action = 'view' WHERE id = %s", [event.pk])
    _expect_refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(username="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).username == gp.username


def test_emptying_the_audit_table_is_refused(gp):
    record_event(user=gp, action=AuditAction.VIEW)
    # PostgreSQL has TRUNCATE (a statement trigger refuses it); SQLite empties with DELETE.
    statement = (
        "TRUNCATE audit_auditevent"
        if connection.vendor == "postgresql"
        else "DELETE FROM audit_auditevent"
    )
    _expect_refused(statement, [])
    assert AuditEvent.objects.count() == 1
    seal_pending(grace=timedelta(0))
    _expect_refused(statement.replace("auditevent", "auditseal"), [])
    assert AuditSeal.objects.count() == 1


def test_rows_are_numbered_in_the_order_they_were_written(gp):
    first, second, third = (record_event(user=gp, action=AuditAction.VIEW) for _ in range(3))
    assert first.sequence < second.sequence < third.sequence
    assert len({first.row_mac, second.row_mac, third.row_mac}) == 3


def _make_audit_inserts_fail() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse_insert() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'audit storage unavailable'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_insert BEFORE INSERT ON audit_auditevent "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refuse_insert BEFORE INSERT ON audit_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit storage unavailable'); END"
            )


def test_if_the_audit_write_fails_the_request_fails(client_for, gp, patient):
    client = client_for(gp)
    _make_audit_inserts_fail()
    client.raise_request_exception = False
    response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 500
    assert patient.name.encode() not in response.content
