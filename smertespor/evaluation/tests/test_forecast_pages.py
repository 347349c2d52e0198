"""The forecast page and API: the scenario form, the background job, the result, access."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django_tasks.backends.database.models import DBTaskResult

from smertespor.accounts.models import Role
from smertespor.jobs.models import Job
from smertespor.jobs.tests.worker import run_worker
from tests.factories import RegionFactory, RegionOfficeFactory, UserFactory

PROBLEM = "application/problem+json"
FORM = {
    "slots_per_month": "10",
    "success_points": "10",
    "early_handover_cut_percent": "50",
    "extra_slots": "5",
    "runs": "100",
    "seed": "3",
}
API = "/api/evaluation/forecast"


@pytest.mark.django_db
def test_the_clinic_starts_a_forecast_as_a_background_job(
    client_for, clinic_doctor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(clinic_doctor).post(reverse("evaluation:forecast"), FORM)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.status, job.organisation) == (
        "forecast",
        "queued",
        clinic_doctor.organisation,
    )
    assert job.params["runs"] == 100 and job.params["slots_per_month"] == 10
    assert DBTaskResult.objects.filter(pk=job.task_id).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("runs", "5", "Denne værdi skal være større end eller lig 100."),
        ("slots_per_month", "-1", "Denne værdi skal være større end eller lig 0."),
        ("success_points", "mange", "Angiv et helt tal."),
        ("extra_slots", "", "Dette felt er påkrævet."),
    ],
)
def test_bad_figures_are_refused_in_danish_and_start_nothing(
    client_for, clinic_doctor, field, value, message
):
    response = client_for(clinic_doctor).post(reverse("evaluation:forecast"), FORM | {field: value})
    assert response.status_code == 422
    assert message in response.text
    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_opening_the_form_starts_nothing(client_for, planner):
    response = client_for(planner).get(reverse("evaluation:forecast"))
    assert response.status_code == 200
    assert 'name="slots_per_month"' in response.text
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["gp", "practice_nurse", "hospital_doctor", "admin_user"])
def test_it_refuses_roles_outside_the_clinic_and_the_planners(client_for, request, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(reverse("evaluation:forecast")).status_code == 403
    assert client.post(reverse("evaluation:forecast"), FORM).status_code == 403
    api = client.post(API, FORM, content_type="application/json")
    assert api.status_code == 403
    assert api["Content-Type"] == PROBLEM
    assert client.get(f"{API}/1").status_code == 403
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_bad_figures_as_a_problem(client_for, planner):
    response = client_for(planner).post(API, FORM | {"runs": 1}, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_planner_runs_a_forecast_through_the_api_and_reads_the_result(
    client_for, planner, django_capture_on_commit_callbacks
):
    client = client_for(planner)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            API, {k: int(v) for k, v in FORM.items()}, content_type="application/json"
        )
    assert started.status_code == 202
    job_id = started.json()["id"]
    assert started.json()["status"] == "queued"
    assert client.get(f"{API}/{job_id}").json()["result"] is None

    run_worker()

    body = client.get(f"{API}/{job_id}").json()
    assert body["status"] == "done"
    assert (body["done"], body["total"]) == (6, 6)
    result = body["result"]
    assert result["scope"] == "region"
    assert [s["key"] for s in result["scenarios"]] == [
        "baseline",
        "teaching",
        "advice",
        "slots",
        "combined",
    ]
    baseline, *_, combined = result["scenarios"]
    assert len(baseline["bands"]["waiting_list"]["p50"]) == 24
    # more slots and fewer handovers: never a longer median waiting list
    assert all(
        c <= b
        for b, c in zip(
            baseline["bands"]["waiting_list"]["p50"],
            combined["bands"]["waiting_list"]["p50"],
            strict=True,
        )
    )
    # no courses recorded: every rate is the setting, with its count
    assert all(not e["from_courses"] and e["count"] == "0" for e in result["estimates"])

    page = client.get(reverse("evaluation:forecast_result", args=[job_id]))
    assert page.status_code == 200
    assert "Setting used: only 0 courses" in page.text or "kun 0 forløb" in page.text
    assert 'id="forecast-chart-spec"' in page.text
    spec = json.loads(
        page.text.split('id="forecast-chart-spec" type="application/json">')[1].split("</script>")[
            0
        ]
    )
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert "evaluation/forecast_chart.js" in page.text

    download = client.get(reverse("evaluation:forecast_csv", args=[job_id]))
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert download["Content-Type"].startswith("text/csv")
    assert rows[0] == ["scenario", "series", "month", "p10", "p50", "p90"]
    assert len(rows) == 1 + 5 * 4 * 24


@pytest.mark.django_db
def test_a_planner_of_another_region_never_sees_the_forecast(client_for, planner):
    job = Job.objects.create(
        kind="forecast",
        work="smertespor.evaluation.forecast_work.run_forecast",
        started_by=planner,
        organisation=planner.organisation,
        status=Job.Status.DONE,
        result={},
    )
    office = RegionOfficeFactory(
        name="Regionshuset Nord", region=RegionFactory(name="Region Nordjylland", code="1081")
    )
    other = UserFactory(username="other-planner", role=Role.PLANNER, organisation=office)
    client = client_for(other)
    for url in (
        reverse("evaluation:forecast_result", args=[job.pk]),
        reverse("evaluation:forecast_csv", args=[job.pk]),
        reverse("jobs:detail", args=[job.pk]),
        f"{API}/{job.pk}",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_an_unfinished_forecast_sends_the_reader_to_its_progress(client_for, clinic_nurse):
    job = Job.objects.create(
        kind="forecast",
        work="smertespor.evaluation.forecast_work.run_forecast",
        started_by=clinic_nurse,
        organisation=clinic_nurse.organisation,
    )
    response = client_for(clinic_nurse).get(reverse("evaluation:forecast_result", args=[job.pk]))
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
