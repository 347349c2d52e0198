"""Where teaching is needed: the selector's figures on seeded data, and the clinic's page."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from domain.teaching_need import Measure
from smertespor.notifications.models import Notification
from smertespor.patients.models import CareRelation
from smertespor.teaching import need
from smertespor.teaching.models import Invitation
from smertespor.teaching.need import (
    CountSource,
    count_per_practice,
    high_dose_patients_per_practice,
    practice_need_figures,
    teaching_need,
)
from smertespor.teaching.tests.factories import TeachingSessionFactory, past_session_with_attendance
from smertespor.teaching.topics import Topic
from tests.factories import OrganisationFactory, PatientFactory

ADVICE_AS_CARE_RELATIONS = CountSource(
    app="smertespor.patients",
    model="patients.CareRelation",
    practice_path="patient__listed_practice",
    filters={"reason": "advice_request"},
    since_field="opened_at",
)


@pytest.fixture
def no_high_dose_data(monkeypatch):
    monkeypatch.setattr(need, "HIGH_DOSE_SOURCE", ("smertespor.nowhere", "nowhere.Snapshot"))


@pytest.fixture
def region(db, clinic, gp, other_gp):
    """Three practices: 12, 4 and 0 patients; the GP's practice has had 90 min of teaching."""
    quiet = OrganisationFactory(name="Stille Praksis")
    PatientFactory.create_batch(12, listed_practice=other_gp.organisation)
    PatientFactory.create_batch(4, listed_practice=gp.organisation)
    past_session_with_attendance(organiser=clinic, attendees=[gp], minutes=90)
    return {"busy": other_gp.organisation, "taught": gp.organisation, "quiet": quiet}


def test_the_figures_count_patients_and_teaching_per_practice(region, no_high_dose_data):
    figures = {f.practice_id: f for f in practice_need_figures(now=timezone.now())}
    busy, taught, quiet = (figures[region[k].pk] for k in ("busy", "taught", "quiet"))
    assert (busy.patients, taught.patients, quiet.patients) == (12, 4, 0)
    assert (taught.teaching_minutes, taught.teaching_participants) == (90, 1)
    assert busy.teaching_minutes == 0


def test_measures_from_apps_not_built_yet_are_no_data_not_zero(region, no_high_dose_data):
    for figures in practice_need_figures(now=timezone.now()):
        if not apps.is_installed("smertespor.tracks"):
            assert figures.practice_track_patients is None
            assert figures.hospital_handovers is None
        if not apps.is_installed("smertespor.advice"):
            assert figures.advice_requests is None
        assert figures.high_dose_patients is None


def test_the_ranking_on_seeded_data_puts_the_busiest_practice_first(region, no_high_dose_data):
    page = teaching_need(now=timezone.now())
    order = [row.practice for row in page.rows]
    assert order[:2] == [region["busy"], region["taught"]]
    assert order[-1] == region["quiet"]
    patients = next(c for c in page.rows[0].need.components if c.measure is Measure.PATIENTS)
    assert patients.relative == 1
    assert Measure.HIGH_DOSE_SHARE in page.ranking.measures_without_data


def test_a_count_source_counts_rows_per_practice_within_the_window(region, gp, clinic):
    now = timezone.now()
    recent, old = PatientFactory.create_batch(2, listed_practice=region["busy"])
    CareRelation.objects.create(
        patient=recent, organisation=clinic, reason="advice_request", opened_at=now
    )
    CareRelation.objects.create(
        patient=old,
        organisation=clinic,
        reason="advice_request",
        opened_at=now - timedelta(days=500),
    )
    CareRelation.objects.create(patient=old, organisation=clinic, reason="referral", opened_at=now)
    ids = [region["busy"].pk, region["quiet"].pk]
    counts = count_per_practice(ADVICE_AS_CARE_RELATIONS, ids, since=now - timedelta(days=365))
    assert counts == {region["busy"].pk: 1, region["quiet"].pk: 0}


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            CountSource("smertespor.tracks", "tracks.Nope", "patient__listed_practice"),
            id="app-not-installed",
        ),
        pytest.param(
            CountSource("smertespor.patients", "patients.Nope", "patient__listed_practice"),
            id="model-missing",
        ),
        pytest.param(
            CountSource("smertespor.patients", "patients.CareRelation", "patient__nope"),
            id="practice-path-missing",
        ),
        pytest.param(
            CountSource("smertespor.patients", "patients.CareRelation", "organisation__region"),
            id="path-not-to-a-practice",
        ),
        pytest.param(
            CountSource(
                "smertespor.patients",
                "patients.CareRelation",
                "patient__listed_practice",
                filters={"reason": "no_such_reason"},
            ),
            id="filter-value-not-a-choice",
        ),
        pytest.param(
            CountSource(
                "smertespor.patients",
                "patients.CareRelation",
                "patient__listed_practice",
                since_field="nope",
            ),
            id="date-field-missing",
        ),
    ],
)
def test_a_source_that_does_not_fit_the_schema_gives_no_data(region, source):
    assert count_per_practice(source, [region["busy"].pk], since=timezone.now()) is None


@pytest.mark.parametrize("measure", sorted(need.SOURCES))
def test_each_source_fits_its_app_once_that_app_is_installed(region, measure):
    """A contract with the tracks and advice apps: when one is installed, its measure is
    counted (zeros here), not silently "no data". If this fails, update need.SOURCES."""
    source = need.SOURCES[measure]
    counts = count_per_practice(source, [region["busy"].pk], since=timezone.now())
    if apps.is_installed(source.app):
        assert counts == {region["busy"].pk: 0}
    else:
        assert counts is None


def test_the_high_dose_count_runs_against_the_medication_app_if_it_is_there(region):
    counts = high_dose_patients_per_practice([region["busy"].pk])
    if apps.is_installed("smertespor.medication"):
        assert counts == {region["busy"].pk: 0}  # no OMEQ recorded yet
    else:
        assert counts is None


def test_the_page_ranks_practices_says_what_has_no_data_and_offers_an_invitation(
    client_for, clinic_nurse, region, no_high_dose_data, clinic
):
    session = TeachingSessionFactory.create(organiser=clinic, topics=[Topic.TAPER_STRATEGY])
    response = client_for(clinic_nurse).get(reverse("teaching:need"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="no-data"' in body
    assert body.index(region["busy"].name) < body.index(region["quiet"].name)
    first = response.context["page"].object_list[0]
    assert first.topic == Topic.TAPER_STRATEGY
    assert first.next_session == session
    assert f'data-testid="invite-{region["busy"].pk}"' in body


def test_inviting_from_the_need_page_notifies_the_practice_and_returns(
    client_for, clinic_nurse, region, other_gp, clinic, no_high_dose_data
):
    session = TeachingSessionFactory.create(organiser=clinic)
    need_url = reverse("teaching:need")
    response = client_for(clinic_nurse).post(
        reverse("teaching:invite", args=[session.pk]),
        {"practices": [region["busy"].pk], "next": need_url},
    )
    assert response.status_code == 302
    assert response["Location"] == need_url
    assert Invitation.objects.filter(session=session, practice=region["busy"]).exists()
    invitation = Notification.objects.get(recipient=other_gp, kind="teaching_invitation")
    assert invitation.url == reverse("teaching:detail", args=[session.pk])
    again = client_for(clinic_nurse).get(need_url)
    row = next(r for r in again.context["page"].object_list if r.practice == region["busy"])
    assert row.already_invited


def test_inviting_twice_shows_the_form_again_with_the_error(
    client_for, clinic_nurse, region, clinic
):
    session = TeachingSessionFactory.create(organiser=clinic)
    url = reverse("teaching:invite", args=[session.pk])
    client = client_for(clinic_nurse)
    client.post(url, {"practices": [region["busy"].pk]})
    response = client.post(url, {"practices": [region["busy"].pk]})
    assert Invitation.objects.count() == 1
    assert response.status_code == 422
    assert "practices" in response.context["form"].errors


def test_an_open_redirect_is_not_followed(client_for, clinic_nurse, region, clinic):
    session = TeachingSessionFactory.create(organiser=clinic)
    response = client_for(clinic_nurse).post(
        reverse("teaching:invite", args=[session.pk]),
        {"practices": [region["busy"].pk], "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("teaching:detail", args=[session.pk])


def test_without_a_coming_session_on_the_topic_the_page_suggests_planning_one(
    client_for, clinic_nurse, region, no_high_dose_data
):
    response = client_for(clinic_nurse).get(reverse("teaching:need"))
    assert all(row.next_session is None for row in response.context["page"].object_list)
    assert reverse("teaching:create") in response.content.decode()


def test_the_need_page_sorts_by_teaching_hours_and_name(client_for, clinic_nurse, region):
    client = client_for(clinic_nurse)
    by_hours = client.get(reverse("teaching:need"), {"sort": "hours"}).context["page"]
    assert by_hours.object_list[-1].practice == region["taught"]
    by_name = client.get(reverse("teaching:need"), {"sort": "name"}).context["page"]
    names = [row.practice.name for row in by_name.object_list]
    assert names == sorted(names)


def test_a_gp_cannot_see_the_need_ranking(client_for, gp, region):
    response = client_for(gp).get(reverse("teaching:need"))
    assert response.status_code == 403
    assert region["busy"].name.encode() not in response.content
