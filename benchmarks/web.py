"""Web benchmark: the production server under load at two region sizes, on PostgreSQL.

    .venv/bin/python benchmarks/web.py [--patients 32000] [--small 8000] [--duration 120]
                                       [--rounds 3] [--users 10 30] [--warmup 30]

For each size it makes its own database (`smertespor_bench_web_<patients>` on the server in
BENCH_DATABASE_URL, default the local PostgreSQL), fills it with `manage.py make_region` (80
patients a practice at both sizes, so a GP's scope is the same and only the region grows),
then VACUUM ANALYZE and CHECKPOINT so the bulk load's aftermath does not land in the timings.
It starts one gunicorn per size with the production settings and `config/gunicorn.conf.py`'s
defaults (the environment may override them: WEB_CONCURRENCY, GUNICORN_THREADS, …) and
runs locust headless (`benchmarks/_web_locustfile.py`: GPs and clinic nurses) at 10 and then
30 users: `--duration` seconds per size and load, split into `--rounds` rounds in which the
sizes alternate (A B, B A, …), so a busy moment on the machine hits both sizes alike. A p95
needs a few hundred requests a page to settle: at 30 s a size and load the trivial page had ~30
and its p95 swung 52–102 ms between sizes, so the default is 120 s (~12 minutes in all). While
locust runs, it samples pg_stat_activity for connections waiting on a lock. Before the
rounds each server gets `--warmup` seconds of untimed load (a fresh worker's first requests
compile templates and load translations; in one run without it the first round was the slowest
at both sizes). Each server's log (warnings and errors, JSON) is kept in
var/bench-web-<patients>.log.

It prints, per page, size and load: p50/p95/p99 (ms) over every round's steady requests (once
every user has signed in: _web_locustfile.py), the error count over whole rounds, the p95 as a
ratio to the trivial page (`/healthz`) and to a signed-in page with little
data (`/notifications/`: the session, navigation and audit row every page pays) in the same
rounds, and each round's p50 (the spread); then each page's p50 at the large size as a ratio
to the small size, pooled and per round (lowest–highest). Goals (issue 13): p95 ≤ 3× trivial
at 10 users, no errors at 30 users, large/small ≤ 1.3, lock waits ≈ 0.
"""

from __future__ import annotations

import argparse
import base64
import os
import runpy
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
from collections import Counter, defaultdict
from dataclasses import dataclass, field
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
SIGNED_IN = "signed-in page (/notifications/)"
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


def _start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(exist_ok=True)
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our own venv
        [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
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


def _locust(port: int, users: int, seconds: int, env: dict[str, str], samples: Path) -> None:
    samples.unlink(missing_ok=True)
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
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        cwd=ROOT,
        env={**env, "BENCH_SAMPLES_FILE": str(samples), "BENCH_USERS": str(users)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


@dataclass
class _Page:
    """One page's requests at one size and load, pooled over the rounds."""

    times: list[float] = field(default_factory=list)
    errors: int = 0
    round_p50s: list[float] = field(default_factory=list)

    def add_round(self, times: list[float], errors: int) -> None:
        self.times += times
        self.errors += errors
        if times:
            self.round_p50s.append(statistics.median(times))

    def percentile(self, q: int) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


@dataclass
class _Run:
    pages: dict[str, _Page] = field(default_factory=lambda: defaultdict(_Page))
    lock_samples: list[int] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def _read_samples(samples: Path, why: Counter[str]) -> dict[str, tuple[list[float], int]]:
    """Each page's times of its answered requests once every user had signed in (the steady
    part of the round, _web_locustfile.py) and its error count over the whole round; the
    errors' reasons are counted in ``why``."""
    by_name: dict[str, tuple[list[float], int]] = defaultdict(lambda: ([], 0))
    for line in samples.read_text().splitlines():
        name, ms, ok, steady, reason = line.split("\t", 4)
        times, errors = by_name[name]
        if ok != "1":
            why[f"{name}: {reason}"] += 1
        elif steady == "1":
            times.append(float(ms))
        by_name[name] = (times, errors + (ok != "1"))
    return by_name


def _prepare(server: str, patients: int) -> tuple[str, dict[str, str]]:
    """A database of its own filled by make_region, then vacuumed, analysed and checkpointed,
    so no autovacuum or checkpoint left over from the bulk load runs during the timings."""
    practices = max(1, patients // PATIENTS_PER_PRACTICE)
    url = _fresh_database(server, f"smertespor_bench_web_{patients}")
    env = _server_env(url)
    print(
        f"-- {patients:,} patients in {practices} practices: migrate and make_region …", flush=True
    )
    started = time.perf_counter()
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "make_region", "--patients", str(patients), "--practices", str(practices))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
        connection.execute("CHECKPOINT")
    print(f"   ready in {time.perf_counter() - started:.0f} s", flush=True)
    gps, nurses = _usernames(env)
    return url, {
        **env,
        "BENCH_GP_USERS": ",".join(gps),
        "BENCH_CLINIC_USERS": ",".join(nurses),
        "BENCH_PASSWORD": PASSWORD,
    }


def _measure(
    prepared: dict[int, tuple[str, dict[str, str]]],
    loads: list[int],
    duration: int,
    rounds: int,
    warmup: int,
) -> dict[tuple[int, int], _Run]:
    """Both sizes' servers run side by side; each load level is measured in `rounds` rounds
    per size, the sizes alternating (A B, B A, …) so a slow moment hits both alike. First each
    server is warmed up for `warmup` seconds, untimed: every worker process compiles its
    templates, loads its translations and opens its database connections on its first
    requests, which otherwise land in the first round's times."""
    ports = {size: _free_port() for size in prepared}
    servers = {
        size: _start_server(env, ports[size], ROOT / "var" / f"bench-web-{size}.log")
        for size, (_url, env) in prepared.items()
    }
    runs: dict[tuple[int, int], _Run] = defaultdict(_Run)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            samples = Path(tmp) / "samples.tsv"
            if warmup:
                for size, (_url, env) in prepared.items():
                    _locust(ports[size], loads[0], warmup, env, samples)
            for users in loads:
                for turn in range(rounds):
                    order = list(prepared) if turn % 2 == 0 else list(reversed(prepared))
                    for size in order:
                        url, env = prepared[size]
                        run = runs[(size, users)]
                        sampler = _LockSampler(url)
                        sampler.start()
                        _locust(ports[size], users, max(5, duration // rounds), env, samples)
                        sampler.stop.set()
                        sampler.join()
                        run.lock_samples += sampler.samples
                        for name, (times, errors) in _read_samples(samples, run.errors).items():
                            run.pages[name].add_round(times, errors)
    finally:
        for server in servers.values():
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    return runs


def _report(patients: int, users: int, run: _Run) -> None:
    trivial_page = run.pages.get(TRIVIAL)
    trivial = trivial_page.percentile(95) if trivial_page and trivial_page.times else 1.0
    signed_in_page = run.pages.get(SIGNED_IN)
    signed_in = signed_in_page.percentile(95) if signed_in_page and signed_in_page.times else 1.0
    locks = run.lock_samples
    print(
        f"\n{patients:,} patients, {users} users (connections waiting on a lock: mean "
        f"{statistics.fmean(locks) if locks else 0:.2f}, max {max(locks, default=0)})"
    )
    print(
        f"{'page':33} {'n':>6} {'err':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'p95/trivial':>12}"
        f" {'p95/signed-in':>14}  p50 per round (ms)"
    )
    for name in [TRIVIAL, SIGNED_IN, *PAGES]:
        page = run.pages.get(name)
        if page is None or not page.times:
            print(f"{name:33} (no requests)")
            continue
        rounds = ", ".join(f"{p:.0f}" for p in page.round_p50s)
        print(
            f"{name:33} {len(page.times):>6} {page.errors:>4} {page.percentile(50):>7.0f} "
            f"{page.percentile(95):>7.0f} {page.percentile(99):>7.0f} "
            f"{page.percentile(95) / trivial:>11.1f}× {page.percentile(95) / signed_in:>13.1f}×"
            f"  {rounds}"
        )
    for reason, count in run.errors.most_common(5):
        print(f"  error ×{count}: {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=32_000)
    parser.add_argument("--small", type=int, default=8_000)
    parser.add_argument("--duration", type=int, default=120, help="seconds per size and load")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per load")
    parser.add_argument("--users", type=int, nargs="+", default=[10, 30])
    parser.add_argument(
        "--warmup", type=int, default=30, help="untimed seconds per server before the rounds"
    )
    args = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    gunicorn = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    print(
        f"Web benchmark on PostgreSQL ({server}), gunicorn per size as configured: "
        f"{gunicorn['workers']} workers × {gunicorn['threads']} threads, keep-alive "
        f"{gunicorn['keepalive']} s (WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_KEEPALIVE), "
        f"locust {args.users} users × {args.duration} s per size in {args.rounds} "
        f"interleaved rounds after a {args.warmup} s untimed warm-up of each server"
    )
    sizes = (args.small, args.patients)
    prepared = {patients: _prepare(server, patients) for patients in sizes}
    runs = _measure(prepared, args.users, args.duration, args.rounds, args.warmup)
    for users in args.users:
        for patients in sizes:
            _report(patients, users, runs[(patients, users)])
    first = args.users[0]
    print(
        f"\np50 at {args.patients:,} / p50 at {args.small:,} patients ({first} users; "
        "pooled, and the lowest and highest of the rounds' ratios):"
    )
    small, large = runs[(args.small, first)].pages, runs[(args.patients, first)].pages
    for name in PAGES:
        if small.get(name) and large.get(name) and small[name].times and large[name].times:
            pairs = zip(small[name].round_p50s, large[name].round_p50s, strict=False)
            per_round = [b / a for a, b in pairs]  # a round with no request has no p50
            print(
                f"  {name:28} {large[name].percentile(50) / small[name].percentile(50):.2f}"
                f"  ({min(per_round):.2f}–{max(per_round):.2f})"
            )


if __name__ == "__main__":
    main()
