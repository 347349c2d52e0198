"""Two organisers editing the same teaching session: the stale save is refused (409)."""

import json

import pytest
from django.urls import reverse

from smertespor.teaching.models import TeachingSession
from smertespor.teaching.services import update_teaching_session
from smertespor.versions import StaleVersion

pytestmark = pytest.mark.django_db


def _opened(client, session):
    response = client.get(reverse("teaching:edit", args=[session.pk]))
    assert response.status_code == 200
    initial = response.context["form"].initial
    data = {k: v for k, v in initial.items() if k != "teachers"}
    data |= {
        "date": initial["date"].isoformat(),
        "start_time": initial["start_time"].strftime("%H:%M"),
        "end_time": initial["end_time"].strftime("%H:%M"),
    }
    return data


def test_a_stale_session_edit_is_refused_with_409_and_shows_the_other_change(
    client_for, clinic_nurse, clinic_doctor, upcoming_session
):
    url = reverse("teaching:edit", args=[upcoming_session.pk])
    first, second = client_for(clinic_nurse), client_for(clinic_doctor)
    opened_first, opened_second = (
        _opened(first, upcoming_session),
        _opened(second, upcoming_session),
    )
    assert opened_first["version"] == opened_second["version"] == 1

    assert first.post(url, {**opened_first, "capacity": "30"}).status_code == 302
    refused = second.post(url, {**opened_second, "title": "Nyt navn"})

    assert refused.status_code == 409
    upcoming_session.refresh_from_db()
    assert (upcoming_session.capacity, upcoming_session.version) == (30, 2)
    assert upcoming_session.title != "Nyt navn"
    form = refused.context["form"]
    rows = {c.label: (c.yours, c.current) for c in form.stale_changes}
    assert rows[str(form.fields["capacity"].label)][1] == "30"
    assert form["title"].value() == "Nyt navn"
    assert 'name="version" value="2"' in refused.content.decode()


def test_a_stale_patch_of_a_session_is_409_and_a_missing_if_match_428(
    client_for, clinic_nurse, upcoming_session
):
    client = client_for(clinic_nurse)
    path = f"/api/teaching/sessions/{upcoming_session.pk}"
    tag = client.get(path)["ETag"]
    assert tag == '"1"'
    body = json.dumps({"capacity": 30})
    assert client.patch(path, body, "application/json").status_code == 428
    saved = client.patch(path, body, "application/json", headers={"If-Match": tag})
    assert saved.status_code == 200
    assert saved["ETag"] == '"2"' == f'"{saved.json()["version"]}"'
    stale = client.patch(
        path, json.dumps({"capacity": 25}), "application/json", headers={"If-Match": tag}
    )
    assert stale.status_code == 409
    upcoming_session.refresh_from_db()
    assert (upcoming_session.capacity, upcoming_session.version) == (30, 2)
    assert client.get(path)["ETag"] == saved["ETag"]


def test_every_session_write_raises_the_version_by_one(clinic_nurse, upcoming_session):
    seen = [upcoming_session.version]
    for changes in ({"title": "A"}, {"capacity": 40}, {"description": "B"}, {"location": "C"}):
        changed = update_teaching_session(
            by=clinic_nurse, session=upcoming_session, expected_version=seen[-1], **changes
        )
        stored = TeachingSession.objects.get(pk=upcoming_session.pk)
        assert changed.version == stored.version == seen[-1] + 1
        seen.append(stored.version)
    assert seen == [1, 2, 3, 4, 5]
    with pytest.raises(StaleVersion):
        update_teaching_session(
            by=clinic_nurse, session=upcoming_session, expected_version=1, title="Late"
        )
