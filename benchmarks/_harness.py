"""What every benchmark needs: Django on a throwaway database, and the data to measure.

Imported by the scripts beside it (run as ``.venv/bin/python benchmarks/<name>.py``). The
database is SQLite in a temporary folder, or, when DATABASE_URL points at PostgreSQL, a
database of its own on that server (created here and dropped at exit), so a benchmark never
touches the database it was pointed at.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def _throwaway_postgres(url: str, name: str) -> str:
    """A new database `name` on the server of `url`; dropped when the script exits."""
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return urlunsplit(parts._replace(path=f"/{name}"))


def setup_django(folder: Path, *, load_demo: bool, name: str = "benchmark") -> str:
    """Configure Django on a throwaway database, migrate, and maybe load the demo; returns a
    line saying which database it is."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = _throwaway_postgres(url, f"smertespor_bench_{name}")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'benchmark.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's host "testserver" in
    call_command("migrate", verbosity=0)
    if load_demo:
        from smertespor.demo_region import load_demo_region

        load_demo_region()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    line = f"Database: {version} ({connection.settings_dict['NAME']}, throwaway)"
    print(line)
    return line


def make_region(patients: int, seed: int = 1) -> None:
    """The region generator's data (`manage.py make_region`): 80 patients a practice."""
    from smertespor.web.region_generator import make_region as generate

    start = time.perf_counter()
    practices = max(1, patients // 80)
    report = generate(patients=patients, practices=practices, seed=seed, audit_events=10)
    counts = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in report.counts.items())
    print(f"Region generated in {time.perf_counter() - start:.0f} s: {counts}.")


def arguments(description: str, patients: int | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    if patients is not None:
        parser.add_argument(
            "--patients",
            type=int,
            default=patients,
            help=f"patients in the generated region (default {patients:,})",
        )
    return parser.parse_args()


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start
