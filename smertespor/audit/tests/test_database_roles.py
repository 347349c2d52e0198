"""PostgreSQL: the app's role may only INSERT and SELECT on the audit tables and cannot get
past the triggers; writes need no lock, so one open transaction never holds up another."""

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, connections, transaction

from smertespor.audit.models import AuditEvent, AuditSeal
from smertespor.audit.roles import create_roles
from smertespor.audit.sealing import seal_pending
from smertespor.audit.services import AuditAction, record_event
from smertespor.audit.verify import verify_audit_log

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL roles and concurrent connections"
)
OWNER, APP = "smertespor_owner", "smertespor_app"
TIMEOUT_SECONDS = 30


def _refused_as_app(statement: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP}")
        cursor.execute(statement)


@on_postgresql
def test_the_app_role_may_insert_and_read_but_not_change_the_audit_tables(gp):
    with connection.cursor() as cursor:  # inside the test's transaction: rolled back after
        create_roles(cursor, owner=OWNER, app=APP)
    event = record_event(user=gp, action=AuditAction.VIEW)
    (seal,) = seal_pending(grace=timedelta(0))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP}")
        record_event(user=gp, action=AuditAction.VIEW)  # INSERT, nextval: allowed
        seal_pending(grace=timedelta(0))  # the sealer runs as the app, too
        assert AuditEvent.objects.filter(pk=event.pk).exists()
        cursor.execute("RESET ROLE")
    for table, pk in (("audit_auditevent", event.pk), ("audit_auditseal", seal.pk)):
        _refused_as_app(f"UPDATE {table} SET key_id = 'x' WHERE id = {pk}")  # noqa: S608
        _refused_as_app(f"DELETE FROM {table} WHERE id = {pk}")  # noqa: S608
        _refused_as_app(f"TRUNCATE {table}")
        _refused_as_app(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        _refused_as_app(f"DROP TABLE {table}")
    _refused_as_app("SELECT setval('audit_auditevent_sequence_seq', 1)")
    assert AuditEvent.objects.get(pk=event.pk).key_id == event.key_id
    assert AuditSeal.objects.filter(pk=seal.pk).exists()


def _committed(work, results: list[object]) -> threading.Thread:
    def run() -> None:
        try:
            results.append(work())
        except BaseException as error:  # re-raised by the test
            results.append(error)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def _delete_committed(sequences: list[int]) -> None:
    """The rows the threads committed outlive the test's transaction; remove them as a
    superuser can (replica mode skips the triggers for this session only)."""

    def clean() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("DELETE FROM audit_auditevent WHERE sequence = ANY(%s)", [sequences])

    worker = _committed(clean, [])
    worker.start()
    worker.join(TIMEOUT_SECONDS)


@on_postgresql
def test_a_write_does_not_wait_for_another_open_transaction_and_all_verify():
    # The threads commit for real, so they name no user (the test's users are uncommitted).
    holding, released, written = threading.Event(), threading.Event(), threading.Event()
    sequences: list[int] = []

    def slow() -> int:
        with transaction.atomic():
            event = record_event(user=None, action=AuditAction.VIEW, object_id="slow")
            holding.set()
            released.wait(TIMEOUT_SECONDS)
        return event.sequence

    def quick() -> int:
        holding.wait(TIMEOUT_SECONDS)
        event = record_event(user=None, action=AuditAction.VIEW, object_id="quick")
        written.set()
        return event.sequence

    def many() -> list[int]:
        return [record_event(user=None, action=AuditAction.VIEW).sequence for _ in range(10)]

    results: list[object] = []
    threads = [_committed(work, results) for work in (slow, quick, many, many, many)]
    try:
        for thread in threads:
            thread.start()
        # With one global lock the quick write would wait for the slow transaction.
        assert written.wait(TIMEOUT_SECONDS), "a write waited for another transaction"
        # The slow row's number is taken but not committed: the sealer stops before it.
        sealed = seal_pending(grace=timedelta(seconds=60))
        released.set()
        for thread in threads:
            thread.join(TIMEOUT_SECONDS)
        for result in results:
            if isinstance(result, BaseException):
                raise result
            sequences += result if isinstance(result, list) else [result]  # type: ignore[list-item]
        slow_sequence = min(r for r in results if isinstance(r, int))
        assert all(seal.last_sequence < slow_sequence for seal in sealed)
        assert len(sequences) == 32
        seal_pending(grace=timedelta(0))
        report = verify_audit_log("")
        assert report.problems == []
        assert AuditSeal.objects.latest("last_sequence").last_sequence == max(sequences)
    finally:
        released.set()
        _delete_committed(sequences)
