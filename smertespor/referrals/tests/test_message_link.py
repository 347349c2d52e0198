"""The referral page links its FHIR message download for those who may download it."""

from django.urls import reverse

from smertespor.referrals.tests.factories import sent


def test_the_referring_gp_sees_the_message_link_and_the_secretary_does_not(
    client_for, gp, patient, centre, centre_secretary
):
    referral = sent(gp, patient, centre)
    page = reverse("referrals:detail", kwargs={"referral_id": referral.pk})
    download = reverse(
        "api:fhir_referral_message",
        kwargs={"patient_id": patient.pk, "referral_id": referral.pk},
    )
    gp_page = client_for(gp).get(page)
    assert gp_page.status_code == 200
    assert f'href="{download}"' in gp_page.content.decode()
    secretary_page = client_for(centre_secretary).get(page)
    assert secretary_page.status_code == 200  # the secretary reads the referral...
    assert download not in secretary_page.content.decode()  # ...but may not export it
    assert 'data-testid="fhir-message-link"' not in secretary_page.content.decode()
