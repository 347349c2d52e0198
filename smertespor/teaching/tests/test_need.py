"""Where teaching is needed: real courses, handovers, advice requests, doses and attendance,
counted through the other apps' selectors, ranked by the domain, shown on the clinic's page.

The region (see ``region``), with every measure counted over the last 12 months:

| practice   | patients | high dose | open practice track | handovers | advice | teaching |
|------------|----------|-----------|---------------------|-----------|--------|----------|
| Forløb     | 4        | 0         | 3                   | 1         | 0      | 0        |
| Højdosis   | 3        | 2 (2/3)   | 0                   | 0         | 0      | 0        |
| Spørge     | 1        | 0         | 0                   | 0         | 3      | 0        |
| Uden       | 0        | 0         | 0                   | 0         | 0      | 0        |
| Undervist  | 0        | 0         | 0                   | 0         | 0      | 120 min  |

Each measure relative to the region's highest, averaged over the five measures:
Forløb (1 + 1 + 1) / 5 = 60; Højdosis (share 1 + patients 3/4) / 5 = 35;
Spørge (patients 1/4 + advice 1) / 5 = 25; Uden and Undervist 0, Uden first (less teaching).
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from domain.teaching_need import Measure
from smertespor.accounts.models import Organisation, Role, User
from smertespor.advice.models import AdviceRequest
from smertespor.advice.tests.factories import ask
from smertespor.medication.services import add_medication_line, change_medication_line
from smertespor.notifications.models import Notification
from smertespor.patients.models import Patient
from smertespor.teaching.labels import MEASURE_LABELS
from smertespor.teaching.models import Invitation
from smertespor.teaching.need import commonest_topic, region_figures, teaching_need
from smertespor.teaching.tests.factories import TeachingSessionFactory, past_session_with_attendance
from smertespor.teaching.topics import Topic
from smertespor.tracks.models import Handover, Status, Track
from smertespor.tracks.tests.factories import CourseFactory, HandoverFactory
from tests.factories import OrganisationFactory, PatientFactory, UserFactory

ORDER = ["Forløb", "Højdosis", "Spørge", "Uden", "Undervist"]
YEAR_AND_A_MONTH_AGO = timedelta(days=400)


def _gp_of(practice: Organisation, username: str) -> User:
    return UserFactory.create(username=username, role=Role.GP, organisation=practice)


def _patient(practice: Organisation) -> Patient:
    return PatientFactory.create(listed_practice=practice)


def _morphine(patient: Patient, by: User, *, per_day: int) -> Any:
    """Morphine depot 30 mg, one tablet ``per_day`` times: 30 mg OMEQ per dose."""
    return add_medication_line(
        patient=patient,
        by=by,
        product_id="morphine-depot-tablet",
        strength=Decimal(30),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(per_day),
    )


@pytest.fixture
def region(db: None, clinic: Organisation, settings: Any) -> dict[str, Organisation]:
    settings.OMEQ_HIGH_MG_PER_DAY = 90
    now = timezone.now()
    practices = {name: OrganisationFactory.create(name=f"{name} Praksis") for name in ORDER}

    # Forløb: three patients in open practice-track courses (one handed over this year), one
    # whose practice course ended with a handover long ago and is now in the hospital track.
    forlob = practices["Forløb"]
    for _ in range(2):
        CourseFactory.create(patient=_patient(forlob), clinic=clinic)
    handed_over = CourseFactory.create(
        patient=_patient(forlob), clinic=clinic, status=Status.HANDOVER_PROPOSED
    )
    HandoverFactory.create(course=handed_over, clinic=clinic, proposed_at=now)
    moved = _patient(forlob)
    old_course = CourseFactory.create(
        patient=moved,
        clinic=clinic,
        status=Status.MOVED_TO_HOSPITAL_TRACK,
        closed_on=(now - YEAR_AND_A_MONTH_AGO).date(),
    )
    HandoverFactory.create(
        course=old_course,
        clinic=clinic,
        proposed_at=now - YEAR_AND_A_MONTH_AGO,
        decision=Handover.Decision.ACCEPTED,
    )
    CourseFactory.create(
        patient=moved,
        clinic=clinic,
        track=Track.HOSPITAL,
        status=Status.ACCEPTED,
        previous_course=old_course,
    )

    # Højdosis: two patients at 120 mg/day; a third was at 120 and is now at 30.
    hojdosis = practices["Højdosis"]
    doctor = _gp_of(hojdosis, "hojdosis-gp")
    for _ in range(2):
        _morphine(_patient(hojdosis), doctor, per_day=4)
    lowered = _morphine(_patient(hojdosis), doctor, per_day=4)
    change_medication_line(line=lowered, by=doctor, doses_per_day=Decimal(1))

    # Spørge: one patient, three questions this year (two on withdrawal), one long ago.
    sporge = practices["Spørge"]
    asker = _gp_of(sporge, "sporge-gp")
    _patient(sporge)
    ask(asker, category=Topic.WITHDRAWAL)
    ask(asker, category=Topic.WITHDRAWAL)
    ask(asker, category=Topic.SWITCHING)
    old_question = ask(asker, category=Topic.ALTERNATIVES)
    AdviceRequest.objects.filter(pk=old_question.pk).update(asked_at=now - YEAR_AND_A_MONTH_AGO)

    # Undervist: two hours of teaching this year, and teaching long ago that no longer counts.
    taught = _gp_of(practices["Undervist"], "undervist-gp")
    past_session_with_attendance(organiser=clinic, attendees=[taught], minutes=120, days_ago=30)
    past_session_with_attendance(organiser=clinic, attendees=[taught], minutes=60, days_ago=400)
    return practices


def _names(rows: Any) -> list[str]:
    return [row.practice.name.removesuffix(" Praksis") for row in rows]


def test_the_figures_come_from_courses_handovers_advice_doses_and_attendance(region):
    figures = {f.practice_id: f for f in region_figures(now=timezone.now()).practices}
    counted = {
        name: (
            f.patients,
            f.high_dose_patients,
            f.practice_track_patients,
            f.hospital_handovers,
            f.advice_requests,
            f.teaching_minutes,
        )
        for name, practice in region.items()
        for f in [figures[practice.pk]]
    }
    assert counted == {
        "Forløb": (4, 0, 3, 1, 0, 0),
        "Højdosis": (3, 2, 0, 0, 0, 0),
        "Spørge": (1, 0, 0, 0, 3, 0),
        "Uden": (0, 0, 0, 0, 0, 0),
        "Undervist": (0, 0, 0, 0, 0, 120),
    }


def test_every_measure_is_counted_none_is_left_out_as_no_data(region):
    page = teaching_need(now=timezone.now())
    assert page.ranking.measures_without_data == ()
    assert set(page.ranking.measures_used) == set(Measure)
    assert set(page.shown) == set(Measure)


def test_the_ranking_puts_the_practice_with_most_need_first_and_less_teaching_before_more(
    region,
):
    page = teaching_need(now=timezone.now())
    assert _names(page.rows) == ORDER
    assert [row.need.score for row in page.rows] == [
        Decimal("60.0"),
        Decimal("35.0"),
        Decimal("25.0"),
        Decimal("0.0"),
        Decimal("0.0"),
    ]
    assert [row.need.rank for row in page.rows] == [1, 2, 3, 4, 5]


def test_each_practice_says_why_it_ranks_there_and_what_to_teach(region):
    page = teaching_need(now=timezone.now())
    rows = {row.practice.name.removesuffix(" Praksis"): row for row in page.rows}
    why = {name: (row.need.main_measure, row.topic) for name, row in rows.items()}
    assert why == {
        # Handovers, open courses and patients count equally: the handovers come first.
        "Forløb": (Measure.HOSPITAL_HANDOVERS, Topic.WITHDRAWAL),
        "Højdosis": (Measure.HIGH_DOSE_SHARE, Topic.TAPER_STRATEGY),
        # The practice's commonest question this year.
        "Spørge": (Measure.ADVICE_REQUESTS, Topic.WITHDRAWAL),
        "Uden": (None, Topic.TAPER_STRATEGY),
        "Undervist": (None, Topic.TAPER_STRATEGY),
    }
    high_dose = next(
        c for c in rows["Højdosis"].need.components if c.measure is Measure.HIGH_DOSE_SHARE
    )
    assert (high_dose.value, high_dose.relative) == (Decimal("0.6667"), Decimal(1))


def test_the_page_shows_the_ranking_the_reasons_and_the_next_session_to_invite_to(
    client_for, clinic_nurse, clinic, region
):
    withdrawal = TeachingSessionFactory.create(organiser=clinic, topics=[Topic.WITHDRAWAL])
    response = client_for(clinic_nurse).get(reverse("teaching:need"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="no-data"' not in body
    positions = [body.index(f"{name} Praksis") for name in ORDER]
    assert positions == sorted(positions)
    rows = {row.practice.name: row for row in response.context["page"].object_list}
    forlob, hojdosis, sporge = (rows[f"{n} Praksis"] for n in ("Forløb", "Højdosis", "Spørge"))
    assert forlob.main_measure_label == str(MEASURE_LABELS[Measure.HOSPITAL_HANDOVERS])
    assert hojdosis.main_measure_label == str(MEASURE_LABELS[Measure.HIGH_DOSE_SHARE])
    for row in (forlob, hojdosis, sporge):
        row_html = body[body.index(row.practice.name) :].split("</tr>")[0]
        assert row.main_measure_label in row_html
        assert str(row.topic.label) in row_html
    assert (forlob.next_session, sporge.next_session) == (withdrawal, withdrawal)
    assert hojdosis.next_session is None
    assert f'data-testid="invite-{region["Forløb"].pk}"' in body
    assert "67 %" in body  # Højdosis: two of three patients at a high dose


def test_commonest_topic_breaks_ties_by_the_order_of_the_topics():
    asked = {"switching": 2, "withdrawal": 2, "other": 1}
    assert commonest_topic(asked) is Topic.SWITCHING
    assert commonest_topic({}) is None


def test_inviting_from_the_need_page_notifies_the_practice_and_returns(
    client_for, clinic_nurse, clinic, region
):
    session = TeachingSessionFactory.create(organiser=clinic, topics=[Topic.WITHDRAWAL])
    need_url = reverse("teaching:need")
    sporge = region["Spørge"]
    response = client_for(clinic_nurse).post(
        reverse("teaching:invite", args=[session.pk]),
        {"practices": [sporge.pk], "next": need_url},
    )
    assert response.status_code == 302
    assert response["Location"] == need_url
    assert Invitation.objects.filter(session=session, practice=sporge).exists()
    invitation = Notification.objects.get(recipient__username="sporge-gp")
    assert invitation.kind == "teaching_invitation"
    assert invitation.url == reverse("teaching:detail", args=[session.pk])
    again = client_for(clinic_nurse).get(need_url)
    row = next(r for r in again.context["page"].object_list if r.practice == sporge)
    assert row.next_session == session
    assert row.already_invited


def test_inviting_twice_shows_the_form_again_with_the_error(
    client_for, clinic_nurse, clinic, region
):
    session = TeachingSessionFactory.create(organiser=clinic)
    url = reverse("teaching:invite", args=[session.pk])
    client = client_for(clinic_nurse)
    client.post(url, {"practices": [region["Uden"].pk]})
    response = client.post(url, {"practices": [region["Uden"].pk]})
    assert Invitation.objects.count() == 1
    assert response.status_code == 422
    assert "practices" in response.context["form"].errors


def test_an_open_redirect_is_not_followed(client_for, clinic_nurse, clinic, region):
    session = TeachingSessionFactory.create(organiser=clinic)
    response = client_for(clinic_nurse).post(
        reverse("teaching:invite", args=[session.pk]),
        {"practices": [region["Uden"].pk], "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("teaching:detail", args=[session.pk])


def test_without_a_coming_session_on_the_topic_the_page_suggests_planning_one(
    client_for, clinic_nurse, region
):
    response = client_for(clinic_nurse).get(reverse("teaching:need"))
    assert all(row.next_session is None for row in response.context["page"].object_list)
    assert reverse("teaching:create") in response.content.decode()


def test_the_need_page_sorts_by_teaching_hours_and_name(client_for, clinic_nurse, region):
    client = client_for(clinic_nurse)
    by_hours = client.get(reverse("teaching:need"), {"sort": "hours"}).context["page"]
    assert by_hours.object_list[-1].practice == region["Undervist"]
    by_name = client.get(reverse("teaching:need"), {"sort": "name"}).context["page"]
    names = [row.practice.name for row in by_name.object_list]
    assert names == sorted(names)


def test_a_gp_cannot_see_the_need_ranking(client_for, gp, region):
    response = client_for(gp).get(reverse("teaching:need"))
    assert response.status_code == 403
    assert b"Forl" not in response.content
