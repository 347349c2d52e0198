"""Screening as a background job and its API twins: the upload stores the extract in the
request and queues the run; the real worker runs it with progress; refused files, wrong roles
and GET start nothing; the invitation over the API follows the page's rules."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smertespor.evaluation.screening_matching import pseudonym_for
from smertespor.evaluation.screening_models import (
    DispensingExtract,
    ScreeningInvitation,
    ScreeningRun,
)
from smertespor.evaluation.tests.screening_fixtures import long_term_rows, screened_run
from smertespor.jobs.models import Job
from smertespor.jobs.tests.worker import run_worker

pytestmark = pytest.mark.django_db

UPLOAD = reverse("evaluation:screening_upload")
API_UPLOAD = "/api/evaluation/screening/extracts"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_file(rows, name: str = "extract.csv") -> SimpleUploadedFile:
    text = ",".join(rows[0]) + "\n" + "\n".join(",".join(r.values()) for r in rows) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def good_file(patient) -> SimpleUploadedFile:
    return csv_file(
        long_term_rows(pseudonym_for(patient.cpr), patient.listed_practice.provider_number)
    )


def bad_file(patient) -> SimpleUploadedFile:
    return csv_file(long_term_rows("x", patient.listed_practice.provider_number))


def invite_api(finding) -> str:
    return f"/api/evaluation/screening/findings/{finding.pk}/invite"


def test_the_upload_queues_a_screening_job_that_runs_to_done_with_its_progress(
    client_for, planner, patient, django_capture_on_commit_callbacks
) -> None:
    http = client_for(planner)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(UPLOAD, {"file": good_file(patient)})
    job = Job.objects.get(kind="screening")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED
    assert job.params == {"extract_id": DispensingExtract.objects.get().pk}
    assert not ScreeningRun.objects.exists()

    run_worker()

    job.refresh_from_db()
    run = ScreeningRun.objects.get()
    assert job.status == Job.Status.DONE, job.error
    assert run.status == ScreeningRun.Status.DONE
    assert job.result == {
        "run": run.pk,
        "extract": run.extract_id,
        "rows_read": 4,
        "opioid_users": 1,
        "findings": 1,
    }
    assert (job.done, job.total, job.message) == (5, 5, "Færdig")
    assert run.started_by == planner
    # The progress page links to the screening page through the job's result address.
    page = http.get(reverse("jobs:detail", args=[job.pk]))
    result_url = reverse("evaluation:screening_result", args=[job.pk])
    assert result_url in page.content.decode()
    assert http.get(result_url)["Location"] == reverse("evaluation:screening")


def test_a_refused_file_shows_its_report_at_once_and_starts_no_job(
    client_for, planner, patient, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(planner).post(UPLOAD, {"file": bad_file(patient)})
    assert response.status_code == 422
    assert response.context["report"].bad_rows == 4
    assert not Job.objects.exists()
    assert not DispensingExtract.objects.exists()


def test_an_upload_form_without_a_file_is_422_and_starts_nothing(client_for, planner) -> None:
    response = client_for(planner).post(UPLOAD, {})
    assert response.status_code == 422
    assert response.context["form"].errors["file"]
    assert not Job.objects.exists()


def test_get_never_starts_a_screening(client_for, planner, admin_user) -> None:
    assert client_for(planner).get(UPLOAD).status_code == 200
    assert client_for(admin_user).get(UPLOAD).status_code == 200
    assert not Job.objects.exists()


def test_the_screening_result_is_refused_to_other_roles_and_organisations(
    client_for, planner, gp, patient, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(planner).post(UPLOAD, {"file": good_file(patient)})
    job = Job.objects.get()
    result_url = reverse("evaluation:screening_result", args=[job.pk])
    assert client_for(gp).get(result_url).status_code == 403
    assert client_for(gp).get(f"/api/evaluation/screening/jobs/{job.pk}").status_code == 403
    assert client_for(gp).get(reverse("jobs:detail", args=[job.pk])).status_code == 404


# --- The API ---------------------------------------------------------------------------------


def test_the_api_upload_answers_202_with_the_extract_and_its_job(
    client_for, admin_user, patient, django_capture_on_commit_callbacks
) -> None:
    http = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(API_UPLOAD, {"file": good_file(patient)})
    assert response.status_code == 202, response.content
    body = response.json()
    extract = DispensingExtract.objects.get()
    assert body["extract"]["id"] == extract.pk
    assert body["extract"]["rows"] == 4
    assert body["job"]["kind"] == "screening"
    assert body["job"]["status"] == "queued"

    run_worker()

    followed = http.get(f"/api/evaluation/screening/jobs/{body['job']['id']}").json()
    assert followed["status"] == "done"
    assert followed["result"]["findings"] == 1


def test_the_api_refuses_a_bad_file_with_every_row_and_stores_nothing(
    client_for, planner, patient, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(planner).post(API_UPLOAD, {"file": bad_file(patient)})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["bad_rows"], problem["total_problems"]) == (4, 4)
    assert [e["field"] for e in problem["errors"]] == ["person_id"] * 4
    assert problem["errors"][0]["message"].startswith("Række 1: ")
    assert "pseudonym på 64" in problem["errors"][0]["message"]
    assert not DispensingExtract.objects.exists()
    assert not Job.objects.exists()


def test_the_api_refuses_a_file_of_another_type(client_for, planner) -> None:
    upload = SimpleUploadedFile("extract.xlsx", b"PK\x03\x04", content_type="application/zip")
    response = client_for(planner).post(API_UPLOAD, {"file": upload})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "bad_file"
    assert not DispensingExtract.objects.exists()


def test_the_api_upload_without_a_file_is_422(client_for, planner) -> None:
    assert client_for(planner).post(API_UPLOAD, {}).status_code == 422
    assert not Job.objects.exists()


@pytest.mark.parametrize("who", ["gp", "practice_nurse", "clinic_doctor"])
def test_the_api_upload_is_refused_to_clinical_roles(client_for, request, who, patient) -> None:
    response = client_for(request.getfixturevalue(who)).post(
        API_UPLOAD, {"file": good_file(patient)}
    )
    assert response.status_code == 403
    assert not DispensingExtract.objects.exists()
    assert not Job.objects.exists()


@pytest.fixture
def run(tmp_path, patient, other_patient):
    return screened_run(tmp_path, [patient, other_patient], extra_people=3)


def test_the_gp_invites_over_the_api_once(client_for, gp, run, patient) -> None:
    finding = run.findings.get(person_id=pseudonym_for(patient.cpr))
    http = client_for(gp)
    response = http.post(invite_api(finding), {"patient_id": str(patient.pk)}, "application/json")
    assert response.status_code == 201, response.content
    invitation = ScreeningInvitation.objects.get()
    assert response.json()["id"] == invitation.pk
    assert (invitation.patient, invitation.invited_by) == (patient, gp)
    again = http.post(invite_api(finding), {"patient_id": str(patient.pk)}, "application/json")
    assert again.status_code == 422
    assert "allerede" in again.json()["detail"]
    assert ScreeningInvitation.objects.count() == 1


def test_another_practices_gp_cannot_invite_over_the_api(
    client_for, other_gp, run, patient
) -> None:
    finding = run.findings.get(person_id=pseudonym_for(patient.cpr))
    response = client_for(other_gp).post(
        invite_api(finding), {"patient_id": str(patient.pk)}, "application/json"
    )
    assert response.status_code == 404
    assert not ScreeningInvitation.objects.exists()


@pytest.mark.parametrize("who", ["practice_nurse", "planner", "clinic_doctor"])
def test_other_roles_cannot_invite_over_the_api(client_for, request, who, run, patient) -> None:
    finding = run.findings.get(person_id=pseudonym_for(patient.cpr))
    response = client_for(request.getfixturevalue(who)).post(
        invite_api(finding), {"patient_id": str(patient.pk)}, "application/json"
    )
    assert response.status_code == 403
    assert not ScreeningInvitation.objects.exists()
