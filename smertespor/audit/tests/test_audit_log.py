import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from smertespor.audit.chain import audit_chain_problems
from smertespor.audit.models import AuditEvent
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
    row = AuditEvent.objects.latest("sequence")
    assert row.action == AuditAction.SEARCH
    assert row.detail["query"] == patient.cpr[:6] + "-****"
    assert patient.cpr not in str(row.detail)


def _expect_refused(statement: str, params: list[int]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_database_refuses_update_and_delete_on_the_audit_table(gp):
    event = record_event(user=gp, action=AuditAction.VIEW, object_type="patient")
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


def _disable_triggers(cursor) -> None:
    if connection.vendor == "postgresql":
        # Django's foreign keys are deferred; settle them so the table may be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    else:
        cursor.execute("DROP TRIGGER audit_auditevent_no_update")
        cursor.execute("DROP TRIGGER audit_auditevent_no_delete")


def _write_three(user) -> list[AuditEvent]:
    return [record_event(user=user, action=AuditAction.VIEW, object_id=str(i)) for i in range(3)]


def test_the_chain_of_untouched_rows_verifies(gp, capsys):
    _write_three(gp)
    assert list(audit_chain_problems()) == []
    call_command("verify_audit_log")
    assert "3 rows verified" in capsys.readouterr().out


def test_verify_finds_an_altered_row(gp):
    events = _write_three(gp)
    with connection.cursor() as cursor:
        _disable_triggers(cursor)
        cursor.execute(
            "UPDATE audit_auditevent SET username = 'mallory' WHERE id = %s", [events[1].pk]
        )
    problems = list(audit_chain_problems())
    assert problems == [f"row #{events[1].sequence}: content does not match its hash (row altered)"]
    with pytest.raises(CommandError):
        call_command("verify_audit_log")


def test_verify_finds_a_removed_row(gp):
    events = _write_three(gp)
    with connection.cursor() as cursor:
        _disable_triggers(cursor)
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    problems = list(audit_chain_problems())
    assert any("missing" in problem for problem in problems)
    assert any("chain broken" in problem for problem in problems)


def test_each_row_chains_to_the_one_before(gp):
    first, second, third = _write_three(gp)
    assert second.previous_hash == first.row_hash
    assert third.previous_hash == second.row_hash
    assert [e.sequence for e in (first, second, third)] == [1, 2, 3]


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
