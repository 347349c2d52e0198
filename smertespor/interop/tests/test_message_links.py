"""The handover page and the hospital course link their FHIR message download, only for the
users the download endpoint serves."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from smertespor.audit.models import AuditEvent
from smertespor.centres.models import DischargeSummary as CentreDischargeSummary
from smertespor.centres.tests.factories import matrix_centre_ids
from smertespor.tracks.models import DischargeSummary, Handover
from smertespor.tracks.services import hand_over_early
from smertespor.tracks.tests.factories import CourseFactory
from smertespor.tracks.tests.helpers import enrol
from tests.factories import PatientFactory


def test_the_handover_page_links_the_handover_message(client_for, gp, patient, clinic):
    course = enrol(gp, patient, clinic, timezone.localdate() - timedelta(days=10))
    hand_over_early(course=course, by=gp, expected_version=course.version, reason="Stalled")
    handover = Handover.objects.get(course=course)
    page = client_for(gp).get(reverse("tracks:handover", args=[patient.pk, course.pk]))
    download = reverse(
        "api:fhir_handover_message",
        kwargs={"patient_id": patient.pk, "handover_id": handover.pk},
    )
    assert page.status_code == 200
    assert f'href="{download}"' in page.content.decode()


def test_the_hospital_course_links_its_discharge_summary_message(
    client_for, gp, patient, clinic, clinic_doctor, practice
):
    course = CourseFactory.create(
        patient=patient, clinic=clinic, track="hospital", status="completed",
        responsible_organisation=clinic, deadline=None,
    )  # fmt: skip
    summary = DischargeSummary.objects.create(
        course=course, sent_to=practice, summary="Forløb afsluttet.", recommendations="Følg op.",
        written_by=clinic_doctor, written_at=timezone.now(),
    )  # fmt: skip
    page = client_for(gp).get(reverse("tracks:course_detail", args=[patient.pk, course.pk]))
    download = reverse(
        "api:fhir_discharge_message",
        kwargs={"patient_id": patient.pk, "summary_id": summary.pk},
    )
    assert page.status_code == 200
    assert f'href="{download}"' in page.content.decode()


def test_the_centre_s_discharge_summary_links_its_message_and_the_message_downloads(
    client_for, gp, patient
):
    course_id = matrix_centre_ids(patient)["course_id"]
    summary = CentreDischargeSummary.objects.get(course=course_id)
    page = client_for(gp).get(reverse("centres:summary", args=[patient.pk, course_id]))
    download = reverse(
        "api:fhir_centre_discharge_message",
        kwargs={"patient_id": patient.pk, "summary_id": summary.pk},
    )
    assert page.status_code == 200
    assert f'href="{download}"' in page.content.decode()
    body = client_for(gp).get(download).json()
    Bundle.model_validate(body["message"])
    header = body["message"]["entry"][0]["resource"]
    assert header["sender"] == {"reference": f"Organization/{summary.course.centre_id}"}
    assert header["destination"][0]["receiver"] == {
        "reference": f"Organization/{summary.sent_to_id}"
    }
    communication = body["message"]["entry"][1]["resource"]
    assert communication["category"][0]["coding"][0]["code"] == "discharge"
    assert AuditEvent.objects.filter(object_type="medcom_message", action="export").exists()


@pytest.mark.parametrize("persona", ["planner", "clinic_secretary"])
def test_the_centre_s_discharge_message_refuses_roles_that_may_not_export(
    request, client_for, persona, patient
):
    course_id = matrix_centre_ids(patient)["course_id"]
    summary = CentreDischargeSummary.objects.get(course=course_id)
    url = reverse(
        "api:fhir_centre_discharge_message",
        kwargs={"patient_id": patient.pk, "summary_id": summary.pk},
    )
    response = client_for(request.getfixturevalue(persona)).get(url)
    assert response.status_code == 403
    assert patient.name not in response.content.decode()


def test_a_centre_summary_of_another_patient_is_not_found(client_for, gp, patient, practice):
    course_id = matrix_centre_ids(patient)["course_id"]
    summary = CentreDischargeSummary.objects.get(course=course_id)
    someone_else = PatientFactory.create(listed_practice=practice)
    url = reverse(
        "api:fhir_centre_discharge_message",
        kwargs={"patient_id": someone_else.pk, "summary_id": summary.pk},
    )
    assert client_for(gp).get(url).status_code == 404


LINK = Template('{% load interop %}{% fhir_message_link user "handover" patient_id 7 %}')


@pytest.mark.parametrize("persona", ["planner", "admin_user", "clinic_secretary"])
def test_roles_the_download_refuses_get_no_link(request, persona, patient):
    user = request.getfixturevalue(persona)
    assert LINK.render(Context({"user": user, "patient_id": patient.pk})) == ""


def test_an_exporting_role_gets_the_link(gp, patient):
    html = LINK.render(Context({"user": gp, "patient_id": patient.pk}))
    assert 'data-testid="fhir-message-link"' in html
    assert "Hent som FHIR-besked" in html
