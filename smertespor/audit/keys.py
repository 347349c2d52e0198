"""The audit log's keys: HMAC-SHA256 under a key that lives outside the database.

``settings.AUDIT_HMAC_KEYS`` maps a key id to its secret; the first signs, the others are kept
so rows and seals signed before a rotation still verify. Someone who can rewrite the tables
but does not have the key cannot make a changed row, seal or anchor verify.
"""

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings


class UnknownKey(Exception):
    def __init__(self, key_id: str) -> None:
        super().__init__(key_id)
        self.key_id = key_id


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def signing_key_id() -> str:
    return next(iter(settings.AUDIT_HMAC_KEYS))


def mac(key_id: str, payload: dict[str, Any]) -> str:
    """HMAC-SHA256 of the payload's canonical JSON under the key ``key_id`` (hex)."""
    try:
        secret = settings.AUDIT_HMAC_KEYS[key_id]
    except KeyError:
        raise UnknownKey(key_id) from None
    return hmac.new(secret, canonical(payload), hashlib.sha256).hexdigest()


def mac_matches(key_id: str, payload: dict[str, Any], expected: str) -> bool:
    return hmac.compare_digest(mac(key_id, payload), expected)
