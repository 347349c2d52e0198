"""Two people changing the same taper plan: the stale change is refused (409), never applied.

Pausing a plan someone has just completed, or adjusting one someone has just adjusted,
used to go through on whatever the plan had become.
"""

import json

import pytest

from smertespor.accounts.models import Role
from smertespor.tapering.models import TaperPlan, TaperPlanEvent
from smertespor.tapering.services import (
    adjust_taper_plan,
    change_taper_plan_status,
    create_taper_plan,
)
from smertespor.tapering.tests.conftest import form_data
from smertespor.versions import StaleVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BASE = "/api/tapering/patients/{}/plans/{}"


@pytest.fixture
def plan(patient, gp, morphine_list, pace):
    return create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)


def test_a_stale_status_form_is_refused_with_409_and_the_page_shows_the_plan_as_it_is(
    client_for, gp, practice, patient, plan, url
):
    colleague = UserFactory(role=Role.GP, organisation=practice)
    version = plan.version
    done = client_for(gp).post(
        url("plan_status", patient, plan),
        {"action": "pause", "reason": "Influenza", "version": version},
    )
    assert done.status_code == 302
    events = TaperPlanEvent.objects.count()

    refused = client_for(colleague).post(
        url("plan_status", patient, plan),
        {"action": "complete", "reason": "Done", "version": version},
    )

    assert refused.status_code == 409
    plan.refresh_from_db()
    assert (plan.status, plan.version) == ("paused", version + 1)
    assert TaperPlanEvent.objects.count() == events
    body = refused.content.decode()
    assert 'data-testid="stale-changes"' in body
    assert f'name="version" value="{version + 1}"' in body  # choosing again applies to it
    assert "Influenza" in body  # the other user's change, in the plan's events


def test_a_stale_adjust_form_is_refused_with_409_and_keeps_the_users_pace(
    client_for, gp, patient, plan, url
):
    version = plan.version
    client_for(gp).post(
        url("plan_status", patient, plan), {"action": "pause", "reason": "Flu", "version": version}
    )
    refused = client_for(gp).post(
        url("plan_adjust", patient, plan),
        form_data(step_percent="5", reason="Slower", version=version),
    )
    assert refused.status_code == 409
    form = refused.context["form"]
    assert form["step_percent"].value() == "5"
    # The table: the step the user chose against the plan's own.
    assert [(c.yours, c.current) for c in form.stale_changes if c.yours == "5"] == [("5", "10")]
    assert TaperPlan.objects.count() == 1
    plan.refresh_from_db()
    assert plan.status == "paused"


def test_a_stale_status_change_or_adjustment_in_the_api_is_409(client_for, gp, patient, plan):
    http = client_for(gp)
    path = BASE.format(patient.pk, plan.pk)
    tag = http.get(path)["ETag"]
    assert tag == f'"{plan.version}"'
    paused = http.post(
        f"{path}/status",
        json.dumps({"action": "pause", "reason": "Flu"}),
        "application/json",
        headers={"If-Match": tag},
    )
    assert paused.status_code == 200
    assert paused["ETag"] == f'"{plan.version + 1}"' == f'"{paused.json()["version"]}"'

    stale = [
        http.post(
            f"{path}/status",
            json.dumps({"action": "abandon", "reason": "Moved"}),
            "application/json",
            headers={"If-Match": tag},
        ),
        http.post(
            f"{path}/adjust",
            json.dumps({"reason": "Slower", "step_percent": "5"}),
            "application/json",
            headers={"If-Match": tag},
        ),
    ]
    assert [r.status_code for r in stale] == [409, 409]
    plan.refresh_from_db()
    assert plan.status == "paused"
    assert TaperPlan.objects.count() == 1

    adjusted = http.post(
        f"{path}/adjust",
        json.dumps({"reason": "Slower", "step_percent": "5"}),
        "application/json",
        headers={"If-Match": paused["ETag"]},
    )
    assert adjusted.status_code == 201, adjusted.content
    new = TaperPlan.objects.get(pk=adjusted.json()["id"])
    assert adjusted["ETag"] == f'"{new.version}"'
    assert http.get(BASE.format(patient.pk, new.pk))["ETag"] == adjusted["ETag"]


def test_a_status_change_without_if_match_is_428(client_for, gp, patient, plan):
    response = client_for(gp).post(
        BASE.format(patient.pk, plan.pk) + "/status",
        json.dumps({"action": "pause", "reason": "Flu"}),
        "application/json",
    )
    assert response.status_code == 428
    plan.refresh_from_db()
    assert plan.status == "active"


def test_every_service_write_raises_the_version_by_one(gp, plan, pace):
    seen = [plan.version]
    for action, reason in (("pause", "Flu"), ("resume", ""), ("pause", "Again"), ("resume", "")):
        moved = change_taper_plan_status(
            plan=plan, by=gp, action=action, reason=reason, expected_version=seen[-1]
        )
        assert moved.version == TaperPlan.objects.get(pk=plan.pk).version == seen[-1] + 1
        seen.append(moved.version)
    adjust_taper_plan(plan=plan, by=gp, pace=pace(), reason="Slower", expected_version=seen[-1])
    plan.refresh_from_db()
    assert (plan.status, plan.version) == ("superseded", seen[-1] + 1)
    with pytest.raises(StaleVersion):
        change_taper_plan_status(
            plan=plan, by=gp, action="abandon", reason="x", expected_version=seen[0]
        )
