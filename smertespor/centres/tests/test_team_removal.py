"""Taking a clinician off a pain centre course's team: the row stays as the team's history
(when, by whom, why), the person may be named again, and the team's readers (the course page,
the start check, appointments, the API) count only those on the team now. Refusals (booked
appointments ahead, the last member of an active course, a role that may not, another centre)
change nothing."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from smertespor.audit.models import AuditEvent
from smertespor.centres import services
from smertespor.centres.models import TeamMember
from smertespor.centres.tests.conftest import refer
from smertespor.centres.tests.helpers import active_course, planned_course
from smertespor.entry.appointment_times import next_bookable

pytestmark = pytest.mark.django_db


def _api(course, member, tail="/remove"):
    return f"/api/centres/patients/{course.patient_id}/courses/{course.pk}/team/{member.pk}{tail}"


def _page(course, member):
    return reverse("centres:team_remove", args=[course.patient_id, course.pk, member.pk])


@pytest.fixture
def course(referred, centre_doctor, centre_psychologist):
    return active_course(referred, centre_doctor, psychologist=centre_psychologist)


@pytest.fixture
def psychologist_member(course, centre_psychologist):
    return course.team.get(user=centre_psychologist)


def _unchanged(member):
    member.refresh_from_db()
    assert member.removed_at is None
    assert member.removed_by is None
    assert not member.course.events.filter(kind="team_member_removed").exists()


def test_removing_keeps_the_member_in_the_teams_history(course, psychologist_member, centre_doctor):
    removed = services.remove_team_member(
        member=psychologist_member, by=centre_doctor, reason="  Orlov  "
    )
    psychologist_member.refresh_from_db()
    assert psychologist_member.removed_at is not None
    assert psychologist_member.removed_by == centre_doctor
    assert psychologist_member.removal_reason == "Orlov"
    assert removed.is_removed
    event = course.events.get(kind="team_member_removed")
    assert event.by == centre_doctor
    assert event.reason == "Orlov"
    assert event.detail["discipline"] == "psychologist"
    assert AuditEvent.objects.filter(
        object_type="centre_course_team", action="update", object_id=str(course.pk)
    ).exists()
    # The team now is the doctor only; the psychologist is history.
    now_on = course.team.filter(removed_at__isnull=True)
    assert list(now_on.values_list("discipline", flat=True)) == ["doctor"]
    assert TeamMember.objects.filter(course=course).count() == 2


def test_a_removed_person_is_no_longer_bookable_and_can_be_named_again(
    course, psychologist_member, centre_doctor, centre_psychologist
):
    services.remove_team_member(member=psychologist_member, by=centre_doctor)
    with pytest.raises(ValidationError) as refused:
        services.book_appointment(
            course=course,
            by=centre_doctor,
            starts_at=next_bookable(timezone.now(), days=7),
            duration_minutes=60,
            clinician_id=centre_psychologist.pk,
        )
    assert "clinician_id" in refused.value.message_dict
    again = services.add_team_member(
        course=course, by=centre_doctor, user_id=centre_psychologist.pk, discipline="psychologist"
    )
    assert again.pk != psychologist_member.pk
    assert course.team.filter(user=centre_psychologist).count() == 2
    assert course.team.filter(user=centre_psychologist, removed_at__isnull=True).get() == again


def test_someone_with_appointments_ahead_is_not_removed(
    course, psychologist_member, centre_doctor, centre_psychologist
):
    services.book_appointment(
        course=course,
        by=centre_doctor,
        starts_at=next_bookable(timezone.now(), days=7),
        duration_minutes=60,
        clinician_id=centre_psychologist.pk,
    )
    with pytest.raises(ValidationError) as refused:
        services.remove_team_member(member=psychologist_member, by=centre_doctor)
    assert "Aflys dem først" in refused.value.message_dict["member"][0]
    _unchanged(psychologist_member)


def test_a_cancelled_appointment_ahead_does_not_hold_the_member(
    course, psychologist_member, centre_doctor, centre_psychologist
):
    appointment = services.book_appointment(
        course=course,
        by=centre_doctor,
        starts_at=next_bookable(timezone.now(), days=7),
        duration_minutes=60,
        clinician_id=centre_psychologist.pk,
    )
    services.record_appointment(
        appointment=appointment,
        by=centre_doctor,
        expected_version=appointment.version,
        outcome="cancel",
    )
    services.remove_team_member(member=psychologist_member, by=centre_doctor)
    psychologist_member.refresh_from_db()
    assert psychologist_member.removed_at is not None


def test_the_last_member_of_an_active_course_stays(referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    only = course.team.get()
    with pytest.raises(ValidationError) as refused:
        services.remove_team_member(member=only, by=centre_doctor)
    assert refused.value.message_dict["member"] == [
        "Det aktive forløb skal have mindst ét medlem på holdet."
    ]
    _unchanged(only)


def test_the_last_member_of_a_planned_course_may_go_and_then_it_cannot_start(
    referred, centre_doctor
):
    course = planned_course(referred, centre_doctor)
    member = services.add_team_member(
        course=course, by=centre_doctor, user_id=centre_doctor.pk, discipline="doctor"
    )
    services.add_module(course=course, by=centre_doctor, code="cbt_group")
    services.remove_team_member(member=member, by=centre_doctor)
    with pytest.raises(ValidationError) as refused:
        services.start_course(course=course, by=centre_doctor, expected_version=course.version)
    assert "team" in refused.value.message_dict
    course.refresh_from_db()
    assert course.status == "planned"


def test_removing_twice_is_refused(course, psychologist_member, centre_doctor):
    services.remove_team_member(member=psychologist_member, by=centre_doctor)
    first = TeamMember.objects.get(pk=psychologist_member.pk).removed_at
    with pytest.raises(ValidationError):
        services.remove_team_member(member=psychologist_member, by=centre_doctor)
    assert TeamMember.objects.get(pk=psychologist_member.pk).removed_at == first
    assert course.events.filter(kind="team_member_removed").count() == 1


def test_the_secretary_may_not_remove(course, psychologist_member, centre_secretary):
    with pytest.raises(PermissionDenied):
        services.remove_team_member(member=psychologist_member, by=centre_secretary)
    _unchanged(psychologist_member)


def test_the_page_takes_the_member_off_and_shows_former_members(
    client_for, course, psychologist_member, centre_doctor, centre_psychologist
):
    http = client_for(centre_doctor)
    response = http.post(_page(course, psychologist_member), {"reason": "Barsel"})
    assert response.status_code == 302
    psychologist_member.refresh_from_db()
    assert psychologist_member.removal_reason == "Barsel"
    page = http.get(reverse("centres:course_detail", args=[course.patient_id, course.pk]))
    html = page.content.decode()
    former = html.split('data-testid="former-team"')[1].split("</ul>")[0]
    assert str(centre_psychologist) in former
    assert "Barsel" in former
    assert str(centre_doctor) in former  # removed by
    team = html.split('data-testid="team"')[1].split("</ul>")[0]
    assert str(centre_psychologist) not in team
    # The appointment form offers only the team now.
    offered = page.context["appointment_form"].fields["clinician"].queryset
    assert list(offered) == [course.team.get(user=centre_doctor)]


def test_the_page_answers_a_refusal_with_the_course_and_why(client_for, referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    only = course.team.get()
    response = client_for(centre_doctor).post(_page(course, only), {"reason": ""})
    assert response.status_code == 422
    assert "Det aktive forløb skal have mindst ét medlem på holdet." in response.content.decode()
    _unchanged(only)


def test_the_page_refuses_get(client_for, course, psychologist_member, centre_doctor):
    response = client_for(centre_doctor).get(_page(course, psychologist_member))
    assert response.status_code == 405
    _unchanged(psychologist_member)


@pytest.mark.parametrize(("persona", "status"), [("centre_secretary", 403), ("gp", 403)])
def test_a_role_that_may_not_is_refused(
    request, client_for, course, psychologist_member, persona, status
):
    http = client_for(request.getfixturevalue(persona))
    assert http.post(_page(course, psychologist_member), {"reason": "x"}).status_code == status
    api = http.post(
        _api(course, psychologist_member),
        data=json.dumps({"reason": "x"}),
        content_type="application/json",
    )
    assert api.status_code == status
    _unchanged(psychologist_member)


def test_another_centre_gets_404(
    client_for, course, psychologist_member, other_centre, other_centre_doctor
):
    refer(course.patient, other_centre)
    http = client_for(other_centre_doctor)
    assert http.post(_page(course, psychologist_member), {"reason": "x"}).status_code == 404
    api = http.post(
        _api(course, psychologist_member),
        data=json.dumps({"reason": "x"}),
        content_type="application/json",
    )
    assert api.status_code == 404
    _unchanged(psychologist_member)


def test_a_member_of_another_course_is_404(client_for, course, psychologist_member, centre_doctor):
    http = client_for(centre_doctor)
    response = http.post(
        _api(course, psychologist_member).replace(
            f"/team/{psychologist_member.pk}/", "/team/999999/"
        ),
        data=json.dumps({}),
        content_type="application/json",
    )
    assert response.status_code == 404
    _unchanged(psychologist_member)


def test_the_api_twin_removes_and_lists_former_members(
    client_for, course, psychologist_member, centre_doctor
):
    http = client_for(centre_doctor)
    response = http.post(
        _api(course, psychologist_member),
        data=json.dumps({"reason": "Ny stilling"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == psychologist_member.pk
    assert body["removed_at"]
    assert body["removal_reason"] == "Ny stilling"
    detail = http.get(f"/api/centres/patients/{course.patient_id}/courses/{course.pk}").json()
    assert [m["id"] for m in detail["former_team"]] == [psychologist_member.pk]
    assert psychologist_member.pk not in [m["id"] for m in detail["team"]]


def test_the_api_refusal_is_a_422_problem_and_changes_nothing(client_for, referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    only = course.team.get()
    response = client_for(centre_doctor).post(
        _api(course, only), data=json.dumps({"reason": ""}), content_type="application/json"
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    _unchanged(only)


def test_the_worklist_counts_only_the_team_now(course, psychologist_member, centre_doctor):
    from smertespor.centres.selectors import centre_worklist

    assert [c.team_size for c in centre_worklist(centre_doctor).open_courses] == [2]  # type: ignore[attr-defined]
    services.remove_team_member(member=psychologist_member, by=centre_doctor)
    assert [c.team_size for c in centre_worklist(centre_doctor).open_courses] == [1]  # type: ignore[attr-defined]


def test_the_rules_are_checked_after_the_course_is_locked(
    course, psychologist_member, centre_doctor
):
    """Two members removed at the same moment must not leave an active course with nobody:
    the team is counted inside the transaction, after the course row is locked (SELECT … FOR
    UPDATE on PostgreSQL; on SQLite the transaction holds the write lock from its start)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.remove_team_member(member=psychologist_member, by=centre_doctor)
    statements = [query["sql"] for query in queries.captured_queries]
    course_table = f'FROM "{course._meta.db_table}"'
    if connection.vendor == "postgresql":
        locked = next(
            i for i, sql in enumerate(statements) if course_table in sql and "FOR UPDATE" in sql
        )
    else:
        locked = next(i for i, sql in enumerate(statements) if sql.startswith("SAVEPOINT"))
    team_counted = next(
        i
        for i, sql in enumerate(statements)
        if f'FROM "{TeamMember._meta.db_table}"' in sql and "removed_at" in sql and "LIMIT 1" in sql
    )
    assert locked < team_counted
