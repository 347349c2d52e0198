"""Checking the audit log's hash chain: which rows were changed, removed or reordered."""

from collections.abc import Iterator

from smertespor.audit.models import AuditEvent
from smertespor.audit.services import GENESIS_HASH, compute_row_hash


def audit_chain_problems() -> Iterator[str]:
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        if event.sequence != expected_sequence:
            yield (
                f"row #{event.sequence}: expected #{expected_sequence} "
                f"(rows #{expected_sequence}-#{event.sequence - 1} are missing)"
            )
        if event.previous_hash != previous_hash:
            yield f"row #{event.sequence}: does not follow the row before it (chain broken)"
        if compute_row_hash(event) != event.row_hash:
            yield f"row #{event.sequence}: content does not match its hash (row altered)"
        expected_sequence = event.sequence + 1
        previous_hash = event.row_hash
