"""Suite-wide test settings. Kept free of Django so domain tests run without it."""

import os
import tempfile

import pytest
from hypothesis import settings

from tests.browser.demo_database import RUN_DIRECTORY_VARIABLE, remove, run_directory

# No per-example deadline: wall-clock limits make tests flaky on a busy 2-core CI machine;
# performance is measured in benchmarks/.
settings.register_profile("smertespor", deadline=None, print_blob=True)
settings.load_profile("smertespor")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On PostgreSQL, the test databases commit without waiting for the disk: a test run
    needs no durability, and each xdist worker's migrations commit thousands of times.
    (pytest-django's own fixture, plus this; the worker suffix is kept.)"""
    from django.conf import settings as django_settings

    database = django_settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


def pytest_configure(config: pytest.Config) -> None:
    """A directory for this run's browser-test demo region (tests/browser/demo_database.py),
    made before xdist starts its workers, which inherit the variable."""
    if not hasattr(config, "workerinput"):
        os.environ[RUN_DIRECTORY_VARIABLE] = tempfile.mkdtemp(prefix="smertespor-browser-")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """After every worker has stopped its servers: the demo region's template goes too."""
    if not hasattr(session.config, "workerinput"):
        remove(run_directory())
