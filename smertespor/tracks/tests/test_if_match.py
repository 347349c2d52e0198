"""Every API write that changes a course names the course version it read in `If-Match` (the
ETag of the course's GET), as the other records' writes do (`smertespor.versions`): a stale
one is 409, one without `If-Match` 428, one whose `If-Match` names no version 412, each a
problem that changes nothing; a write that goes through answers the course's new ETag."""

import json
from contextlib import nullcontext
from datetime import date, timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from smertespor.tracks.hospital_services import (
    accept_handover,
    activate_plan,
    add_team_member,
    assess_needs,
)
from smertespor.tracks.models import (
    Course,
    DischargeSummary,
    FollowUp,
    Handover,
    NeedsAssessment,
    RuleReview,
    TimelineEvent,
)
from smertespor.tracks.rules import run_daily_rules
from smertespor.tracks.services import hand_over_early
from smertespor.tracks.tests.helpers import enrol, on, visit

pytestmark = pytest.mark.django_db

START = date(2026, 1, 5)
AFTER = date(2026, 4, 6)  # the day after the 3-month deadline
DECIDED = date(2026, 4, 8)


def _started(gp, clinic_doctor, patient, clinic):
    return enrol(gp, patient, clinic, timezone.localdate() - timedelta(days=10))


def _proposed(gp, clinic_doctor, patient, clinic):
    """Behind the goal with no taper plan: the rule proposes a handover."""
    course = enrol(gp, patient, clinic, START)
    for day in (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 30)):
        visit(gp, course, day, 50)
    with on(AFTER):
        run_daily_rules()
    course.refresh_from_db()
    assert course.status == "handover_review"
    return course


def _handed_over(gp, clinic_doctor, patient, clinic):
    course = _started(gp, clinic_doctor, patient, clinic)
    hand_over_early(course=course, by=gp, expected_version=course.version, reason="Stalled")
    return Course.objects.get(pk=course.pk)


def _accepted(gp, clinic_doctor, patient, clinic):
    course = _handed_over(gp, clinic_doctor, patient, clinic)
    return accept_handover(course=course, by=clinic_doctor, expected_version=course.version)


def _assessed(gp, clinic_doctor, patient, clinic):
    course = _accepted(gp, clinic_doctor, patient, clinic)
    assess_needs(
        course=course,
        by=clinic_doctor,
        expected_version=course.version,
        disciplines=["doctor"],
        interventions=["supervised_taper"],
    )
    add_team_member(course=course, by=clinic_doctor, user_id=clinic_doctor.pk, discipline="doctor")
    return Course.objects.get(pk=course.pk)


def _planned(gp, clinic_doctor, patient, clinic):
    course = _assessed(gp, clinic_doctor, patient, clinic)
    activate_plan(course=course, by=clinic_doctor, expected_version=course.version, plan_note="P")
    return Course.objects.get(pk=course.pk)


# Each course write of the API: the course it needs, who writes, method, path, body.
WRITES = {
    "follow-up": (_started, "gp", "post", "/follow-ups", {"nrs": 5, "omeq_mg_per_day": 40}),
    "decision": (_started, "gp", "post", "/decisions", {"event": "end", "reason": "Moved"}),
    "proposal-confirm": (_proposed, "gp", "post", "/proposal/confirm", {"note": "Over"}),
    "proposal-dismiss": (_proposed, "gp", "post", "/proposal/dismiss", {"reason": "Stable"}),
    "handover-letter": (_handed_over, "gp", "put", "/handover", {"gp_comment": "Over to you"}),
    "accept": (_handed_over, "clinic_doctor", "post", "/decisions", {"event": "accept"}),
    "return": (
        _handed_over,
        "clinic_doctor",
        "post",
        "/decisions",
        {"event": "return_to_practice", "reason": "Go on in the practice"},
    ),
    "needs-assessment": (
        _accepted,
        "clinic_doctor",
        "post",
        "/needs-assessment",
        {"disciplines": ["doctor"], "interventions": ["cbt_group"]},
    ),
    "plan": (_assessed, "clinic_doctor", "post", "/plan", {"plan_note": "CBT group, taper"}),
    "discharge": (
        _planned,
        "clinic_doctor",
        "post",
        "/discharge-summary",
        {"summary": "Done", "recommendations": "Monthly", "omeq_mg_per_day": "20"},
    ),
}


@pytest.fixture(params=list(WRITES))
def write(request, gp, clinic_doctor, patient, clinic, client_for):
    """One course write, ready to send: `send(if_match)` with the header (None: without)."""
    build, who, method, tail, body = WRITES[request.param]
    course = build(gp, clinic_doctor, patient, clinic)
    user = {"gp": gp, "clinic_doctor": clinic_doctor}[who]
    http = client_for(user)
    url = f"/api/tracks/patients/{patient.pk}/courses/{course.pk}"

    def send(if_match):
        headers = {} if if_match is None else {"If-Match": if_match}
        with on(DECIDED) if build is _proposed else nullcontext():
            return getattr(http, method)(
                url + tail, json.dumps(body), content_type="application/json", headers=headers
            )

    with on(DECIDED) if build is _proposed else nullcontext():
        read = http.get(url)
    assert read.status_code == 200
    return course, read["ETag"], send


def _state(course):
    """What a write could change: the course and everything recorded on it."""
    fresh = Course.objects.get(pk=course.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.plan_note,
        Course.objects.filter(patient_id=course.patient_id).count(),
        FollowUp.objects.filter(course=course).count(),
        list(Handover.objects.filter(course=course).values_list("gp_comment", "decision")),
        NeedsAssessment.objects.filter(course=course).count(),
        DischargeSummary.objects.filter(course=course).count(),
        list(RuleReview.objects.filter(course=course).values_list("outcome", flat=True)),
        TimelineEvent.objects.filter(course__patient_id=course.patient_id).count(),
    )


def _is_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status


def test_a_write_at_the_version_read_goes_through_and_answers_the_new_etag(write):
    course, etag, send = write
    response = send(etag)
    assert response.status_code in (200, 201), response.content
    shown = response.json()
    # A decision answers the course to show (accepting opens the hospital-track course).
    shown_id = shown["id"] if "track" in shown else course.pk
    version = Course.objects.values_list("version", flat=True).get(pk=shown_id)
    assert response["ETag"] == f'"{version}"'
    if shown_id == course.pk:
        assert version == int(etag.strip('"')) + 1


def test_a_stale_write_is_409_and_changes_nothing(write):
    course, etag, send = write
    # Someone else saved the course after this client read it.
    Course.objects.filter(pk=course.pk).update(version=F("version") + 1)
    before = _state(course)
    response = send(etag)
    _is_problem(response, 409)
    assert response.json()["errors"][0]["code"] == "conflict"
    assert course.patient.name.encode() not in response.content
    assert _state(course) == before


def test_a_write_without_if_match_is_428_and_changes_nothing(write):
    course, _, send = write
    before = _state(course)
    response = send(None)
    _is_problem(response, 428)
    assert "If-Match" in response.json()["detail"]
    assert _state(course) == before


@pytest.mark.parametrize("header", ['W/"1"', "*", '"1", "2"', "1", '"0"'])
def test_an_if_match_that_names_no_version_is_412_and_changes_nothing(
    gp, patient, clinic, client_for, header
):
    course = enrol(gp, patient, clinic, timezone.localdate() - timedelta(days=10))
    before = _state(course)
    response = client_for(gp).post(
        f"/api/tracks/patients/{patient.pk}/courses/{course.pk}/decisions",
        json.dumps({"event": "end", "reason": "Moved"}),
        content_type="application/json",
        headers={"If-Match": header},
    )
    _is_problem(response, 412)
    assert _state(course) == before


def test_a_version_in_the_body_is_not_a_way_around_if_match(gp, patient, clinic, client_for):
    """The header is the one way: the body's `version` of old is refused as unknown or
    ignored, never taken instead of a missing `If-Match`."""
    course = enrol(gp, patient, clinic, timezone.localdate() - timedelta(days=10))
    response = client_for(gp).post(
        f"/api/tracks/patients/{patient.pk}/courses/{course.pk}/decisions",
        json.dumps({"event": "end", "reason": "Moved", "version": 1}),
        content_type="application/json",
    )
    assert response.status_code in (422, 428), response.content
    assert Course.objects.get(pk=course.pk).version == 1


COURSE = "/api/tracks/patients/{patient_id}/courses/{course_id}"
# Writes that add to a course without changing the course record (no version to name).
UNVERSIONED = {
    ("post", COURSE + "/team"),
    ("post", COURSE + "/appointments"),
    ("post", COURSE + "/alerts/{alert_id}/acknowledge"),
    # Cancelling and taking off the team claim their row once (a second try is refused).
    ("post", COURSE + "/appointments/{appointment_id}/cancel"),
    ("post", COURSE + "/team/{member_id}/remove"),
}


def _course_writes(schema):
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        if path.startswith(COURSE)
        for method, operation in item.items()
        if method in {"post", "put", "patch", "delete"}
    ]


def test_the_schema_documents_if_match_on_every_course_write(client):
    schema = client.get("/api/openapi.json").json()
    writes = _course_writes(schema)
    versioned = [(m, p, o) for m, p, o in writes if (m, p) not in UNVERSIONED]
    # follow-ups, decisions, confirm, dismiss, handover letter, needs, plan, discharge summary
    assert len(versioned) == 8
    assert {(m, p) for m, p, _ in writes} - {(m, p) for m, p, _ in versioned} == UNVERSIONED
    for method, path, operation in versioned:
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [(h["name"], h["required"]) for h in headers] == [("If-Match", True)], path
        assert {"409", "412", "428"} <= set(operation["responses"]), (method, path)
        success = next(code for code in ("200", "201") if code in operation["responses"])
        assert "ETag" in operation["responses"][success]["headers"], (method, path)
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        properties = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        assert "version" not in properties["properties"], (method, path)
