"""`make fuzz`: schemathesis against the running API, as a GP and as a pain-clinic doctor.

A fresh SQLite database with the demo region, the development server on a free port, and
``st run`` over every operation of ``/api/openapi.json`` per role with a fixed seed, the
roles side by side (so their writes interleave: the seed fixes each role's cases, not the
order in which the two meet in the database). The run
fails on a server error, a response that does not match its schema, an undocumented status
code or a wrong content type. The server's log is kept in the report directory.

Environment: FUZZ_MAX_EXAMPLES (default 50), FUZZ_SEED (default 12), FUZZ_PHASES (default
"examples,fuzzing"; add "coverage" for schemathesis' boundary cases, about 10 minutes more
per role), FUZZ_ROLES (default "demo-gp,demo-clinic-doctor"), FUZZ_REPORT_DIR (default
fuzz-report). The two roles take about 5 minutes each on an idle 2-core machine, in parallel.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _session_cookie(env: dict[str, str], username: str) -> str:
    """A signed-in session for ``username`` in the fuzz database (as the test client makes)."""
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "from smertespor.accounts.models import User\n"
        "client = Client()\n"
        f"client.force_login(User.objects.get(username={username!r}))\n"
        "print(client.cookies['sessionid'].value)\n"
    )
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout.strip().splitlines()[-1]


def _wait_for(url: str, server: subprocess.Popen[bytes], seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("The server stopped before it answered.")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"No answer from {url} within {seconds} s.")


def main() -> int:
    max_examples = os.environ.get("FUZZ_MAX_EXAMPLES", "50")
    seed = os.environ.get("FUZZ_SEED", "12")
    phases = os.environ.get("FUZZ_PHASES", "examples,fuzzing")
    roles = os.environ.get("FUZZ_ROLES", "demo-gp,demo-clinic-doctor").split(",")
    report_dir = Path(os.environ.get("FUZZ_REPORT_DIR", ROOT / "fuzz-report")).resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="smertespor-fuzz-") as workdir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SMERTESPOR_ENV": "development",
            "DEBUG": "0",
            "DATABASE_URL": f"sqlite:///{workdir}/fuzz.sqlite3",
            "MEDIA_ROOT": f"{workdir}/media",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("SECRET_KEY", None)
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "load_demo_region")
        cookies = {username: _session_cookie(env, username) for username in roles}
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = report_dir / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(  # noqa: S603
                [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                _wait_for(f"{base}/api/openapi.json", server)
                # Both roles at once (the server is threaded): half the wall time on two
                # cores. Each role's output goes to its own log, printed when it ends.
                runs = []
                for username, session in cookies.items():
                    csrf = secrets.token_hex(16)  # 32 characters, as Django's cookie holds
                    command = [
                        str(Path(PYTHON).with_name("st")),
                        "run",
                        f"{base}/api/openapi.json",
                        "--checks",
                        CHECKS,
                        "--phases",
                        phases,
                        "--max-examples",
                        max_examples,
                        "--seed",
                        seed,
                        "--workers",
                        "1",
                        "--header",
                        f"Cookie: sessionid={session}; csrftoken={csrf}",
                        "--header",
                        f"X-CSRFToken: {csrf}",
                        "--header",
                        "Accept-Language: da",
                        "--request-timeout",
                        "30",
                        "--suppress-health-check",
                        "all",
                        "--report",
                        "junit",
                        "--report-junit-path",
                        str(report_dir / f"{username}.xml"),
                    ]
                    output = (report_dir / f"{username}.log").open("wb")
                    process = subprocess.Popen(  # noqa: S603
                        command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
                    )
                    runs.append((username, process, output))
                failed = []
                for username, process, output in runs:
                    returncode = process.wait()
                    output.close()
                    print(f"== schemathesis as {username}", flush=True)  # noqa: T201
                    print(  # noqa: T201
                        (report_dir / f"{username}.log").read_text(errors="replace"), flush=True
                    )
                    if returncode:
                        failed.append(username)
            finally:
                server.terminate()
                server.wait(timeout=30)
    if failed:
        print(f"schemathesis failed as {', '.join(failed)}; server log: {log_path}")  # noqa: T201
        return 1
    print("schemathesis: no failures")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
