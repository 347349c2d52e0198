"""deploy/backup-restore-check.sh: a dump is only kept as good when it restores and verifies.

PostgreSQL only (pg_dump/pg_restore). The script runs for real on a database of its own,
migrated and given signed, sealed audit rows by separate processes.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "deploy" / "backup-restore-check.sh"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
)

WRITE_ROWS = """
from smertespor.audit.services import record_event
from datetime import timedelta
from smertespor.audit.sealing import seal_pending
for n in range(5):
    record_event(user=None, action="search", object_type="backup_check", object_id=str(n))
assert seal_pending(grace=timedelta(0))
"""


def _server_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}"


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own scripts and interpreter
        args, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600
    )


@pytest.fixture
def own_database():
    server = _server_url()
    name = f"smertespor_backup_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": f"{server}/{name}", "PYTHON": sys.executable}
    env.pop("AUDIT_ANCHOR_FILE", None)
    try:
        migrated = _run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        assert migrated.returncode == 0, migrated.stderr
        wrote = _run([sys.executable, "manage.py", "shell", "-c", WRITE_ROWS], env)
        assert wrote.returncode == 0, wrote.stderr
        yield server, name, env
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@on_postgresql
def test_a_backup_restores_and_its_audit_log_verifies_and_a_tampered_one_does_not(
    own_database, tmp_path
):
    server, name, env = own_database
    good = _run(["bash", str(SCRIPT), str(tmp_path / "good.dump")], env)
    assert good.returncode == 0, good.stderr
    assert "restores and verifies" in good.stdout
    assert "Audit log intact" in good.stdout
    assert (tmp_path / "good.dump").stat().st_size > 0

    # The database owner rewrites a sealed row behind the triggers' back: the next backup
    # restores, but its audit log no longer verifies, so the check fails.
    with psycopg.connect(f"{server}/{name}", autocommit=True) as owner:
        owner.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        owner.execute(
            "UPDATE audit_auditevent SET object_id = 'rewritten' "
            "WHERE object_type = 'backup_check' AND object_id = '2'"
        )
        owner.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    bad = _run(["bash", str(SCRIPT), str(tmp_path / "bad.dump")], env)
    assert bad.returncode != 0
    assert "problem" in bad.stderr
