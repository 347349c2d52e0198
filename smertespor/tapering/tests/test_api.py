"""The API: preview without saving, create, read, change status; the same rules as the pages."""

import json

import pytest

from smertespor.tapering.models import TaperPlan

pytestmark = pytest.mark.django_db
BASE = "/api/tapering/patients/{}"


def post(http, path, body):
    return http.post(path, json.dumps(body), content_type="application/json")


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
    assert refused.status_code == 422
    assert refused.json()["codes"] == ["reason_required"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"step_percent": 0}, "step_size_out_of_range"),
        ({"step_percent": "50.5"}, "step_size_out_of_range"),
        ({"interval_days": 0}, "interval_too_short"),
        ({"start_date": "2025-01-01"}, "start_date_too_far_in_past"),
        ({"target": {"kind": "omeq", "omeq_mg_per_day": 120}}, "target_not_below_current"),
        ({"target": {"kind": "omeq", "omeq_mg_per_day": 4}}, "target_not_representable"),
        ({"order": ["oxycodone-capsule"]}, "order_names_unknown_product"),
        ({"pauses": [{"step": 0, "extra_days": 3}]}, "pause_not_valid"),
        ({"slow_down": {"below_percent": 150, "step_percent": 50}}, "slow_down_out_of_range"),
    ],
)
def test_bad_input_is_a_422_with_the_domains_code_and_nothing_is_saved(
    client_for, gp, patient, morphine_list, body, code
):
    http = client_for(gp)
    for path in ("/preview", "/plans"):
        response = post(http, BASE.format(patient.pk) + path, body)
        assert response.status_code == 422, response.content
        assert code in response.json()["codes"]
        assert response.json()["detail"][0]["message"]
    assert TaperPlan.objects.count() == 0


def test_nonsense_numbers_are_refused_by_the_schema(client_for, gp, patient, morphine_list):
    response = post(client_for(gp), BASE.format(patient.pk) + "/preview", {"step_percent": "NaN"})
    assert response.status_code == 422


@pytest.mark.parametrize("persona", ["practice_nurse", "planner", "clinic_nurse"])
def test_roles_that_may_not_make_plans_are_refused(
    request, client_for, patient, morphine_list, persona
):
    http = client_for(request.getfixturevalue(persona))
    response = post(http, BASE.format(patient.pk) + "/plans", {})
    assert response.status_code == 403
    assert patient.name.encode() not in response.content
    assert TaperPlan.objects.count() == 0


def test_a_gp_of_another_practice_gets_404(client_for, other_gp, patient, morphine_list):
    http = client_for(other_gp)
    assert post(http, BASE.format(patient.pk) + "/preview", {}).status_code == 404
    assert http.get(BASE.format(patient.pk) + "/plans").status_code == 404
