"""The clinic plans sessions: one, or a series without re-typing; bad input changes nothing."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from smertespor.audit.models import AuditEvent
from smertespor.audit.services import AuditAction
from smertespor.notifications.models import Notification
from smertespor.teaching import actions
from smertespor.teaching.models import Registration, SessionSeries, TeachingSession
from smertespor.teaching.services import (
    create_teaching_sessions,
    register_for_session,
    update_teaching_session,
)
from smertespor.teaching.tests.factories import RegistrationFactory, TeachingSessionFactory

CPH = ZoneInfo("Europe/Copenhagen")


def _form(**overrides):
    data = {
        "title": "Nedtrapning af opioider i almen praksis",
        "description": "Cases fra praksis.",
        "topics": ["taper_strategy", "withdrawal"],
        "audience": ["gps", "practice_nurses"],
        "date": "2030-03-12",
        "start_time": "15:00",
        "end_time": "16:30",
        "location": "Smerteklinikken, Silkeborg",
        "online_url": "",
        "capacity": "25",
        "external_teachers": "",
        "repeat": "",
        "occurrences": "1",
    }
    data.update(overrides)
    return data


def _afternoon(days):
    """15:00 local time ``days`` ahead: a session must start and end on one day in the edit
    form, so tests whose session started at now() failed when run late in the evening."""
    return timezone.localtime(timezone.now() + timedelta(days=days)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )


def _kwargs(**overrides):
    start = _afternoon(10)
    kwargs = {
        "title": "Skift mellem opioider",
        "topics": ["switching"],
        "audience": ["gps"],
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "capacity": 12,
        "location": "Auditoriet",
    }
    kwargs.update(overrides)
    return kwargs


def test_the_clinic_creates_a_session(client_for, clinic_nurse):
    response = client_for(clinic_nurse).post(reverse("teaching:create"), _form())
    session = TeachingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("teaching:detail", args=[session.pk])
    assert timezone.localtime(session.starts_at) == datetime(2030, 3, 12, 15, 0, tzinfo=CPH)
    assert session.duration_minutes == 90
    assert sorted(session.topic_values) == ["taper_strategy", "withdrawal"]
    assert session.for_gps and session.for_practice_nurses and not session.for_hospital_departments
    assert session.organiser == clinic_nurse.organisation
    assert session.series is None


def test_a_monthly_series_is_created_from_one_form(client_for, clinic_nurse):
    # 12 March 2030 is the second Tuesday of the month.
    response = client_for(clinic_nurse).post(
        reverse("teaching:create"), _form(repeat="monthly", occurrences="4")
    )
    assert response.status_code == 302
    sessions = list(TeachingSession.objects.order_by("starts_at"))
    assert [timezone.localtime(s.starts_at).date() for s in sessions] == [
        date(2030, 3, 12),
        date(2030, 4, 9),
        date(2030, 5, 14),
        date(2030, 6, 11),
    ]
    # The same wall-clock time on both sides of the change to summer time (31 March 2030).
    assert {timezone.localtime(s.starts_at).hour for s in sessions} == {15}
    assert {s.series_id for s in sessions} == {SessionSeries.objects.get().pk}
    assert all(sorted(s.topic_values) == ["taper_strategy", "withdrawal"] for s in sessions)


def test_a_series_needs_a_repetition(client_for, clinic_nurse):
    response = client_for(clinic_nurse).post(reverse("teaching:create"), _form(occurrences="3"))
    assert response.status_code == 422
    assert "repeat" in response.context["form"].errors
    assert not TeachingSession.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"capacity": "-5"}, "capacity", id="negative-capacity"),
        pytest.param({"capacity": "0"}, "capacity", id="zero-capacity"),
        pytest.param({"end_time": "14:00"}, "end_time", id="end-before-start"),
        pytest.param({"end_time": "15:00"}, "end_time", id="end-at-start"),
        pytest.param({"date": "2001-01-01"}, "date", id="in-the-past"),
        pytest.param({"location": "", "online_url": ""}, "location", id="no-place-or-link"),
        pytest.param({"topics": []}, "topics", id="no-topic"),
        pytest.param({"audience": []}, "audience", id="no-audience"),
        pytest.param({"online_url": "javascript:alert(1)"}, "online_url", id="script-link"),
        pytest.param({"title": "x" * 201}, "title", id="over-long-title"),
        pytest.param({"title": "Nul\x00"}, "title", id="nul-byte"),
        pytest.param({"capacity": "many"}, "capacity", id="capacity-not-a-number"),
        pytest.param({"occurrences": "30", "repeat": "weekly"}, "occurrences", id="long-series"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_saved(
    client_for, clinic_nurse, overrides, field
):
    response = client_for(clinic_nurse).post(reverse("teaching:create"), _form(**overrides))
    assert response.status_code == 422
    assert field in response.context["form"].errors, response.context["form"].errors
    assert b'class="errorlist' in response.content
    assert not TeachingSession.objects.exists()
    assert not SessionSeries.objects.exists()


def test_every_problem_is_reported_at_once(client_for, clinic_nurse):
    response = client_for(clinic_nurse).post(
        reverse("teaching:create"), _form(capacity="-1", end_time="14:00", location="")
    )
    assert {"capacity", "end_time", "location"} <= set(response.context["form"].errors)


def test_the_service_refuses_a_negative_capacity_and_an_end_before_the_start(clinic_nurse):
    with pytest.raises(ValidationError) as refused:
        create_teaching_sessions(
            by=clinic_nurse, **_kwargs(capacity=-3, ends_at=timezone.now() + timedelta(days=9))
        )
    assert set(refused.value.message_dict) == {"capacity", "ends_at"}
    assert not TeachingSession.objects.exists()


def test_a_gp_cannot_create_a_session(client_for, gp):
    assert client_for(gp).post(reverse("teaching:create"), _form()).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.plan_teaching_sessions(user=gp, **_kwargs())
    assert not TeachingSession.objects.exists()
    refused = AuditEvent.objects.filter(user=gp, action=AuditAction.REFUSED)
    assert refused.filter(object_type="teaching_session").exists()


def test_a_clinic_secretary_may_plan_but_a_practice_secretary_may_not(
    clinic_secretary, practice_secretary
):
    assert actions.plan_teaching_sessions(user=clinic_secretary, **_kwargs())
    with pytest.raises(PermissionDenied):
        actions.plan_teaching_sessions(user=practice_secretary, **_kwargs())


def test_teachers_must_be_clinic_staff(clinic_nurse, gp, centre_doctor):
    with pytest.raises(ValidationError) as refused:
        create_teaching_sessions(by=clinic_nurse, **_kwargs(teachers=[gp]))
    assert "teachers" in refused.value.message_dict
    (session,) = create_teaching_sessions(by=clinic_nurse, **_kwargs(teachers=[centre_doctor]))
    assert list(session.teachers.all()) == [centre_doctor]


def test_the_clinic_edits_a_session(client_for, clinic_nurse, upcoming_session):
    client = client_for(clinic_nurse)
    url = reverse("teaching:edit", args=[upcoming_session.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if k != "teachers"}
    data |= {"title": "Nyt navn", "capacity": "30", "date": data["date"].isoformat()}
    data |= {"start_time": "09:00", "end_time": "10:00"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    upcoming_session.refresh_from_db()
    assert upcoming_session.title == "Nyt navn"
    assert upcoming_session.capacity == 30
    assert upcoming_session.duration_minutes == 60
    assert upcoming_session.revision == 1


def test_places_cannot_go_below_the_number_registered(clinic_nurse, gp, practice_nurse, clinic):
    session = TeachingSessionFactory.create(organiser=clinic, capacity=5)
    register_for_session(by=gp, session=session)
    register_for_session(by=practice_nurse, session=session)
    with pytest.raises(ValidationError) as refused:
        update_teaching_session(by=clinic_nurse, session=session, capacity=1)
    assert "capacity" in refused.value.message_dict
    session.refresh_from_db()
    assert session.capacity == 5


def test_more_places_move_the_waiting_list_up(clinic_nurse, gp, practice_nurse, other_gp, clinic):
    session = TeachingSessionFactory.create(organiser=clinic, capacity=1)
    for user in (gp, practice_nurse, other_gp):
        register_for_session(by=user, session=session)
    update_teaching_session(by=clinic_nurse, session=session, capacity=2)
    assert (
        Registration.objects.get(session=session, participant=practice_nurse).status
        == Registration.Status.REGISTERED
    )
    assert (
        Registration.objects.get(session=session, participant=other_gp).status
        == Registration.Status.WAITING
    )


def test_a_new_time_is_announced_and_reminders_go_out_again(clinic_nurse, gp, upcoming_session):
    RegistrationFactory.create(
        session=upcoming_session, participant=gp, reminder_sent_at=timezone.now()
    )
    update_teaching_session(
        by=clinic_nurse,
        session=upcoming_session,
        starts_at=upcoming_session.starts_at + timedelta(days=1),
    )
    upcoming_session.refresh_from_db()
    assert upcoming_session.duration_minutes == 90  # moved, not stretched
    changed = Notification.objects.get(recipient=gp, kind="teaching_session_changed")
    assert changed.url == reverse("teaching:detail", args=[upcoming_session.pk])
    assert upcoming_session.title in changed.message
    assert Registration.objects.get(participant=gp).reminder_sent_at is None


def test_saving_the_edit_form_unchanged_announces_nothing(client_for, clinic_nurse, gp, clinic):
    start = _afternoon(3).replace(second=42)
    (session,) = create_teaching_sessions(
        by=clinic_nurse, **_kwargs(starts_at=start, ends_at=start + timedelta(hours=1))
    )
    assert session.starts_at.second == 0  # planned to the minute
    RegistrationFactory.create(session=session, participant=gp)
    client = client_for(clinic_nurse)
    url = reverse("teaching:edit", args=[session.pk])
    initial = client.get(url).context["form"].initial
    data = {k: v for k, v in initial.items() if k != "teachers"}
    data |= {
        "date": initial["date"].isoformat(),
        "start_time": initial["start_time"].strftime("%H:%M"),
        "end_time": initial["end_time"].strftime("%H:%M"),
    }
    assert client.post(url, data).status_code == 302
    assert not Notification.objects.exists()


def test_a_new_title_alone_sends_no_notification(clinic_nurse, gp, upcoming_session):
    RegistrationFactory.create(session=upcoming_session, participant=gp)
    update_teaching_session(by=clinic_nurse, session=upcoming_session, title="Andet navn")
    assert not Notification.objects.exists()


def test_another_clinic_cannot_edit_unless_it_teaches(client_for, centre_doctor, upcoming_session):
    url = reverse("teaching:edit", args=[upcoming_session.pk])
    assert client_for(centre_doctor).get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.change_teaching_session(
            user=centre_doctor,
            session_id=upcoming_session.pk,
            title="Overtaget",
            expected_version=1,
        )
    upcoming_session.teachers.add(centre_doctor)
    assert client_for(centre_doctor).get(url).status_code == 200
    actions.change_teaching_session(
        user=centre_doctor, session_id=upcoming_session.pk, title="Overtaget", expected_version=1
    )
    upcoming_session.refresh_from_db()
    assert upcoming_session.title == "Overtaget"


def test_an_unknown_field_cannot_be_changed(clinic_nurse, upcoming_session):
    with pytest.raises(ValidationError):
        update_teaching_session(by=clinic_nurse, session=upcoming_session, organiser_id=1)


def test_the_session_page_shows_danish_dates(client_for, gp, clinic):
    with time_machine.travel(datetime(2030, 1, 1, 12, tzinfo=CPH), tick=False):
        session = TeachingSessionFactory.create(
            organiser=clinic, starts_at=datetime(2030, 3, 12, 15, 0, tzinfo=CPH)
        )
        body = client_for(gp).get(reverse("teaching:detail", args=[session.pk])).content.decode()
    assert "12. marts 2030, 15:00–16:30" in body


def test_an_unknown_session_is_404(client_for, gp):
    assert client_for(gp).get(reverse("teaching:detail", args=[999999])).status_code == 404
