"""The API: preview without saving, create, read, change status, adjust; the same actions
and rules as the pages, and every refusal a problem (RFC 9457)."""

import datetime
import json
import re

import pytest

from smertespor.audit.models import AuditEvent
from smertespor.tapering.models import TaperPlan
from smertespor.tapering.services import create_taper_plan

pytestmark = pytest.mark.django_db
BASE = "/api/tapering/patients/{}"


def post(http, path, body):
    """POST `body`; a write to a stored plan names the plan's version as it is now (If-Match:
    these tests are not about stale writes, test_versions.py is)."""
    headers = {}
    found = re.search(r"/plans/(\d+)/(status|adjust)$", path)
    if found and TaperPlan.objects.filter(pk=found.group(1)).exists():
        headers["If-Match"] = f'"{TaperPlan.objects.get(pk=found.group(1)).version}"'
    return http.post(path, json.dumps(body), content_type="application/json", headers=headers)


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    return body


def codes(body):
    return [e["code"] for e in body["errors"]]


def test_the_preview_uses_the_defaults_and_saves_nothing(client_for, gp, patient, morphine_list):
    response = post(client_for(gp), BASE.format(patient.pk) + "/preview", {})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["baseline_omeq_mg_per_day"] == "100"
    assert data["interval_days"] == 28
    assert data["steps"][0]["start_date"] == "2026-03-02"
    assert data["steps"][-1]["end_date"] is None
    notes = [n for s in data["steps"] for n in s["notes"]]
    assert any(n["code"] == "slower_pace" for n in notes)  # the default slow-down
    assert all(n["message"] for n in notes)
    assert TaperPlan.objects.count() == 0


def test_create_read_and_change_status(client_for, gp, patient, morphine_list):
    http = client_for(gp)
    body = {"step_percent": "20", "interval_days": 14, "slow_down": None, "activate": True}
    created = post(http, BASE.format(patient.pk) + "/plans", body)
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["status"] == "active" and plan["step_percent"] == "20"
    assert [e["to_status"] for e in plan["events"]] == ["draft", "active"]
    listed = http.get(BASE.format(patient.pk) + "/plans").json()
    assert [p["id"] for p in listed] == [plan["id"]]
    read = http.get(BASE.format(patient.pk) + f"/plans/{plan['id']}").json()
    assert read["steps"] == plan["steps"]
    paused = post(
        http,
        BASE.format(patient.pk) + f"/plans/{plan['id']}/status",
        {"action": "pause", "reason": "Flu"},
    )
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    refused = post(
        http, BASE.format(patient.pk) + f"/plans/{plan['id']}/status", {"action": "complete"}
    )
    body = problem(refused, 422)
    assert codes(body) == ["reason_required"]
    assert body["errors"][0]["field"] == "reason" and body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"step_percent": 0}, "step_size_out_of_range", "step_percent"),
        ({"step_percent": "50.5"}, "step_size_out_of_range", "step_percent"),
        ({"interval_days": 0}, "interval_too_short", "interval_days"),
        ({"start_date": "2025-01-01"}, "start_date_too_far_in_past", "start_date"),
        (
            {"target": {"kind": "omeq", "omeq_mg_per_day": 120}},
            "target_not_below_current",
            "target.omeq_mg_per_day",
        ),
        (
            {"target": {"kind": "omeq", "omeq_mg_per_day": 4}},
            "target_not_representable",
            "target.omeq_mg_per_day",
        ),
        ({"target": {"kind": "omeq"}}, "target_not_valid", "target.omeq_mg_per_day"),
        ({"order": ["oxycodone-capsule"]}, "order_names_unknown_product", "order.0"),
        ({"pauses": [{"step": 0, "extra_days": 3}]}, "pause_not_valid", "pauses.0.step"),
        ({"pauses": [{"step": 2}]}, "pause_not_valid", "pauses.0.extra_days"),
        (
            {"pauses": [{"first_day": "2026-04-01", "last_day": "2026-03-01"}]},
            "pause_not_valid",
            "pauses.0.last_day",
        ),
        ({"pauses": [{"step": 40, "extra_days": 7}]}, "pause_outside_plan", "pauses.0.step"),
        (
            {"slow_down": {"below_percent": 150, "step_percent": 50}},
            "slow_down_out_of_range",
            "slow_down.below_percent",
        ),
        (
            {"slow_down": {"below_percent": 50, "step_percent": 0}},
            "slow_down_out_of_range",
            "slow_down.step_percent",
        ),
    ],
)
def test_bad_input_is_a_422_problem_with_the_domains_code_at_its_field_and_nothing_is_saved(
    client_for, gp, patient, morphine_list, body, code, field
):
    http = client_for(gp)
    for path in ("/preview", "/plans"):
        answer = problem(post(http, BASE.format(patient.pk) + path, body), 422)
        assert code in codes(answer)
        error = next(e for e in answer["errors"] if e["code"] == code)
        assert error["field"] == field
        assert error["message"] and answer["detail"]
    assert TaperPlan.objects.count() == 0


@pytest.mark.parametrize(
    ("pause", "field"),
    [
        ({"first_day": "2026-04-01"}, "pauses.0.last_day"),
        ({"step": 2, "extra_days": 7, "first_day": "2026-04-01"}, "pauses.0"),
        ({}, "pauses.0"),
    ],
)
def test_a_pause_that_is_neither_kind_is_refused_at_its_field(
    client_for, gp, patient, morphine_list, pause, field
):
    response = post(client_for(gp), BASE.format(patient.pk) + "/preview", {"pauses": [pause]})
    assert [e["field"] for e in problem(response, 422)["errors"]] == [field]


def test_nonsense_numbers_are_refused_by_the_schema(client_for, gp, patient, morphine_list):
    response = post(client_for(gp), BASE.format(patient.pk) + "/preview", {"step_percent": "NaN"})
    assert problem(response, 422)["errors"][0]["field"] == "step_percent"


def test_an_unknown_target_kind_or_action_is_refused_by_the_schema(
    client_for, gp, patient, morphine_list, pace
):
    http = client_for(gp)
    response = post(http, BASE.format(patient.pk) + "/preview", {"target": {"kind": "some"}})
    assert problem(response, 422)["errors"][0]["field"] == "target.kind"
    plan = create_taper_plan(patient=patient, by=gp, pace=pace())
    response = post(http, BASE.format(patient.pk) + f"/plans/{plan.pk}/status", {"action": "x"})
    assert problem(response, 422)["errors"][0]["field"] == "action"


def test_the_adjustment_makes_a_new_active_version_from_the_old_pace(
    client_for, gp, patient, morphine_list, pace
):
    old = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    http = client_for(gp)
    path = BASE.format(patient.pk) + f"/plans/{old.pk}/adjust"
    response = post(http, path, {"step_percent": "5", "reason": "Withdrawal: slower"})
    assert response.status_code == 201, response.content
    new = response.json()
    assert new["status"] == "active" and new["version_number"] == 2
    assert new["previous_plan_id"] == old.pk
    assert new["step_percent"] == "5"
    assert new["interval_days"] == old.interval_days  # left out: as in the old plan
    assert new["start_date"] == old.steps.order_by("number")[1].start_date.isoformat()
    old.refresh_from_db()
    assert old.status == "superseded" and old.end_reason == "Withdrawal: slower"


def test_the_adjustment_needs_a_reason_and_a_plan_in_force(
    client_for, gp, patient, morphine_list, pace
):
    http = client_for(gp)
    active = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    path = BASE.format(patient.pk) + f"/plans/{active.pk}/adjust"
    body = problem(post(http, path, {"step_percent": "5"}), 422)
    assert codes(body) == ["reason_required"] and body["errors"][0]["field"] == "reason"
    post(
        http,
        BASE.format(patient.pk) + f"/plans/{active.pk}/status",
        {"action": "abandon", "reason": "Moved"},
    )
    body = problem(post(http, path, {"reason": "Slower"}), 422)
    assert codes(body) == ["not_adjustable"] and body["errors"][0]["field"] is None
    assert TaperPlan.objects.count() == 1


def test_an_adjustment_refused_by_the_domain_says_where(
    client_for, gp, patient, morphine_list, pace
):
    old = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    path = BASE.format(patient.pk) + f"/plans/{old.pk}/adjust"
    body = {"reason": "Slower", "interval_days": 0, "start_date": "2026-03-10"}
    answer = problem(post(client_for(gp), path, body), 422)
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [
        ("interval_days", "interval_too_short")
    ]
    old.refresh_from_db()
    assert old.status == "active"


@pytest.mark.parametrize("persona", ["practice_nurse", "planner", "clinic_nurse"])
def test_roles_that_may_not_adjust_are_refused_without_patient_data(
    request, client_for, gp, patient, morphine_list, pace, persona
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    http = client_for(request.getfixturevalue(persona))
    path = BASE.format(patient.pk) + f"/plans/{plan.pk}/adjust"
    response = post(http, path, {"reason": "Slower", "step_percent": "5"})
    problem(response, 403)
    assert patient.name.encode() not in response.content
    assert patient.cpr[:6].encode() not in response.content
    assert TaperPlan.objects.count() == 1
    assert AuditEvent.objects.filter(action="refused", object_type="taper_plan").exists()


def test_a_gp_of_another_practice_cannot_adjust(
    client_for, gp, other_gp, patient, morphine_list, pace
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    path = BASE.format(patient.pk) + f"/plans/{plan.pk}/adjust"
    response = post(client_for(other_gp), path, {"reason": "Slower"})
    problem(response, 404)
    assert patient.name.encode() not in response.content


def test_dates_and_numbers_are_exact_text_even_when_read_back(
    client_for, gp, patient, morphine_list
):
    http = client_for(gp)
    body = {"step_percent": "12.5", "target": {"kind": "omeq", "omeq_mg_per_day": 20}}
    created = post(http, BASE.format(patient.pk) + "/plans", body).json()
    read = http.get(BASE.format(patient.pk) + f"/plans/{created['id']}").json()
    assert read["step_percent"] == "12.5"  # not "12.50" from the column
    assert read["target"] == {
        "kind": "omeq",
        "omeq_mg_per_day": "20",
        "product_id": "",
        "daily_amount": None,
    }
    assert datetime.date.fromisoformat(read["steps"][0]["start_date"])
    assert read["steps"][0]["omeq_mg_per_day"] == created["steps"][0]["omeq_mg_per_day"]


@pytest.mark.parametrize("persona", ["practice_nurse", "planner", "clinic_nurse"])
def test_roles_that_may_not_make_plans_are_refused(
    request, client_for, patient, morphine_list, persona
):
    http = client_for(request.getfixturevalue(persona))
    response = post(http, BASE.format(patient.pk) + "/plans", {})
    problem(response, 403)
    assert patient.name.encode() not in response.content
    assert patient.cpr[:6].encode() not in response.content
    assert TaperPlan.objects.count() == 0


def test_a_gp_of_another_practice_gets_404(client_for, other_gp, patient, morphine_list):
    http = client_for(other_gp)
    problem(post(http, BASE.format(patient.pk) + "/preview", {}), 404)
    problem(http.get(BASE.format(patient.pk) + "/plans"), 404)


def test_the_schema_lists_the_allowed_values_of_coded_fields():
    from config.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    target = components["TargetIn"]["properties"]["kind"]
    assert target["enum"] == ["stop", "omeq", "dose"]
    assert components["StatusIn"]["properties"]["action"]["enum"] == [
        "activate",
        "pause",
        "resume",
        "complete",
        "abandon",
    ]
    times = components["DoseOut"]["properties"]["times"]["propertyNames"]
    assert times["enum"] == ["morning", "noon", "evening", "night"]
    assert "superseded" in components["PlanOut"]["properties"]["status"]["enum"]
    assert components["StepOut"]["properties"]["start_date"]["format"] == "date"
    assert components["PlanOut"]["properties"]["created_at"]["format"] == "date-time"
    assert components["PlanOut"]["properties"]["patient_id"]["format"] == "uuid"


def test_the_api_makes_no_new_plan_while_one_is_in_force(client_for, gp, patient, morphine_list):
    http = client_for(gp)
    first = post(http, BASE.format(patient.pk) + "/plans", {"activate": True})
    assert first.status_code == 201, first.content
    body = problem(post(http, BASE.format(patient.pk) + "/plans", {"activate": False}), 422)
    assert codes(body) == ["plan_in_force"]
    assert TaperPlan.objects.count() == 1
