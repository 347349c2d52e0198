"""Signing up, cancelling and the waiting list, through the pages and the service."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from smertespor.notifications.models import Notification
from smertespor.teaching import actions
from smertespor.teaching.models import Registration
from smertespor.teaching.services import cancel_registration, register_for_session
from smertespor.teaching.tests.factories import RegistrationFactory, TeachingSessionFactory

Status = Registration.Status


def _statuses(session):
    return {
        r.participant.username: r.status
        for r in Registration.objects.filter(session=session).select_related("participant")
    }


def test_a_gp_signs_up_and_gets_a_place(client_for, gp, upcoming_session):
    response = client_for(gp).post(reverse("teaching:register", args=[upcoming_session.pk]))
    assert response.status_code == 302
    registration = Registration.objects.get(session=upcoming_session, participant=gp)
    assert registration.status == Status.REGISTERED
    assert registration.organisation == gp.organisation


def test_signing_up_with_htmx_returns_the_registration_box(client_for, gp, upcoming_session):
    response = client_for(gp).post(
        reverse("teaching:register", args=[upcoming_session.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="registration-{upcoming_session.pk}"' in body
    assert reverse("teaching:cancel", args=[upcoming_session.pk]) in body
    assert "<html" not in body


def test_a_full_session_puts_the_next_person_on_the_waiting_list(
    gp, practice_nurse, other_gp, clinic
):
    session = TeachingSessionFactory.create(organiser=clinic, capacity=1)
    assert register_for_session(by=gp, session=session).status == Status.REGISTERED
    assert register_for_session(by=practice_nurse, session=session).status == Status.WAITING
    assert register_for_session(by=other_gp, session=session).status == Status.WAITING
    assert Registration.objects.filter(session=session, status=Status.REGISTERED).count() == 1


def test_the_waiting_list_moves_up_in_order_when_a_place_frees(
    gp, practice_nurse, other_gp, clinic
):
    session = TeachingSessionFactory.create(organiser=clinic, capacity=1)
    for user in (gp, practice_nurse, other_gp):
        register_for_session(by=user, session=session)
    cancel_registration(by=gp, session=session)
    assert _statuses(session) == {
        "gp": Status.CANCELLED,
        "nurse": Status.REGISTERED,
        "other-gp": Status.WAITING,
    }
    promoted = Registration.objects.get(session=session, participant=practice_nurse)
    assert promoted.promoted_at is not None
    assert Notification.objects.filter(
        recipient=practice_nurse, kind="teaching_place_offered"
    ).exists()


def test_the_person_moved_up_gets_an_e_mail_with_the_calendar_file(
    gp, practice_nurse, clinic, django_capture_on_commit_callbacks, mailoutbox
):
    practice_nurse.email = "nurse@example.org"
    practice_nurse.save()
    session = TeachingSessionFactory.create(organiser=clinic, capacity=1)
    register_for_session(by=gp, session=session)
    register_for_session(by=practice_nurse, session=session)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(by=gp, session=session)
    (message,) = mailoutbox
    assert message.to == ["nurse@example.org"]
    assert session.title in message.subject
    assert message.attachments[0][2] == "text/calendar"


def test_a_failing_mail_server_does_not_undo_the_move_up(
    gp, practice_nurse, clinic, django_capture_on_commit_callbacks, monkeypatch
):
    practice_nurse.email = "nurse@example.org"
    practice_nurse.save()
    session = TeachingSessionFactory.create(organiser=clinic, capacity=1)
    register_for_session(by=gp, session=session)
    register_for_session(by=practice_nurse, session=session)

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(by=gp, session=session)
    assert _statuses(session)["nurse"] == Status.REGISTERED


def test_leaving_the_waiting_list_frees_no_place(gp, practice_nurse, other_gp, clinic):
    session = TeachingSessionFactory.create(organiser=clinic, capacity=1)
    for user in (gp, practice_nurse, other_gp):
        register_for_session(by=user, session=session)
    cancel_registration(by=practice_nurse, session=session)
    assert _statuses(session) == {
        "gp": Status.REGISTERED,
        "nurse": Status.CANCELLED,
        "other-gp": Status.WAITING,
    }


def test_signing_up_again_after_cancelling_joins_the_end_of_the_queue(
    gp, practice_nurse, other_gp, clinic
):
    session = TeachingSessionFactory.create(organiser=clinic, capacity=1)
    for user in (gp, practice_nurse, other_gp):
        register_for_session(by=user, session=session)
    cancel_registration(by=practice_nurse, session=session)
    again = register_for_session(by=practice_nurse, session=session)
    assert again.status == Status.WAITING
    cancel_registration(by=gp, session=session)
    # other-gp queued before the nurse's second sign-up, so other-gp gets the place.
    assert _statuses(session)["other-gp"] == Status.REGISTERED
    assert _statuses(session)["nurse"] == Status.WAITING
    assert Registration.objects.filter(session=session, participant=practice_nurse).count() == 1


def test_the_waiting_position_is_shown(client_for, gp, practice_nurse, other_gp, clinic):
    session = TeachingSessionFactory.create(organiser=clinic, capacity=1)
    for user in (gp, practice_nurse, other_gp):
        register_for_session(by=user, session=session)
    response = client_for(other_gp).get(reverse("teaching:detail", args=[session.pk]))
    assert response.context["position"] == 2


def test_a_second_registration_is_refused_and_nothing_changes(client_for, gp, upcoming_session):
    client = client_for(gp)
    client.post(reverse("teaching:register", args=[upcoming_session.pk]))
    response = client.post(
        reverse("teaching:register", args=[upcoming_session.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert Registration.objects.filter(session=upcoming_session, participant=gp).count() == 1


def test_double_registration_is_refused_by_the_service(gp, upcoming_session):
    register_for_session(by=gp, session=upcoming_session)
    with pytest.raises(ValidationError) as refused:
        register_for_session(by=gp, session=upcoming_session)
    assert refused.value.code == "already_registered"


def test_the_database_itself_refuses_a_second_row_for_the_same_person(gp, upcoming_session):
    RegistrationFactory.create(session=upcoming_session, participant=gp)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory.create(session=upcoming_session, participant=gp)


def test_signing_up_for_a_past_session_is_refused(client_for, practice_nurse, past_session):
    response = client_for(practice_nurse).post(reverse("teaching:register", args=[past_session.pk]))
    assert response.status_code == 422
    assert not Registration.objects.filter(participant=practice_nurse).exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_signing_up_for_a_session_that_has_started_is_refused(practice_nurse, clinic):
    session = TeachingSessionFactory.create(
        organiser=clinic, starts_at=timezone.now() - timedelta(minutes=5)
    )
    with pytest.raises(ValidationError) as refused:
        register_for_session(by=practice_nurse, session=session)
    assert refused.value.code == "session_past"


def test_cancelling_after_the_start_is_refused(gp, clinic):
    session = TeachingSessionFactory.create(
        organiser=clinic, starts_at=timezone.now() - timedelta(minutes=5)
    )
    RegistrationFactory.create(session=session, participant=gp)
    with pytest.raises(ValidationError):
        cancel_registration(by=gp, session=session)
    assert Registration.objects.get(session=session, participant=gp).status == Status.REGISTERED


def test_cancelling_without_a_registration_is_a_clear_error(client_for, gp, upcoming_session):
    response = client_for(gp).post(reverse("teaching:cancel", args=[upcoming_session.pk]))
    assert response.status_code == 422
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_the_clinic_cannot_sign_up(client_for, clinic_nurse, upcoming_session):
    response = client_for(clinic_nurse).post(
        reverse("teaching:register", args=[upcoming_session.pk])
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        actions.sign_up_for_session(user=clinic_nurse, session_id=upcoming_session.pk)
    assert not Registration.objects.exists()


def test_a_practice_secretary_may_sign_up(practice_secretary, upcoming_session):
    assert register_for_session(by=practice_secretary, session=upcoming_session).is_active


def test_the_programme_lists_coming_sessions_with_sign_up_buttons(
    client_for, gp, upcoming_session, past_session
):
    response = client_for(gp).get(reverse("teaching:list"))
    body = response.content.decode()
    assert upcoming_session.title in body
    assert past_session.title not in body
    assert reverse("teaching:register", args=[upcoming_session.pk]) in body
    past = client_for(gp).get(reverse("teaching:list"), {"when": "past"}).content.decode()
    assert past_session.title in past


def test_the_programme_filters_by_topic_and_sorts(client_for, gp, clinic):
    TeachingSessionFactory.create(organiser=clinic, title="B ryg", topics=["low_back_pain"])
    TeachingSessionFactory.create(
        organiser=clinic, title="A nedtrapning", topics=["taper_strategy"]
    )
    client = client_for(gp)
    filtered = client.get(reverse("teaching:list"), {"topic": "low_back_pain"})
    assert [r["session"].title for r in filtered.context["rows"]] == ["B ryg"]
    by_title = client.get(reverse("teaching:list"), {"sort": "title"})
    assert [r["session"].title for r in by_title.context["rows"]] == ["A nedtrapning", "B ryg"]
    unknown = client.get(reverse("teaching:list"), {"sort": "drop table", "when": "x"})
    assert unknown.status_code == 200


def test_the_programme_paginates(client_for, gp, clinic):
    for _ in range(25):
        TeachingSessionFactory.create(organiser=clinic)
    client = client_for(gp)
    assert len(client.get(reverse("teaching:list")).context["rows"]) == 20
    assert len(client.get(reverse("teaching:list"), {"page": 2}).context["rows"]) == 5


def test_an_empty_programme_says_so(client_for, gp, clinic_nurse):
    assert "teaching:create" not in client_for(gp).get(reverse("teaching:list")).content.decode()
    response = client_for(clinic_nurse).get(reverse("teaching:list"))
    assert response.context["rows"] == []
    assert reverse("teaching:create") in response.content.decode()


def _fragment(body, element_id):
    start = body.index(f'id="{element_id}"')
    return body[start : body.index("</span>", start)]


def test_signing_up_with_htmx_updates_the_seat_counts_out_of_band(
    client_for, gp, practice_nurse, clinic
):
    session = TeachingSessionFactory.create(organiser=clinic, capacity=2)
    http = client_for(gp)
    listed = http.get(reverse("teaching:list")).content.decode()
    assert "0 af 2" in _fragment(listed, f"places-{session.pk}")
    response = http.post(reverse("teaching:register", args=[session.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    places = _fragment(body, f"places-{session.pk}")
    seats = _fragment(body, f"seats-{session.pk}")
    assert 'hx-swap-oob="true"' in places and "1 af 2" in places
    assert 'hx-swap-oob="true"' in seats and "1 af 2" in seats
    # the same count as a fresh page would show
    detail = http.get(reverse("teaching:detail", args=[session.pk])).content.decode()
    assert "1 af 2" in _fragment(detail, f"seats-{session.pk}")
    cancelled = http.post(reverse("teaching:cancel", args=[session.pk]), HTTP_HX_REQUEST="true")
    assert "0 af 2" in _fragment(cancelled.content.decode(), f"places-{session.pk}")
