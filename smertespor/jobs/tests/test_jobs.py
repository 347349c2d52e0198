"""Background jobs: queued, run by the real django-tasks worker, progress, failures, access."""

import pytest
from django.urls import reverse
from django_tasks.backends.database.models import DBTaskResult

from smertespor.accounts.models import Role
from smertespor.jobs.models import Job
from smertespor.jobs.services import start_job
from smertespor.jobs.tests.work import count_to, crash, refuse
from smertespor.jobs.tests.worker import run_worker
from tests.factories import ClinicFactory, UserFactory


@pytest.mark.django_db
def test_a_job_runs_to_done_in_the_worker_with_its_progress_recorded(
    clinic_doctor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("test-count", clinic_doctor, count_to, steps=3)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert DBTaskResult.objects.filter(pk=job.task_id).exists()

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result is not None
    assert job.result["counted"] == 3
    # what the job row said while the work ran: running, step by step
    assert job.result["seen"] == [
        ["running", 1, 3, "step 1"],
        ["running", 2, 3, "step 2"],
        ["running", 3, 3, "step 3"],
    ]
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.started_at is not None and job.finished_at is not None
    assert job.finished_at >= job.started_at
    assert job.organisation == clinic_doctor.organisation


@pytest.mark.django_db
def test_a_refused_job_ends_failed_with_its_message(
    clinic_doctor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("test-fail", clinic_doctor, refuse, reason="Der er for få forløb.")
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "Der er for få forløb."
    assert job.result is None
    assert (job.done, job.total) == (1, 4)


@pytest.mark.django_db
def test_a_crashing_job_fails_with_a_danish_message_and_no_internals(
    clinic_doctor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("test-crash", clinic_doctor, crash)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "uventet fejl" in job.error
    assert "internals" not in job.error


@pytest.mark.django_db
def test_a_job_is_never_run_twice(clinic_doctor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("test-count", clinic_doctor, count_to, steps=1)
    run_worker()
    Job.objects.filter(pk=job.pk).update(result={"kept": True})
    from smertespor.jobs.tasks import run_job

    with django_capture_on_commit_callbacks(execute=True):
        run_job.enqueue(job.pk)
    run_worker()
    job.refresh_from_db()
    assert job.result == {"kept": True}


def test_it_refuses_to_start_a_job_for_the_wrong_role(clinic_secretary):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        start_job("test-count", clinic_secretary, count_to, steps=1)
    assert not Job.objects.exists()


def test_it_refuses_work_registered_under_another_kind(clinic_doctor):
    with pytest.raises(ValueError, match="not registered"):
        start_job("test-fail", clinic_doctor, count_to, steps=1)


def _queued(user) -> Job:
    return Job.objects.create(
        kind="test-count",
        work="smertespor.jobs.tests.work.count_to",
        params={"steps": 2},
        started_by=user,
        organisation=user.organisation,
    )


def test_the_progress_page_polls_until_the_job_is_finished(client_for, clinic_doctor, clinic_nurse):
    job = _queued(clinic_doctor)
    page = client_for(clinic_nurse).get(reverse("jobs:detail", args=[job.pk]))
    assert page.status_code == 200
    assert 'hx-trigger="every 2s"' in page.text
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=2, total=2, result={})
    partial = client_for(clinic_nurse).get(reverse("jobs:progress", args=[job.pk]))
    assert "hx-trigger" not in partial.text
    assert reverse("jobs:detail", args=[job.pk]) in partial.text  # the result link


def test_a_failed_job_shows_its_error(client_for, clinic_doctor):
    job = _queued(clinic_doctor)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error="Det gik galt her.")
    page = client_for(clinic_doctor).get(reverse("jobs:progress", args=[job.pk]))
    assert 'role="alert"' in page.text
    assert "Det gik galt her." in page.text
    assert "hx-trigger" not in page.text


def test_it_hides_another_organisations_job(client_for, clinic_doctor):
    other_doctor = UserFactory(
        username="other-clinic-doctor", role=Role.CLINIC_DOCTOR, organisation=ClinicFactory()
    )
    job = _queued(clinic_doctor)
    for name in ("jobs:detail", "jobs:progress"):
        response = client_for(other_doctor).get(reverse(name, args=[job.pk]))
        assert response.status_code == 404
        assert "step" not in response.text


def test_it_refuses_the_wrong_role_in_the_same_organisation(
    client_for, clinic_doctor, clinic_secretary
):
    job = _queued(clinic_doctor)
    response = client_for(clinic_secretary).get(reverse("jobs:detail", args=[job.pk]))
    assert response.status_code == 403


def test_a_get_never_starts_or_changes_a_job(client_for, clinic_doctor):
    job = _queued(clinic_doctor)
    before = Job.objects.values().get(pk=job.pk)
    for name in ("jobs:detail", "jobs:progress"):
        assert client_for(clinic_doctor).get(reverse(name, args=[job.pk])).status_code == 200
    assert Job.objects.values().get(pk=job.pk) == before
    assert not DBTaskResult.objects.exists()
    assert client_for(clinic_doctor).post(reverse("jobs:detail", args=[job.pk])).status_code == 405
