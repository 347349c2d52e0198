"""The pathway's pages: the GP enrols from the screening form, involves physiotherapy, which
reports back; the panel on the patient page shows who has the patient; refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from smertespor.pathways.models import Enrolment, Part, PathwayVersion
from smertespor.pathways.tests.factories import (
    HIGH_RISK,
    PhysiotherapyFactory,
    enrolled,
    physiotherapist,
)

pytestmark = pytest.mark.django_db


def _screening(answers):
    return {f"item_{n}": code for n, code in answers.items()}


def test_the_gp_enrols_from_the_screening_form(gp, patient, client_for):
    http = client_for(gp)
    url = reverse("pathways:enrol", kwargs={"patient_id": patient.pk})
    page = http.get(url)
    assert page.status_code == 200
    assert "Keele University" in page.content.decode()
    response = http.post(url, {"enrolled_on": "", **_screening(HIGH_RISK)})
    assert response.status_code == 422
    assert not Enrolment.objects.exists()
    from django.utils import timezone

    response = http.post(
        url, {"enrolled_on": timezone.localdate().isoformat(), **_screening(HIGH_RISK)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Enrolment.objects.get().level == "high"
    detail = http.get(reverse("patients:detail", kwargs={"patient_id": patient.pk}))
    assert 'data-testid="pathway-panel"' in detail.content.decode()
    assert "Niveau 3" in detail.content.decode()


def test_a_half_answered_screening_is_refused_naming_the_question(gp, patient, client_for):
    from django.utils import timezone

    answers = _screening(HIGH_RISK)
    del answers["item_9"]
    response = client_for(gp).post(
        reverse("pathways:enrol", kwargs={"patient_id": patient.pk}),
        {"enrolled_on": timezone.localdate().isoformat(), **answers},
    )
    assert response.status_code == 422
    assert "Spørgsmål 9" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_physiotherapy_reports_through_the_pages(gp, patient, client_for):
    from django.utils import timezone

    enrolment = enrolled(patient, gp)
    physio_org = PhysiotherapyFactory.create()
    physio = physiotherapist(physio_org)
    gp_http = client_for(gp)
    involve = reverse("pathways:involve", kwargs={"patient_id": patient.pk})
    assert physio_org.name in gp_http.get(involve).content.decode()
    response = gp_http.post(
        involve, {"target": f"physiotherapy:{physio_org.pk}", "version": enrolment.version}
    )
    assert response.status_code == 302
    http = client_for(physio)
    page = reverse("pathways:patient", kwargs={"patient_id": patient.pk})
    assert http.get(page).status_code == 200
    today = timezone.localdate().isoformat()
    start = reverse("pathways:part_start", kwargs={"patient_id": patient.pk})
    assert (
        http.post(
            start, {"stage": "physiotherapy", "started_on": today, "plan": "Træning"}
        ).status_code
        == 302
    )
    part = Part.objects.get(organisation=physio_org)
    end = reverse("pathways:part_end", kwargs={"patient_id": patient.pk, "part_id": part.pk})
    stale = http.post(
        end, {"ended_on": today, "outcome": "Bedre", "version": part.version - 1 or 99}
    )
    assert stale.status_code == 409
    assert (
        http.post(end, {"ended_on": today, "outcome": "Bedre", "version": part.version}).status_code
        == 302
    )
    shown = gp_http.get(page).content.decode()
    assert "Bedre" in shown
    assert 'data-testid="pathway-timeline"' in shown


def test_the_gp_cannot_report_another_organisation_s_part(gp, patient, client_for):
    enrolment = enrolled(patient, gp)
    physio_org = PhysiotherapyFactory.create()
    from smertespor.pathways.services import involve_organisation

    part = involve_organisation(
        enrolment=enrolment,
        by=gp,
        expected_version=None,
        stage="physiotherapy",
        organisation_id=physio_org.pk,
    )
    url = reverse("pathways:part_plan", kwargs={"patient_id": patient.pk, "part_id": part.pk})
    assert client_for(gp).get(url).status_code == 403


def test_the_administrator_publishes_by_upload_and_a_broken_file_saves_nothing(
    admin_user, client_for
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    http = client_for(admin_user)
    url = reverse("pathways:publish")
    text = PathwayVersion.objects.get().text
    broken = text.replace('version = "2026.1"', 'version = "2026.5"').replace(
        'owner = "physiotherapy"', 'owner = "chiropractor"'
    )
    response = http.post(url, {"upload": SimpleUploadedFile("p.toml", broken.encode())})
    assert response.status_code == 422
    assert "stages[2].owner" in response.content.decode()
    assert PathwayVersion.objects.count() == 1
    good = text.replace('version = "2026.1"', 'version = "2026.5"')
    response = http.post(url, {"text": good, "note": "Nye varigheder"})
    assert response.status_code == 302
    assert PathwayVersion.objects.filter(version="2026.5").exists()


def test_the_planner_sees_counts_not_patients(planner, gp, patient, client_for):
    enrolled(patient, gp)
    http = client_for(planner)
    page = http.get(reverse("pathways:counts"))
    assert page.status_code == 200
    assert patient.name not in page.content.decode()
    assert http.get(reverse("pathways:enrolments")).status_code == 403
