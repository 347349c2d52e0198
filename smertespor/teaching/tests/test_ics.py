"""A teaching session's calendar file: downloaded from the session page and attached to the
e-mails, read back as a calendar program would."""

from datetime import UTC, datetime

from django.urls import reverse

from smertespor.teaching.announcements import session_calendar
from smertespor.teaching.tests.factories import TeachingSessionFactory
from smertespor.tests.calendar_files import events_in

STARTS_AT = datetime(2030, 3, 12, 14, 0, tzinfo=UTC)


def test_the_session_calendar_file_downloads(client_for, gp, clinic):
    session = TeachingSessionFactory.create(
        organiser=clinic,
        title="Abstinenser; hvad nu?",
        online_url="https://meet.example/abc",
        starts_at=STARTS_AT,
    )
    response = client_for(gp).get(reverse("teaching:calendar", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="teaching-{session.pk}.ics"'
    (event,) = events_in(response.content)
    assert event["summary"] == "Abstinenser; hvad nu?"
    assert event.decoded("dtstart") == STARTS_AT
    assert event.decoded("dtend") == datetime(2030, 3, 12, 15, 30, tzinfo=UTC)
    assert b"\r\nDTSTART:20300312T140000Z\r\n" in response.content
    assert event["url"] == "https://meet.example/abc"
    assert event["uid"] == f"teaching-session-{session.pk}@smertespor"
    assert event["sequence"] == 0
    assert event["status"] == "CONFIRMED"
    assert event["transp"] == "OPAQUE"


def test_the_event_carries_the_sessions_text_place_and_link(clinic):
    session = TeachingSessionFactory.create(
        organiser=clinic,
        title="Ryg, nakke og smerter; hvad gør vi?",
        description="Før mødet: læs planen.\nMedbring spørgsmål, gerne mange.",
        location="Silkeborg, lokale 2",
        online_url="https://meet.example/abc",
    )
    (event,) = events_in(session_calendar(session))
    assert event["summary"] == "Ryg, nakke og smerter; hvad gør vi?"
    assert event["description"] == "Før mødet: læs planen.\nMedbring spørgsmål, gerne mange."
    assert event["location"] == "Silkeborg, lokale 2 (https://meet.example/abc)"
    assert event.decoded("dtstamp") == session.updated_at.replace(microsecond=0)


def test_a_changed_session_replaces_the_copy_in_peoples_calendars(clinic):
    session = TeachingSessionFactory.create(organiser=clinic)
    session.revision = 2
    session.save()
    (event,) = events_in(session_calendar(session))
    assert event["uid"] == f"teaching-session-{session.pk}@smertespor"
    assert event["sequence"] == 2
