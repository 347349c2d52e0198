"""A request about a course carries the course and leads into the hospital-track handover."""

import pytest
from django.urls import reverse

from smertespor.advice.models import AdviceRequest
from smertespor.tracks.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_a_question_about_the_course_carries_it_and_links_to_the_handover(
    client_for, gp, patient, clinic, clinic_nurse
):
    course = CourseFactory.create(patient=patient, clinic=clinic)
    client = client_for(gp)
    form = client.get(reverse("advice:create_for_patient", args=[patient.pk]))
    assert 'name="about_course"' in form.content.decode()

    client.post(
        reverse("advice:create_for_patient", args=[patient.pk]),
        {
            "subject": "Course stalls",
            "question": "No progress after 2 months.",
            "category": "taper_strategy",
            "urgency": "routine",
            "about_course": "on",
        },
    )

    advice_request = AdviceRequest.objects.get()
    assert advice_request.course_id == course.pk
    assert advice_request.snapshot["course"]["id"] == course.pk
    assert advice_request.snapshot["course"]["track"] == "practice"
    handover = reverse("tracks:course_step", args=[patient.pk, course.pk])
    page = client.get(reverse("advice:detail", args=[advice_request.pk])).content.decode()
    assert f"{handover}?event=hand_over_early" in page
    # The handover is the practice's step: the clinic's page does not offer it.
    clinic_page = client_for(clinic_nurse).get(reverse("advice:detail", args=[advice_request.pk]))
    assert "hand_over_early" not in clinic_page.content.decode()
    assert client.get(f"{handover}?event=hand_over_early").status_code == 200


def test_a_question_not_about_the_course_has_no_handover_link(client_for, gp, patient, clinic):
    CourseFactory.create(patient=patient, clinic=clinic)
    client = client_for(gp)
    client.post(
        reverse("advice:create_for_patient", args=[patient.pk]),
        {"subject": "S", "question": "Q", "category": "other", "urgency": "routine"},
    )
    advice_request = AdviceRequest.objects.get()
    assert advice_request.course_id is None
    assert advice_request.snapshot["course"] is not None  # still part of the snapshot
    page = client.get(reverse("advice:detail", args=[advice_request.pk])).content.decode()
    assert "hand_over_early" not in page
