"""Writing to the audit log: one function, used for every kind of event.

If the write fails the exception propagates, so the request fails rather than showing
patient data that was not logged.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from smertespor.accounts.models import User
from smertespor.audit.context import current_request
from smertespor.audit.models import AuditEvent

if TYPE_CHECKING:
    from smertespor.accounts.models import Requester
    from smertespor.patients.models import Patient

AuditAction = AuditEvent.Action

GENESIS_HASH = "0" * 64
# Any constant key: serialises audit writes on PostgreSQL so the chain never forks.
_ADVISORY_LOCK_KEY = 7_405_113_271


def compute_row_hash(event: AuditEvent) -> str:
    payload = {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(),
        "user_id": event.user_id,
        "username": event.username,
        "role": event.role,
        "organisation_id": event.organisation_id,
        "patient_id": str(event.patient_id) if event.patient_id else None,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
        "detail": event.detail,
        "previous_hash": event.previous_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_event(
    *,
    user: Requester | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    patient: Patient | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    context = current_request.get()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        last = AuditEvent.objects.order_by("-sequence").only("sequence", "row_hash").first()
        # Only a signed-in user is named; a refused anonymous attempt is logged without one.
        who = user if isinstance(user, User) and user.is_authenticated else None
        event = AuditEvent(
            sequence=(last.sequence + 1) if last else 1,
            occurred_at=timezone.now(),
            user=who,
            username=who.username if who else "",
            role=who.role if who else "",
            organisation_id=who.organisation_id if who else None,
            patient=patient,
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            request_id=context.request_id if context else "",
            ip_address=context.ip_address if context else None,
            detail=detail or {},
            previous_hash=last.row_hash if last else GENESIS_HASH,
        )
        event.row_hash = compute_row_hash(event)
        event.save(force_insert=True)
    return event
