"""Telling users that something happened: an in-app notification and, for users with an
e-mail address, an e-mail through Django's mail backend (the console backend in the demo).

    notify(user_or_users, kind="advice_answered", text=gettext_noop("..."), url="/advice/1/")

`text` is an English source string marked with `gettext_noop` (so `make messages` finds it)
and may hold `%(name)s` placeholders filled from `params`; it is translated when shown. The
e-mails go out after the transaction commits, in the site's language, and a failing mail
server never undoes the change that caused them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from smertespor.accounts.models import Requester, User
from smertespor.notifications.models import TEXT_MAX_LENGTH, URL_MAX_LENGTH, Notification

logger = logging.getLogger(__name__)


def _recipients(users: User | Iterable[User] | None) -> list[User]:
    listed = [users] if isinstance(users, User) else list(users or [])
    seen: set[int] = set()
    unique = []
    for user in listed:
        if isinstance(user, User) and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            unique.append(user)
    return unique


def is_local_url(url: str) -> bool:
    """A path inside this site ("/advice/1/"), not another site or a scheme."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts=None, require_https=False
    )


def notify(
    users: User | Iterable[User],
    *,
    kind: str,
    text: str,
    url: str = "",
    params: dict[str, Any] | None = None,
    email: bool = True,
) -> list[Notification]:
    """Notify each active user once; return the notifications made."""
    text = str(text).strip()
    if not kind or len(kind) > 64:
        raise ValidationError(_("A notification needs a kind of at most 64 characters."))
    if not text or len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(_("A notification needs a text of at most 500 characters."))
    if url and (len(url) > URL_MAX_LENGTH or not is_local_url(url)):
        raise ValidationError(_("A notification can only link to a page in Smertespor."))
    now = timezone.now()
    rows = [
        Notification(
            recipient=user, kind=kind, text=text, params=params or {}, url=url, created_at=now
        )
        for user in _recipients(users)
    ]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if email:
        ids = [row.pk for row in created if row.recipient.email]
        if ids:
            transaction.on_commit(lambda: send_notification_emails(ids))
    return created


def _email(notification: Notification) -> EmailMessage:
    message = notification.message
    link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    body = "\n\n".join(
        part
        for part in (
            message,
            link,
            _("You receive this e-mail because you use Smertespor. It holds no patient data."),
        )
        if part
    )
    subject = " ".join(f"Smertespor: {message}".split())[:200]
    return EmailMessage(subject=subject, body=body, to=[notification.recipient.email])


def send_notification_emails(notification_ids: Iterable[int]) -> int:
    """E-mail the given notifications not e-mailed yet; return how many went out."""
    pending = list(
        Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    if not pending:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        messages = [_email(notification) for notification in pending]
    try:
        sent = get_connection().send_messages(messages) or 0
    except Exception:  # the change is saved; a mail-server problem is logged, not raised
        logger.exception("Could not send %s notification e-mail(s).", len(messages))
        return 0
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return int(sent)


def mark_read(notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user: Requester) -> int:
    if not isinstance(user, User):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
