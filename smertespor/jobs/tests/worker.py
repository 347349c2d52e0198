"""Run the real django-tasks worker (`manage.py db_worker`) inside a test.

The test's transaction holds the one connection (pytest-django rolls it back; a flush is
refused by the audit log's triggers on PostgreSQL), so the worker claims its task with a
savepoint instead of SQLite's BEGIN EXCLUSIVE, and stops after each task (``--max-tasks 1``)
before it would recycle the connection. Everything else is the command `make run` starts.
"""

from unittest import mock

from django.core.management import call_command

MANUAL_LOCK = (
    "django_tasks.backends.database.utils.connection_requires_manual_exclusive_transaction"
)


def run_worker(tasks: int = 1) -> None:
    with mock.patch(MANUAL_LOCK, return_value=False):
        for _ in range(tasks):
            call_command(
                "db_worker",
                "--batch",
                "--max-tasks",
                "1",
                "--no-startup-delay",
                "--no-reload",
                verbosity=0,
            )
