"""Web benchmark: the production server under load at two region sizes, on PostgreSQL.

    .venv/bin/python benchmarks/web.py [--patients 32000] [--small 8000] [--duration 30]

For each size it makes its own database (`smertespor_bench_web_<patients>` on the server in
BENCH_DATABASE_URL, default the local PostgreSQL), fills it with `manage.py make_region` (80
patients a practice at both sizes, so a GP's scope is the same and only the region grows),
starts gunicorn with the production settings (`config/gunicorn.conf.py`), and runs locust
headless (`benchmarks/_web_locustfile.py`: GPs and clinic nurses) at 10 and then 30 users for
`--duration` seconds each. While locust runs, it samples pg_stat_activity for connections
waiting on a lock.

It prints, per page and load: p50/p95/p99 (ms), the error count, and the p95 as a ratio to the
trivial page (`/healthz`) in the same run; then each page's p50 at the large size as a ratio to
the small size. Goals (issue 13): p95 ≤ 3× trivial at 10 users, no errors at 30 users,
large/small ≤ 1.3, lock waits ≈ 0.
"""

from __future__ import annotations

import argparse
import base64
import csv
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = [
    "GP patient list",
    "GP worklist",
    "clinic worklist",
    "patient page",
    "taper preview",
    "POST /api/omeq",
]
TRIVIAL = "trivial page (/healthz)"
PATIENTS_PER_PRACTICE = 80
PASSWORD = "smertespor-demo"  # noqa: S105 - the generated region's printed password


def _server_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMERTESPOR_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "MFA_REQUIRED": "0",
        "LOG_LEVEL": "WARNING",
        "AUDIT_HMAC_KEYS": os.environ.get(
            "AUDIT_HMAC_KEYS",
            "bench:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        ),
    }


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def _fresh_database(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def _usernames(env: dict[str, str]) -> tuple[list[str], list[str]]:
    script = (
        "from smertespor.accounts.models import Role, User\n"
        "gps = User.objects.filter(role=Role.GP, is_active=True).order_by('pk')\n"
        "nurses = User.objects.filter(role=Role.CLINIC_NURSE, is_active=True).order_by('pk')\n"
        "print(','.join(gps.values_list('username', flat=True)[:60]))\n"
        "print(','.join(nurses.values_list('username', flat=True)[:20]))\n"
    )
    gps, nurses = _manage(env, "shell", "-c", script).strip().splitlines()[-2:]
    return gps.split(","), nurses.split(",")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our own venv
        [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "8",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within a minute")


class _LockSampler(threading.Thread):
    """Counts connections waiting on a lock (pg_stat_activity) every 0.2 s."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop = database_url, threading.Event()
        self.samples: list[int] = []

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stop.is_set():
                row = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ).fetchone()
                self.samples.append(int(row[0]) if row else 0)
                time.sleep(0.2)


def _locust(port: int, users: int, seconds: int, env: dict[str, str], folder: Path) -> dict:
    prefix = folder / f"u{users}"
    subprocess.run(  # noqa: S603 - locust from our own venv
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "_web_locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{port}",
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "count": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    return rows


def _run_size(server: str, patients: int, duration: int, loads: list[int]) -> dict:
    practices = max(1, patients // PATIENTS_PER_PRACTICE)
    url = _fresh_database(server, f"smertespor_bench_web_{patients}")
    env = _server_env(url)
    print(
        f"-- {patients:,} patients in {practices} practices: migrate and make_region …", flush=True
    )
    started = time.perf_counter()
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(
        env,
        "make_region",
        "--patients",
        str(patients),
        "--practices",
        str(practices),
        "--seed",
        "1",
    )
    print(f"   ready in {time.perf_counter() - started:.0f} s", flush=True)
    gps, nurses = _usernames(env)
    load_env = {
        **env,
        "BENCH_GP_USERS": ",".join(gps),
        "BENCH_CLINIC_USERS": ",".join(nurses),
        "BENCH_PASSWORD": PASSWORD,
    }
    port = _free_port()
    gunicorn = _start_server(env, port)
    results: dict[int, dict] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for users in loads:
                sampler = _LockSampler(url)
                sampler.start()
                stats = _locust(port, users, duration, load_env, Path(tmp))
                sampler.stop.set()
                sampler.join()
                stats["_locks"] = {
                    "mean": statistics.fmean(sampler.samples) if sampler.samples else 0.0,
                    "max": max(sampler.samples, default=0),
                }
                results[users] = stats
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    return results


def _report(patients: int, results: dict) -> None:
    for users, stats in results.items():
        trivial = stats.get(TRIVIAL, {}).get("p95") or 1.0
        locks = stats["_locks"]
        print(
            f"\n{patients:,} patients, {users} users (lock waits: mean {locks['mean']:.2f}, "
            f"max {locks['max']})"
        )
        print(
            f"{'page':28} {'n':>6} {'err':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'p95/trivial':>12}"
        )
        for name in [TRIVIAL, *PAGES]:
            row = stats.get(name)
            if row is None:
                print(f"{name:28} (no requests)")
                continue
            print(
                f"{name:28} {row['count']:>6} {row['errors']:>4} {row['p50']:>7.0f} "
                f"{row['p95']:>7.0f} {row['p99']:>7.0f} {row['p95'] / trivial:>11.1f}×"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=32_000)
    parser.add_argument("--small", type=int, default=8_000)
    parser.add_argument("--duration", type=int, default=30, help="seconds per load level")
    parser.add_argument("--users", type=int, nargs="+", default=[10, 30])
    args = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    print(
        f"Web benchmark on PostgreSQL ({server}), gunicorn 2 workers × 8 threads, "
        f"locust {args.users} users × {args.duration} s"
    )
    by_size = {}
    for patients in (args.small, args.patients):
        by_size[patients] = _run_size(server, patients, args.duration, args.users)
        _report(patients, by_size[patients])
    first = args.users[0]
    small, large = by_size[args.small][first], by_size[args.patients][first]
    print(f"\np50 at {args.patients:,} / p50 at {args.small:,} patients ({first} users):")
    for name in PAGES:
        if name in small and name in large and small[name]["p50"]:
            print(f"  {name:28} {large[name]['p50'] / small[name]['p50']:.2f}")


if __name__ == "__main__":
    main()
