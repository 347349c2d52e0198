"""The clinic's course plan refuses what cannot be: a team role another profession's, an
appointment outside the opening hours or on top of another, and it cancels and removes with
history. Each rule through the service, the page and the API, in Danish, nothing changed on
refusal."""

# ruff: noqa: F811 - the course fixtures are test_transitions' own

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from smertespor.audit.models import AuditEvent
from smertespor.entry.appointment_times import next_bookable
from smertespor.tracks.hospital_services import (
    add_team_member,
    book_appointment,
    cancel_appointment,
    remove_team_member,
)
from smertespor.tracks.models import Appointment, TeamMember, TimelineEvent
from smertespor.tracks.tests.test_transitions import (  # noqa: F401 - fixtures
    assessed,
    handed_over,
    hospital,
    planned,
    started,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def danish():
    with translation.override("da"):
        yield


def _book(course, by, starts_at, *, clinician=None, minutes=45, discipline="psychologist"):
    return book_appointment(
        course=course,
        by=by,
        starts_at=starts_at,
        duration_minutes=minutes,
        discipline=discipline,
        clinician_id=clinician.pk if clinician else None,
    )


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return timezone.localtime(day).replace(hour=hour, minute=minute)


# --- team roles match the profession -----------------------------------------------------


def test_a_secretary_cannot_be_the_teams_doctor(assessed, clinic_doctor, clinic_secretary, danish):
    with pytest.raises(ValidationError) as refused:
        add_team_member(
            course=assessed, by=clinic_doctor, user_id=clinic_secretary.pk, discipline="doctor"
        )
    assert refused.value.message_dict["discipline"] == [
        f"{clinic_secretary} er registreret som sekretær og kan ikke stå på holdet som læge. "
        "Vælg den faggruppe, der passer til personens profession."
    ]
    assert not TeamMember.objects.exists()


@pytest.mark.parametrize(
    ("persona", "discipline", "accepted"),
    [
        ("psychologist", "psychologist", True),
        ("psychologist", "doctor", False),
        ("clinic_nurse", "nurse", True),
        ("clinic_nurse", "doctor", False),
        ("clinic_doctor", "doctor", True),
        ("clinic_doctor", "physiotherapist", False),
    ],
)
def test_a_team_role_is_the_persons_profession(
    assessed, clinic_doctor, request, persona, discipline, accepted
):
    user = request.getfixturevalue(persona)
    if accepted:
        add_team_member(course=assessed, by=clinic_doctor, user_id=user.pk, discipline=discipline)
        assert assessed.team.get(user=user).discipline == discipline
    else:
        with pytest.raises(ValidationError):
            add_team_member(
                course=assessed, by=clinic_doctor, user_id=user.pk, discipline=discipline
            )
        assert not assessed.team.filter(user=user).exists()


def test_the_team_form_offers_clinicians_only(
    assessed, clinic_doctor, clinic_secretary, client_for
):
    url = reverse("tracks:course_plan", args=[assessed.patient_id, assessed.pk])
    response = client_for(clinic_doctor).get(url)
    choices = list(response.context["team_form"].fields["user"].queryset)
    assert clinic_doctor in choices
    assert clinic_secretary not in choices


def test_the_api_refuses_a_secretary_as_doctor(
    assessed, clinic_doctor, clinic_secretary, client_for
):
    url = f"/api/tracks/patients/{assessed.patient_id}/courses/{assessed.pk}/team"
    response = client_for(clinic_doctor).post(
        url,
        {"user_id": clinic_secretary.pk, "discipline": "doctor"},
        content_type="application/json",
        headers={"accept-language": "da"},
    )
    assert response.status_code == 422
    assert "sekretær" in response.content.decode()
    assert not TeamMember.objects.exists()


# --- opening hours -----------------------------------------------------------------------


def test_an_appointment_at_three_in_the_night_is_refused(planned, clinic_doctor, danish):
    night = _at(next_bookable(timezone.now()), 3)
    with pytest.raises(ValidationError) as refused:
        _book(planned, clinic_doctor, night)
    assert refused.value.message_dict["starts_at"] == [
        "Book tiden inden for åbningstiden, 07:00 til 17:00: den skal både begynde og slutte "
        "inden for den."
    ]
    assert not Appointment.objects.exists()


def test_an_appointment_running_past_closing_time_is_refused(planned, clinic_doctor):
    late = _at(next_bookable(timezone.now()), 16, 30)
    with pytest.raises(ValidationError):
        _book(planned, clinic_doctor, late, minutes=45)
    assert _book(planned, clinic_doctor, late, minutes=30).pk


def test_a_weekend_appointment_is_refused(planned, clinic_doctor, danish):
    monday = next_bookable(timezone.now() + timedelta(days=7 - timezone.now().weekday()), days=0)
    saturday = _at(monday - timedelta(days=2), 10)
    with pytest.raises(ValidationError) as refused:
        _book(planned, clinic_doctor, saturday)
    assert "Klinikken har lukket" in refused.value.message_dict["starts_at"][0]
    assert not Appointment.objects.exists()


def test_the_opening_hours_are_a_setting(planned, clinic_doctor, settings):
    settings.APPOINTMENT_OPENS, settings.APPOINTMENT_CLOSES = "06:00", "20:00"
    evening = _at(next_bookable(timezone.now()), 19)
    assert _book(planned, clinic_doctor, evening).pk


# --- no double booking -------------------------------------------------------------------


def test_the_same_clinician_cannot_be_booked_twice_at_once(
    planned, clinic_doctor, psychologist, danish
):
    ten = next_bookable(timezone.now(), hour=10)
    _book(planned, clinic_doctor, ten, clinician=psychologist, minutes=60)
    with pytest.raises(ValidationError) as refused:
        _book(planned, clinic_doctor, ten + timedelta(minutes=30), clinician=psychologist)
    message = refused.value.message_dict["clinician_id"][0]
    assert message.startswith("Behandleren har allerede en aftale")
    assert Appointment.objects.count() == 1
    # back to back is fine
    assert _book(planned, clinic_doctor, ten + timedelta(minutes=60), clinician=psychologist)


def test_the_same_patient_cannot_be_booked_twice_at_once(planned, clinic_doctor, danish):
    ten = next_bookable(timezone.now(), hour=10)
    _book(planned, clinic_doctor, ten, discipline="doctor")
    with pytest.raises(ValidationError) as refused:
        _book(planned, clinic_doctor, ten - timedelta(minutes=15), discipline="psychologist")
    assert refused.value.message_dict["starts_at"][0].startswith("Patienten har allerede en aftale")
    assert Appointment.objects.count() == 1


def test_a_cancelled_appointment_frees_its_time(planned, clinic_doctor, psychologist):
    ten = next_bookable(timezone.now(), hour=10)
    first = _book(planned, clinic_doctor, ten, clinician=psychologist)
    cancel_appointment(appointment=first, by=clinic_doctor, reason="The patient is ill")
    assert _book(planned, clinic_doctor, ten, clinician=psychologist).pk != first.pk


def test_the_page_refuses_a_double_booking_with_the_form_again(
    planned, clinic_doctor, psychologist, client_for
):
    ten = next_bookable(timezone.now(), hour=10)
    _book(planned, clinic_doctor, ten, clinician=psychologist)
    member = planned.team.get(user=psychologist)
    response = client_for(clinic_doctor).post(
        reverse("tracks:appointment_add", args=[planned.patient_id, planned.pk]),
        {
            "appointment-starts_at": timezone.localtime(ten).strftime("%Y-%m-%dT%H:%M"),
            "appointment-duration_minutes": "45",
            "appointment-discipline": "psychologist",
            "appointment-clinician": member.pk,
        },
        headers={"accept-language": "da"},
    )
    assert response.status_code == 422
    assert "Behandleren har allerede en aftale" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_the_api_refuses_a_time_outside_the_opening_hours(planned, clinic_doctor, client_for):
    night = _at(next_bookable(timezone.now()), 3)
    response = client_for(clinic_doctor).post(
        f"/api/tracks/patients/{planned.patient_id}/courses/{planned.pk}/appointments",
        {"starts_at": night.isoformat(), "duration_minutes": 45, "discipline": "doctor"},
        content_type="application/json",
        headers={"accept-language": "da"},
    )
    assert response.status_code == 422
    assert "åbningstiden" in response.content.decode()
    assert not Appointment.objects.exists()


# --- cancel and remove, with history -----------------------------------------------------


def test_cancelling_keeps_the_appointment_with_its_reason(planned, clinic_doctor, psychologist):
    appointment = _book(planned, clinic_doctor, next_bookable(timezone.now()))
    cancel_appointment(appointment=appointment, by=clinic_doctor, reason="Sick")
    kept = Appointment.objects.get(pk=appointment.pk)
    assert kept.is_cancelled
    assert (kept.cancel_reason, kept.cancelled_by) == ("Sick", clinic_doctor)
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.APPOINTMENT_CANCELLED)
    assert event.reason == "Sick"


def test_cancelling_needs_a_reason_and_happens_once(planned, clinic_doctor, danish):
    appointment = _book(planned, clinic_doctor, next_bookable(timezone.now()))
    with pytest.raises(ValidationError) as refused:
        cancel_appointment(appointment=appointment, by=clinic_doctor, reason="  ")
    assert refused.value.message_dict["reason"] == ["Skriv årsagen til, at aftalen aflyses."]
    assert not Appointment.objects.get(pk=appointment.pk).is_cancelled
    cancel_appointment(appointment=appointment, by=clinic_doctor, reason="Sick")
    with pytest.raises(ValidationError) as refused:
        cancel_appointment(appointment=appointment, by=clinic_doctor, reason="Again")
    assert refused.value.message_dict["reason"] == ["Aftalen er allerede aflyst."]
    assert Appointment.objects.get(pk=appointment.pk).cancel_reason == "Sick"


def test_the_page_cancels_and_shows_the_appointment_as_cancelled(
    planned, clinic_doctor, client_for
):
    appointment = _book(planned, clinic_doctor, next_bookable(timezone.now()))
    client = client_for(clinic_doctor)
    args = [planned.patient_id, planned.pk]
    audited = AuditEvent.objects.count()
    response = client.post(
        reverse("tracks:appointment_cancel", args=[*args, appointment.pk]),
        {"reason": "Patienten er syg"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.count() > audited
    page = client.get(reverse("tracks:course_plan", args=args)).content.decode()
    assert "Patienten er syg" in page
    assert "<del>" in page


def test_the_page_refuses_a_cancel_without_a_reason(planned, clinic_doctor, client_for):
    appointment = _book(planned, clinic_doctor, next_bookable(timezone.now()))
    response = client_for(clinic_doctor).post(
        reverse("tracks:appointment_cancel", args=[planned.patient_id, planned.pk, appointment.pk]),
        {"reason": ""},
        headers={"accept-language": "da"},
    )
    assert response.status_code == 422
    assert "Skriv årsagen til, at aftalen aflyses." in response.content.decode()
    assert not Appointment.objects.get(pk=appointment.pk).is_cancelled


def test_a_get_never_cancels(planned, clinic_doctor, client_for):
    appointment = _book(planned, clinic_doctor, next_bookable(timezone.now()))
    response = client_for(clinic_doctor).get(
        reverse("tracks:appointment_cancel", args=[planned.patient_id, planned.pk, appointment.pk])
    )
    assert response.status_code == 405
    assert not Appointment.objects.get(pk=appointment.pk).is_cancelled


def test_the_api_cancels_with_a_reason(planned, clinic_doctor, client_for):
    appointment = _book(planned, clinic_doctor, next_bookable(timezone.now()))
    url = (
        f"/api/tracks/patients/{planned.patient_id}/courses/{planned.pk}"
        f"/appointments/{appointment.pk}/cancel"
    )
    client = client_for(clinic_doctor)
    refused = client.post(url, {"reason": ""}, content_type="application/json")
    assert refused.status_code == 422
    done = client.post(url, {"reason": "Sick"}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["cancel_reason"] == "Sick"


def test_a_removed_member_stays_in_the_teams_history(
    assessed, clinic_doctor, clinic_nurse, psychologist, client_for
):
    add_team_member(course=assessed, by=clinic_doctor, user_id=clinic_nurse.pk, discipline="nurse")
    member = assessed.team.get(user=clinic_nurse)
    client = client_for(clinic_doctor)
    args = [assessed.patient_id, assessed.pk]
    response = client.post(
        reverse("tracks:team_member_remove", args=[*args, member.pk]), {"reason": "Orlov"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_removed
    assert member.removed_by == clinic_doctor
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.TEAM_MEMBER_REMOVED).exists()
    page = client.get(reverse("tracks:course_plan", args=args))
    assert member not in page.context["hospital"].team
    assert member in page.context["hospital"].former_team
    assert "Orlov" in page.content.decode()
    # and may be named again
    add_team_member(course=assessed, by=clinic_doctor, user_id=clinic_nurse.pk, discipline="nurse")
    assert assessed.team.filter(user=clinic_nurse).count() == 2


def test_a_member_with_appointments_ahead_is_not_removed(
    planned, clinic_doctor, psychologist, danish
):
    _book(planned, clinic_doctor, next_bookable(timezone.now()), clinician=psychologist)
    member = planned.team.get(user=psychologist)
    with pytest.raises(ValidationError) as refused:
        remove_team_member(member=member, by=clinic_doctor)
    assert refused.value.message_dict["member"][0].endswith("Aflys dem først.")
    assert not TeamMember.objects.get(pk=member.pk).is_removed


def test_the_last_member_of_an_active_plan_is_not_removed(
    planned, clinic_doctor, psychologist, danish
):
    remove_team_member(member=planned.team.get(user=psychologist), by=clinic_doctor)
    member = planned.team.get(removed_at__isnull=True)
    with pytest.raises(ValidationError) as refused:
        remove_team_member(member=member, by=clinic_doctor)
    assert refused.value.message_dict["member"] == [
        "Den aktive forløbsplan skal have mindst ét medlem på holdet."
    ]
    assert not TeamMember.objects.get(pk=member.pk).is_removed


def test_the_api_removes_a_team_member(assessed, clinic_doctor, clinic_nurse, client_for):
    member = add_team_member(
        course=assessed, by=clinic_doctor, user_id=clinic_nurse.pk, discipline="nurse"
    )
    url = (
        f"/api/tracks/patients/{assessed.patient_id}/courses/{assessed.pk}/team/{member.pk}/remove"
    )
    response = client_for(clinic_doctor).post(url, {"reason": ""}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["removed_at"]
    again = client_for(clinic_doctor).post(url, {}, content_type="application/json")
    assert again.status_code == 422


def test_a_secretary_may_not_cancel(planned, clinic_doctor, clinic_secretary, client_for):
    appointment = _book(planned, clinic_doctor, next_bookable(timezone.now()))
    response = client_for(clinic_secretary).post(
        reverse("tracks:appointment_cancel", args=[planned.patient_id, planned.pk, appointment.pk]),
        {"reason": "No"},
    )
    assert response.status_code == 403
    assert not Appointment.objects.get(pk=appointment.pk).is_cancelled
