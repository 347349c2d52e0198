"""`/healthz` answers the load balancer: the database's state, nothing else, no writes."""

import json
import logging
import multiprocessing
import os
import runpy
import subprocess
import sys
from pathlib import Path

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from config.logformat import JsonFormatter
from smertespor.audit.models import AuditEvent

ROOT = Path(__file__).resolve().parents[3]


def test_healthz_says_ok_when_the_database_answers(db):
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_writes_neither_an_audit_row_nor_a_session(db):
    audit_rows, sessions = AuditEvent.objects.count(), Session.objects.count()
    Client().get(reverse("healthz"))
    assert (AuditEvent.objects.count(), Session.objects.count()) == (audit_rows, sessions)


def test_healthz_refuses_writes(db):
    assert Client().post(reverse("healthz")).status_code == 405


def test_healthz_answers_503_when_the_database_is_unreachable():
    # A real process with a database address nothing listens on: no stand-in for the failure.
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code, r.content.decode())\n"
    )
    environment = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "ALLOWED_HOSTS": "testserver",
    }
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(  # noqa: S603 - our own interpreter and gunicorn
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "unavailable", "database": "unavailable"}


def test_the_gunicorn_configuration_loads_with_production_settings():
    environment = {
        **os.environ,
        "SMERTESPOR_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": "k" * 64,
        "ALLOWED_HOSTS": "127.0.0.1",
        "AUDIT_HMAC_KEYS": "check:" + "QUJD" * 11,
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and gunicorn
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--check-config",
            "-c",
            "config/gunicorn.conf.py",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_workers_are_not_recycled_unless_asked(monkeypatch):
    """A gthread worker restarting after max_requests resets the connections waiting in it
    (gunicorn #3038): off by default, on when GUNICORN_MAX_REQUESTS says so."""
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    assert runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))["max_requests"] == 0
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "2000")
    settings = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (2000, 200)


def test_workers_are_processes_and_connections_are_not_kept_alive_unless_asked(monkeypatch):
    """Two single-GIL processes a core with two threads each, and no keep-alive (a kept-alive
    client stays with one busy worker): the web benchmark's measured choice, each overridable."""
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_KEEPALIVE"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert (settings["worker_class"], settings["threads"], settings["keepalive"]) == (
        "gthread",
        2,
        0,
    )
    assert settings["workers"] == 2 * multiprocessing.cpu_count()
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    monkeypatch.setenv("GUNICORN_KEEPALIVE", "5")
    settings = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert (settings["workers"], settings["threads"], settings["keepalive"]) == (3, 8, 5)


def test_json_log_lines_are_one_object_with_the_message_and_request_fields():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/x",), None
    )
    record.status_code = 404
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "Not Found: /x"
    assert entry["level"] == "WARNING"
    assert entry["status_code"] == 404
    assert "\n" not in line
