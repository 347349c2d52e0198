"""Per-account back-off for password logins, on top of django-axes' per-address lock.

django-axes locks a user name at one client address after ``AXES_FAILURE_LIMIT`` failures
(the address is the real client's, see `smertespor.entry.client_ip`), so nobody elsewhere can
lock the owner out. Guessing from many addresses is slowed here instead: once an account has
``LOGIN_BACKOFF_AFTER_FAILURES`` failures within ``LOGIN_BACKOFF_WINDOW``, from any address,
each further attempt must wait 1, 2, 4, … seconds after the last failure, never more than
``LOGIN_BACKOFF_MAX_SECONDS``. An attempt made while waiting is refused without checking the
password (and is not counted). An address the account logged in from successfully within
``LOGIN_KNOWN_ADDRESS_DAYS`` does not wait: the owner at their own desk is never slowed by
someone else's guessing.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Max


def login_delay(username: str, address: str | None, now: datetime) -> int:
    """Whole seconds until ``username`` may try a password from ``address`` (0: now)."""
    if not username:
        return 0
    since = now - settings.LOGIN_BACKOFF_WINDOW
    failures = AccessFailureLog.objects.filter(username=username, attempt_time__gte=since)
    summary = failures.aggregate(last=Max("attempt_time"))
    count = failures.count()
    free = settings.LOGIN_BACKOFF_AFTER_FAILURES
    if count < free or summary["last"] is None or _is_known_address(username, address, now):
        return 0
    delay = min(2 ** min(count - free, 30), settings.LOGIN_BACKOFF_MAX_SECONDS)
    remaining = (summary["last"] + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(remaining))


def _is_known_address(username: str, address: str | None, now: datetime) -> bool:
    if address is None:
        return False
    since = now - timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(
        username=username, ip_address=address, attempt_time__gte=since
    ).exists()
