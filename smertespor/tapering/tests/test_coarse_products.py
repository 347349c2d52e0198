"""Issue 11 on the GP's screens: a step that must last longer says how long, a switch to a
finer product is shown before the plan, a refusal gives its reason, and the stop threshold is
a pace setting (the region's default, changeable per plan)."""

import json
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse

from domain.catalogue import Catalogue, shipped_catalogue
from smertespor.tapering.models import TaperPlan
from smertespor.tapering.services import create_taper_plan, default_pace
from smertespor.tapering.tests.conftest import TODAY, add_line, form_data

pytestmark = pytest.mark.django_db
BASE = "/api/tapering/patients/{}"


def _english(client):
    client.post(reverse("set_language"), {"language": "en"})
    return client


def _preview(http, patient, body):
    response = http.post(
        BASE.format(patient.pk) + "/preview", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def fentanyl_12(patient):
    return add_line(patient, "fentanyl-patch", "12", per_day="1")


def test_the_preview_shows_the_switch_to_a_finer_product_before_the_plan(
    client_for, gp, patient, fentanyl_12, url
):
    http = _english(client_for(gp))
    body = http.post(url("plan_preview", patient), form_data(), HTTP_HX_REQUEST="true")
    text = body.content.decode()
    assert body.status_code == 200
    proposal = text.index("Proposed switch to a finer product")
    assert proposal < text.index("taper-steps")  # shown before the steps
    assert "Step 1: switch from Fentanyl depotplaster to Morfin oral opløsning" in text
    assert "more than a step of 2.88" in text  # why: coarser than the pace
    assert "14 mg (7 ml of 2 mg/ml)" in text  # what the patient measures
    assert TaperPlan.objects.count() == 0


def test_the_api_lists_the_switch_and_how_long_each_stretched_step_lasts(client_for, gp, patient):
    add_line(patient, "fentanyl-patch", "50", per_day="1")
    data = _preview(_english(client_for(gp)), patient, {})
    assert data["stop_threshold_mg_per_day"] == "30"
    (switch,) = data["switches"]
    assert switch["reason"] == "coarser_than_pace"
    assert switch["from_dose"]["product_id"] == "fentanyl-patch"
    assert switch["stop_mg_per_day"] == "28.8" and switch["message"]
    first = data["steps"][0]
    # 50 -> 37 mcg/h cuts 31.2 mg OMEQ against a step of 12: 28 x 31.2 / 12 = 72.8 days,
    # 75 on the patch's 3-day rhythm.
    assert first["days"] == 75
    stretched = next(n for n in first["notes"] if n["code"] == "stretched")
    assert stretched["params"]["days"] == "75" and "the pace holds" in stretched["message"]


def test_a_saved_plan_keeps_its_threshold_and_switch_for_the_page_and_the_handout(
    client_for, gp, patient, fentanyl_12, url
):
    plan = create_taper_plan(patient=patient, by=gp, pace=default_pace(TODAY))
    assert plan.stop_threshold_mg_per_day == 30
    assert plan.switches[0]["to_dose"]["product_id"] == "morphine-oral-solution"
    assert plan.steps.get(number=1).kind == "switch"
    http = _english(client_for(gp))
    detail = http.get(url("plan_detail", patient, plan)).content.decode()
    assert "Stop from at most" in detail and "Proposed switch to a finer product" in detail
    handout = http.get(url("plan_handout", patient, plan)).content.decode()
    assert "Skift fra Fentanyl depotplaster til Morfin oral opløsning" in handout
    assert "7 ml" in handout


def test_a_stop_threshold_of_0_is_refused_at_its_field(client_for, gp, patient, fentanyl_12, url):
    http = _english(client_for(gp))
    response = http.post(
        BASE.format(patient.pk) + "/preview",
        json.dumps({"stop_threshold_mg_per_day": 0}),
        content_type="application/json",
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == (
        "stop_threshold_mg_per_day",
        "stop_threshold_not_valid",
    )
    page = http.post(url("plan_create", patient), form_data(stop_threshold_mg_per_day="0"))
    assert page.status_code == 422
    assert "must be above 0 mg OMEQ/day" in page.content.decode()


def test_a_stop_above_the_threshold_no_finer_product_can_avoid_is_refused_with_the_reason(
    client_for, gp, patient
):
    add_line(patient, "buprenorphine-patch-4-day", "35", per_day="1")
    shipped = shipped_catalogue()
    only_patches = Catalogue(shipped.info, (shipped.by_id("buprenorphine-patch-4-day"),))
    http = _english(client_for(gp))
    with mock.patch("smertespor.tapering.services.current_catalogue", return_value=only_patches):
        response = http.post(
            BASE.format(patient.pk) + "/preview", "{}", content_type="application/json"
        )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["code"] == "stop_above_threshold"
    assert "stopped from 77.7 mg OMEQ/day, more than the 30 mg OMEQ/day" in error["message"]


@override_settings(TAPER_STOP_THRESHOLD_MG_OMEQ=40)
def test_the_region_sets_the_default_stop_threshold(client_for, gp, patient, fentanyl_12, url):
    assert default_pace(TODAY).stop_threshold_mg_per_day == 40
    page = client_for(gp).get(url("plan_create", patient)).content.decode()
    assert 'name="stop_threshold_mg_per_day"' in page and 'value="40"' in page


def test_methadone_gets_its_own_suggestion_not_a_switch_to_a_depot(client_for, gp, patient):
    add_line(patient, "methadone-tablet", "10", indication="pain")
    data = _preview(_english(client_for(gp)), patient, {})
    (suggestion,) = data["suggestions"]
    assert suggestion["code"] == "methadone_specialist_advice"
    assert "ask a specialist" in suggestion["message"]
    assert "short-acting" not in suggestion["message"].lower()
