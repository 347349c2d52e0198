"""The course API's schema: every coded field lists its values, and they are the models'."""

import json

import pytest

from config.api import api
from domain.tracks import CourseEvent, CourseStatus, Progress
from smertespor.tracks.decisions import DECISIONS
from smertespor.tracks.models import (
    Alert,
    Discipline,
    GoalKind,
    Handover,
    RuleReview,
    Status,
    TimelineEvent,
)

pytestmark = pytest.mark.django_db

COURSE = "/api/tracks/patients/{patient_id}/courses/{course_id}"


@pytest.fixture(scope="module")
def schema():
    return api.get_openapi_schema()


def _property(schema, model, name):
    found = schema["components"]["schemas"][model]["properties"][name]
    return found.get("items", found)


@pytest.mark.parametrize(
    ("model", "name", "values"),
    [
        pytest.param("CourseOut", "status", Status.values, id="course-status"),
        pytest.param("CourseIn", "goal_kind", GoalKind.values, id="goal-kind"),
        pytest.param("AlertOut", "code", Alert.Code.values, id="alert-code"),
        pytest.param("TimelineEventOut", "kind", TimelineEvent.Kind.values, id="timeline-kind"),
        pytest.param("HandoverOut", "decision", Handover.Decision.values, id="triage"),
        pytest.param("TeamMemberIn", "discipline", Discipline.values, id="discipline"),
        pytest.param("WorklistRowOut", "status", Status.values, id="worklist-status"),
        pytest.param("RuleReviewOut", "progress", RuleReview.Progress.values, id="progress"),
        pytest.param("RuleReviewOut", "outcome", RuleReview.Outcome.values, id="review-outcome"),
    ],
)
def test_a_coded_field_lists_the_model_s_values(schema, model, name, values):
    assert _property(schema, model, name)["enum"] == list(values)


def test_the_decisions_endpoint_lists_the_decisions_it_takes(schema):
    taken_here = [event.value for event, d in DECISIONS.items() if not d.own_page]
    assert sorted(_property(schema, "DecisionIn", "event")["enum"]) == sorted(taken_here)
    assert set(_property(schema, "CourseOut", "allowed_decisions")["enum"]) == {
        e.value for e in CourseEvent
    }


def test_the_models_store_the_domain_s_statuses_and_progress():
    assert set(Status.values) == {s.value for s in CourseStatus}
    assert set(RuleReview.Progress.values) == {p.value for p in Progress}


def test_a_medication_line_s_indication_lists_its_values(schema):
    assert "pain" in _property(schema, "NewLineIn", "indication")["enum"]


def test_the_patient_id_is_a_uuid(schema):
    operation = schema["paths"][COURSE + "/decisions"]["post"]
    patient_id = next(p for p in operation["parameters"] if p["name"] == "patient_id")
    assert patient_id["schema"]["format"] == "uuid"


def test_an_unknown_code_is_refused_on_its_field(gp, patient, clinic, client_for):
    body = {
        "baseline_peg": [6, 6, 6],
        "baseline_nrs": 6,
        "goal_kind": "halve",
        "follow_up_interval_days": 28,
    }
    response = client_for(gp).post(
        f"/api/tracks/patients/{patient.pk}/courses",
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["goal_kind"]
