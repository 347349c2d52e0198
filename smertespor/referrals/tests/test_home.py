"""The GP's "I dag": the practice's referrals that need them now (waiting for their
supplement, newly decided, discharged), each with its status and a link, beside the new
discharge summaries; an empty state otherwise; nothing for others. The patient list no
longer carries them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from smertespor.audit.models import AuditEvent
from smertespor.centres.tests.helpers import discharged_course
from smertespor.referrals import services
from smertespor.referrals.models import TriageTask
from smertespor.referrals.selectors import referrals_needing_practice
from smertespor.referrals.tests.factories import draft, sent

pytestmark = pytest.mark.django_db


def _home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _section(page, key):
    start = page.index(f'data-testid="home-{key}"')
    return page[start : page.index("</section>", start)]


def test_the_gp_sees_an_empty_state_when_nothing_needs_them(client_for, gp, patient, centre):
    draft(gp, patient, centre)
    sent(gp, patient, centre)  # received: the centre's to do, not the GP's
    page = _home(client_for(gp))
    assert "Ingen henvisninger venter på dig lige nu." in _section(page, "referrals")


def test_a_request_for_a_supplement_shows_with_its_status_and_link(
    client_for, gp, patient, centre, centre_doctor
):
    referral = services.request_information(
        referral=sent(gp, patient, centre), by=centre_doctor, question="Har hun prøvet psykolog?"
    )
    section = _section(_home(client_for(gp)), "referrals")
    assert reverse("referrals:detail", args=[referral.pk]) in section
    assert f"#{referral.pk} {patient.name}" in section
    assert "Afventer oplysninger" in section
    assert "Centret venter på dit svar." in section
    assert 'class="home-overdue"' in section
    assert AuditEvent.objects.filter(object_type="home", patient=patient).exists()
    # The patient list is a list of patients again, without the news.
    patients = client_for(gp).get(reverse("patients:list")).content.decode()
    assert reverse("referrals:detail", args=[referral.pk]) not in patients


def test_decisions_and_the_discharge_show_while_new(client_for, gp, patient, centre, centre_doctor):
    accepted = services.accept_referral(
        referral=sent(gp, patient, centre),
        by=centre_doctor,
        priority="routine",
        expected_wait_weeks=4,
    )
    assert [r.pk for r in referrals_needing_practice(gp)] == [accepted.pk]
    discharged_course(patient, centre_doctor)
    page = _home(client_for(gp))
    assert reverse("referrals:detail", args=[accepted.pk]) in _section(page, "referrals")
    assert patient.name in _section(page, "discharge_summaries")
    # A decision older than the news window leaves the home page.
    TriageTask.objects.update(at=timezone.now() - timedelta(days=30))
    assert referrals_needing_practice(gp) == []


def test_the_centre_and_other_practices_see_no_section(
    client_for, gp, other_gp, patient, centre, centre_doctor
):
    services.request_information(
        referral=sent(gp, patient, centre), by=centre_doctor, question="Mere, tak."
    )
    assert 'data-testid="home-referrals"' not in _home(client_for(centre_doctor))
    other = _home(client_for(other_gp))
    assert "Ingen henvisninger venter på dig lige nu." in _section(other, "referrals")
    assert patient.name not in other
    assert referrals_needing_practice(other_gp) == []


def test_a_question_from_the_centre_comes_before_newer_news(
    client_for, gp, patient, centre, centre_doctor
):
    from tests.factories import PatientFactory

    asked = services.request_information(
        referral=sent(gp, patient, centre), by=centre_doctor, question="Har hun prøvet psykolog?"
    )
    TriageTask.objects.filter(referral=asked).update(at=timezone.now() - timedelta(days=3))
    newer = services.accept_referral(
        referral=sent(gp, PatientFactory(listed_practice=gp.organisation), centre),
        by=centre_doctor,
        priority="routine",
        expected_wait_weeks=4,
    )
    assert [r.pk for r in referrals_needing_practice(gp)] == [asked.pk, newer.pk]
    section = _section(_home(client_for(gp)), "referrals")
    first = reverse("referrals:detail", args=[asked.pk])
    second = reverse("referrals:detail", args=[newer.pk])
    assert section.index(first) < section.index(second)
