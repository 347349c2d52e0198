"""Downloading the handover letter and the discharge summary as message Bundles."""

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from smertespor.audit.models import AuditEvent
from smertespor.tracks.models import DischargeSummary
from smertespor.tracks.tests.factories import CourseFactory, HandoverFactory


@pytest.fixture
def handover(patient, clinic):
    course = CourseFactory.create(patient=patient, clinic=clinic)
    return HandoverFactory.create(course=course, clinic=clinic, gp_comment="Ønsker hjælp")


def handover_url(patient_id, handover_id):
    return reverse(
        "api:fhir_handover_message",
        kwargs={"patient_id": patient_id, "handover_id": handover_id},
    )


def test_a_gp_downloads_the_handover_letter_with_its_acknowledgement(
    client_for, gp, patient, handover
):
    response = client_for(gp).get(handover_url(patient.pk, handover.pk))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = response.json()
    Bundle.model_validate(body["message"])
    Bundle.model_validate(body["acknowledgement"])
    communication = body["message"]["entry"][1]["resource"]
    assert communication["payload"][0]["contentString"].endswith("Ønsker hjælp")
    header = body["acknowledgement"]["entry"][0]["resource"]
    assert header["response"]["code"] == "ok"
    row = AuditEvent.objects.get(object_type="medcom_message", action="export")
    assert row.patient_id == patient.pk


def test_the_discharge_summary_goes_from_the_clinic_to_the_practice(
    client_for, gp, patient, clinic, clinic_doctor, practice
):
    course = CourseFactory.create(
        patient=patient,
        clinic=clinic,
        track="hospital",
        status="completed",
        responsible_organisation=clinic,
        deadline=None,
    )
    summary = DischargeSummary.objects.create(
        course=course, sent_to=practice, summary="Forløb afsluttet.", recommendations="Følg op.",
        written_by=clinic_doctor, written_at=timezone.now(),
    )  # fmt: skip
    url = reverse(
        "api:fhir_discharge_message",
        kwargs={"patient_id": patient.pk, "summary_id": summary.pk},
    )
    message = client_for(gp).get(url).json()["message"]
    header = message["entry"][0]["resource"]
    assert header["sender"] == {"reference": f"Organization/{clinic.pk}"}
    assert header["destination"][0]["receiver"] == {"reference": f"Organization/{practice.pk}"}
    category = message["entry"][1]["resource"]["category"][0]["coding"][0]
    assert category == {
        "system": "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-careCommunication-categoryCodes",
        "code": "discharge",
    }


def test_it_refuses_a_gp_from_another_practice_without_patient_data(
    client_for, other_gp, patient, handover
):
    response = client_for(other_gp).get(handover_url(patient.pk, handover.pk))
    assert response.status_code == 404
    assert patient.name not in response.content.decode()


def test_a_letter_of_another_patient_is_not_found(client_for, gp, patient, handover, practice):
    from tests.factories import PatientFactory

    someone_else = PatientFactory.create(listed_practice=practice)
    assert client_for(gp).get(handover_url(someone_else.pk, handover.pk)).status_code == 404


@pytest.mark.parametrize("persona", ["planner", "admin_user", "clinic_secretary"])
def test_roles_that_may_not_export_are_refused(request, client_for, persona, patient, handover):
    response = client_for(request.getfixturevalue(persona)).get(
        handover_url(patient.pk, handover.pk)
    )
    assert response.status_code == 403
    assert patient.name not in response.content.decode()


def test_a_referral_and_its_supplement_request_download_as_messages(
    client_for, gp, patient, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smertespor.accounts.models import Organisation
    from smertespor.referrals.models import ReferralAttachment, ReferralCommunication
    from smertespor.referrals.tests.factories import sent
    from tests.factories import OrganisationFactory, UserFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    centre = OrganisationFactory.create(kind=Organisation.Kind.PAIN_CENTRE, provider_number="")
    referral = sent(gp, patient, centre)
    centre_doctor = UserFactory.create(role="clinic_doctor", organisation=centre)
    ReferralCommunication.objects.create(
        referral=referral, author=centre_doctor, side="centre", kind="information_request",
        body="Send venligst MR-beskrivelsen.", created_at=timezone.now(),
    )  # fmt: skip
    supplement = ReferralCommunication.objects.create(
        referral=referral, author=gp, side="practice", kind="supplement",
        body="MR-beskrivelsen vedlagt.", created_at=timezone.now(),
    )  # fmt: skip
    ReferralAttachment.objects.create(
        referral=referral, communication=supplement,
        file=SimpleUploadedFile("mr.pdf", b"%PDF-1.7 scan", "application/pdf"),
        original_name="mr.pdf", content_type="application/pdf", size=13, sha256="0" * 64,
        uploaded_by=gp, uploaded_at=timezone.now(),
    )  # fmt: skip
    url = reverse(
        "api:fhir_referral_message",
        kwargs={"patient_id": patient.pk, "referral_id": referral.pk},
    )
    body = client_for(gp).get(url).json()
    first, second, third = body["messages"]
    assert first["entry"][1]["resource"]["resourceType"] == "ServiceRequest"
    request = second["entry"][1]["resource"]
    assert request["category"][0]["coding"][0]["code"] == "regarding-referral"
    assert request["basedOn"] == [{"reference": f"ServiceRequest/referral-{referral.pk}"}]
    assert second["entry"][0]["resource"]["sender"] == {"reference": f"Organization/{centre.pk}"}
    attachment = third["entry"][1]["resource"]["payload"][1]["contentAttachment"]
    assert (attachment["title"], attachment["contentType"], attachment["size"]) == (
        "mr.pdf",
        "application/pdf",
        13,
    )
    assert len(body["acknowledgements"]) == 3


def test_the_exchange_page_lists_the_downloads_and_is_linked_from_the_medication_list(
    client_for, gp, patient, handover
):
    client = client_for(gp)
    medication = client.get(reverse("medication:patient", args=[patient.pk])).content.decode()
    assert reverse("interop:patient_exchange", args=[patient.pk]) in medication
    page = client.get(reverse("interop:patient_exchange", args=[patient.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dataudveksling" in html
    assert handover_url(patient.pk, handover.pk) in html


def test_the_exchange_page_refuses_the_wrong_role_and_scope(client_for, other_gp, planner, patient):
    url = reverse("interop:patient_exchange", args=[patient.pk])
    outsider = client_for(other_gp).get(url)
    assert outsider.status_code == 404
    assert patient.name not in outsider.content.decode()
    assert client_for(planner).get(url).status_code == 403


def test_the_import_page_is_in_the_gps_menu_and_not_the_clinics(gp, clinic_nurse):
    from smertespor.web.navigation import nav_items_for

    assert "interop:medication_csv" in [item.url_name for item in nav_items_for(gp)]
    assert "interop:medication_csv" not in [item.url_name for item in nav_items_for(clinic_nurse)]
