"""The home page ("I dag"): each role's sections with their rows and links, empty states in
Danish and English, one scope per role, the audit, the API twin and constant query counts."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from smertespor.accounts import services as account_services
from smertespor.accounts.models import Organisation, Role
from smertespor.advice.tests.factories import answered, ask
from smertespor.audit.models import AuditEvent
from smertespor.medication.models import ConversionTableVersion, OmeqSnapshot
from smertespor.medication.table_selectors import active_table_version
from smertespor.patients.models import CareRelation
from smertespor.referrals import services as referral_services
from smertespor.referrals.tests.factories import sent
from smertespor.tracks.models import Appointment, DischargeSummary, RuleReview
from smertespor.tracks.tests.factories import CourseFactory, HandoverFactory
from smertespor.tracks.tests.helpers import on
from tests.factories import OrganisationFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 16)  # a Monday
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def _page(client):
    with on(TODAY):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def _sections(response):
    return {section.key: section for section in response.context["home"].sections}


def _due_course(practice, clinic):
    patient = PatientFactory(listed_practice=practice)
    return CourseFactory(
        patient=patient,
        clinic=clinic,
        start_date=TODAY - timedelta(days=40),
        next_follow_up_on=TODAY - timedelta(days=3),
    )


def _proposal(practice, clinic):
    course: Any = CourseFactory(
        patient=PatientFactory(listed_practice=practice),
        clinic=clinic,
        status="handover_review",
        start_date=TODAY - timedelta(days=100),
        next_follow_up_on=TODAY + timedelta(days=20),
    )
    return RuleReview.objects.create(
        course=course,
        deadline=course.deadline,
        reviewed_at=timezone.now(),
        progress="behind_plan",
        latest_visit_on=course.start_date + timedelta(days=84),
        latest_omeq_mg_per_day=50,
        expected_mg_per_day=42,
        allowed_mg_per_day=48,
        tolerance_percent=10,
        plan="Taper plan v1",
        outcome="pending",
    )


def _referral_waiting(gp):
    """A referral from `gp`'s practice that a pain centre has asked the GP about."""
    centre = OrganisationFactory(kind=Organisation.Kind.PAIN_CENTRE)
    doctor: Any = UserFactory(role=Role.CLINIC_DOCTOR, organisation=centre)
    patient = PatientFactory(listed_practice=gp.organisation)
    return referral_services.request_information(
        referral=sent(gp, patient, centre), by=doctor, question="Har patienten prøvet psykolog?"
    )


def _discharged(practice, clinic, doctor):
    course: Any = CourseFactory(
        patient=PatientFactory(listed_practice=practice),
        clinic=clinic,
        track="hospital",
        status="completed",
        responsible_organisation=clinic,
        next_follow_up_on=None,
    )
    return DischargeSummary.objects.create(
        course=course,
        sent_to=practice,
        summary="S",
        recommendations="R",
        written_by=doctor,
        written_at=timezone.now(),
    )


def _high_dose(practice, mg=Decimal(150)):
    patient: Any = PatientFactory(listed_practice=practice)
    version = active_table_version()
    OmeqSnapshot.objects.create(
        patient=patient,
        recorded_on=timezone.localdate(),
        conversion_table=version,
        table_id=version.table_id,
        table_version=version.version,
        scheduled_mg_per_day=mg,
        max_mg_per_day=mg,
    )
    return patient


def _gp_world(gp, clinic, clinic_doctor, count):
    """`count` of each thing on the GP's home."""
    made = []
    for _ in range(count):
        made.append(_due_course(gp.organisation, clinic))
        made.append(_proposal(gp.organisation, clinic))
        made.append(_discharged(gp.organisation, clinic, clinic_doctor))
        made.append(_high_dose(gp.organisation))
        made.append(answered(gp, clinic_doctor, clinic=clinic))
        made.append(_referral_waiting(gp))
    return made


def _clinic_world(practice, clinic, clinic_doctor, count):
    for _ in range(count):
        waiting = CourseFactory(
            patient=PatientFactory(listed_practice=practice),
            clinic=clinic,
            status="handover_proposed",
        )
        HandoverFactory(course=waiting)
        _relate(waiting.patient, clinic)
        for when in (TODAY - timedelta(days=10), TODAY):
            course: Any = CourseFactory(
                patient=PatientFactory(listed_practice=practice),
                clinic=clinic,
                track="hospital",
                status="plan_active",
                responsible_organisation=clinic,
            )
            _relate(course.patient, clinic)
            Appointment.objects.create(
                course=course,
                organisation=clinic,
                starts_at=datetime.combine(when, datetime.min.time(), COPENHAGEN)
                + timedelta(hours=9 if when < TODAY else 14),
                duration_minutes=45,
                discipline="doctor",
                clinician=clinic_doctor,
                created_by=clinic_doctor,
                created_at=timezone.now(),
            )


def _relate(patient, organisation):
    CareRelation.objects.create(
        patient=patient,
        organisation=organisation,
        reason=CareRelation.Reason.COURSE,
        opened_at=timezone.now(),
    )


@pytest.fixture
def clinic_doctor(clinic):
    return UserFactory(username="clinic-doctor", role=Role.CLINIC_DOCTOR, organisation=clinic)


# --- What each role sees ----------------------------------------------------------------


def test_the_gp_sees_each_kind_of_work_with_a_link_to_it(gp, clinic, clinic_doctor, client_for):
    with on(TODAY):
        due = _due_course(gp.organisation, clinic)
        proposal = _proposal(gp.organisation, clinic)
        summary = _discharged(gp.organisation, clinic, clinic_doctor)
        heavy = _high_dose(gp.organisation)
        advice = answered(gp, clinic_doctor, clinic=clinic)
        referral = _referral_waiting(gp)
    response = _page(client_for(gp))
    sections = _sections(response)
    assert list(sections) == [
        "visits",
        "proposals",
        "answered_advice",
        "referrals",
        "discharge_summaries",
        "high_dose",
    ]
    page = response.content.decode()
    visit = sections["visits"].items[0]
    assert visit.url == reverse("tracks:follow_up_create", args=[due.patient_id, due.pk])
    assert visit.overdue and visit.note == "3 dage forsinket"
    assert sections["proposals"].items[0].url == reverse(
        "tracks:proposal", args=[proposal.course.patient_id, proposal.course_id]
    )
    assert sections["answered_advice"].items[0].url == reverse("advice:detail", args=[advice.pk])
    waiting = sections["referrals"].items[0]
    assert waiting.url == reverse("referrals:detail", args=[referral.pk])
    assert waiting.overdue and "Centret venter på dit svar." in waiting.note
    assert sections["discharge_summaries"].items[0].label == summary.course.patient.name
    assert sections["high_dose"].items[0].url == reverse("tapering:plan_create", args=[heavy.pk])
    for section in sections.values():
        assert section.count == 1
        assert f'href="{section.items[0].url}"' in page
    assert "<h1>I dag</h1>" in page


def test_a_patient_below_the_threshold_or_with_a_plan_is_not_a_high_dose_item(
    gp, client_for, settings
):
    low = _high_dose(gp.organisation, Decimal(40))
    response = _page(client_for(gp))
    assert _sections(response)["high_dose"].count == 0
    assert low.name not in response.content.decode()


def test_every_empty_section_says_so_in_danish(gp, client_for):
    page = _page(client_for(gp)).content.decode()
    assert "Ingen besøg forfalder i dag" in page
    assert "Ingen forslag fra 3-måneders-reglen i dag" in page
    assert "Ingen besvarede sparringer i dag" in page
    assert "Ingen epikriser modtaget i dag" in page
    assert 'data-testid="home-visits-empty"' in page


def test_the_page_speaks_english_when_chosen(gp, client_for):
    client = client_for(gp)
    client.post(reverse("set_language"), {"language": "en"})
    page = _page(client).content.decode()
    assert "<h1>Today</h1>" in page
    assert "No visits due today" in page
    assert "No answered advice today" in page


def test_another_practice_sees_none_of_the_gp_s_patients(
    gp, other_gp, clinic, clinic_doctor, client_for
):
    with on(TODAY):
        made = _gp_world(gp, clinic, clinic_doctor, 1)
    response = _page(client_for(other_gp))
    page = response.content.decode()
    assert all(section.count == 0 for section in response.context["home"].sections)
    names = {PatientFactory._meta.model.objects.get(pk=p).name for p in _patient_ids(made)}
    assert names and not any(name in page for name in names)


def _patient_ids(made):
    ids = set()
    for thing in made:
        for path in ("patient_id", "course.patient_id"):
            value = thing
            for part in path.split("."):
                value = getattr(value, part, None)
            if value:
                ids.add(value)
    return ids


def test_the_clinic_sees_handovers_appointments_and_courses_to_discharge(
    gp, clinic, clinic_doctor, clinic_nurse, client_for
):
    with on(TODAY):
        _clinic_world(gp.organisation, clinic, clinic_doctor, 1)
        request = ask(gp, clinic=clinic, subject="Om nedtrapning")
    request.__class__.objects.filter(pk=request.pk).update(due_on=TODAY - timedelta(days=1))
    with on(TODAY):
        sections = _sections(_page(client_for(clinic_nurse)))
    assert list(sections) == ["triage", "advice_due", "appointments", "ready_to_discharge"]
    assert sections["triage"].count == 1
    assert sections["advice_due"].items[0].label == "Om nedtrapning"
    assert sections["advice_due"].items[0].overdue
    assert sections["appointments"].count == 1  # today's, not the one ten days ago
    assert sections["ready_to_discharge"].count == 1  # the course whose appointment is past
    # The nurse cannot complete a course: the link is the course, the doctor's the form.
    assert "/complete/" not in sections["ready_to_discharge"].items[0].url
    with on(TODAY):
        doctor_sections = _sections(_page(client_for(clinic_doctor)))
    assert doctor_sections["ready_to_discharge"].items[0].url.endswith("/complete/")


def test_the_clinic_secretary_gets_no_advice_section(clinic_secretary, client_for):
    sections = _sections(_page(client_for(clinic_secretary)))
    assert "advice_due" not in sections
    assert "triage" in sections


def test_the_planner_sees_figures_and_no_patient(gp, clinic, clinic_doctor, planner, client_for):
    with on(TODAY):
        _gp_world(gp, clinic, clinic_doctor, 1)
    response = _page(client_for(planner))
    sections = _sections(response)
    assert list(sections) == ["figures"]
    figures = sections["figures"].items
    assert figures[0].note == "5"  # patients registered (the advice names none), a count
    assert all(item.patient_id is None for item in figures)
    assert reverse("overview") in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="home").exists()


def test_the_administrator_sees_tables_locked_accounts_and_role_requests(
    admin_user, gp, client_for, region_office
):
    other_admin: Any = UserFactory(
        username="admin-2", role=Role.ADMIN, organisation=region_office, is_staff=True
    )
    account_services.propose_role_change(
        by=other_admin,
        user=gp,
        role=Role.PRACTICE_NURSE,
        organisation=gp.organisation,
        reason="Skifter stilling",
    )
    AccessAttempt.objects.create(
        username="bruger-med-fejl",
        ip_address="10.0.0.1",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
    )
    ConversionTableVersion.objects.create(
        table_id="regional",
        version="2",
        title="Regional tabel",
        source="Regionen",
        published=TODAY,
        origin=ConversionTableVersion.Origin.REGIONAL_COPY,
    )
    response = _page(client_for(admin_user))
    sections = _sections(response)
    assert list(sections) == ["tables", "locked_accounts", "role_requests"]
    assert sections["tables"].count == 1
    assert sections["locked_accounts"].items[0].label == "bruger-med-fejl"
    assert sections["role_requests"].items[0].label == str(gp)
    assert all(item.patient_id is None for s in sections.values() for item in s.items)


def test_a_user_without_a_role_gets_the_no_access_page(client_for, db):
    nobody = UserFactory(username="nobody", role="", organisation=None)
    response = client_for(nobody).get(reverse("home"))
    assert response.status_code == 200
    assert "home" not in response.context
    assert client_for(nobody).get("/api/home").status_code == 403


# --- Audit and API ------------------------------------------------------------------------


def test_the_look_and_each_patient_shown_are_logged(gp, clinic, clinic_doctor, client_for):
    with on(TODAY):
        due = _due_course(gp.organisation, clinic)
    _page(client_for(gp))
    assert AuditEvent.objects.filter(object_type="home", action="search", user=gp).count() == 1
    assert AuditEvent.objects.filter(
        object_type="home", action="listed", patient=due.patient
    ).exists()


def test_the_api_gives_the_same_sections_as_the_page(gp, clinic, clinic_doctor, client_for):
    with on(TODAY):
        due = _due_course(gp.organisation, clinic)
    client = client_for(gp)
    with on(TODAY):
        body = client.get("/api/home", HTTP_ACCEPT_LANGUAGE="da").json()
    assert body["today"] == TODAY.isoformat()
    keys = [section["key"] for section in body["sections"]]
    assert keys == list(_sections(_page(client)))
    visits = body["sections"][0]
    assert visits["count"] == 1
    assert visits["items"][0]["patient_id"] == str(due.patient_id)
    assert visits["items"][0]["on"] == due.next_follow_up_on.isoformat()
    assert AuditEvent.objects.filter(object_type="home", action="search").count() == 2


def test_the_planner_s_api_home_holds_no_patient(planner, gp, clinic, clinic_doctor, client_for):
    with on(TODAY):
        _gp_world(gp, clinic, clinic_doctor, 1)
        body = client_for(planner).get("/api/home").json()
    items = [item for section in body["sections"] for item in section["items"]]
    assert items and all(item["patient_id"] is None for item in items)


# --- Query counts -------------------------------------------------------------------------


def _count(client):
    with on(TODAY), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries), response


MAX_QUERIES = 40


def test_the_gp_s_home_takes_a_fixed_number_of_queries(
    gp, clinic, clinic_doctor, client_for, django_assert_max_num_queries
):
    client = client_for(gp)
    with on(TODAY):
        _gp_world(gp, clinic, clinic_doctor, 2)
        client.get(reverse("home"))  # the first signed-in request renews the session
    few, response = _count(client)
    assert all(section.count == 2 for section in response.context["home"].sections)
    with on(TODAY):
        _gp_world(gp, clinic, clinic_doctor, 12)
    with django_assert_max_num_queries(few):
        many, response = _count(client)
    assert many == few <= MAX_QUERIES
    assert all(len(section.items) == 5 for section in response.context["home"].sections)


def test_the_clinic_s_home_takes_a_fixed_number_of_queries(
    gp, clinic, clinic_doctor, client_for, django_assert_max_num_queries
):
    client = client_for(clinic_doctor)
    with on(TODAY):
        _clinic_world(gp.organisation, clinic, clinic_doctor, 2)
        for _ in range(2):
            ask(gp, clinic=clinic)
        client.get(reverse("home"))
    few, _response = _count(client)
    with on(TODAY):
        _clinic_world(gp.organisation, clinic, clinic_doctor, 12)
        for _ in range(12):
            ask(gp, clinic=clinic)
    with django_assert_max_num_queries(few):
        many, response = _count(client)
    assert many == few <= MAX_QUERIES
    assert _sections(response)["appointments"].count == 14


@pytest.mark.parametrize("persona", ["planner", "admin_user"])
def test_the_aggregate_homes_take_a_fixed_number_of_queries(
    persona, request, gp, clinic, clinic_doctor, client_for, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    with on(TODAY):
        _gp_world(gp, clinic, clinic_doctor, 1)
        client.get(reverse("home"))
    few, _response = _count(client)
    with on(TODAY):
        _gp_world(gp, clinic, clinic_doctor, 8)
    with django_assert_max_num_queries(few):
        many, _response = _count(client)
    assert many == few <= MAX_QUERIES
