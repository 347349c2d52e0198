"""The GP's and the clinic's worklists: what shows where, sorting, paging, audit, query counts."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from smertespor.audit.models import AuditEvent
from smertespor.tracks.models import Alert, Appointment, DischargeSummary, Handover, RuleReview
from smertespor.tracks.tests.conftest import open_clinic_relation
from smertespor.tracks.tests.factories import CourseFactory, HandoverFactory
from smertespor.tracks.tests.helpers import on
from smertespor.tracks.worklists import clinic_worklist, practice_worklist
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 16)  # a Monday
# Session, user and organisation, the counts, the audit row, one page and its alerts, the
# patients shown on it (one INSERT of "listed" rows with its number fetch and savepoint),
# the session save and the layout's own: about 22, whatever the number of courses (a query
# per row would add 25). The tests also check that 40 more courses add no query at all.
MAX_QUERIES = 24


def _course(practice, clinic, **fields):
    patient = PatientFactory(listed_practice=practice)
    return CourseFactory(patient=patient, clinic=clinic, **fields)


def _proposal(course, progress="behind_plan"):
    return RuleReview.objects.create(
        course=course,
        deadline=course.deadline,
        reviewed_at=timezone.now(),
        progress=progress,
        latest_visit_on=course.start_date + timedelta(days=84),
        latest_omeq_mg_per_day=50,
        expected_mg_per_day=42,
        allowed_mg_per_day=48,
        tolerance_percent=10,
        plan="Taper plan v1",
        outcome="pending",
    )


def _names(worklist):
    return [row["patient_name"] for row in worklist.rows(worklist.page(1))]


@pytest.fixture
def practice_courses(gp, clinic):
    practice = gp.organisation
    return {
        "overdue": _course(
            practice, clinic, start_date=date(2026, 1, 10), next_follow_up_on=date(2026, 3, 1)
        ),
        "due_soon": _course(
            practice, clinic, start_date=date(2026, 2, 20), next_follow_up_on=date(2026, 3, 20)
        ),
        "later": _course(
            practice, clinic, start_date=date(2026, 3, 1), next_follow_up_on=date(2026, 4, 20)
        ),
        "approaching": _course(
            practice, clinic, start_date=date(2025, 12, 20), next_follow_up_on=date(2026, 4, 1)
        ),
        "returned": _course(
            practice,
            clinic,
            status="returned_to_practice_track",
            start_date=date(2025, 11, 1),
            next_follow_up_on=date(2026, 4, 1),
        ),
        "closed": _course(
            practice,
            clinic,
            status="succeeded",
            start_date=date(2026, 1, 1),
            next_follow_up_on=date(2026, 2, 1),
        ),
    }


def test_the_gp_sees_follow_ups_due_and_overdue_most_overdue_first(gp, practice_courses):
    with on(TODAY):
        worklist = practice_worklist(user=gp, section="due")
    ids = [row["course_id"] for row in worklist.rows(worklist.page(1))]
    assert ids == [practice_courses["overdue"].pk, practice_courses["due_soon"].pk]
    rows = worklist.rows(worklist.page(1))
    assert rows[0]["days_overdue"] == 15


def test_the_gp_sees_courses_reaching_the_3_month_mark_in_the_next_14_days(gp, practice_courses):
    with on(TODAY):
        worklist = practice_worklist(user=gp, section="approaching")
    assert [row["course_id"] for row in worklist.rows(worklist.page(1))] == [
        practice_courses["approaching"].pk
    ]
    assert worklist.rows(worklist.page(1))[0]["days_to_deadline"] == 4


def test_the_gp_sees_unacknowledged_alerts_and_returned_handovers(
    gp, practice_courses, clinic_nurse
):
    course = practice_courses["later"]
    Alert.objects.create(
        course=course, code="peg_worsened", raised_on=TODAY, params={"points": "2.00"}
    )
    Alert.objects.create(
        course=course, code="peg_worsened", raised_on=TODAY, acknowledged_at=timezone.now()
    )
    returned = practice_courses["returned"]
    Handover.objects.create(
        course=returned,
        clinic=returned.clinic,
        kind="rule",
        proposed_at=timezone.now(),
        snapshot={},
        decision="returned",
        decided_at=timezone.now(),
        advice="Slower, please",
    )
    with on(TODAY):
        alerts = practice_worklist(user=gp, section="alerts")
        back = practice_worklist(user=gp, section="returned")
    assert [row["course_id"] for row in alerts.rows(alerts.page(1))] == [course.pk]
    assert alerts.counts["alerts"] == 1
    assert back.rows(back.page(1))[0]["advice"] == "Slower, please"


def test_another_practice_s_courses_never_show(other_gp, practice_courses):
    with on(TODAY):
        for section in ("due", "approaching", "alerts", "returned", "discharged"):
            worklist = practice_worklist(user=other_gp, section=section)
            assert worklist.page(1).paginator.count == 0
            assert sum(worklist.counts.values()) == 0


def test_a_course_of_a_patient_out_of_scope_never_shows_even_at_the_right_practice(gp, clinic):
    # The course names the GP's practice, but the patient is listed elsewhere and the practice
    # has no care relation: visible_patients keeps them off the list.
    stranger = PatientFactory()
    CourseFactory(
        patient=stranger,
        responsible_organisation=gp.organisation,
        clinic=clinic,
        next_follow_up_on=TODAY,
    )
    with on(TODAY):
        assert practice_worklist(user=gp, section="due").counts["due"] == 0


def test_the_worklist_sorts_by_name_and_by_due_date_both_ways(gp, clinic):
    practice = gp.organisation
    for name, due in (
        ("Bo", date(2026, 3, 2)),
        ("Alma", date(2026, 3, 10)),
        ("Carl", date(2026, 3, 5)),
    ):
        CourseFactory(
            patient=PatientFactory(name=name, listed_practice=practice),
            clinic=clinic,
            next_follow_up_on=due,
        )
    with on(TODAY):
        assert _names(practice_worklist(user=gp, section="due", sort="name")) == [
            "Alma",
            "Bo",
            "Carl",
        ]
        assert _names(practice_worklist(user=gp, section="due", sort="-name")) == [
            "Carl",
            "Bo",
            "Alma",
        ]
        assert _names(practice_worklist(user=gp, section="due", sort="-due")) == [
            "Alma",
            "Carl",
            "Bo",
        ]
        assert _names(practice_worklist(user=gp, section="due", sort="nonsense")) == [
            "Bo",
            "Carl",
            "Alma",
        ]


def test_the_worklist_pages_25_rows_at_a_time(gp, clinic, client_for):
    for _ in range(30):
        _course(gp.organisation, clinic, next_follow_up_on=TODAY)
    with on(TODAY):
        client = client_for(gp)
        first = client.get(reverse("tracks:practice_worklist"), {"section": "due"})
        second = client.get(reverse("tracks:practice_worklist"), {"section": "due", "page": "2"})
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 5
    assert "section=due&amp;sort=due&amp;page=2" in first.content.decode()


def test_looking_at_a_worklist_is_logged_as_a_search(gp, practice_courses, client_for):
    with on(TODAY):
        client_for(gp).get(reverse("tracks:practice_worklist"), {"section": "approaching"})
    event = AuditEvent.objects.get(action="search", object_type="worklist")
    assert event.detail == {"list": "practice", "section": "approaching", "sort": "deadline"}


def _audit_inserts(queries: CaptureQueriesContext) -> int:
    table = AuditEvent._meta.db_table
    return sum(
        q["sql"].lstrip().upper().startswith("INSERT") and table in q["sql"]
        for q in queries.captured_queries
    )


def test_a_worklist_page_logs_its_search_and_its_patients_in_one_insert(
    gp, practice_courses, client_for
):
    client = client_for(gp)
    with on(TODAY), CaptureQueriesContext(connection) as queries:
        client.get(reverse("tracks:practice_worklist"), {"section": "due"})
    assert _audit_inserts(queries) == 1
    search = AuditEvent.objects.get(action="search", object_type="worklist")
    listed = AuditEvent.objects.filter(action="listed", object_type="practice_worklist")
    assert listed.count() >= 2
    assert {event.request_id for event in listed} == {search.request_id}
    assert search.sequence < min(event.sequence for event in listed)


def test_an_empty_worklist_section_still_logs_its_search(gp, clinic_doctor, client_for):
    with on(TODAY):
        client_for(clinic_doctor).get(reverse("tracks:clinic_worklist"), {"section": "active"})
    event = AuditEvent.objects.get(action="search", object_type="worklist")
    assert event.detail == {"list": "clinic", "section": "active", "sort": "appointment"}
    assert not AuditEvent.objects.filter(action="listed").exists()


@pytest.fixture
def clinic_courses(gp, clinic, clinic_doctor):
    practice = gp.organisation
    waiting = _course(practice, clinic, status="handover_proposed")
    with on(TODAY - timedelta(days=3)):
        HandoverFactory(course=waiting)
    open_clinic_relation(waiting)
    not_handed_over = _course(practice, clinic)
    accepted = _course(
        practice, clinic, track="hospital", status="accepted", responsible_organisation=clinic
    )
    open_clinic_relation(accepted)
    active = _course(
        practice, clinic, track="hospital", status="plan_active", responsible_organisation=clinic
    )
    open_clinic_relation(active)
    this_week = datetime(2026, 3, 18, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    for starts_at in (this_week, this_week + timedelta(days=7)):
        Appointment.objects.create(
            course=active,
            organisation=clinic,
            starts_at=starts_at,
            duration_minutes=45,
            discipline="doctor",
            created_by=clinic_doctor,
            created_at=timezone.now(),
        )
    return {
        "waiting": waiting,
        "not_handed_over": not_handed_over,
        "accepted": accepted,
        "active": active,
    }


def test_the_clinic_sees_new_handovers_and_not_courses_still_in_the_practice(
    clinic_nurse, clinic_courses
):
    with on(TODAY):
        worklist = clinic_worklist(user=clinic_nurse, section="handovers")
    rows = worklist.rows(worklist.page(1))
    assert [row["course_id"] for row in rows] == [clinic_courses["waiting"].pk]
    assert rows[0]["waiting_days"] >= 3
    assert worklist.counts == {"handovers": 1, "assessment": 1, "active": 1, "appointments": 1}


def test_the_clinic_sees_its_appointments_this_week_only(clinic_nurse, clinic_courses):
    with on(TODAY):
        worklist = clinic_worklist(user=clinic_nurse, section="appointments")
    rows = worklist.rows(worklist.page(1))
    assert len(rows) == 1
    assert timezone.localtime(rows[0]["starts_at"]).date() == date(2026, 3, 18)


def test_the_clinic_sees_active_courses_with_their_next_appointment(clinic_nurse, clinic_courses):
    with on(TODAY):
        worklist = clinic_worklist(user=clinic_nurse, section="active")
    row = worklist.rows(worklist.page(1))[0]
    assert timezone.localtime(row["next_appointment"]).date() == date(2026, 3, 18)


def test_the_gp_sees_the_discharge_summary_and_continues_the_follow_up(
    gp, clinic_doctor, clinic_courses
):
    active = clinic_courses["active"]
    DischargeSummary.objects.create(
        course=active,
        sent_to=gp.organisation,
        summary="S",
        recommendations="Continue monthly visits",
        written_by=clinic_doctor,
        written_at=timezone.now(),
    )
    with on(TODAY):
        worklist = practice_worklist(user=gp, section="discharged")
    assert worklist.rows(worklist.page(1))[0]["recommendations"] == "Continue monthly visits"


def test_a_gp_may_not_open_the_clinic_s_worklist_and_a_planner_neither(gp, planner, client_for):
    for user, name in (
        (gp, "tracks:clinic_worklist"),
        (planner, "tracks:practice_worklist"),
        (planner, "tracks:clinic_worklist"),
    ):
        response = client_for(user).get(reverse(name))
        assert response.status_code == 403


def test_the_worklist_link_sends_each_side_to_its_own_list(gp, clinic_nurse, client_for):
    assert client_for(gp).get(reverse("tracks:worklist"))["Location"] == reverse(
        "tracks:practice_worklist"
    )
    assert client_for(clinic_nurse).get(reverse("tracks:worklist"))["Location"] == reverse(
        "tracks:clinic_worklist"
    )


@pytest.mark.parametrize(
    "section", ["due", "proposals", "approaching", "alerts", "returned", "discharged"]
)
def test_the_gp_s_worklist_takes_a_fixed_number_of_queries_however_many_courses(
    gp, clinic, clinic_doctor, client_for, django_assert_max_num_queries, section
):
    client = client_for(gp)
    url = reverse("tracks:practice_worklist")

    def grow(count):
        for _ in range(count):
            course = _course(
                gp.organisation,
                clinic,
                start_date=TODAY - timedelta(days=80),
                next_follow_up_on=TODAY,
            )
            Alert.objects.create(course=course, code="peg_worsened", raised_on=TODAY)
            proposed = _course(
                gp.organisation,
                clinic,
                status="handover_review",
                start_date=TODAY - timedelta(days=100),
                next_follow_up_on=TODAY,
            )
            _proposal(proposed)
            returned = _course(
                gp.organisation, clinic, status="returned_to_practice_track", start_date=TODAY
            )
            HandoverFactory(
                course=returned,
                decision="returned",
                decided_at=timezone.now(),
                advice="Slower",
            )
            hospital = _course(
                gp.organisation,
                clinic,
                track="hospital",
                status="completed",
                responsible_organisation=clinic,
            )
            DischargeSummary.objects.create(
                course=hospital,
                sent_to=gp.organisation,
                summary="S",
                recommendations="R",
                written_by=clinic_doctor,
                written_at=timezone.now(),
            )

    grow(3)
    with on(TODAY):  # the first signed-in request renews the session; count a later one
        client.get(url, {"section": section})
    with on(TODAY), CaptureQueriesContext(connection) as few:
        response = client.get(url, {"section": section})
    assert response.status_code == 200
    assert len(response.context["rows"]) > 0  # the rows are read, not an empty page
    grow(40)
    with on(TODAY), CaptureQueriesContext(connection) as many:
        response = client.get(url, {"section": section})
    assert len(many) == len(few) <= MAX_QUERIES
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(response.context["page"].paginator.count, 25)


@pytest.mark.parametrize("section", ["handovers", "assessment", "active", "appointments"])
def test_the_clinic_s_worklist_takes_a_fixed_number_of_queries_however_many_courses(
    gp, clinic, clinic_nurse, clinic_doctor, client_for, django_assert_max_num_queries, section
):
    client = client_for(clinic_nurse)
    url = reverse("tracks:clinic_worklist")

    def grow(count):
        for _ in range(count):
            waiting = _course(gp.organisation, clinic, status="handover_proposed")
            HandoverFactory(course=waiting)
            open_clinic_relation(waiting)
            active = _course(
                gp.organisation,
                clinic,
                track="hospital",
                status="plan_active",
                responsible_organisation=clinic,
            )
            open_clinic_relation(active)
            accepted = _course(
                gp.organisation,
                clinic,
                track="hospital",
                status="accepted",
                responsible_organisation=clinic,
            )
            open_clinic_relation(accepted)
            Appointment.objects.create(
                course=active,
                organisation=clinic,
                starts_at=datetime(2026, 3, 18, 10, tzinfo=ZoneInfo("Europe/Copenhagen")),
                duration_minutes=45,
                discipline="doctor",
                clinician=clinic_doctor,
                created_by=clinic_doctor,
                created_at=timezone.now(),
            )

    grow(3)
    with on(TODAY):  # the first signed-in request renews the session; count a later one
        client.get(url, {"section": section})
    with on(TODAY), CaptureQueriesContext(connection) as few:
        response = client.get(url, {"section": section})
    assert response.status_code == 200
    assert len(response.context["rows"]) > 0
    grow(40)
    with on(TODAY), CaptureQueriesContext(connection) as many:
        response = client.get(url, {"section": section})
    assert len(many) == len(few) <= MAX_QUERIES
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(response.context["page"].paginator.count, 25)


def test_the_api_worklist_gives_the_same_rows_with_counts(gp, practice_courses, client_for):
    with on(TODAY):
        body = client_for(gp).get("/api/tracks/worklists/practice", {"section": "due"}).json()
    assert body["section"] == "due"
    assert body["count"] == 2
    assert body["counts"]["approaching"] == 1
    assert body["items"][0]["course_id"] == practice_courses["overdue"].pk
    assert body["items"][0]["alerts"] == []
