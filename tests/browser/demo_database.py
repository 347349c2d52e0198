"""The browser tests' demo region: built once a test run, copied for every server that needs it.

Migrating and loading the demo region costs 25-55 s of CPU; the suite starts up to three
servers (one per xdist worker, and the tracks module's own). So the first worker that collects
browser tests starts one build in the background, while the other tests run, and each server
gets a copy of the result: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL. The run's directory (`run_directory`) holds the built database or its name, the
build's log and a lock; the root conftest creates it and removes it, with the template, when
the run ends (`remove`).

No Django here: the root conftest imports this module, and the build runs `manage.py` in
subprocesses as a deployment would.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[2]
RUN_DIRECTORY_VARIABLE = "SMERTESPOR_BROWSER_RUN_DIR"
BUILD_TIMEOUT_SECONDS = 900  # both steps on a busy 2-core machine take well under half of it
POLL_SECONDS = 0.25
BUILD_WAIT_ATTEMPTS = int(BUILD_TIMEOUT_SECONDS / POLL_SECONDS)  # counted, as the server's start

STATE = "demo-region.json"  # {"database_url": …, "pid": …} once a build has started
READY = "demo-region.ready"
FAILED = "demo-region.failed"
LOG = "demo-region.log"
LOCK = "demo-region.lock"


class DemoRegionUnavailable(RuntimeError):
    """The build failed, stopped or took too long; the message holds its log."""


def run_directory() -> Path:
    """This test run's shared directory (set by the root conftest before workers start)."""
    return Path(os.environ[RUN_DIRECTORY_VARIABLE])


def start_building(run_dir: Path, suite_database_url: str) -> None:
    """Start the build in the background unless this run has already started it."""
    with _locked(run_dir):
        if (run_dir / STATE).exists():
            return
        database_url = _new_database(run_dir, suite_database_url, "template")
        log = (run_dir / LOG).open("w")
        builder = subprocess.Popen(  # noqa: S603  (this module, fixed arguments)
            [sys.executable, "-m", "tests.browser.demo_database", str(run_dir), database_url],
            cwd=REPO,
            env={**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not stopped with the worker that happened to start it
        )
        log.close()
        (run_dir / STATE).write_text(json.dumps({"database_url": database_url, "pid": builder.pid}))


@contextmanager
def copy_of_demo_region(run_dir: Path, suite_database_url: str) -> Iterator[str]:
    """A database of its own holding the built demo region (waits for the build), dropped after
    use. Starts the build if nobody has (a module run on its own)."""
    start_building(run_dir, suite_database_url)
    template_url = _wait_until_built(run_dir)
    with _locked(run_dir):  # one copy at a time: PostgreSQL copies a template nobody else uses
        copy_url = _new_database(run_dir, suite_database_url, "server", template_url)
    try:
        yield copy_url
    finally:
        _drop(copy_url)


def remove(run_dir: Path) -> None:
    """Stop a build still running, drop the PostgreSQL template and delete the directory."""
    state_file = run_dir / STATE
    if state_file.exists():
        state = json.loads(state_file.read_text())
        if not (run_dir / READY).exists() and not (run_dir / FAILED).exists():
            with suppress(ProcessLookupError):
                os.killpg(state["pid"], signal.SIGTERM)
        _drop(state["database_url"])
    shutil.rmtree(run_dir, ignore_errors=True)


def _wait_until_built(run_dir: Path) -> str:
    state = json.loads((run_dir / STATE).read_text())
    for _ in range(BUILD_WAIT_ATTEMPTS):
        if (run_dir / READY).exists():
            return str(state["database_url"])
        if (run_dir / FAILED).exists():
            raise DemoRegionUnavailable(f"Building the demo region failed:\n{_log(run_dir)}")
        if not _alive(state["pid"]) and not (run_dir / READY).exists():
            raise DemoRegionUnavailable(f"The demo region's build stopped:\n{_log(run_dir)}")
        time.sleep(POLL_SECONDS)
    raise DemoRegionUnavailable(
        f"The demo region was not built in {BUILD_TIMEOUT_SECONDS} s:\n{_log(run_dir)}"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _log(run_dir: Path) -> str:
    path = run_dir / LOG
    return path.read_text() if path.exists() else "(no log)"


@contextmanager
def _locked(run_dir: Path) -> Iterator[None]:
    with (run_dir / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _new_database(
    run_dir: Path, suite_database_url: str, kind: str, template_url: str | None = None
) -> str:
    """An SQLite file in the run's directory, or a new database on the suite's PostgreSQL
    server (the suite's own database need not exist: pytest-django uses test_<name>)."""
    if not suite_database_url.startswith("postgres"):
        path = run_dir / f"{kind}-{uuid.uuid4().hex[:8]}.sqlite3"
        if template_url is not None:
            shutil.copyfile(urlsplit(template_url).path, path)
        return f"sqlite:///{path}"
    parts = urlsplit(suite_database_url)
    name = f"smertespor_browser_{kind}_{uuid.uuid4().hex[:12]}"
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template_url is not None:
        template = urlsplit(template_url).path.lstrip("/")
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(_maintenance_url(suite_database_url), autocommit=True) as connection:
        connection.execute(statement)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop(database_url: str) -> None:
    if not database_url.startswith("postgres"):
        Path(urlsplit(database_url).path).unlink(missing_ok=True)
        return
    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(_maintenance_url(database_url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _maintenance_url(database_url: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/postgres"))


def _build(run_dir: Path, database_url: str) -> int:
    """The background build: migrate, load the demo region, then say how it went with a
    marker file (also when a step fails or times out)."""
    env = {**os.environ, "DATABASE_URL": database_url}
    built = False
    try:
        for command in (["migrate", "--noinput"], ["load_demo_region"]):
            sys.stdout.write(f"$ manage.py {' '.join(command)}\n")
            sys.stdout.flush()
            result = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
                [sys.executable, "manage.py", *command],
                cwd=REPO,
                env=env,
                timeout=BUILD_TIMEOUT_SECONDS,
                check=False,
            )
            if result.returncode != 0:
                return result.returncode
        built = True
        return 0
    finally:
        (run_dir / (READY if built else FAILED)).touch()


if __name__ == "__main__":
    sys.exit(_build(Path(sys.argv[1]), sys.argv[2]))
