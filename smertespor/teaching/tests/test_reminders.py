"""Reminders before a session: e-mail and in-app, once, however often the command runs."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from smertespor.notifications.models import Notification
from smertespor.teaching.models import Registration
from smertespor.teaching.services import cancel_registration
from smertespor.teaching.tests.factories import RegistrationFactory, TeachingSessionFactory

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2030, 3, 11, 9, 0, tzinfo=CPH)


@pytest.fixture
def tomorrow(clinic, gp, practice_nurse, other_gp):
    with time_machine.travel(NOW, tick=False):
        session = TeachingSessionFactory.create(
            organiser=clinic, title="Ryg og smerter", starts_at=NOW + timedelta(hours=30)
        )
    gp.email = "gp@example.org"
    gp.save()
    RegistrationFactory.create(session=session, participant=gp)
    RegistrationFactory.create(session=session, participant=practice_nurse)  # no e-mail address
    RegistrationFactory.create(
        session=session, participant=other_gp, status=Registration.Status.WAITING
    )
    return session


def _run(**options):
    out = StringIO()
    call_command("send_teaching_reminders", stdout=out, **options)
    return out.getvalue()


def test_nothing_is_sent_more_than_the_window_ahead(tomorrow):
    with time_machine.travel(NOW, tick=False):
        assert "0 reminded" in _run()
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_registered_participants_are_reminded_once(tomorrow, gp, practice_nurse, other_gp):
    with time_machine.travel(NOW + timedelta(hours=7), tick=False):
        first = _run()
        second = _run()
    assert "2 reminded, 1 by e-mail" in first
    assert "0 reminded" in second
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["gp@example.org"]
    assert "Ryg og smerter" in message.subject
    (filename, content, mimetype) = message.attachments[0]
    assert filename == f"teaching-{tomorrow.pk}.ics"
    assert mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content
    reminded = set(
        Notification.objects.filter(kind="teaching_reminder").values_list(
            "recipient__username", flat=True
        )
    )
    assert reminded == {"gp", "nurse"}  # not the waiting list


def test_the_reminder_e_mail_is_in_danish(tomorrow):
    with time_machine.travel(NOW + timedelta(hours=7), tick=False):
        _run()
    body = mail.outbox[0].body
    assert "12. marts 2030" in body


def test_a_cancelled_or_past_session_gets_no_reminder(tomorrow, gp, clinic):
    Registration.objects.filter(participant=gp).update(status=Registration.Status.CANCELLED)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        assert "0 reminded" in _run()


def test_a_wider_window_can_be_asked_for(tomorrow):
    with time_machine.travel(NOW, tick=False):
        assert "2 reminded" in _run(hours=48)


def test_someone_moved_up_from_the_waiting_list_is_reminded_too(tomorrow, gp, other_gp):
    with time_machine.travel(NOW + timedelta(hours=7), tick=False):
        _run()
        cancel_registration(by=gp, session=tomorrow)
        assert "1 reminded" in _run()
    assert Notification.objects.filter(recipient=other_gp, kind="teaching_reminder").exists()


def test_a_failing_mail_server_leaves_the_reminder_for_the_next_run(tomorrow, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with time_machine.travel(NOW + timedelta(hours=7), tick=False):
        output = _run()
    assert "1 failed" in output
    assert Registration.objects.filter(reminder_sent_at__isnull=True).count() == 2  # gp + queue
    monkeypatch.undo()
    with time_machine.travel(NOW + timedelta(hours=8), tick=False):
        assert "1 reminded, 1 by e-mail" in _run()
    assert len(mail.outbox) == 1
