"""Telling people about teaching: in-app notifications and e-mail (Django's mail backend).

E-mail goes out in the site's default language (Danish): a user has no language of their own
yet. In-app notifications are worded when shown, in the reader's language.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from smertespor.teaching.ics import CalendarEvent, calendar_file
from smertespor.teaching.models import Notification, TeachingSession

logger = logging.getLogger(__name__)

Kind = Notification.Kind

MESSAGES = {
    Kind.TEACHING_INVITATION: _("Your practice is invited to “%(title)s” on %(date)s."),
    Kind.TEACHING_REMINDER: _("Reminder: “%(title)s” is on %(date)s."),
    Kind.TEACHING_PLACE_OFFERED: _(
        "A place has freed up: you are now registered for “%(title)s” on %(date)s."
    ),
    Kind.TEACHING_SESSION_CHANGED: _("“%(title)s” has changed. It is now on %(date)s."),
}


def notification_text(notification: Notification) -> str:
    session = notification.session
    if session is None:
        return str(notification.get_kind_display())
    date = date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT")
    return str(MESSAGES[Kind(notification.kind)]) % {"title": session.title, "date": date}


def notify(recipients: Iterable[Any], *, kind: str, session: TeachingSession) -> int:
    rows = [Notification(recipient=user, kind=kind, session=session) for user in recipients]
    Notification.objects.bulk_create(rows)
    return len(rows)


def session_calendar(session: TeachingSession) -> str:
    where = session.location
    if session.online_url:
        where = f"{where} ({session.online_url})" if where else session.online_url
    return calendar_file(
        CalendarEvent(
            uid=f"teaching-session-{session.pk}@smertespor",
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            summary=session.title,
            description=session.description,
            location=where,
            url=session.online_url,
            sequence=session.revision,
            stamp=session.updated_at,
        )
    )


def send_session_email(*, user: Any, session: TeachingSession, template: str) -> bool:
    """E-mail ``user`` about ``session`` with its calendar file; False if they have no address."""
    if not user.email:
        return False
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        context = {
            "user": user,
            "session": session,
            "starts_at": timezone.localtime(session.starts_at),
        }
        subject = render_to_string(f"teaching/email/{template}_subject.txt", context)
        body = render_to_string(f"teaching/email/{template}.txt", context)
    message = EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])
    message.attach(f"teaching-{session.pk}.ics", session_calendar(session), "text/calendar")
    message.send()
    return True
