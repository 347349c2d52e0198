"""The pain centre's pages: the whole course from the worklist to the printed summary, the
GP's view of it, and bad input answered with the form again (422), nothing saved."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from smertespor.centres.models import Appointment, CentreCourse, DischargeSummary
from smertespor.centres.tests.helpers import (
    active_course,
    an_hour_ago,
    discharged_course,
    planned_course,
)

pytestmark = pytest.mark.django_db


def _url(name, course, *extra):
    return reverse(f"centres:{name}", args=[course.patient_id, course.pk, *extra])


def test_the_worklist_lists_referred_patients_and_courses(client_for, referred, centre_doctor):
    http = client_for(centre_doctor)
    page = http.get(reverse("centres:worklist"))
    assert page.status_code == 200
    assert referred.name in page.content.decode()
    assert reverse("centres:course_create", args=[referred.pk]) in page.content.decode()
    course = planned_course(referred, centre_doctor)
    page = http.get(reverse("centres:worklist"))
    assert _url("course_detail", course) in page.content.decode()


def test_a_course_runs_from_plan_to_summary_in_the_pages(
    client_for, referred, centre_doctor, centre_psychologist, gp
):
    http = client_for(centre_doctor)
    create = reverse("centres:course_create", args=[referred.pk])
    assert http.get(create).status_code == 200
    response = http.post(
        create,
        {"goals": "Mere aktivitet", "planned_start": timezone.localdate().isoformat()},
    )
    course = CentreCourse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("course_detail", course)
    http.post(
        _url("team_add", course), {"team-user": centre_doctor.pk, "team-discipline": "doctor"}
    )
    http.post(
        _url("team_add", course),
        {"team-user": centre_psychologist.pk, "team-discipline": "psychologist"},
    )
    http.post(_url("module_add", course), {"module-code": "cbt_group", "module-note": ""})
    outcome = _url("outcome_add", course)
    assert http.get(outcome + "?instrument=peg").status_code == 200
    response = http.post(
        outcome,
        {
            "instrument": "peg",
            "timepoint": "start",
            "measured_on": timezone.localdate().isoformat(),
            "item_pain": "8",
            "item_enjoyment": "6",
            "item_activity": "7",
        },
    )
    assert response.status_code == 302
    course.refresh_from_db()
    response = http.post(
        _url("course_step", course), {"step-version": course.version, "step-event": "start"}
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == "active"
    starts = timezone.localtime(an_hour_ago()).strftime("%Y-%m-%dT%H:%M")
    module = course.modules.get()
    response = http.post(
        _url("appointment_add", course),
        {
            "appointment-starts_at": starts,
            "appointment-duration_minutes": "90",
            "appointment-clinician": course.team.get(user=centre_psychologist).pk,
            "appointment-module": module.pk,
        },
    )
    assert response.status_code == 302, response.content
    appointment = Appointment.objects.get()
    response = http.post(
        _url("appointment_record", course, appointment.pk),
        {"version": appointment.version, "outcome": "attend"},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "attended"
    http.post(
        outcome,
        {
            "instrument": "peg",
            "timepoint": "end",
            "measured_on": timezone.localdate().isoformat(),
            "item_pain": "5",
            "item_enjoyment": "4",
            "item_activity": "4",
        },
    )
    detail = http.get(_url("course_detail", course)).content.decode()
    assert "<svg" in detail and "polyline" in detail
    assert 'style="' not in detail
    discharge = _url("discharge", course)
    assert http.get(discharge).status_code == 200
    course.refresh_from_db()
    response = http.post(
        discharge,
        {
            "version": course.version,
            "course_summary": "Gennemført gruppeforløb",
            "plan_after": "Egen læge følger op",
            "municipality_continues": "Træning",
            "physiotherapy_continues": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url("summary", course)
    printed = http.get(_url("summary", course)).content.decode()
    assert "data-print" in printed and "Egen læge følger op" in printed
    # The GP sees it on the worklist, on the patient page and as the summary itself.
    gp_http = client_for(gp)
    worklist = gp_http.get(reverse("tracks:practice_worklist")).content.decode()
    assert 'data-testid="new-discharge-summaries"' in worklist
    assert _url("summary", course) in worklist
    patient_page = gp_http.get(reverse("patients:detail", args=[referred.pk])).content.decode()
    assert 'data-testid="centre-summary"' in patient_page
    assert gp_http.get(_url("summary", course)).status_code == 200
    assert gp_http.post(_url("summary_acknowledge", course)).status_code == 302
    assert DischargeSummary.objects.get().acknowledged_by == gp
    worklist = gp_http.get(reverse("tracks:practice_worklist")).content.decode()
    assert 'data-testid="new-discharge-summaries"' not in worklist


def test_bad_input_shows_the_form_again_and_saves_nothing(client_for, referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    http = client_for(centre_doctor)
    response = http.post(
        _url("outcome_add", course),
        {
            "instrument": "peg",
            "timepoint": "end",
            "measured_on": timezone.localdate().isoformat(),
            "item_pain": "11",
            "item_enjoyment": "x",
            "item_activity": "",
        },
    )
    assert response.status_code == 422
    assert not course.measurements.filter(timepoint="end").exists()
    response = http.post(
        _url("discharge", course),
        {"version": course.version, "course_summary": " ", "plan_after": ""},
    )
    assert response.status_code == 422
    assert not DischargeSummary.objects.exists()
    response = http.post(
        _url("course_step", course),
        {"step-version": course.version, "step-event": "cancel", "step-reason": ""},
    )
    assert response.status_code == 422
    assert "reason" in response.content.decode().lower() or response.context["step_form"].errors
    course.refresh_from_db()
    assert course.status == "active"


def test_a_stale_step_answers_409(client_for, referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    response = client_for(centre_doctor).post(
        _url("course_step", course),
        {"step-version": course.version - 1, "step-event": "cancel", "step-reason": "x"},
    )
    assert response.status_code == 409
    course.refresh_from_db()
    assert course.status == "active"


def test_the_pages_speak_danish(client_for, referred, centre_doctor):
    course = discharged_course(referred, centre_doctor)
    page = client_for(centre_doctor).get(_url("course_detail", course)).content.decode()
    assert "Udskrevet" in page or "udskrevet" in page
    assert re.search(r"7,33", page)  # the PEG at the start, in Danish format


def test_a_stale_discharge_form_answers_409_ready_to_send_again(
    client_for, referred, centre_doctor
):
    course = active_course(referred, centre_doctor)
    http = client_for(centre_doctor)
    body = {"course_summary": "S", "plan_after": "P", "version": course.version - 1}
    response = http.post(_url("discharge", course), body)
    assert response.status_code == 409
    assert response.context["form"]["version"].value() == str(course.version)
    assert not DischargeSummary.objects.exists()
    response = http.post(_url("discharge", course), {**body, "version": course.version})
    assert response.status_code == 302


def test_an_unknown_instrument_is_not_found(client_for, referred, centre_doctor):
    course = active_course(referred, centre_doctor)
    response = client_for(centre_doctor).get(_url("outcome_add", course) + "?instrument=sf36")
    assert response.status_code == 404


def test_planners_see_the_centres_counts_on_the_overview(
    client_for, referred, centre_doctor, planner
):
    discharged_course(referred, centre_doctor)
    page = client_for(planner).get(reverse("overview")).content.decode()
    assert 'data-testid="centre-counts"' in page
    assert referred.name not in page


def test_the_patient_page_shows_the_centre_its_courses_and_the_gp_the_summary(
    client_for, referred, centre_doctor, gp, other_centre_doctor, clinic_doctor
):
    page = client_for(centre_doctor).get(reverse("patients:detail", args=[referred.pk]))
    assert reverse("centres:course_create", args=[referred.pk]) in page.content.decode()
    course = discharged_course(referred, centre_doctor)
    page = client_for(centre_doctor).get(reverse("patients:detail", args=[referred.pk]))
    assert _url("course_detail", course) in page.content.decode()
    page = client_for(gp).get(reverse("patients:detail", args=[referred.pk])).content.decode()
    assert _url("summary", course) in page
    assert f'href="{_url("course_detail", course)}"' not in page


def test_the_gps_notification_opens_the_summary(client_for, referred, centre_doctor, gp):
    from smertespor.notifications.models import Notification

    course = discharged_course(referred, centre_doctor)
    notification = Notification.objects.get(recipient=gp, kind="centre_discharge_summary")
    assert notification.url == _url("summary", course)
    assert referred.name not in notification.text
    assert client_for(gp).get(notification.url).status_code == 200
