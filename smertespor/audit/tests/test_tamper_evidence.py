"""The audit log against someone who can rewrite its tables (the database's owner or a
superuser) but does not have the audit key: every change, removal, insertion or cut shows."""

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from smertespor.audit.keys import canonical
from smertespor.audit.models import AuditEvent, AuditSeal
from smertespor.audit.sealing import seal_pending
from smertespor.audit.services import AuditAction, record_event, row_payload
from smertespor.audit.verify import verify_audit_log

NOW = timedelta(0)


@pytest.fixture
def anchors(tmp_path, settings):
    # Gaps (on PostgreSQL, numbers earlier tests took and rolled back) are sealed over at
    # once here; the grace period has its own tests below.
    settings.AUDIT_SEAL_GRACE_SECONDS = 0
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    return settings.AUDIT_ANCHOR_FILE


def _write(user, count: int = 3) -> list[AuditEvent]:
    return [
        record_event(user=user, action=AuditAction.VIEW, object_id=str(i)) for i in range(count)
    ]


def _as_superuser(statement: str, params: list[Any]) -> None:
    """What the owner can do: get past the append-only triggers, then change the table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; settle them so the table may be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditseal DISABLE TRIGGER USER")
        else:
            for table in ("audit_auditevent", "audit_auditseal"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        cursor.execute(statement, params)


def _problems() -> list[str]:
    from django.conf import settings

    return verify_audit_log(settings.AUDIT_ANCHOR_FILE).problems


def test_untouched_rows_seals_and_anchors_verify(gp, anchors, capsys):
    _write(gp)
    call_command("anchor_audit_log")
    _write(gp, 2)
    call_command("verify_audit_log")
    out = capsys.readouterr().out
    assert "5 rows, 1 seals and 1 anchors verified" in out
    assert "2 row(s) after" in out  # the unsealed rows, as information


def test_a_row_altered_with_its_plain_sha256_recomputed_is_found(gp, anchors):
    events = _write(gp)
    victim = AuditEvent.objects.get(pk=events[1].pk)
    victim.username = "mallory"
    forged = hashlib.sha256(canonical(row_payload(victim))).hexdigest()
    _as_superuser(
        "UPDATE audit_auditevent SET username = 'mallory', row_mac = %s WHERE id = %s",
        [forged, victim.pk],
    )
    assert _problems() == [f"row #{victim.sequence}: content does not match its MAC (row altered)"]
    with pytest.raises(CommandError):
        call_command("verify_audit_log")


def test_a_sealed_row_altered_is_found_by_its_mac_and_its_seal(gp, anchors):
    events = _write(gp)
    seal_pending(grace=NOW)
    _as_superuser(
        "UPDATE audit_auditevent SET row_mac = %s WHERE id = %s", ["0" * 64, events[0].pk]
    )
    problems = _problems()
    assert f"row #{events[0].sequence}: content does not match its MAC (row altered)" in problems
    assert any("the rows differ from what was sealed" in p for p in problems)


def test_a_sealed_row_deleted_from_the_middle_is_found(gp, anchors):
    events = _write(gp)
    seal_pending(grace=NOW)
    _as_superuser("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    assert _problems() == [f"row #{events[1].sequence}: missing (removed after it was sealed)"]


def test_cutting_off_the_last_rows_and_their_seal_after_an_anchor_is_found(gp, anchors):
    _write(gp)
    seal_pending(grace=NOW)
    tail = _write(gp, 2)
    call_command("anchor_audit_log")
    last_seal = AuditSeal.objects.latest("last_sequence")
    assert last_seal.last_sequence == tail[-1].sequence
    _as_superuser("DELETE FROM audit_auditevent WHERE sequence >= %s", [tail[0].sequence])
    _as_superuser("DELETE FROM audit_auditseal WHERE id = %s", [last_seal.pk])
    # What is left is a shorter chain that holds together; only the anchor knows better.
    assert verify_audit_log("").problems == []
    problems = _problems()
    assert len(problems) == 1
    assert f"rows up to #{tail[-1].sequence} is missing (the log was cut back" in problems[0]


def test_an_altered_anchor_line_is_found(gp, anchors):
    _write(gp)
    call_command("anchor_audit_log")
    with open(anchors, encoding="utf-8") as file:
        line = json.loads(file.readline())
    line["last_sequence"] -= 1
    with open(anchors, "w", encoding="utf-8") as file:
        file.write(json.dumps(line) + "\n")
    assert _problems() == ["anchor line 1: its signature does not match (line altered)"]


def test_a_gap_left_by_a_transaction_that_never_committed_is_sealed_without_alarm(gp, anchors):
    _write(gp, 1)
    seal_pending(grace=NOW)  # what came before (on PostgreSQL, other tests' numbers)
    first, lost, after = _write(gp)
    # A number taken by a transaction that rolled back looks like this to the sealer.
    _as_superuser("DELETE FROM audit_auditevent WHERE id = %s", [lost.pk])
    young = seal_pending(now=after.occurred_at + timedelta(seconds=5), grace=timedelta(seconds=60))
    assert [s.last_sequence for s in young] == [first.sequence]  # waits at the young gap
    (seal,) = seal_pending(
        now=after.occurred_at + timedelta(seconds=61), grace=timedelta(seconds=60)
    )
    assert [lost.sequence, lost.sequence] in seal.skipped
    assert seal.last_sequence == after.sequence
    assert _problems() == []


def test_a_row_that_appears_inside_a_sealed_gap_is_found(gp, anchors):
    _, lost, after = _write(gp)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent WHERE id = %s", [lost.pk])
        columns = [c[0] for c in cursor.description]
        values = cursor.fetchone()
    _as_superuser("DELETE FROM audit_auditevent WHERE id = %s", [lost.pk])
    seal_pending(grace=NOW)
    # The same row, signed and all, put back after its range was sealed without it.
    names, marks = ", ".join(columns), ", ".join(["%s"] * len(columns))
    insert = f"INSERT INTO audit_auditevent ({names}) VALUES ({marks})"  # noqa: S608
    _as_superuser(insert, list(values))
    assert _problems() == [
        f"row #{lost.sequence}: appeared after rows #1-#{after.sequence} were sealed without it "
        "(row inserted later)"
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite reuses a rolled-back number: no gap"
)
def test_a_real_rollback_leaves_a_gap_that_is_sealed_over(gp, anchors):
    before = record_event(user=gp, action=AuditAction.VIEW)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(user=gp, action=AuditAction.VIEW)
        raise RuntimeError("the request failed")
    after = record_event(user=gp, action=AuditAction.VIEW)
    assert after.sequence == before.sequence + 2
    seal_pending(now=timezone.now() + timedelta(seconds=61), grace=timedelta(seconds=60))
    assert [before.sequence + 1, before.sequence + 1] in AuditSeal.objects.latest(
        "last_sequence"
    ).skipped
    assert _problems() == []


def _key(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def test_rows_and_seals_under_an_old_and_a_new_key_verify_after_rotation(gp, anchors, settings):
    settings.AUDIT_HMAC_KEYS = {"k1": _key("one")}
    old = _write(gp, 2)
    seal_pending(grace=NOW)
    settings.AUDIT_HMAC_KEYS = {"k2": _key("two"), "k1": _key("one")}
    new = _write(gp, 2)
    call_command("anchor_audit_log")
    assert {e.key_id for e in old} == {"k1"}
    assert {e.key_id for e in new} == {"k2"}
    assert [s.key_id for s in AuditSeal.objects.order_by("first_sequence")] == ["k1", "k2"]
    assert _problems() == []
    # Drop the old key: what it signed can no longer be checked, and says so.
    settings.AUDIT_HMAC_KEYS = {"k2": _key("two")}
    problems = _problems()
    assert f"row #{old[0].sequence}: signed with an unknown key 'k1'" in problems
    assert any("seal of rows #1-" in p and "unknown key 'k1'" in p for p in problems)
    # A different secret under the same id: every row and seal it signed fails.
    settings.AUDIT_HMAC_KEYS = {"k2": _key("guess"), "k1": _key("one")}
    assert f"row #{new[0].sequence}: content does not match its MAC (row altered)" in _problems()
