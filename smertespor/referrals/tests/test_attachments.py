"""Attachments as in advice: PDF and images, checked by content; served only to the parties."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smertespor.referrals.models import Referral, ReferralAttachment
from smertespor.referrals.tests.factories import draft, sent
from smertespor.referrals.tests.test_web import form_data

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7 scan"


def test_a_draft_saves_a_pdf_and_the_centre_reads_it_once_sent(
    client_for, gp, patient, centre, centre_doctor, other_centre_doctor
):
    data = form_data(centre)
    data["attachments"] = SimpleUploadedFile("mr.pdf", PDF, content_type="application/pdf")
    response = client_for(gp).post(reverse("referrals:create", args=[patient.pk]), data)
    assert response.status_code == 302
    attachment = ReferralAttachment.objects.get()
    url = reverse("referrals:attachment", args=[attachment.pk])
    assert client_for(centre_doctor).get(url).status_code == 404  # a draft is the GP's
    referral = Referral.objects.get()
    from smertespor.referrals import services

    services.send_referral(referral=referral, by=gp, exception_reason="Motivation ukendt")
    download = client_for(centre_doctor).get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    refused = client_for(other_centre_doctor).get(url)
    assert refused.status_code == 404
    assert patient.name.encode() not in refused.content


def test_a_file_that_is_not_a_pdf_or_image_is_refused_and_nothing_saved(
    client_for, gp, patient, centre
):
    data = form_data(centre)
    data["attachments"] = SimpleUploadedFile("mr.pdf", b"MZ\x90\x00 not a pdf")
    response = client_for(gp).post(reverse("referrals:create", args=[patient.pk]), data)
    assert response.status_code == 422
    assert not Referral.objects.exists()
    assert not ReferralAttachment.objects.exists()


def test_the_thread_takes_attachments_through_the_api(client_for, gp, patient, centre):
    referral = sent(gp, patient, centre)
    response = client_for(gp).post(
        f"/api/referrals/{referral.pk}/messages",
        {"body": "Scanning vedlagt", "attachments": SimpleUploadedFile("scan.pdf", PDF)},
        headers={"If-Match": f'"{referral.version}"'},
    )
    assert response.status_code == 201, response.content
    assert [a["name"] for a in response.json()["attachments"]] == ["scan.pdf"]


def test_a_naive_appointment_time_is_the_regions_local_time(
    client_for, gp, patient, centre, centre_doctor
):
    referral = sent(gp, patient, centre)
    http = client_for(centre_doctor)
    accepted = http.post(
        f"/api/referrals/{referral.pk}/accept",
        json.dumps({"priority": "routine", "expected_wait_weeks": 3}),
        content_type="application/json",
        headers={"If-Match": f'"{referral.version}"'},
    )
    booked = http.post(
        f"/api/referrals/{referral.pk}/first-appointment",
        json.dumps({"at": "2099-01-05T10:00:00"}),
        content_type="application/json",
        headers={"If-Match": accepted["ETag"]},
    )
    assert booked.status_code == 200, booked.content
    assert booked.json()["status"] == "appointment_booked"


def test_the_gp_list_shows_each_referral_with_its_status(client_for, gp, patient, centre):
    draft(gp, patient, centre)
    sent(gp, patient, centre)
    page = client_for(gp).get(reverse("referrals:list") + "?show=all")
    assert page.content.count(b'data-testid="referral-status"') == 2
    assert b"Modtaget" in page.content
    assert b"Kladde" in page.content
