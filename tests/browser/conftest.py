"""Browser tests: Debian's chromium, driven by Playwright, against a real server.

pytest-django's ``live_server`` cannot be used: it flushes every table after a test, and the
audit log's triggers refuse the DELETE. So the server runs in a subprocess on a database of
its own (a temp SQLite file, or a throwaway PostgreSQL database on the server named by
DATABASE_URL), a copy of the demo region built once a run (`demo_database.py`); the tests only
talk to it over HTTP.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from smertespor.demo_region import DEMO_PASSWORD
from tests.browser.demo_database import (
    DemoRegionUnavailable,
    copy_of_demo_region,
    run_directory,
    start_building,
)

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_ATTEMPTS = 240  # x 0.25 s: a minute for a cold start on a busy CI machine
SERVER_STOP_SECONDS = 10
COMMAND_TIMEOUT_SECONDS = 600
PHONE: ViewportSize = {"width": 390, "height": 844}


def switch_user(page: Page, username: str) -> None:
    """Sign in as a demo user (with the demo password) in a fresh session."""
    page.context.clear_cookies()
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    # Attached, not visible: on a phone the user's name is inside the folded header menu.
    expect(page.locator("header.site-header .user-badge")).to_be_attached()


def fits_phone(page: Page) -> None:
    """The page is no wider than the 390 px phone it is shown on."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def pytest_collection_finish(session: pytest.Session) -> None:
    """A worker that will run browser tests starts the run's demo region building (once a run,
    in the background) while it runs its other tests first."""
    here = Path(__file__).parent
    if any(item.path.is_relative_to(here) for item in session.items):
        start_building(run_directory(), os.environ.get("DATABASE_URL", ""))


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running Smertespor with the demo region loaded (a copy of its own)."""
    workdir = tmp_path_factory.mktemp("browser")
    with ExitStack() as stack:
        database_url = stack.enter_context(demo_region_database())
        env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
        # The task worker beside the server, as `make run` starts it (background jobs).
        stack.enter_context(_running_worker(env, workdir / "worker.log"))
        yield stack.enter_context(_running_server(env, workdir / "server.log"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module's tests.

    Module scope, not session: Playwright's sync API keeps an asyncio loop running on this
    thread while it is started, and Django refuses database calls from a thread with a running
    loop. Under pytest-xdist a worker runs other modules' database tests between browser
    modules, so the loop must stop when the module's tests are done.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM}: run `make chromium`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A fresh page (own cookies) whose browser asks for Danish, as a Danish clinician's does."""
    context = browser.new_context(base_url=server_url, locale="da-DK")
    try:
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def demo_region_database() -> Iterator[str]:
    """A database of the caller's own with the demo region loaded, dropped afterwards."""
    try:
        with copy_of_demo_region(run_directory(), os.environ.get("DATABASE_URL", "")) as url:
            yield url
    except DemoRegionUnavailable as error:
        pytest.fail(str(error))


@contextmanager
def _running_server(env: dict[str, str], log_path: Path) -> Iterator[str]:
    port = _free_port()
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603  (our own manage.py, fixed arguments)
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_answering(server, port, log_path)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(timeout=SERVER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextmanager
def _running_worker(env: dict[str, str], log_path: Path) -> Iterator[None]:
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.5", "--no-reload"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=SERVER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_answering(server: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    for _ in range(SERVER_START_ATTEMPTS):
        if server.poll() is not None:
            pytest.fail(f"The server exited ({server.returncode}):\n{log_path.read_text()}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.25)
    pytest.fail(f"The server did not answer on port {port}:\n{log_path.read_text()}")
