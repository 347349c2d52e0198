"""Rows written under the old public SHA-256 chain: migration 0003 checks that chain, then
signs them with the audit key, so they verify (and seal) like new rows; a broken old chain
stops the migration instead of being signed.

Runs ``manage.py`` on its own SQLite file (migrating backwards inside the test's transaction
is not possible), so it is the same on both CI passes.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _manage(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AUDIT_", "DATABASE_"))}
    environment["DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def _write_legacy_rows(database: Path, count: int) -> None:
    """Rows as the old record_event wrote them: each hash over the row and the one before."""
    previous = "0" * 64
    start = datetime(2026, 1, 5, 9, 30, 0, 123456, tzinfo=UTC)
    with sqlite3.connect(database) as db:
        for sequence in range(1, count + 1):
            occurred_at = start + timedelta(minutes=sequence)
            payload = {
                "sequence": sequence,
                "occurred_at": occurred_at.isoformat(),
                "user_id": None,
                "username": "legacy-gp",
                "role": "gp",
                "organisation_id": None,
                "patient_id": None,
                "action": "view",
                "object_type": "patient",
                "object_id": str(sequence),
                "request_id": "",
                "ip_address": "127.0.0.1",
                "detail": {"query": "0101**"},
                "previous_hash": previous,
            }
            row_hash = hashlib.sha256(
                json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
            ).hexdigest()
            db.execute(
                "INSERT INTO audit_auditevent (sequence, occurred_at, username, role, action, "
                "object_type, object_id, request_id, ip_address, detail, previous_hash, row_hash)"
                " VALUES (?, ?, 'legacy-gp', 'gp', 'view', 'patient', ?, '', '127.0.0.1', ?, ?, ?)",
                [
                    sequence,
                    occurred_at.replace(tzinfo=None).isoformat(sep=" "),
                    str(sequence),
                    json.dumps(payload["detail"]),
                    previous,
                    row_hash,
                ],
            )
            previous = row_hash


def test_legacy_rows_are_checked_then_signed_and_a_broken_old_chain_stops_it(tmp_path):
    intact = tmp_path / "intact.sqlite3"
    result = _manage(intact, "migrate", "audit", "0002", "--noinput")
    assert result.returncode == 0, result.stderr
    _write_legacy_rows(intact, 3)
    tampered = tmp_path / "tampered.sqlite3"
    shutil.copy(intact, tampered)
    with sqlite3.connect(tampered) as db:
        db.execute("DROP TRIGGER audit_auditevent_no_update")
        db.execute("UPDATE audit_auditevent SET username = 'mallory' WHERE sequence = 2")

    # Only the audit app and what it needs: the other apps' migrations are not under test
    # and would triple the test's time.
    assert _manage(intact, "migrate", "audit", "--noinput").returncode == 0
    verified = _manage(intact, "verify_audit_log", "--anchor-file", "")
    assert verified.returncode == 0, verified.stderr
    assert "3 rows, 0 seals" in verified.stdout
    assert _manage(intact, "seal_audit_log").returncode == 0
    assert "3 rows, 1 seals" in _manage(intact, "verify_audit_log", "--anchor-file", "").stdout
    with sqlite3.connect(intact) as db:
        assert {row[0] for row in db.execute("SELECT key_id FROM audit_auditevent")} == {
            "dev-insecure-public-key"
        }

    refused = _manage(tampered, "migrate", "audit", "0003", "--noinput")
    assert refused.returncode != 0
    assert "hash chain is broken" in refused.stderr
    assert "row #2: content does not match its hash" in refused.stderr
