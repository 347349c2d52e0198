"""Who sees what of screening: pages, CSV, upload, invitation and API, each refusing the
wrong role; matching by keyed pseudonym; the invitation's effects."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smertespor.accounts.models import Role
from smertespor.audit.models import AuditEvent
from smertespor.evaluation.screening_matching import pseudonym_for
from smertespor.evaluation.screening_models import DispensingExtract, ScreeningInvitation
from smertespor.evaluation.tests.screening_fixtures import long_term_rows, screened_run
from smertespor.jobs.tests.worker import run_worker
from smertespor.notifications.models import Notification
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

SCREENING = reverse("evaluation:screening")
CSV = reverse("evaluation:screening_csv")
UPLOAD = reverse("evaluation:screening_upload")
API_COUNTS = "/api/evaluation/screening/counts"
API_PATIENTS = "/api/evaluation/screening/patients"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run(tmp_path, patient, other_patient):
    # Three strangers at the patient's practice too, so the practice has 4 users.
    return screened_run(tmp_path, [patient, other_patient], extra_people=3)


def invite_url(finding) -> str:
    return reverse("evaluation:screening_invite", args=[finding.pk])


def test_the_pseudonym_is_hmac_sha256_of_the_cpr_under_the_key(settings) -> None:
    settings.SCREENING_PSEUDONYM_KEY = "00" * 32
    expected = hmac.new(bytes(32), b"0101801234", hashlib.sha256).hexdigest()
    assert pseudonym_for("0101801234") == expected
    settings.SCREENING_PSEUDONYM_KEY = "01" * 32
    assert pseudonym_for("0101801234") != expected


def test_the_gp_sees_own_counts_and_own_matched_patients_only(
    client_for, gp, run, patient, other_patient
) -> None:
    response = client_for(gp).get(SCREENING)
    assert response.status_code == 200
    body = response.content.decode()
    assert patient.name in body
    assert other_patient.name not in body
    assert 'data-testid="region-counts"' not in body
    assert [row.patient for row in response.context["flagged"]] == [patient]
    assert response.context["own_counts"][0] == 4
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LISTED, patient_id=patient.pk, object_type="screening_findings"
    ).exists()


def test_a_practice_nurse_sees_the_counts_but_no_patient(
    client_for, practice_nurse, run, patient
) -> None:
    response = client_for(practice_nurse).get(SCREENING)
    assert response.status_code == 200
    assert patient.name not in response.content.decode()
    assert "flagged" not in response.context


def test_the_planner_sees_suppressed_counts_and_no_patient(
    client_for, planner, run, patient, other_patient
) -> None:
    response = client_for(planner).get(SCREENING)
    assert response.status_code == 200
    body = response.content.decode()
    assert patient.name not in body and other_patient.name not in body
    table = response.context["region"]
    shown = {row.provider_number: [c.text() for c in row.cells] for row in table.rows}
    # The other practice has one opioid user: "< 5"; the patient's practice has 4: also hidden.
    assert shown[other_patient.listed_practice.provider_number][0] == "< 5"
    assert shown[patient.listed_practice.provider_number][0] == "< 5"
    assert table.totals[0].text() == "5"


def test_the_planners_csv_is_suppressed_like_the_page(client_for, planner, run) -> None:
    response = client_for(planner).get(CSV)
    assert response.status_code == 200
    text = response.content.decode()
    assert "< 5" in text
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, object_type="screening_counts"
    ).exists()


@pytest.mark.parametrize("who", ["gp", "clinic_doctor", "practice_nurse"])
def test_the_csv_is_refused_to_clinical_roles(client_for, request, who, run) -> None:
    response = client_for(request.getfixturevalue(who)).get(CSV)
    assert response.status_code == 403
    assert "< 5" not in response.content.decode()


@pytest.mark.parametrize("who", ["clinic_doctor", "clinic_nurse", "hospital_doctor"])
def test_the_screening_page_is_refused_outside_practices_and_planners(
    client_for, request, who, run, patient
) -> None:
    response = client_for(request.getfixturevalue(who)).get(SCREENING)
    assert response.status_code == 403
    assert patient.name not in response.content.decode()


def test_the_gp_invites_a_matched_patient(client_for, gp, practice_nurse, run, patient) -> None:
    finding = run.findings.get(person_id=pseudonym_for(patient.cpr))
    response = client_for(gp).post(invite_url(finding), {"patient": str(patient.pk)})
    assert response.status_code == 302
    invitation = ScreeningInvitation.objects.get()
    assert (invitation.patient, invitation.invited_by) == (patient, gp)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_type="screening_invitation", patient_id=patient.pk
    ).exists()
    assert Notification.objects.filter(
        recipient=practice_nurse, kind="screening_invitation"
    ).exists()
    # A second invitation is refused with a message, not a second row.
    client_for(gp).post(invite_url(finding), {"patient": str(patient.pk)})
    assert ScreeningInvitation.objects.count() == 1


def test_another_practices_gp_cannot_invite(client_for, other_gp, run, patient) -> None:
    finding = run.findings.get(person_id=pseudonym_for(patient.cpr))
    response = client_for(other_gp).post(invite_url(finding), {"patient": str(patient.pk)})
    assert response.status_code == 404
    assert patient.name not in response.content.decode()
    assert ScreeningInvitation.objects.count() == 0


def test_a_gp_cannot_invite_own_patient_with_someone_elses_finding(
    client_for, gp, run, patient, other_patient
) -> None:
    finding = run.findings.get(person_id=pseudonym_for(other_patient.cpr))
    response = client_for(gp).post(invite_url(finding), {"patient": str(patient.pk)})
    assert response.status_code == 404
    assert ScreeningInvitation.objects.count() == 0


@pytest.mark.parametrize("who", ["practice_nurse", "planner", "clinic_doctor"])
def test_other_roles_cannot_invite(client_for, request, who, run, patient) -> None:
    finding = run.findings.get(person_id=pseudonym_for(patient.cpr))
    response = client_for(request.getfixturevalue(who)).post(
        invite_url(finding), {"patient": str(patient.pk)}
    )
    assert response.status_code == 403
    assert ScreeningInvitation.objects.count() == 0


def test_get_never_invites(client_for, gp, run, patient) -> None:
    finding = run.findings.get(person_id=pseudonym_for(patient.cpr))
    assert client_for(gp).get(invite_url(finding)).status_code == 405
    assert ScreeningInvitation.objects.count() == 0


def test_a_planner_uploads_a_good_extract_and_it_is_screened(
    client_for, planner, patient, django_capture_on_commit_callbacks
) -> None:
    rows = long_term_rows(pseudonym_for(patient.cpr), patient.listed_practice.provider_number)
    text = ",".join(rows[0]) + "\n" + "\n".join(",".join(r.values()) for r in rows) + "\n"
    upload = SimpleUploadedFile("x.csv", text.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(planner).post(UPLOAD, {"file": upload})
    assert response.status_code == 302
    assert not DispensingExtract.objects.get().runs.exists()  # screened in the background
    run_worker()
    assert DispensingExtract.objects.get().runs.get().findings.count() == 1


def test_the_upload_page_shows_the_bad_row_report_and_stores_nothing(
    client_for, admin_user, patient
) -> None:
    rows = long_term_rows("x", patient.listed_practice.provider_number)
    text = ",".join(rows[0]) + "\n" + "\n".join(",".join(r.values()) for r in rows) + "\n"
    upload = SimpleUploadedFile("x.csv", text.encode(), content_type="text/csv")
    response = client_for(admin_user).post(UPLOAD, {"file": upload})
    assert response.status_code == 422
    body = response.content.decode()
    assert "pseudonym på 64" in body
    assert response.context["report"].bad_rows == 4
    assert DispensingExtract.objects.count() == 0


@pytest.mark.parametrize("who", ["gp", "practice_nurse", "clinic_doctor"])
def test_clinical_roles_cannot_upload(client_for, request, who) -> None:
    user = request.getfixturevalue(who)
    assert client_for(user).get(UPLOAD).status_code == 403
    upload = SimpleUploadedFile("x.csv", b"a,b\n", content_type="text/csv")
    assert client_for(user).post(UPLOAD, {"file": upload}).status_code == 403
    assert DispensingExtract.objects.count() == 0


def test_the_api_gives_the_planner_suppressed_counts(client_for, planner, run) -> None:
    response = client_for(planner).get(API_COUNTS)
    assert response.status_code == 200
    data = response.json()
    assert {p["counts"]["opioid_users"] for p in data["practices"]} == {"< 5"}
    assert data["totals"]["opioid_users"] == "5"


def test_the_api_gives_a_practice_its_own_counts(client_for, practice_nurse, run, patient) -> None:
    data = client_for(practice_nurse).get(API_COUNTS).json()
    assert [p["provider_number"] for p in data["practices"]] == [
        patient.listed_practice.provider_number
    ]
    assert data["practices"][0]["counts"]["opioid_users"] == "4"


def test_the_api_lists_the_gps_own_flagged_patients(client_for, gp, run, patient) -> None:
    data = client_for(gp).get(API_PATIENTS).json()
    assert [row["patient_id"] for row in data] == [str(patient.pk)]
    assert "is_high_dose" in data[0]["flags"]


@pytest.mark.parametrize("who", ["planner", "practice_nurse", "clinic_doctor"])
def test_the_patients_api_refuses_other_roles(client_for, request, who, run, patient) -> None:
    response = client_for(request.getfixturevalue(who)).get(API_PATIENTS)
    assert response.status_code == 403
    assert patient.name not in response.content.decode()


@pytest.mark.parametrize("who", ["clinic_doctor", "hospital_doctor"])
def test_the_counts_api_refuses_other_roles(client_for, request, who, run) -> None:
    assert client_for(request.getfixturevalue(who)).get(API_COUNTS).status_code == 403


def test_an_unmatched_listed_patient_is_not_shown(client_for, gp, run, practice) -> None:
    stranger = PatientFactory(name="Ikke Fundet", listed_practice=practice)
    body = client_for(gp).get(SCREENING).content.decode()
    assert stranger.name not in body


def test_a_second_gp_of_the_practice_sees_the_same_patients(
    client_for, practice, run, patient
) -> None:
    colleague = UserFactory(username="gp2", role=Role.GP, organisation=practice)
    assert [row.patient for row in client_for(colleague).get(SCREENING).context["flagged"]] == [
        patient
    ]


def test_without_the_regions_key_nobody_is_matched_and_nothing_can_be_invited(
    client_for, gp, run, patient, settings
) -> None:
    """Production without SCREENING_PSEUDONYM_KEY: counts work, matching is off and says so."""
    finding = run.findings.get(person_id=pseudonym_for(patient.cpr))
    settings.SCREENING_PSEUDONYM_KEY = ""
    response = client_for(gp).get(SCREENING)
    assert response.status_code == 200
    assert response.context["flagged"] == []
    assert response.context["own_counts"][0] == 4
    assert 'data-testid="matching-off"' in response.content.decode()
    refused = client_for(gp).post(invite_url(finding), {"patient": str(patient.pk)})
    assert refused.status_code == 403
    assert not ScreeningInvitation.objects.exists()
