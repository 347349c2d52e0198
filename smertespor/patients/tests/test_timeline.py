"""The patient's thread: one timeline of every app's events, newest first, by role."""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from smertespor.accounts.models import Role
from smertespor.advice.tests.factories import answered, ask
from smertespor.medication.models import MedicationLine
from smertespor.medication.services import record_omeq_snapshot
from smertespor.patients.models import CareRelation
from smertespor.patients.timeline import EntryKind, kind_of, patient_timeline
from smertespor.tapering.pace import Pace
from smertespor.tapering.services import create_taper_plan
from smertespor.tracks.tests.factories import CourseFactory, FollowUpFactory
from tests.factories import UserFactory

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _fixed_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def clinic_doctor(clinic):
    return UserFactory(username="clinic-doctor", role=Role.CLINIC_DOCTOR, organisation=clinic)


def add_line(patient, strength="30"):
    return MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=Decimal(strength),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(2),
        start_date=datetime.date(2025, 6, 1),
    )


STRENGTHS = ["10", "30", "60", "100"]


def build_thread(patient, gp, clinic, clinic_doctor, size, *, plan=True):
    """``size`` of each kind of event: medication lines with their OMEQ, visits, advice;
    and a taper plan begun four weeks ago, a step a week."""
    for number in range(size):
        add_line(patient, strength=STRENGTHS[number % len(STRENGTHS)])
        record_omeq_snapshot(patient=patient, by=gp)
    if plan:
        create_taper_plan(
            patient=patient,
            by=gp,
            pace=replace(
                Pace(start_date=TODAY, step_percent=Decimal(10), interval_days=7),
                start_date=TODAY - datetime.timedelta(days=28),
            ),
            activate=True,
        )
    course = patient.courses.first() or CourseFactory.create(
        patient=patient, clinic=clinic, start_date=TODAY
    )
    for number in range(size):
        FollowUpFactory(
            course=course,
            visit_on=TODAY - datetime.timedelta(days=number),
            recorded_by=gp,
            peg_pain=6,
            peg_enjoyment=5,
            peg_activity=4,
            nrs=7,
            sows_total=12,
        )
        answered(gp, clinic_doctor, patient=patient, clinic=clinic, subject=f"Dose {number}")
    return course


def test_the_timeline_gathers_every_apps_events_newest_first(patient, gp, clinic, clinic_doctor):
    course = build_thread(patient, gp, clinic, clinic_doctor, 2)

    entries = patient_timeline(gp, patient)

    kinds = {entry.kind for entry in entries}
    assert {EntryKind.MEDICATION, EntryKind.OMEQ, EntryKind.PLAN, EntryKind.VISIT} <= kinds
    assert {EntryKind.ADVICE} <= kinds
    assert [e.occurred_at for e in entries] == sorted(
        (e.occurred_at for e in entries), reverse=True
    )
    visits = [e for e in entries if e.kind == EntryKind.VISIT]
    assert len(visits) == 2
    assert visits[0].url == reverse("tracks:course_detail", args=[patient.pk, course.pk])
    assert "PEG 5" in visits[0].detail and "NRS 7" in visits[0].detail
    assert "SOWS 12" in visits[0].detail
    advice = [e for e in entries if e.kind == EntryKind.ADVICE]
    assert {e.title for e in advice} >= {"Sparring besvaret"}
    assert len(advice) == 4  # two asked, two answered


def test_taper_steps_begun_are_entries_and_future_steps_are_not(patient, gp, clinic, clinic_doctor):
    build_thread(patient, gp, clinic, clinic_doctor, 1)

    steps = [e for e in patient_timeline(gp, patient) if e.title.startswith("Nedtrapningstrin")]

    plan_steps = patient.taper_plans.get().steps.all()
    begun = [step for step in plan_steps if step.start_date <= TODAY]
    assert len(begun) < len(plan_steps), "the plan goes on after today"
    assert len(steps) == len(begun) >= 1
    assert all(e.day <= TODAY for e in steps)
    assert all(e.has_time is False for e in steps)
    assert "/plans/" in steps[0].url


def test_the_omeq_entries_are_only_changes(patient, gp):
    add_line(patient)
    record_omeq_snapshot(patient=patient, by=gp)
    record_omeq_snapshot(patient=patient, by=gp)  # the same OMEQ again: no change

    omeq = [e for e in patient_timeline(gp, patient) if e.kind == EntryKind.OMEQ]

    assert len(omeq) == 1
    assert "60 mg/døgn" in omeq[0].detail or "60 mg" in omeq[0].detail


def test_a_filter_shows_one_kind(patient, gp, clinic, clinic_doctor):
    build_thread(patient, gp, clinic, clinic_doctor, 1)

    entries = patient_timeline(gp, patient, kind=EntryKind.VISIT)

    assert entries and {e.kind for e in entries} == {EntryKind.VISIT}
    assert kind_of("visit") == EntryKind.VISIT
    assert kind_of("<script>") is None


def test_the_timeline_costs_the_same_queries_whatever_its_length(
    patient, gp, clinic, clinic_doctor, django_assert_max_num_queries
):
    build_thread(patient, gp, clinic, clinic_doctor, 1)
    with CaptureQueriesContext(connection) as small:
        small_count = len(patient_timeline(gp, patient))
    build_thread(patient, gp, clinic, clinic_doctor, 4, plan=False)
    with django_assert_max_num_queries(len(small.captured_queries)):
        large_count = len(patient_timeline(gp, patient))
    assert large_count > small_count + 10


def test_the_page_costs_the_same_queries_whatever_the_timeline_length(
    patient, gp, clinic, clinic_doctor, client_for
):
    client = client_for(gp)
    url = reverse("patients:detail", args=[patient.pk])
    build_thread(patient, gp, clinic, clinic_doctor, 1)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    build_thread(patient, gp, clinic, clinic_doctor, 4, plan=False)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) <= len(small.captured_queries)


# --- who sees what ---------------------------------------------------------------------------


def test_the_clinics_secretary_sees_no_advice_a_clinician_would(
    patient, gp, clinic, clinic_doctor, clinic_secretary
):
    ask(gp, patient=patient, clinic=clinic)
    CareRelation.objects.create(
        patient=patient,
        organisation=clinic,
        reason=CareRelation.Reason.COURSE,
        opened_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    )

    kinds_for = {
        user.username: {e.kind for e in patient_timeline(user, patient)}
        for user in (gp, clinic_doctor, clinic_secretary)
    }

    assert EntryKind.ADVICE in kinds_for[gp.username]
    assert EntryKind.ADVICE in kinds_for[clinic_doctor.username]
    assert EntryKind.ADVICE not in kinds_for[clinic_secretary.username]


def test_another_practices_advice_about_the_patient_is_not_shown(
    patient, gp, other_gp, clinic, clinic_doctor
):
    ask(gp, patient=patient, clinic=clinic, subject="Our question")

    assert [e.detail for e in patient_timeline(gp, patient) if e.kind == EntryKind.ADVICE] == [
        "Our question"
    ]
    assert [e for e in patient_timeline(other_gp, patient) if e.kind == EntryKind.ADVICE] == []


def test_no_note_or_free_text_of_a_visit_is_shown(patient, gp, clinic):
    course = CourseFactory.create(patient=patient, clinic=clinic)
    FollowUpFactory(course=course, recorded_by=gp, note="Private worries about the family")

    texts = " ".join(e.title + e.detail for e in patient_timeline(gp, patient))

    assert "Private worries" not in texts


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_the_timeline_in_danish_with_links(
    patient, gp, clinic, clinic_doctor, client_for
):
    course = build_thread(patient, gp, clinic, clinic_doctor, 1)

    page = client_for(gp).get(reverse("patients:detail", args=[patient.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Patientens forløb indtil nu" in text
    assert "Opfølgningsbesøg" in text
    assert reverse("tracks:course_detail", args=[patient.pk, course.pk]) in text
    assert reverse("medication:line_history", args=[patient.pk]) in text
    assert 'data-testid="timeline-entry"' in text


def test_an_empty_timeline_says_so_in_danish(patient, gp, client_for):
    page = client_for(gp).get(reverse("patients:detail", args=[patient.pk]))

    assert "Der er endnu ikke registreret noget for patienten" in page.content.decode()


def test_the_page_filters_by_kind_and_pages_a_long_timeline(
    patient, gp, clinic, clinic_doctor, client_for
):
    build_thread(patient, gp, clinic, clinic_doctor, 12)
    client = client_for(gp)
    url = reverse("patients:detail", args=[patient.pk])

    visits = client.get(url, {"kind": "visit"}).content.decode()
    first = client.get(url).content.decode()
    second = client.get(url, {"page": "2"})
    nonsense = client.get(url, {"kind": "nonsense", "page": "x"})

    assert visits.count('data-kind="visit"') == 12
    assert 'data-kind="advice"' not in visits
    assert first.count('data-testid="timeline-entry"') == 20
    assert "Vis ældre" in first
    assert second.status_code == 200 and "Nyere" in second.content.decode()
    assert nonsense.status_code == 200


# --- the API ---------------------------------------------------------------------------------


def test_the_api_gives_the_same_entries(patient, gp, clinic, clinic_doctor, client_for):
    build_thread(patient, gp, clinic, clinic_doctor, 1)
    url = f"/api/patients/{patient.pk}/timeline"

    answer = client_for(gp).get(url)
    visits = client_for(gp).get(url, {"kind": "visit"}).json()

    assert answer.status_code == 200
    body = answer.json()
    expected = patient_timeline(gp, patient)
    assert body["count"] == len(expected)
    assert [item["url"] for item in body["items"]] == [e.url for e in expected]
    assert {item["kind"] for item in visits["items"]} == {"visit"}


def test_the_api_refuses_the_wrong_role_and_hides_patients_out_of_scope(
    patient, other_gp, planner, client_for
):
    url = f"/api/patients/{patient.pk}/timeline"

    out_of_scope = client_for(other_gp).get(url)
    planner_answer = client_for(planner).get(url)

    assert out_of_scope.status_code == 404
    assert out_of_scope["Content-Type"] == "application/problem+json"
    assert planner_answer.status_code in (403, 404)
    assert planner_answer["Content-Type"] == "application/problem+json"


def test_the_api_refuses_an_unknown_kind(patient, gp, client_for):
    answer = client_for(gp).get(f"/api/patients/{patient.pk}/timeline", {"kind": "nonsense"})

    assert answer.status_code == 422


def test_a_medication_entry_names_the_product_its_strength_and_dose(patient, gp):
    add_line(patient, strength="10")

    [entry] = [e for e in patient_timeline(gp, patient) if e.kind == EntryKind.MEDICATION]

    assert entry.title == "Medicin startet"
    assert entry.detail == "Morfin depottablet 10 mg: 1 × 2"
    assert entry.url == reverse("medication:line_history", args=[patient.pk])


def test_a_handover_links_its_letter_and_a_course_start_its_course(patient, gp, clinic):
    from django.utils import timezone

    from smertespor.tracks.models import TimelineEvent

    course = CourseFactory.create(patient=patient, clinic=clinic)
    for kind, status in (("created", "active"), ("hand_over_early", "handover_proposed")):
        TimelineEvent.objects.create(
            course=course,
            patient=patient,
            kind=kind,
            to_status=status,
            actor="practice",
            by=gp,
            occurred_at=timezone.now(),
        )

    entries = {e.title: e for e in patient_timeline(gp, patient) if e.kind == EntryKind.COURSE}

    handover = entries[str(TimelineEvent.Kind.HAND_OVER_EARLY.label)]
    started = entries[str(TimelineEvent.Kind.CREATED.label)]
    assert handover.url == reverse("tracks:handover", args=[patient.pk, course.pk])
    assert started.url == reverse("tracks:course_detail", args=[patient.pk, course.pk])
    assert started.detail.startswith("Praksisspor")
