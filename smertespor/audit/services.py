"""Writing to the audit log: ``record_event`` for every kind of event, ``record_listed`` for
the patients a list showed.

No lock: each row takes its number from a database sequence and is signed on its own
(``row_mac``), so page views never queue behind each other; ``smertespor.audit.sealing``
chains the rows afterwards, in order, away from requests.

If the write fails the exception propagates, so the request fails rather than showing
patient data that was not logged.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Field, JSONField, Max, Model
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from smertespor.accounts.models import User
from smertespor.audit.context import current_request
from smertespor.audit.keys import mac, signing_key_id
from smertespor.audit.models import AuditEvent

if TYPE_CHECKING:
    from smertespor.accounts.models import Requester
    from smertespor.patients.models import Patient

AuditAction = AuditEvent.Action

# PostgreSQL: created by migration 0003; the app's role may take numbers (USAGE), not set them.
SEQUENCE_NAME = "audit_auditevent_sequence_seq"


def row_payload(event: AuditEvent) -> dict[str, Any]:
    """What a row's MAC covers: all of its content, its sequence and key id included."""
    return {
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
        "key_id": event.key_id,
    }


def next_sequences(count: int) -> list[int]:
    """``count`` new row numbers, ascending."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [SEQUENCE_NAME, count])
            return sorted(row[0] for row in cursor.fetchall())
    # SQLite (development, the demo): a transaction takes the write lock when it begins
    # (settings: transaction_mode IMMEDIATE), so the numbers after the highest are ours.
    last = AuditEvent.objects.aggregate(last=Max("sequence"))["last"] or 0
    return list(range(last + 1, last + count + 1))


def _numbering() -> AbstractContextManager[object]:
    """Around taking numbers and inserting the rows. PostgreSQL: nothing — the sequence needs
    no transaction and one INSERT is atomic on its own, so a page's audit write is two round
    trips, not four (BEGIN and COMMIT). SQLite: a transaction, whose write lock makes
    "the numbers after the highest" ours (`next_sequences`)."""
    return nullcontext() if connection.vendor == "postgresql" else transaction.atomic()


def _stored_ip(ip_address: str | None) -> str | None:
    # As GenericIPAddressField stores it, so the MAC covers what is read back.
    if ip_address and ":" in ip_address:
        return clean_ipv6_address(ip_address)
    return ip_address


def _unsigned(
    user: Requester | None,
    *,
    action: str,
    object_type: str,
    object_id: str,
    patient_id: uuid.UUID | None,
    detail: dict[str, Any] | None,
) -> AuditEvent:
    context = current_request.get()
    # Only a signed-in user is named; a refused anonymous attempt is logged without one.
    who = user if isinstance(user, User) and user.is_authenticated else None
    return AuditEvent(
        user=who,
        username=who.username if who else "",
        role=who.role if who else "",
        organisation_id=who.organisation_id if who else None,
        patient_id=patient_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        request_id=context.request_id if context else "",
        ip_address=_stored_ip(context.ip_address) if context else None,
        # As the JSON column gives it back (tuples become lists, keys strings).
        detail=json.loads(json.dumps(detail or {})),
    )


def _sign(events: list[AuditEvent]) -> None:
    key_id = signing_key_id()
    sequences = next_sequences(len(events))
    occurred_at = timezone.now()  # after the numbers: see sealing's grace period
    for event, sequence in zip(events, sequences, strict=True):
        event.sequence = sequence
        event.occurred_at = occurred_at
        event.key_id = key_id
        event.row_mac = mac(key_id, row_payload(event))


@cache
def _inserted_fields() -> list[Field[Any, Any]]:
    """Every column but the id the database assigns: what bulk_create would insert, so a column
    added to the model later is stored here too (and signed only if `row_payload` names it)."""
    return [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]


@cache
def _insert_sql() -> str:
    """PostgreSQL: one INSERT of any number of rows, a column an array (``unnest``)."""
    fields = _inserted_fields()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    # Names and types from the model, values as parameters.
    table = quote(AuditEvent._meta.db_table)
    return f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) RETURNING id, sequence"  # noqa: S608


def _insert(events: list[AuditEvent]) -> None:
    """Store signed rows. PostgreSQL: one statement, no transaction around it (it is atomic
    on its own) and not through the ORM's bulk_create, whose per-value preparation and
    BEGIN/COMMIT cost a list of 25 patients ~1.5 ms of ~6 (benchmarks/audit_writes.py).
    SQLite (inside `_numbering`'s transaction): the ORM."""
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(events)
        return
    columns: list[list[Any]] = [
        [getattr(event, field.attname) for event in events] for field in _inserted_fields()
    ]
    for index, field in enumerate(_inserted_fields()):
        if isinstance(field, JSONField):  # sent as JSON text; the statement casts it
            columns[index] = [json.dumps(value) for value in columns[index]]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(), columns)
        ids = {sequence: pk for pk, sequence in cursor.fetchall()}
    for event in events:
        event.pk = ids[event.sequence]
        event._state.adding = False
        event._state.db = connection.alias


def record_event(
    *,
    user: Requester | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    patient: Patient | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = _unsigned(
        user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient.pk if patient is not None else None,
        detail=detail,
    )
    with _numbering():
        _sign([event])
        _insert([event])
    if patient is not None:
        event.patient = patient
    return event


@dataclass(frozen=True)
class Search:
    """The search a list answers (its criteria, CPR numbers masked): ``record_listed`` logs it
    as a ``search`` row in the same INSERT as the list's ``listed`` rows, first."""

    object_type: str
    detail: dict[str, Any]


def record_listed(
    *,
    user: Requester | None,
    patients: Iterable[Patient | uuid.UUID | str],
    object_type: str,
    detail: dict[str, Any] | None = None,
    search: Search | None = None,
) -> list[AuditEvent]:
    """One ``listed`` row for each patient a list or worklist showed, in one INSERT, after
    the row of the ``search`` that found them if one is given (also when it found nobody).

    The patient's access log ("who has seen my record") shows them as "saw you in a list";
    the list's criteria are in the search row of the same request (same ``request_id``).
    """
    ids = list(
        dict.fromkeys(
            patient.pk if isinstance(patient, Model) else uuid.UUID(str(patient))
            for patient in patients
        )
    )
    events = [
        _unsigned(
            user,
            action=AuditAction.SEARCH,
            object_type=search.object_type,
            object_id="",
            patient_id=None,
            detail=search.detail,
        )
        for search in ([search] if search is not None else [])
    ]
    events += [
        _unsigned(
            user,
            action=AuditAction.LISTED,
            object_type=object_type,
            object_id="",
            patient_id=patient_id,
            detail=detail,
        )
        for patient_id in ids
    ]
    if not events:
        return []
    with _numbering():
        _sign(events)
        _insert(events)
    return events
