"""Anchors: the head of the seal chain, signed, appended to a file the database cannot reach.

Everything in the database can be cut back by its owner: the last rows together with the
last seals leave a shorter chain that still verifies. An anchor written earlier names the seal
that was the head then (its last sequence and MAC); ``verify_audit_log`` finds every anchored
seal, so a cut behind the latest anchor shows. Production keeps the file on another host or a
write-once store (``AUDIT_ANCHOR_FILE``).
"""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from smertespor.audit.keys import UnknownKey, mac, mac_matches, signing_key_id
from smertespor.audit.models import AuditSeal

_FIELDS = ("last_sequence", "seal_mac", "sealed_at", "anchored_at", "key_id")


@dataclass(frozen=True)
class Anchor:
    line: int
    last_sequence: int
    seal_mac: str
    anchored_at: str


def anchor_payload(seal: AuditSeal, anchored_at: str, key_id: str) -> dict[str, Any]:
    return {
        "last_sequence": seal.last_sequence,
        "seal_mac": seal.seal_mac,
        "sealed_at": seal.sealed_at.isoformat(),
        "anchored_at": anchored_at,
        "key_id": key_id,
    }


def write_anchor(path: str | Path) -> dict[str, Any] | None:
    """Append the latest seal's head to ``path``; the line written, or None with no seal."""
    head = AuditSeal.objects.order_by("-last_sequence").first()
    if head is None:
        return None
    key_id = signing_key_id()
    line = anchor_payload(head, timezone.now().isoformat(), key_id)
    line["mac"] = mac(key_id, line)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as anchors:
        anchors.write(json.dumps(line, sort_keys=True) + "\n")
        anchors.flush()
        os.fsync(anchors.fileno())
    return line


def read_anchors(path: str | Path) -> Iterator[Anchor | str]:
    """Each anchor in the file, or a sentence saying why a line is not a valid anchor."""
    with Path(path).open(encoding="utf-8") as anchors:
        for number, text in enumerate(anchors, start=1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
                payload = {field: line[field] for field in _FIELDS}
                valid = mac_matches(str(line["key_id"]), payload, str(line["mac"]))
            except UnknownKey as error:
                yield f"anchor line {number}: signed with an unknown key {error.key_id!r}"
                continue
            except (ValueError, KeyError, TypeError):
                yield f"anchor line {number}: not an anchor (unreadable)"
                continue
            if not valid:
                yield f"anchor line {number}: its signature does not match (line altered)"
                continue
            yield Anchor(
                number, int(line["last_sequence"]), str(line["seal_mac"]), line["anchored_at"]
            )
