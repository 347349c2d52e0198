"""The handover page and the hospital course link their FHIR message download, only for the
users the download endpoint serves."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from smertespor.tracks.models import DischargeSummary, Handover
from smertespor.tracks.services import hand_over_early
from smertespor.tracks.tests.factories import CourseFactory
from smertespor.tracks.tests.helpers import enrol


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


LINK = Template('{% load interop %}{% fhir_message_link user "handover" patient_id 7 %}')


@pytest.mark.parametrize("persona", ["planner", "admin_user", "clinic_secretary"])
def test_roles_the_download_refuses_get_no_link(request, persona, patient):
    user = request.getfixturevalue(persona)
    assert LINK.render(Context({"user": user, "patient_id": patient.pk})) == ""


def test_an_exporting_role_gets_the_link(gp, patient):
    html = LINK.render(Context({"user": gp, "patient_id": patient.pk}))
    assert 'data-testid="fhir-message-link"' in html
