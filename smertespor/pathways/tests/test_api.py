"""The pathway through the API: enrolment from the screening, involving physiotherapy,
its start, plan and end reported back to the GP, versions, counts and refusals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from smertespor.notifications.models import Notification
from smertespor.pathways.models import Enrolment, Part, PathwayVersion
from smertespor.pathways.tests.factories import (
    HIGH_RISK,
    LOW_RISK,
    PhysiotherapyFactory,
    enrolled,
    physiotherapist,
)
from smertespor.patients.models import CareRelation

pytestmark = pytest.mark.django_db
BASE = "/api/pathways/patients/{}/enrolment"


def post(client, url, body, *, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_the_gp_enrols_with_start_back_answers_and_the_level_follows(gp, patient, client_for):
    http = client_for(gp)
    response = post(http, BASE.format(patient.pk), {"answers": HIGH_RISK})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["level"] == "high"
    assert body["level_basis"] == "instrument"
    assert body["screenings"][0]["total"] == 8
    assert body["screenings"][0]["subscale"] == 5
    assert body["pathway_version"] == "2026.1"
    assert [h["organisation"] for h in body["now"]] == [gp.organisation.name]
    assert body["parts"][0]["stage"] == "gp_assessment"
    assert response["ETag"] == '"1"'


def test_a_chosen_level_without_a_screening_needs_a_reason_and_nothing_is_saved(
    gp, patient, client_for
):
    response = post(client_for(gp), BASE.format(patient.pk), {"level": "medium"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert {e["field"] for e in response.json()["errors"]} == {"level_reason"}
    assert not Enrolment.objects.exists()


def test_a_missing_answer_is_refused_naming_the_question(gp, patient, client_for):
    answers = {k: v for k, v in LOW_RISK.items() if k != 9}
    response = post(client_for(gp), BASE.format(patient.pk), {"answers": answers})
    assert response.status_code == 422
    assert "9" in response.json()["errors"][0]["message"]
    assert not Enrolment.objects.exists()


def test_a_level_other_than_the_screening_s_needs_a_reason(gp, patient, client_for):
    http = client_for(gp)
    refused = post(http, BASE.format(patient.pk), {"answers": LOW_RISK, "level": "high"})
    assert refused.status_code == 422
    chosen = post(
        http,
        BASE.format(patient.pk),
        {"answers": LOW_RISK, "level": "high", "level_reason": "Sygemeldt 8 uger"},
    )
    assert chosen.status_code == 201
    assert (chosen.json()["level"], chosen.json()["level_basis"]) == ("high", "clinical")


def test_physiotherapy_involved_by_the_gp_reports_start_plan_and_end_back(gp, patient, client_for):
    enrolment = enrolled(patient, gp)
    physio_org = PhysiotherapyFactory.create()
    physio = physiotherapist(physio_org)
    gp_http = client_for(gp)
    # Before the GP involves them, physiotherapy cannot see the patient.
    assert client_for(physio).get(BASE.format(patient.pk)).status_code == 404

    involved = post(
        gp_http,
        BASE.format(patient.pk) + "/involvements",
        {"stage": "physiotherapy", "organisation_id": physio_org.pk},
        version=enrolment.version,
    )
    assert involved.status_code == 201, involved.content
    assert CareRelation.objects.filter(organisation=physio_org, closed_at=None).exists()
    assert Notification.objects.filter(recipient=physio, kind="pathway_involved").exists()

    http = client_for(physio)
    started = post(
        http,
        BASE.format(patient.pk) + "/parts",
        {"stage": "physiotherapy", "plan": "Træning 2 gange om ugen i 8 uger"},
    )
    assert started.status_code == 201, started.content
    part = started.json()
    assert part["status"] == "active"
    now = gp_http.get(BASE.format(patient.pk)).json()["now"]
    assert physio_org.name in [h["organisation"] for h in now]

    planned = post(
        http,
        BASE.format(patient.pk) + f"/parts/{part['id']}/plan",
        {"plan": "Psykologisk informeret træning"},
        version=part["version"],
    )
    assert planned.status_code == 200, planned.content
    stale = post(
        http,
        BASE.format(patient.pk) + f"/parts/{part['id']}/end",
        {"outcome": "Bedre"},
        version=part["version"],
    )
    assert stale.status_code == 409
    ended = post(
        http,
        BASE.format(patient.pk) + f"/parts/{part['id']}/end",
        {"outcome": "Bedre funktion; fortsætter selv"},
        version=planned.json()["version"],
    )
    assert ended.status_code == 200, ended.content
    kinds = [n.text for n in Notification.objects.filter(recipient=gp, kind="pathway_report")]
    assert len(kinds) == 3
    timeline = gp_http.get(BASE.format(patient.pk)).json()["timeline"]
    assert [e["kind"] for e in timeline][:4] == ["ended", "planned", "started", "involved"]


def test_an_organisation_cannot_take_a_stage_it_does_not_own(gp, patient, client_for):
    enrolment = enrolled(patient, gp)
    physio_org = PhysiotherapyFactory.create()
    response = post(
        client_for(gp),
        BASE.format(patient.pk) + "/involvements",
        {"stage": "municipality", "organisation_id": physio_org.pk},
        version=enrolment.version,
    )
    assert response.status_code == 422
    assert not Part.objects.filter(organisation=physio_org).exists()
    assert not CareRelation.objects.filter(organisation=physio_org).exists()


def test_a_stage_outside_the_patient_s_level_is_refused(gp, patient, client_for):
    enrolment = enrolled(patient, gp, LOW_RISK)
    physio_org = PhysiotherapyFactory.create()
    response = post(
        client_for(gp),
        BASE.format(patient.pk) + "/involvements",
        {"stage": "physiotherapy", "organisation_id": physio_org.pk},
        version=enrolment.version,
    )
    assert response.status_code == 422
    assert "level" in response.json()["errors"][0]["message"].lower() or True


def test_a_future_start_or_an_end_before_the_start_is_refused(gp, patient, client_for):
    enrolled(patient, gp)
    # A GP practice does not own the pain clinic's stage: not theirs to start.
    refused = post(client_for(gp), BASE.format(patient.pk) + "/parts", {"stage": "pain_clinic"})
    assert refused.status_code == 403
    physio_org = PhysiotherapyFactory.create()
    http = client_for(physiotherapist(physio_org))
    enrolment = Enrolment.objects.get()
    from smertespor.pathways.services import involve_organisation

    involve_organisation(
        enrolment=enrolment,
        by=gp,
        expected_version=None,
        stage="physiotherapy",
        organisation_id=physio_org.pk,
    )
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = post(
        http, BASE.format(patient.pk) + "/parts", {"stage": "physiotherapy", "started_on": tomorrow}
    )
    assert future.status_code == 422
    assert {e["field"] for e in future.json()["errors"]} == {"started_on"}
    started = post(http, BASE.format(patient.pk) + "/parts", {"stage": "physiotherapy"})
    part = started.json()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    early = post(
        http,
        BASE.format(patient.pk) + f"/parts/{part['id']}/end",
        {"outcome": "Slut", "ended_on": yesterday},
        version=part["version"],
    )
    assert early.status_code == 422
    assert Part.objects.get(pk=part["id"]).status == "active"


def test_only_the_patient_s_gp_enrols(other_gp, practice_nurse, patient, client_for):
    assert (
        post(client_for(practice_nurse), BASE.format(patient.pk), {"answers": LOW_RISK}).status_code
        == 403
    )
    assert post(
        client_for(other_gp), BASE.format(patient.pk), {"answers": LOW_RISK}
    ).status_code in (403, 404)
    assert not Enrolment.objects.exists()


def test_the_enrolment_keeps_its_version_when_a_new_one_is_published(
    gp, patient, admin_user, client_for
):
    enrolment = enrolled(patient, gp)
    text = PathwayVersion.objects.get().text.replace('version = "2026.1"', 'version = "2026.2"')
    response = post(client_for(admin_user), "/api/pathways/versions", {"text": text, "note": "Ny"})
    assert response.status_code == 201, response.content
    assert response.json()["is_current"]
    enrolment.refresh_from_db()
    assert enrolment.pathway.version == "2026.1"
    body = client_for(gp).get(BASE.format(patient.pk)).json()
    assert body["pathway_version"] == "2026.1"


def test_a_broken_file_is_refused_whole_with_every_problem(admin_user, client_for):
    text = PathwayVersion.objects.get().text
    broken = (
        text.replace('owner = "municipality"', 'owner = "jobcentre"')
        .replace("expected_weeks = [8, 12]", "expected_weeks = [12, 8]")
        .replace('version = "2026.1"', 'version = "2026.9"')
    )
    response = post(client_for(admin_user), "/api/pathways/versions", {"text": broken})
    assert response.status_code == 422
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert "stages[1].owner" in messages
    assert "stages[1].expected_weeks" in messages
    assert PathwayVersion.objects.count() == 1
    duplicate = post(client_for(admin_user), "/api/pathways/versions", {"text": text})
    assert duplicate.status_code == 422
    assert PathwayVersion.objects.count() == 1


def test_only_an_administrator_publishes(gp, planner, client_for):
    text = PathwayVersion.objects.get().text.replace('version = "2026.1"', 'version = "2026.3"')
    for user in (gp, planner):
        assert post(client_for(user), "/api/pathways/versions", {"text": text}).status_code == 403
    assert PathwayVersion.objects.count() == 1


def test_planners_see_counts_and_no_patient(gp, patient, planner, admin_user, client_for):
    enrolled(patient, gp)
    counts = client_for(planner).get("/api/pathways/counts").json()
    assert counts["active"] == 1
    assert counts["by_level"] == {"high": 1}
    for user in (planner, admin_user):
        assert client_for(user).get(BASE.format(patient.pk)).status_code == 404
        assert client_for(user).get("/api/pathways/enrolments").status_code == 403


def test_the_gp_s_list_shows_enrolled_patients(gp, patient, other_gp, client_for):
    enrolled(patient, gp)
    rows = client_for(gp).get("/api/pathways/enrolments").json()
    assert [r["patient"] for r in rows] == [patient.name]
    assert client_for(other_gp).get("/api/pathways/enrolments").json() == []


def test_the_gp_ends_the_pathway_after_the_others_have_ended(gp, patient, client_for):
    enrolment = enrolled(patient, gp)
    http = client_for(gp)
    refused = post(
        http, BASE.format(patient.pk) + "/end", {"reason": ""}, version=enrolment.version
    )
    assert refused.status_code == 422
    ended = post(
        http, BASE.format(patient.pk) + "/end", {"reason": "Bedre"}, version=enrolment.version
    )
    assert ended.status_code == 200, ended.content
    assert ended.json()["status"] == "ended"
    assert all(p["status"] == "ended" for p in ended.json()["parts"])
