"""What every benchmark needs: Django on a throwaway SQLite database, and a stopwatch.

Imported by the scripts beside it (run as ``.venv/bin/python benchmarks/<name>.py``).
"""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(folder: Path, *, load_demo: bool) -> None:
    """Configure Django on ``folder``/benchmark.sqlite3, migrate, and maybe load the demo."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'benchmark.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's host "testserver" in
    call_command("migrate", verbosity=0)
    if load_demo:
        from smertespor.demo_region import load_demo_region

        load_demo_region()


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start
