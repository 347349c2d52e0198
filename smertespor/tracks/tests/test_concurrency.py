"""Two people acting on one course at once: the second gets a conflict, never an overwrite."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from smertespor.tracks.follow_ups import record_follow_up
from smertespor.tracks.models import Course, FollowUp, Handover
from smertespor.tracks.services import end_course, hand_over_early, update_handover_letter
from smertespor.tracks.tests.helpers import enrol
from smertespor.tracks.tests.test_transitions import _fresh
from smertespor.tracks.transitions import CourseConflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(gp, patient, clinic):
    return enrol(gp, patient, clinic, timezone.localdate() - timedelta(days=10))


def test_the_second_of_two_steps_read_at_the_same_version_is_a_conflict(gp, started):
    first_copy, second_copy = _fresh(started), _fresh(started)
    hand_over_early(course=first_copy, by=gp, expected_version=1, reason="Patient wishes")
    with pytest.raises(CourseConflict):
        end_course(course=second_copy, by=gp, expected_version=1, reason="Moved away")
    course = _fresh(started)
    assert course.status == "handover_proposed"
    assert Handover.objects.get(course=course).decision == "pending"


def test_a_visit_recorded_on_a_stale_page_is_a_conflict_and_not_saved(gp, practice_nurse, started):
    today = timezone.localdate()
    record_follow_up(
        course=_fresh(started),
        by=gp,
        expected_version=1,
        visit_on=today,
        omeq_mg_per_day=Decimal(50),
        next_visit_on=today + timedelta(days=7),
    )
    with pytest.raises(CourseConflict):
        record_follow_up(
            course=_fresh(started),
            by=practice_nurse,
            expected_version=1,
            visit_on=today,
            omeq_mg_per_day=Decimal(45),
            next_visit_on=today + timedelta(days=30),
        )
    assert FollowUp.objects.count() == 1
    assert _fresh(started).next_follow_up_on == today + timedelta(days=7)


def test_the_page_shows_a_conflict_message_and_keeps_the_input(
    gp, practice_nurse, started, client_for
):
    today = timezone.localdate().isoformat()
    url = reverse("tracks:follow_up_create", args=[started.patient_id, started.pk])
    body = {"version": "1", "visit_on": today, "omeq_mg_per_day": "50", "note": "Mine"}
    client_for(gp).post(url, body)
    client = client_for(practice_nurse)
    client.cookies["django_language"] = "en"
    response = client.post(url, {**body, "note": "Theirs"})
    assert response.status_code == 409
    assert "Someone else changed this course" in response.content.decode()
    assert "Theirs" in response.content.decode()
    assert FollowUp.objects.get().note == "Mine"


def test_the_api_answers_409_to_a_stale_version(gp, started, client_for):
    client = client_for(gp)
    url = f"/api/tracks/patients/{started.patient_id}/courses/{started.pk}/decisions"
    body = json.dumps({"event": "end", "reason": "Moved away"})
    read = {"If-Match": '"1"'}
    first = client.post(url, body, content_type="application/json", headers=read)
    second = client.post(url, body, content_type="application/json", headers=read)
    assert first.status_code == 200
    assert second.status_code == 409
    assert second["Content-Type"] == "application/problem+json"
    problem = second.json()
    assert problem["status"] == 409
    assert problem["errors"][0]["code"] == "conflict"
    assert _fresh(started).version == 2


def test_a_course_changed_by_the_rule_makes_an_open_page_stale(gp, started):
    Course.objects.filter(pk=started.pk).update(version=2, status="handover_proposed")
    with pytest.raises(CourseConflict):
        end_course(course=started, by=gp, expected_version=1, reason="Stale page")


def test_two_gps_editing_the_handover_letter_do_not_overwrite_each_other(gp, started):
    hand_over_early(course=started, by=gp, expected_version=1, reason="Early")
    handover = Handover.objects.get()
    update_handover_letter(
        handover=handover,
        by=gp,
        expected_version=2,
        gp_comment="First",
        expected_duration="",
        planned_follow_up="",
    )
    with pytest.raises(CourseConflict):
        update_handover_letter(
            handover=Handover.objects.get(),
            by=gp,
            expected_version=2,
            gp_comment="Second",
            expected_duration="",
            planned_follow_up="",
        )
    assert Handover.objects.get().gp_comment == "First"


def test_the_course_s_etag_is_the_version_a_write_names(gp, started, client_for):
    client = client_for(gp)
    path = f"/api/tracks/patients/{started.patient_id}/courses/{started.pk}"
    read = client.get(path)
    assert read["ETag"] == f'"{read.json()["version"]}"' == '"1"'
    body = json.dumps({"event": "end", "reason": "Moved away"})
    written = client.post(
        f"{path}/decisions",
        body,
        content_type="application/json",
        headers={"If-Match": read["ETag"]},
    )
    assert written.status_code == 200
    assert written["ETag"] == '"2"'
    assert client.get(path)["ETag"] == '"2"'
