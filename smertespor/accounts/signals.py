"""Login events that belong in the audit log: a lockout is a refused attempt."""

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from smertespor.accounts.middleware import SESSION_LOGIN_TIME_KEY
from smertespor.audit.services import AuditAction, record_event


@receiver(user_logged_in)
def _stamp_login_time(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_TIME_KEY] = time.time()


@receiver(user_locked_out)
def _audit_lockout(sender: Any, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    record_event(
        user=None,
        action=AuditAction.LOGIN_LOCKED_OUT,
        object_type="login",
        object_id="",
        detail={"username": (username or "")[:150]},
    )
