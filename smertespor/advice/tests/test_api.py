"""The advice API: the same rules as the pages, and 4xx (never 500) for bad input."""

import json

import pytest

from smertespor.advice.models import AdviceRequest, Article, Status
from smertespor.advice.tests.factories import answered, ask, submitted_article

pytestmark = pytest.mark.django_db


def call(client, method, url, body=None):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(url, **kwargs)


def test_a_gp_asks_about_a_patient_and_the_clinic_answers(
    client_for, gp, patient, clinic, clinic_nurse
):
    created = call(
        client_for(gp),
        "post",
        "/api/advice/requests",
        {
            "subject": "Taper",
            "question": "How fast?",
            "category": "taper_strategy",
            "patient_id": str(patient.pk),
        },
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    assert created.json()["patient_name"] == patient.name
    assert created.json()["snapshot"]["medication"]["available"] is True

    worklist = call(client_for(clinic_nurse), "get", "/api/advice/requests").json()
    assert [item["id"] for item in worklist["items"]] == [request_id]

    answer = call(
        client_for(clinic_nurse),
        "post",
        f"/api/advice/requests/{request_id}/messages",
        {"body": "Reduce by 10 % a month.", "kind": "answer"},
    )
    assert answer.status_code == 201
    closed = call(
        client_for(gp),
        "post",
        f"/api/advice/requests/{request_id}/close",
        {"outcome": "advice_sufficient"},
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == Status.CLOSED
    assert closed.json()["response_working_days"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"body": ""},
        {"body": "x" * 10_001},
        {},
        {"body": "ok", "kind": "gossip"},
    ],
)
def test_an_empty_over_long_or_malformed_message_is_422(client_for, gp, clinic_nurse, body):
    advice_request = ask(gp)
    response = call(
        client_for(clinic_nurse), "post", f"/api/advice/requests/{advice_request.pk}/messages", body
    )
    assert response.status_code == 422
    assert advice_request.messages.count() == 1


def test_a_blank_message_is_422_with_a_clear_reason(client_for, gp, clinic_nurse):
    advice_request = ask(gp)
    response = call(
        client_for(clinic_nurse),
        "post",
        f"/api/advice/requests/{advice_request.pk}/messages",
        {"body": "   "},
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "body"


def test_replying_to_a_closed_request_is_422(client_for, gp, clinic_nurse):
    advice_request = answered(gp, clinic_nurse)
    call(
        client_for(gp),
        "post",
        f"/api/advice/requests/{advice_request.pk}/close",
        {"outcome": "hospital_track"},
    )
    response = call(
        client_for(clinic_nurse),
        "post",
        f"/api/advice/requests/{advice_request.pk}/messages",
        {"body": "More"},
    )
    assert response.status_code == 422
    assert response.json()["status"] == 422
    assert "closed" in response.json()["errors"][0]["message"]


def test_another_practice_gets_404_and_no_data(client_for, gp, other_gp, patient, clinic):
    advice_request = ask(gp, patient=patient, subject="Private subject")
    for url in (
        f"/api/advice/requests/{advice_request.pk}",
        f"/api/advice/requests/{advice_request.pk}/messages",
    ):
        response = call(client_for(other_gp), "get", url)
        assert response.status_code == 404
        assert b"Private subject" not in response.content
        assert patient.name.encode() not in response.content
    listing = call(client_for(other_gp), "get", "/api/advice/requests").json()
    assert listing["count"] == 0


def test_planners_get_counts_only(client_for, planner, gp, clinic_nurse):
    answered(gp, clinic_nurse)
    assert call(client_for(planner), "get", "/api/advice/requests").status_code == 403
    counts = call(client_for(planner), "get", "/api/advice/counts")
    assert counts.status_code == 200
    assert counts.json()["total"] == 1
    assert counts.json()["answered"] == 1


def test_anonymous_callers_get_401(client, gp, clinic):
    advice_request = ask(gp)
    assert call(client, "get", f"/api/advice/requests/{advice_request.pk}").status_code == 401


def test_an_unknown_category_or_outcome_is_422(client_for, gp, clinic_nurse):
    bad = call(
        client_for(gp),
        "post",
        "/api/advice/requests",
        {"subject": "S", "question": "Q", "category": "astrology"},
    )
    assert bad.status_code == 422
    assert not AdviceRequest.objects.exists()
    advice_request = answered(gp, clinic_nurse)
    response = call(
        client_for(gp),
        "post",
        f"/api/advice/requests/{advice_request.pk}/close",
        {"outcome": "whatever"},
    )
    assert response.status_code == 422


def test_articles_through_the_api_need_a_second_clinician(
    client_for, gp, clinic_nurse, clinic_doctor
):
    advice_request = answered(gp, clinic_nurse)
    created = call(
        client_for(clinic_nurse),
        "post",
        f"/api/advice/requests/{advice_request.pk}/articles",
        {"title": "Seen 12.03.2024", "body": "Reduce slowly.", "category": "taper_strategy"},
    )
    assert created.status_code == 201
    assert [w["kind"] for w in created.json()["warnings"]] == ["date"]
    article_id = created.json()["id"]
    unconfirmed = call(
        client_for(clinic_nurse), "post", f"/api/advice/articles/{article_id}/submit", {}
    )
    assert unconfirmed.status_code == 422
    call(
        client_for(clinic_nurse),
        "post",
        f"/api/advice/articles/{article_id}/submit",
        {"warnings_checked": True},
    )
    same = call(client_for(clinic_nurse), "post", f"/api/advice/articles/{article_id}/approve")
    assert same.status_code == 422
    approved = call(client_for(clinic_doctor), "post", f"/api/advice/articles/{article_id}/approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == Article.Status.PUBLISHED
    found = call(client_for(gp), "get", "/api/advice/articles?q=slowly").json()
    assert [item["id"] for item in found["items"]] == [article_id]


def test_a_gp_cannot_approve_or_read_a_draft(client_for, gp, clinic_nurse):
    article = submitted_article(answered(gp, clinic_nurse), clinic_nurse)
    assert (
        call(client_for(gp), "post", f"/api/advice/articles/{article.pk}/approve").status_code
        == 403
    )
    assert call(client_for(gp), "get", f"/api/advice/articles/{article.pk}").status_code == 404
