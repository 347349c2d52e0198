"""Recomputing a month's measures as a background job: from the region dashboard's form and
its API twin, run by the real worker with progress; wrong roles, bad months and GET start
nothing."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from smertespor.evaluation.measures_models import MeasureFigure
from smertespor.evaluation.measures_services import measure_set
from smertespor.evaluation.tests.measures_region import MAY, build_region
from smertespor.jobs.models import Job
from smertespor.jobs.tests.worker import run_worker

pytestmark = pytest.mark.django_db

COMPUTE = reverse("evaluation:measures_compute")
API_COMPUTE = "/api/evaluation/measures/compute"


@pytest.fixture
def region(practice, other_practice, clinic):
    return build_region(practice, other_practice, clinic)


def test_the_planner_recomputes_a_month_and_the_worker_runs_it_to_done(
    client_for, planner, region, django_capture_on_commit_callbacks
) -> None:
    http = client_for(planner)
    dashboard = http.get(reverse("evaluation:measures_region"))
    assert COMPUTE in dashboard.content.decode()  # the small form is on the dashboard
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(COMPUTE, {"month": "2026-05"})
    job = Job.objects.get(kind="measures")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.params == {"month": "2026-05-01"}
    assert not MeasureFigure.objects.exists()

    run_worker()

    job.refresh_from_db()
    count = len(measure_set().measures)
    assert job.status == Job.Status.DONE, job.error
    assert (job.done, job.total) == (count, count)
    assert job.message.startswith("Beregnede ")
    figures = MeasureFigure.objects.filter(month=MAY)
    assert job.result == {"month": "2026-05-01", "figures": figures.count(), "measures": count}
    assert figures.filter(measure="opioid_patients", level="region").exists()
    result_url = reverse("evaluation:measures_result", args=[job.pk])
    assert result_url in http.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert http.get(result_url)["Location"] == reverse("evaluation:measures_region") + (
        "?month=2026-05"
    )


def test_the_administrator_recomputes_over_the_api(
    client_for, admin_user, region, django_capture_on_commit_callbacks
) -> None:
    http = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(API_COMPUTE, {"month": "2026-05"}, "application/json")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert response.json()["status"] == "queued"

    run_worker()

    followed = http.get(f"/api/evaluation/measures/jobs/{job_id}").json()
    assert followed["status"] == "done"
    assert followed["result"]["figures"] == MeasureFigure.objects.filter(month=MAY).count() > 0


@pytest.mark.parametrize("month", ["2026-13", "maj", "", "1999-12"])
def test_a_bad_month_is_refused_on_the_page_and_over_the_api(client_for, planner, month) -> None:
    http = client_for(planner)
    page = http.post(COMPUTE, {"month": month})
    assert page.status_code == 422
    assert page.context["form"].errors["month"]
    api = http.post(API_COMPUTE, {"month": month}, "application/json")
    assert api.status_code == 422
    assert api["Content-Type"] == "application/problem+json"
    assert not Job.objects.exists()


def test_a_month_after_this_one_is_refused(client_for, planner) -> None:
    next_year = f"{datetime.date.today().year + 1}-01"  # noqa: DTZ011 - far enough ahead
    page = client_for(planner).post(COMPUTE, {"month": next_year})
    assert page.status_code == 422
    assert "januar 2000" in page.content.decode()
    api = client_for(planner).post(API_COMPUTE, {"month": next_year}, "application/json")
    assert api.status_code == 422
    assert not Job.objects.exists()


@pytest.mark.parametrize("who", ["gp", "practice_nurse", "clinic_doctor"])
def test_other_roles_cannot_recompute(client_for, request, who) -> None:
    http = client_for(request.getfixturevalue(who))
    assert http.get(COMPUTE).status_code == 403
    assert http.post(COMPUTE, {"month": "2026-05"}).status_code == 403
    assert http.post(API_COMPUTE, {"month": "2026-05"}, "application/json").status_code == 403
    assert not Job.objects.exists()


def test_practice_staff_see_no_recompute_form_on_their_dashboard(client_for, gp) -> None:
    assert COMPUTE not in client_for(gp).get(reverse("evaluation:measures_own")).content.decode()


def test_get_never_starts_a_recomputation(client_for, planner) -> None:
    http = client_for(planner)
    assert http.get(COMPUTE).status_code == 200
    assert http.get(reverse("evaluation:measures_region")).status_code == 200
    assert not Job.objects.exists()


def test_a_recomputation_is_refused_to_another_role_and_organisation(
    client_for, planner, gp, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(planner).post(COMPUTE, {"month": "2026-05"})
    job = Job.objects.get()
    assert client_for(gp).get(reverse("evaluation:measures_result", args=[job.pk])).status_code in {
        403,
        404,
    }
    assert client_for(gp).get(f"/api/evaluation/measures/jobs/{job.pk}").status_code == 403
    assert client_for(gp).get(reverse("jobs:detail", args=[job.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["0000-01", "0999-12"])
def test_a_month_before_year_1000_is_refused_not_a_500(client_for, planner, month):
    """`make fuzz` sent "0000-01": the pattern let it through and strptime failed (500)."""
    response = client_for(planner).post(
        "/api/evaluation/measures/compute",
        json.dumps({"month": month}),
        content_type="application/json",
    )
    assert response.status_code == 422
