"""The teaching API: the same services as the pages; bad input is a 4xx, never a 500."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from smertespor.notifications.models import Notification
from smertespor.teaching.models import Feedback, Invitation, Registration, TeachingSession
from smertespor.teaching.tests.factories import RegistrationFactory, TeachingSessionFactory

PROBLEM = "application/problem+json"


def _send(client, method, url, body=None, version=None):
    """`version`: the record's version the write names in If-Match."""
    kwargs: dict[str, Any] = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body, default=str)
    if version is not None:
        kwargs["headers"] = {"If-Match": f'"{version}"'}
    return getattr(client, method)(url, **kwargs)


def _session_body(**overrides):
    start = timezone.now() + timedelta(days=20)
    body = {
        "title": "Alternativer til opioider",
        "topics": ["alternatives"],
        "audience": ["gps", "practice_nurses"],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=120)).isoformat(),
        "location": "Online og Silkeborg",
        "online_url": "https://meet.example/x",
        "capacity": 30,
    }
    body.update(overrides)
    return body


def test_the_clinic_creates_a_series_through_the_api(client_for, clinic_nurse):
    response = _send(
        client_for(clinic_nurse),
        "post",
        "/api/teaching/sessions",
        _session_body(repeat="monthly", occurrences=3),
    )
    assert response.status_code == 201, response.content
    items = response.json()["items"]
    assert len(items) == 3
    assert items[0]["hours"] == "2"  # exact decimal text, as every number in the API
    assert items[0]["topics"] == ["alternatives"]
    assert TeachingSession.objects.count() == 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"capacity": -1}, "capacity", id="negative-capacity"),
        pytest.param(
            {"ends_at": (timezone.now() + timedelta(days=1)).isoformat()},
            "ends_at",
            id="end-before-start",
        ),
        pytest.param({"topics": ["astrology"]}, "topics", id="unknown-topic"),
        pytest.param({"audience": []}, "audience", id="no-audience"),
        pytest.param({"location": "", "online_url": ""}, "location", id="no-place"),
        pytest.param({"online_url": "ftp://example.org"}, "online_url", id="not-a-web-link"),
        pytest.param({"repeat": "hourly", "occurrences": 3}, "repeat", id="bad-repeat"),
        pytest.param({"teacher_ids": [999999]}, "teacher_ids", id="unknown-teacher"),
        pytest.param({"capacity": "lots"}, "capacity", id="capacity-not-a-number"),
        pytest.param({"starts_at": "tomorrow-ish"}, "starts_at", id="bad-date"),
        pytest.param({"title": "x" * 201}, "title", id="over-long-title"),
        pytest.param(
            {"starts_at": "2030-01-01T12:00:00", "ends_at": "2030-01-01T13:00:00"},
            "starts_at",
            id="time-without-offset",
        ),
        pytest.param(
            {
                "starts_at": "9999-12-01T12:00:00+00:00",
                "ends_at": "9999-12-01T13:00:00+00:00",
                "repeat": "monthly",
                "occurrences": 3,
            },
            "starts_at",
            id="far-future-series",
        ),
        pytest.param({"occurrences": 0}, "occurrences", id="no-occurrences"),
        pytest.param({"capacity": True}, "capacity", id="capacity-a-boolean"),
    ],
)
def test_bad_session_input_is_422_and_nothing_saved(client_for, clinic_nurse, overrides, field):
    response = _send(
        client_for(clinic_nurse), "post", "/api/teaching/sessions", _session_body(**overrides)
    )
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 422
    assert field in {error["field"].split(".")[0] for error in body["errors"]}, body
    assert all(error["message"] for error in body["errors"])
    assert not TeachingSession.objects.exists()


def test_a_gp_cannot_create_a_session_through_the_api(client_for, gp):
    response = _send(client_for(gp), "post", "/api/teaching/sessions", _session_body())
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 403
    assert not TeachingSession.objects.exists()


def test_a_gp_registers_is_queued_and_cancels_through_the_api(
    client_for, gp, practice_nurse, clinic
):
    session = TeachingSessionFactory.create(organiser=clinic, capacity=1)
    url = f"/api/teaching/sessions/{session.pk}/registration"
    first = _send(client_for(gp), "post", url)
    second = _send(client_for(practice_nurse), "post", url)
    assert (first.status_code, first.json()["status"]) == (201, "registered")
    assert (second.status_code, second.json()["status"]) == (201, "waiting")
    assert second.json()["waiting_position"] == 1
    cancelled = _send(client_for(gp), "delete", url)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    mine = _send(client_for(practice_nurse), "get", url).json()
    assert (mine["status"], mine["waiting_position"]) == ("registered", None)


def test_double_registration_is_422(client_for, gp, upcoming_session):
    url = f"/api/teaching/sessions/{upcoming_session.pk}/registration"
    _send(client_for(gp), "post", url)
    response = _send(client_for(gp), "post", url)
    assert response.status_code == 422
    assert Registration.objects.count() == 1


def test_registering_for_a_past_session_is_422(client_for, practice_nurse, past_session):
    response = _send(
        client_for(practice_nurse), "post", f"/api/teaching/sessions/{past_session.pk}/registration"
    )
    assert response.status_code == 422
    assert not Registration.objects.filter(participant=practice_nurse).exists()


def test_cancelling_without_a_registration_is_422(client_for, gp, upcoming_session):
    url = f"/api/teaching/sessions/{upcoming_session.pk}/registration"
    assert _send(client_for(gp), "delete", url).status_code == 422
    assert _send(client_for(gp), "get", url).status_code == 404


def test_an_unknown_session_is_404(client_for, gp):
    assert _send(client_for(gp), "get", "/api/teaching/sessions/999999").status_code == 404
    response = _send(client_for(gp), "post", "/api/teaching/sessions/999999/registration")
    assert response.status_code == 404


def test_the_clinic_marks_attendance_through_the_api(client_for, clinic_nurse, gp, clinic):
    session = TeachingSessionFactory.create(
        organiser=clinic, starts_at=timezone.now() - timedelta(hours=2)
    )
    registration = RegistrationFactory.create(session=session, participant=gp)
    response = _send(
        client_for(clinic_nurse),
        "put",
        f"/api/teaching/sessions/{session.pk}/attendance",
        {"attendance": [{"registration_id": registration.pk, "attended": True}]},
    )
    assert response.status_code == 200
    assert response.json()[0]["attended"] is True
    hours = _send(client_for(gp), "get", "/api/teaching/hours/mine").json()
    assert hours["hours"] == "1.5"
    assert hours["sessions"][0]["certificate_url"].endswith(f"/certificates/{registration.pk}/")


def test_a_gp_cannot_mark_attendance_through_the_api(client_for, gp, past_session):
    registration = past_session.registrations.get(participant=gp)
    response = _send(
        client_for(gp),
        "put",
        f"/api/teaching/sessions/{past_session.pk}/attendance",
        {"attendance": [{"registration_id": registration.pk, "attended": False}]},
    )
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.attended is True


def test_attendance_before_the_session_is_422(client_for, clinic_nurse, gp, upcoming_session):
    registration = RegistrationFactory.create(session=upcoming_session, participant=gp)
    response = _send(
        client_for(clinic_nurse),
        "put",
        f"/api/teaching/sessions/{upcoming_session.pk}/attendance",
        {"attendance": [{"registration_id": registration.pk, "attended": True}]},
    )
    assert response.status_code == 422
    registration.refresh_from_db()
    assert registration.attended is None


def test_feedback_through_the_api(client_for, gp, practice_nurse, past_session):
    url = f"/api/teaching/sessions/{past_session.pk}/feedback"
    ok = _send(client_for(gp), "post", url, {"rating": 5, "comment": "Tak"})
    assert ok.status_code == 201
    assert _send(client_for(gp), "post", url, {"rating": 7}).status_code == 422
    assert _send(client_for(practice_nurse), "post", url, {"rating": 4}).status_code == 422
    assert Feedback.objects.get().rating == 5


def test_the_organiser_lists_registrations_a_gp_may_not(client_for, clinic_nurse, gp, past_session):
    url = f"/api/teaching/sessions/{past_session.pk}/registrations"
    listed = _send(client_for(clinic_nurse), "get", url)
    assert [row["participant_id"] for row in listed.json()] == [gp.pk]
    refused = _send(client_for(gp), "get", url)
    assert refused.status_code == 403
    assert gp.last_name.encode() not in refused.content


def test_the_clinic_changes_places_through_the_api(client_for, clinic_nurse, upcoming_session):
    url = f"/api/teaching/sessions/{upcoming_session.pk}"
    assert _send(client_for(clinic_nurse), "patch", url, {"capacity": 0}, 1).status_code == 422
    naive = {"starts_at": "2030-01-01T12:00:00"}
    assert _send(client_for(clinic_nurse), "patch", url, naive, 1).status_code == 422
    response = _send(client_for(clinic_nurse), "patch", url, {"capacity": 40}, 1)
    assert response.status_code == 200
    assert response.json()["capacity"] == 40
    assert (response["ETag"], response.json()["version"]) == ('"2"', 2)


def test_the_programme_lists_and_filters(client_for, gp, clinic, past_session):
    TeachingSessionFactory.create(organiser=clinic, topics=["low_back_pain"])
    TeachingSessionFactory.create(organiser=clinic, topics=["withdrawal"])
    client = client_for(gp)
    upcoming = _send(client, "get", "/api/teaching/sessions").json()
    assert upcoming["count"] == 2
    filtered = _send(client, "get", "/api/teaching/sessions?topic=withdrawal").json()
    assert [item["topics"] for item in filtered["items"]] == [["withdrawal"]]
    past = _send(client, "get", "/api/teaching/sessions?when=past").json()
    assert [item["id"] for item in past["items"]] == [past_session.pk]


def test_a_planner_is_refused_the_programme(client_for, planner, upcoming_session):
    assert _send(client_for(planner), "get", "/api/teaching/sessions").status_code == 403


def test_the_programme_refuses_an_unknown_filter_value(client_for, gp):
    response = _send(client_for(gp), "get", "/api/teaching/sessions?when=soon")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "when"


# --- invitations ---------------------------------------------------------------------------


def test_the_clinic_invites_practices_through_the_api(
    client_for, clinic_nurse, gp, other_gp, upcoming_session
):
    url = f"/api/teaching/sessions/{upcoming_session.pk}/invitations"
    practices = [gp.organisation_id, other_gp.organisation_id]
    response = _send(client_for(clinic_nurse), "post", url, {"practices": practices})
    assert response.status_code == 201, response.content
    assert sorted(row["practice_id"] for row in response.json()) == sorted(practices)
    assert Invitation.objects.filter(session=upcoming_session).count() == 2
    assert set(
        Notification.objects.filter(kind="teaching_invitation").values_list(
            "recipient__username", flat=True
        )
    ) == {gp.username, other_gp.username}


def test_inviting_the_same_practices_again_is_422(client_for, clinic_nurse, gp, upcoming_session):
    url = f"/api/teaching/sessions/{upcoming_session.pk}/invitations"
    body = {"practices": [gp.organisation_id]}
    _send(client_for(clinic_nurse), "post", url, body)
    again = _send(client_for(clinic_nurse), "post", url, body)
    assert again.status_code == 422
    assert again.json()["errors"][0]["code"] == "already_invited"
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    "practices",
    [
        pytest.param([], id="none"),
        pytest.param([999999], id="unknown"),
        pytest.param(["the clinic"], id="not-an-id"),
        # Issue 12 (make fuzz): an id too large for the database was a server error.
        pytest.param([10**400], id="huge-id"),
    ],
)
def test_inviting_nothing_or_no_practice_is_422(
    client_for, clinic_nurse, upcoming_session, practices
):
    url = f"/api/teaching/sessions/{upcoming_session.pk}/invitations"
    response = _send(client_for(clinic_nurse), "post", url, {"practices": practices})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("practices")
    assert not Invitation.objects.exists()


def test_only_general_practices_can_be_invited(client_for, clinic_nurse, clinic, upcoming_session):
    url = f"/api/teaching/sessions/{upcoming_session.pk}/invitations"
    response = _send(client_for(clinic_nurse), "post", url, {"practices": [clinic.pk]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid_choice"


def test_a_gp_cannot_invite_through_the_api(client_for, gp, other_gp, upcoming_session):
    url = f"/api/teaching/sessions/{upcoming_session.pk}/invitations"
    response = _send(client_for(gp), "post", url, {"practices": [other_gp.organisation_id]})
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert other_gp.organisation.name.encode() not in response.content
    assert not Invitation.objects.exists()
