"""Audit writes from several threads: the old recipe (one global lock) against the new insert.

The baseline is the recipe the audit log used before issue 13, rebuilt here: in one
transaction take a global advisory lock (PostgreSQL), read the last row, hash the new row
over the last row's hash, insert. The new path is ``record_event``: a number from the
database sequence, an HMAC, one INSERT, no lock. Both write the same rows into the same
table. Rounds alternate (baseline, new, baseline, new, ...) so drift on a shared machine hits
both alike; the median and spread of each and of their ratio are printed.

PostgreSQL when DATABASE_URL points at it (a scratch database is created beside it and
dropped afterwards), otherwise SQLite in a temporary folder. On SQLite every write takes the
database's one write lock anyway, so expect a ratio near 1 there; the lock matters on
PostgreSQL, where writers no longer queue.

Then one list's rows, one thread: a page that shows 25 patients writes 25 ``listed`` rows.
The baseline stores them with the ORM's ``bulk_create`` (as ``record_listed`` did until
session 28), the new path is ``record_listed`` (PostgreSQL: one ``INSERT … unnest``, no
transaction around it). Both take numbers, sign and store the same 25 rows (checked: the
stored rows agree column by column but for their numbers and MACs), interleaved.

    .venv/bin/python benchmarks/audit_writes.py [--threads 8] [--writes 200] [--repeats 5]
                                                [--lists 300]
"""

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
LOCK_KEY = 7_405_113_271  # the old constant


def _setup(folder: Path) -> tuple[str, str | None]:
    """Point Django at a scratch database; (vendor, scratch PostgreSQL URL or None)."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL", "")
    scratch = None
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _, _name = url.rpartition("/")
        database = f"smertespor_audit_bench_{os.getpid()}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {database}")
        scratch = f"{base}/{database}"
        os.environ["DATABASE_URL"] = scratch
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'audit-bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor, scratch


def _old_write() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from smertespor.audit.models import AuditEvent

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        last = AuditEvent.objects.order_by("-sequence").only("sequence", "row_mac").first()
        event = AuditEvent(
            sequence=(last.sequence + 1) if last else 1,
            occurred_at=timezone.now(),
            action="view",
            object_type="patient",
            detail={},
            key_id="old-recipe",
        )
        payload = {
            "sequence": event.sequence,
            "occurred_at": event.occurred_at.isoformat(),
            "action": event.action,
            "previous_hash": last.row_mac if last else "0" * 64,
        }
        event.row_mac = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        event.save(force_insert=True)


def _new_write() -> None:
    from smertespor.audit.services import record_event

    record_event(user=None, action="view", object_type="patient")


def _round(write: Callable[[], None], threads: int, writes: int) -> float:
    from django.db import connections

    start = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            for _ in range(writes // threads):
                write()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return elapsed


def _resync_sequence() -> None:
    """The old recipe numbers rows itself; move the sequence past them."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval('audit_auditevent_sequence_seq', "
                "(SELECT MAX(sequence) FROM audit_auditevent))"
            )


def _list_writers(patients: int) -> tuple[Callable[[], list[int]], Callable[[], list[int]]]:
    """The old and the new way to store one list's ``listed`` rows; each returns their ids."""
    from smertespor.accounts.models import User
    from smertespor.audit import services
    from smertespor.audit.models import AuditEvent
    from tests.factories import PatientFactory, UserFactory

    user = cast(User, UserFactory(role="gp"))
    ids = [patient.pk for patient in PatientFactory.create_batch(patients)]
    detail = {"query": "", "sort": "name", "page": 1}

    def old() -> list[int]:
        events = [
            services._unsigned(
                user,
                action="listed",
                object_type="patient_list",
                object_id="",
                patient_id=patient_id,
                detail=detail,
            )
            for patient_id in ids
        ]
        with services._numbering():
            services._sign(events)
            AuditEvent.objects.bulk_create(events)
        return [event.pk for event in events]

    def new() -> list[int]:
        events = services.record_listed(
            user=user, patients=ids, object_type="patient_list", detail=detail
        )
        return [event.pk for event in events]

    return old, new


def _same_rows(old_ids: list[int], new_ids: list[int]) -> None:
    from smertespor.audit.models import AuditEvent

    ignored = {"id", "sequence", "occurred_at", "row_mac"}
    fields = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname not in ignored]
    old = list(AuditEvent.objects.filter(pk__in=old_ids).order_by("sequence").values(*fields))
    new = list(AuditEvent.objects.filter(pk__in=new_ids).order_by("sequence").values(*fields))
    if old != new or len(new) != len(new_ids):
        raise SystemExit("the two ways stored different rows")


def _lists(repeats: int) -> None:
    old, new = _list_writers(25)
    _same_rows(old(), new())
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(repeats):
        for name, write in (("old", old), ("new", new)):
            began = time.perf_counter()
            write()
            times[name].append((time.perf_counter() - began) * 1000)
    print(f"\nOne list's 25 listed rows, {repeats} times each, interleaved (ms):")
    for name, label in (("old", "bulk_create"), ("new", "record_listed")):
        print(
            f"{label:18} median {statistics.median(times[name]):.2f} "
            f"(p10 {statistics.quantiles(times[name], n=10)[0]:.2f}, "
            f"p90 {statistics.quantiles(times[name], n=10)[-1]:.2f})"
        )
    ratio = statistics.median(times["old"]) / statistics.median(times["new"])
    print(f"bulk_create / new  {ratio:.2f}x (medians)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--writes", type=int, default=200, help="per round, all threads")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lists", type=int, default=300, help="timed lists of each kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        vendor, scratch = _setup(Path(folder))
        try:
            print(
                f"Database: {vendor}"
                + (" (scratch database beside DATABASE_URL)" if scratch else " (temporary file)")
            )
            print(f"{args.threads} threads, {args.writes} writes a round, {args.repeats} rounds")
            old: list[float] = []
            new: list[float] = []
            for _ in range(args.repeats):
                old.append(_round(_old_write, args.threads, args.writes))
                _resync_sequence()
                new.append(_round(_new_write, args.threads, args.writes))
            ratios = [o / n for o, n in zip(old, new, strict=True)]
            for name, times in (("old (global lock)", old), ("new (no lock)", new)):
                print(
                    f"{name:18} median {statistics.median(times):.3f} s "
                    f"(min {min(times):.3f}, max {max(times):.3f})"
                )
            print(
                f"old / new          median {statistics.median(ratios):.2f}x "
                f"(min {min(ratios):.2f}, max {max(ratios):.2f})"
            )
            _lists(args.lists)
        finally:
            from django.db import connections

            connections.close_all()
            if scratch:
                import psycopg

                base, _, database = scratch.rpartition("/")
                with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {database}")


if __name__ == "__main__":
    main()
