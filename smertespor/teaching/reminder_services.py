"""Reminders before a session: e-mail and in-app, once per registration however often the
command runs."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from smertespor.teaching.announcements import Kind, notify_about_session, send_session_email
from smertespor.teaching.models import Registration

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderReport:
    reminded: int
    emailed: int
    failed: int


def send_teaching_reminders(*, now: datetime, within: timedelta) -> ReminderReport:
    """Remind everyone with a place at a session starting within ``within`` of ``now``, once.

    Each registration is handled in its own transaction and marked as reminded in it; a
    second run (or one running at the same time: locked rows are skipped) sends nothing
    twice. A failed e-mail leaves its registration unmarked, to be tried on the next run.
    """
    due = Registration.objects.filter(
        status=Registration.Status.REGISTERED,
        reminder_sent_at__isnull=True,
        session__starts_at__gt=now,
        session__starts_at__lte=now + within,
    )
    reminded = emailed = failed = 0
    for pk in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                registration = (
                    due.select_for_update(skip_locked=True, of=("self",))
                    .select_related("participant", "session")
                    .filter(pk=pk)
                    .first()
                )
                if registration is None:
                    continue  # reminded meanwhile, cancelled, or being reminded by another run
                session, user = registration.session, registration.participant
                # In-app only from the notifications app: the e-mail below carries the .ics.
                notify_about_session([user], kind=Kind.REMINDER, session=session, email=False)
                registration.reminder_sent_at = timezone.now()
                registration.save(update_fields=["reminder_sent_at"])
                sent = send_session_email(user=user, session=session, template="reminder")
        except Exception:
            logger.exception("Teaching reminder for registration %s failed", pk)
            failed += 1
            continue
        reminded += 1
        emailed += int(sent)
    return ReminderReport(reminded=reminded, emailed=emailed, failed=failed)
