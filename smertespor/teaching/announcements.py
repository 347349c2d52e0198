"""Telling people about teaching: in-app notifications (the shared notifications app) and
e-mail through Django's mail backend.

The in-app text is an English source string with parameters, translated when shown; the
session's date in it is written in the site's (Danish) format. Reminders and freed places
get an e-mail of their own here, with the calendar file attached; invitations and changed
sessions use the notifications app's plain e-mail.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_noop

from smertespor.accounts.models import User
from smertespor.calendars import CalendarEvent, calendar_file
from smertespor.notifications.services import notify
from smertespor.teaching.models import TeachingSession


class Kind(models.TextChoices):
    """The notification kinds teaching sends (the notifications app's ``kind`` codes)."""

    INVITATION = "teaching_invitation"
    REMINDER = "teaching_reminder"
    PLACE_OFFERED = "teaching_place_offered"
    SESSION_CHANGED = "teaching_session_changed"


TEXTS = {
    Kind.INVITATION: gettext_noop("Your practice is invited to “%(title)s” on %(date)s."),
    Kind.REMINDER: gettext_noop("Reminder: “%(title)s” is on %(date)s."),
    Kind.PLACE_OFFERED: gettext_noop(
        "A place has freed up: you are now registered for “%(title)s” on %(date)s."
    ),
    Kind.SESSION_CHANGED: gettext_noop("“%(title)s” has changed. It is now on %(date)s."),
}


def notify_about_session(
    users: Iterable[User], *, kind: Kind, session: TeachingSession, email: bool
) -> int:
    """An in-app notification linking to the session; ``email`` also sends the plain one."""
    with translation.override(settings.LANGUAGE_CODE):
        when = date_format(timezone.localtime(session.starts_at), "SHORT_DATETIME_FORMAT")
    created = notify(
        list(users),
        kind=kind.value,
        text=TEXTS[kind],
        params={"title": session.title, "date": when},
        url=reverse("teaching:detail", kwargs={"session_id": session.pk}),
        email=email,
    )
    return len(created)


def session_calendar(session: TeachingSession) -> bytes:
    """The session as a one-event .ics file; SEQUENCE follows its revisions so a changed
    session replaces the copy already in people's calendars."""
    where = session.location
    if session.online_url:
        where = f"{where} ({session.online_url})" if where else session.online_url
    event = CalendarEvent(
        uid=f"teaching-session-{session.pk}@smertespor",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=session.title,
        description=session.description,
        location=where,
        url=session.online_url,
        sequence=session.revision,
        status="CONFIRMED",
    )
    return calendar_file(
        [event], product_id="-//Smertespor//Teaching//EN", stamp=session.updated_at
    )


def send_session_email(*, user: User, session: TeachingSession, template: str) -> bool:
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
