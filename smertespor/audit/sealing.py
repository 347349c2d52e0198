"""Extending the hash chain over the audit rows, in sequence order, away from requests.

Writers insert without a lock, so rows become visible slightly out of order and a rolled-back
transaction leaves a number no row will ever take. The sealer (``manage.py seal_audit_log``,
one process; on PostgreSQL an advisory lock keeps a second one out) takes the rows after the
last seal in order and writes an ``AuditSeal`` over them. A gap is sealed over (listed in
``skipped``) only once the row after it is older than ``AUDIT_SEAL_GRACE_SECONDS``; a younger
gap may be a transaction that has not committed yet, so the sealer stops before it and waits.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from smertespor.audit.keys import mac, signing_key_id
from smertespor.audit.models import AuditEvent, AuditSeal

GENESIS_MAC = "0" * 64
# Any constant key: only sealers take it, never a writer.
_SEAL_LOCK_KEY = 7_405_113_272


def rows_digest(rows: Iterable[tuple[int, str]]) -> str:
    """SHA-256 over the covered rows' (sequence, row MAC), in order."""
    digest = hashlib.sha256()
    for sequence, row_mac in rows:
        digest.update(f"{sequence}:{row_mac}\n".encode())
    return digest.hexdigest()


def seal_payload(seal: AuditSeal) -> dict[str, Any]:
    return {
        "first_sequence": seal.first_sequence,
        "last_sequence": seal.last_sequence,
        "row_count": seal.row_count,
        "skipped": seal.skipped,
        "digest": seal.digest,
        "previous_mac": seal.previous_mac,
        "sealed_at": seal.sealed_at.isoformat(),
        "key_id": seal.key_id,
    }


def skipped_numbers(seal: AuditSeal) -> set[int]:
    return {n for first, last in seal.skipped for n in range(first, last + 1)}


def _seal_once(now: datetime, grace: timedelta, batch: int) -> AuditSeal | None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
        last = AuditSeal.objects.order_by("-last_sequence").first()
        start = last.last_sequence + 1 if last else 1
        rows = AuditEvent.objects.filter(sequence__gte=start).order_by("sequence")
        covered: list[tuple[int, str]] = []
        skipped: list[list[int]] = []
        expected = start
        for sequence, row_mac, occurred_at in rows.values_list(
            "sequence", "row_mac", "occurred_at"
        )[:batch]:
            if sequence > expected:
                if occurred_at > now - grace:
                    break  # a young gap: its row may still be committed
                skipped.append([expected, sequence - 1])
            covered.append((sequence, row_mac))
            expected = sequence + 1
        if not covered:
            return None
        seal = AuditSeal(
            first_sequence=start,
            last_sequence=covered[-1][0],
            row_count=len(covered),
            skipped=skipped,
            digest=rows_digest(covered),
            previous_mac=last.seal_mac if last else GENESIS_MAC,
            sealed_at=timezone.now(),
            key_id=signing_key_id(),
        )
        seal.seal_mac = mac(seal.key_id, seal_payload(seal))
        seal.save(force_insert=True)
        return seal


def seal_pending(
    *, now: datetime | None = None, grace: timedelta | None = None, batch: int | None = None
) -> list[AuditSeal]:
    """Seal every row that can be sealed now; the seals written (none if nothing was due)."""
    now = now or timezone.now()
    grace = grace if grace is not None else timedelta(seconds=settings.AUDIT_SEAL_GRACE_SECONDS)
    batch = batch or settings.AUDIT_SEAL_BATCH_ROWS
    seals: list[AuditSeal] = []
    while (seal := _seal_once(now, grace, batch)) is not None:
        seals.append(seal)
    return seals
