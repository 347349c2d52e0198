"""The teacher marks who came; only those who came rate the session."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from smertespor.teaching import actions
from smertespor.teaching.models import Feedback, Registration
from smertespor.teaching.services import cancel_registration, give_feedback, mark_attendance
from smertespor.teaching.tests.factories import RegistrationFactory, TeachingSessionFactory


@pytest.fixture
def held_session(clinic, gp, practice_nurse):
    """A session that started an hour ago with two people signed up, attendance unmarked."""
    session = TeachingSessionFactory.create(
        organiser=clinic, starts_at=timezone.now() - timedelta(hours=1)
    )
    RegistrationFactory.create(session=session, participant=gp)
    RegistrationFactory.create(session=session, participant=practice_nurse)
    return session


def _registration(session, user):
    return Registration.objects.get(session=session, participant=user)


def test_the_clinic_marks_attendance_on_the_page(
    client_for, clinic_nurse, gp, practice_nurse, held_session
):
    gp_row = _registration(held_session, gp)
    url = reverse("teaching:attendance", args=[held_session.pk])
    response = client_for(clinic_nurse).post(url, {f"attended_{gp_row.pk}": "on"})
    assert response.status_code == 302
    gp_row.refresh_from_db()
    assert gp_row.attended is True
    assert gp_row.attendance_marked_by == clinic_nurse
    assert _registration(held_session, practice_nurse).attended is False


def test_a_gp_cannot_mark_attendance(client_for, gp, held_session):
    gp_row = _registration(held_session, gp)
    url = reverse("teaching:attendance", args=[held_session.pk])
    assert client_for(gp).get(url).status_code == 403
    assert client_for(gp).post(url, {f"attended_{gp_row.pk}": "on"}).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.mark_attendance(user=gp, session_id=held_session.pk, attendance={gp_row.pk: True})
    gp_row.refresh_from_db()
    assert gp_row.attended is None


def test_a_teacher_from_another_organisation_may_mark_attendance(centre_doctor, gp, held_session):
    gp_row = _registration(held_session, gp)
    attendance = {gp_row.pk: True}
    with pytest.raises(PermissionDenied):
        actions.mark_attendance(
            user=centre_doctor, session_id=held_session.pk, attendance=attendance
        )
    held_session.teachers.add(centre_doctor)
    actions.mark_attendance(user=centre_doctor, session_id=held_session.pk, attendance=attendance)
    assert _registration(held_session, gp).attended is True


def test_attendance_opens_an_hour_before_the_start(client_for, clinic_nurse, gp, upcoming_session):
    registration = RegistrationFactory.create(session=upcoming_session, participant=gp)
    with pytest.raises(ValidationError) as refused:
        mark_attendance(
            by=clinic_nurse, session=upcoming_session, attendance={registration.pk: True}
        )
    assert refused.value.code == "not_started"
    page = client_for(clinic_nurse).get(reverse("teaching:attendance", args=[upcoming_session.pk]))
    assert page.status_code == 200
    assert b"<table" not in page.content


def test_the_roll_can_be_taken_as_people_arrive(clinic_nurse, gp, clinic):
    session = TeachingSessionFactory.create(
        organiser=clinic, starts_at=timezone.now() + timedelta(minutes=30)
    )
    registration = RegistrationFactory.create(session=session, participant=gp)
    mark_attendance(by=clinic_nurse, session=session, attendance={registration.pk: True})
    registration.refresh_from_db()
    assert registration.attended is True
    with pytest.raises(ValidationError) as refused:
        give_feedback(by=gp, session=session, rating=5)
    assert refused.value.code == "not_started"


def test_cancelling_after_an_early_roll_call_clears_the_attendance(clinic_nurse, gp, clinic):
    session = TeachingSessionFactory.create(
        organiser=clinic, starts_at=timezone.now() + timedelta(minutes=30)
    )
    registration = RegistrationFactory.create(session=session, participant=gp)
    mark_attendance(by=clinic_nurse, session=session, attendance={registration.pk: True})
    cancel_registration(by=gp, session=session)
    registration.refresh_from_db()
    assert (registration.status, registration.attended) == (Registration.Status.CANCELLED, None)


def test_attendance_for_someone_not_signed_up_is_refused_and_nothing_saved(
    clinic_nurse, gp, held_session, other_gp, past_session
):
    gp_row = _registration(held_session, gp)
    elsewhere = RegistrationFactory.create(
        session=past_session, participant=other_gp, attended=None
    )
    with pytest.raises(ValidationError):
        mark_attendance(
            by=clinic_nurse,
            session=held_session,
            attendance={gp_row.pk: True, elsewhere.pk: True},
        )
    assert _registration(held_session, gp).attended is None
    elsewhere.refresh_from_db()
    assert elsewhere.attended is None


def test_an_attendee_gives_feedback(client_for, gp, past_session):
    response = client_for(gp).post(
        reverse("teaching:feedback", args=[past_session.pk]),
        {"rating": "4", "comment": "Gode cases."},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment) == (4, "Gode cases.")
    assert feedback.registration.participant == gp


def test_giving_feedback_again_replaces_it(gp, past_session):
    give_feedback(by=gp, session=past_session, rating=2)
    give_feedback(by=gp, session=past_session, rating=5, comment="Bedre ved nærmere eftertanke")
    assert Feedback.objects.get().rating == 5


def test_feedback_from_someone_who_did_not_attend_is_refused(
    client_for, practice_nurse, past_session
):
    RegistrationFactory.create(session=past_session, participant=practice_nurse, attended=False)
    response = client_for(practice_nurse).post(
        reverse("teaching:feedback", args=[past_session.pk]), {"rating": "5"}
    )
    assert response.status_code == 422
    assert not Feedback.objects.exists()
    with pytest.raises(ValidationError) as refused:
        give_feedback(by=practice_nurse, session=past_session, rating=5)
    assert refused.value.code == "did_not_attend"


def test_feedback_from_someone_never_signed_up_is_refused(other_gp, past_session):
    with pytest.raises(ValidationError):
        give_feedback(by=other_gp, session=past_session, rating=3)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_1_to_5_is_refused(gp, past_session, rating):
    with pytest.raises(ValidationError) as refused:
        give_feedback(by=gp, session=past_session, rating=rating)
    assert "rating" in refused.value.message_dict
    assert not Feedback.objects.exists()


def test_the_feedback_form_refuses_a_rating_outside_1_to_5(client_for, gp, past_session):
    response = client_for(gp).post(
        reverse("teaching:feedback", args=[past_session.pk]), {"rating": "9"}
    )
    assert response.status_code == 422
    assert "rating" in response.context["form"].errors
    assert not Feedback.objects.exists()


def test_a_clinic_user_cannot_give_feedback_for_others(client_for, clinic_nurse, past_session):
    url = reverse("teaching:feedback", args=[past_session.pk])
    assert client_for(clinic_nurse).post(url, {"rating": "1"}).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.give_feedback(user=clinic_nurse, session_id=past_session.pk, rating=1)
    assert not Feedback.objects.exists()


def test_the_organiser_sees_the_average_rating_and_comments(
    client_for, clinic_nurse, gp, practice_nurse, past_session
):
    RegistrationFactory.create(session=past_session, participant=practice_nurse, attended=True)
    give_feedback(by=gp, session=past_session, rating=4, comment="Meget brugbart")
    give_feedback(by=practice_nurse, session=past_session, rating=5)
    response = client_for(clinic_nurse).get(reverse("teaching:detail", args=[past_session.pk]))
    summary = response.context["feedback"]
    assert (summary.count, str(summary.average)) == (2, "4.5")
    assert "Meget brugbart" in response.content.decode()


def test_participants_do_not_see_each_others_names_or_feedback(
    client_for, gp, practice_nurse, past_session
):
    RegistrationFactory.create(session=past_session, participant=practice_nurse, attended=True)
    give_feedback(by=practice_nurse, session=past_session, rating=1, comment="Hemmelig kritik")
    body = client_for(gp).get(reverse("teaching:detail", args=[past_session.pk])).content.decode()
    assert "Hemmelig kritik" not in body
    assert practice_nurse.last_name not in body
