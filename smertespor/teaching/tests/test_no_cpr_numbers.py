"""Teaching texts are read by every invited practice: a CPR number in them is refused (issue
12, "de-identification that blocks"), on the page and in the API, with the field."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from smertespor.teaching.material_services import add_material_link
from smertespor.teaching.models import Feedback, SessionMaterial, TeachingSession
from smertespor.teaching.services import give_feedback, update_teaching_session

pytestmark = pytest.mark.django_db
CPR = "120380-1234"


def _session_body(**overrides):
    start = timezone.now() + timedelta(days=20)
    body = {
        "title": "Alternativer til opioider",
        "topics": ["alternatives"],
        "audience": ["gps"],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=120)).isoformat(),
        "location": "Silkeborg",
        "capacity": 30,
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("field", ["title", "description", "location", "external_teachers"])
def test_the_api_refuses_a_cpr_number_in_a_session_text(client_for, clinic_nurse, field):
    response = client_for(clinic_nurse).post(
        "/api/teaching/sessions",
        data=json.dumps(_session_body(**{field: f"Case {CPR}"})),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert (field, "cpr_number") in {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert not TeachingSession.objects.exists()


def test_the_page_refuses_a_cpr_number_in_a_session_title(client_for, clinic_nurse, settings):
    client = client_for(clinic_nurse)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    response = client.post(
        reverse("teaching:create"),
        {
            "title": "Casen 0101011234",
            "description": "",
            "topics": ["withdrawal"],
            "audience": ["gps"],
            "date": "2030-03-12",
            "start_time": "15:00",
            "end_time": "16:30",
            "location": "Silkeborg",
            "online_url": "",
            "capacity": "25",
            "external_teachers": "",
            "repeat": "",
            "occurrences": "1",
        },
    )
    assert response.status_code == 422
    assert "CPR-nummer" in response.content.decode()
    assert not TeachingSession.objects.exists()


def test_changing_a_session_description_to_a_cpr_number_is_refused(clinic_nurse, upcoming_session):
    with pytest.raises(ValidationError) as error:
        update_teaching_session(
            by=clinic_nurse, session=upcoming_session, description=f"Patient {CPR}"
        )
    assert "description" in error.value.error_dict
    upcoming_session.refresh_from_db()
    assert CPR not in upcoming_session.description


def test_a_material_title_with_a_cpr_number_is_refused(clinic_nurse, upcoming_session):
    with pytest.raises(ValidationError) as error:
        add_material_link(
            by=clinic_nurse, session=upcoming_session, title=CPR, url="https://example.org/a"
        )
    assert [e.code for e in error.value.error_dict["title"]] == ["cpr_number"]
    assert not SessionMaterial.objects.exists()


def test_a_feedback_comment_with_a_cpr_number_is_refused(gp, past_session):
    with pytest.raises(ValidationError) as error:
        give_feedback(by=gp, session=past_session, rating=4, comment=f"Min patient {CPR}")
    assert [e.code for e in error.value.error_dict["comment"]] == ["cpr_number"]
    assert not Feedback.objects.exists()
