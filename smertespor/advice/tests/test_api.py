"""The advice API: the same rules as the pages, and 4xx (never 500) for bad input."""

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from smertespor.advice.models import AdviceAttachment, AdviceRequest, Article, Status
from smertespor.advice.tests.factories import answered, ask, submitted_article
from smertespor.notifications.models import Notification
from smertespor.patients.models import CareRelation
from tests.factories import ClinicFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


def call(client, method, url, body=None, version=None):
    """`version`: the record's version the write names in If-Match; a write to an advice
    request names the request's version as it is now (test_versions.py is about stale ones).
    """
    kwargs: dict[str, Any] = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    found = re.search(r"/api/advice/requests/(\d+)/(messages|assign|close)$", url)
    if version is None and found and AdviceRequest.objects.filter(pk=found.group(1)).exists():
        version = AdviceRequest.objects.get(pk=found.group(1)).version
    if version is not None:
        kwargs["headers"] = {"If-Match": f'"{version}"'}
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
    assert created.json()["version"] == 1
    unconfirmed = call(
        client_for(clinic_nurse), "post", f"/api/advice/articles/{article_id}/submit", {}, 1
    )
    assert unconfirmed.status_code == 422
    submitted = call(
        client_for(clinic_nurse),
        "post",
        f"/api/advice/articles/{article_id}/submit",
        {"warnings_checked": True},
        1,
    )
    assert submitted["ETag"] == '"2"'
    approve = f"/api/advice/articles/{article_id}/approve"
    same = call(client_for(clinic_nurse), "post", approve, None, 2)
    assert same.status_code == 422
    approved = call(client_for(clinic_doctor), "post", approve, None, 2)
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


# --- errors are problems; a refused role sees no patient ---------------------------------


def test_a_role_that_may_not_ask_is_refused_without_patient_data(
    client_for, planner, clinic_nurse, gp, patient
):
    ask(gp, patient=patient, subject="About the patient")
    body = {"subject": "S", "question": "Q", "category": "other", "patient_id": str(patient.pk)}
    for user in (planner, clinic_nurse):
        response = call(client_for(user), "post", "/api/advice/requests", body)
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/problem+json")
        assert patient.name.encode() not in response.content
        assert patient.cpr[:6].encode() not in response.content
    assert AdviceRequest.objects.count() == 1


def test_only_the_listed_practice_asks_about_a_patient(
    client_for, other_gp, patient, clinic, other_practice
):
    # The other practice treats the patient (an open care relation) but is not their practice.
    CareRelation.objects.create(
        patient=patient, organisation=other_practice, reason="course", opened_at=timezone.now()
    )
    response = call(
        client_for(other_gp),
        "post",
        "/api/advice/requests",
        {"subject": "S", "question": "Q", "category": "other", "patient_id": str(patient.pk)},
    )
    assert response.status_code == 403
    assert patient.name.encode() not in response.content
    assert not AdviceRequest.objects.exists()


def test_an_unknown_pain_clinic_is_refused_on_its_field(client_for, gp, clinic):
    response = call(
        client_for(gp),
        "post",
        "/api/advice/requests",
        {"subject": "S", "question": "Q", "category": "other", "clinic_id": 999_999},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["clinic_id"]


# --- attachments through the API ------------------------------------------------------------


def test_a_gp_asks_with_attachments_in_a_multipart_form(client_for, gp, clinic, clinic_nurse):
    response = client_for(gp).post(
        "/api/advice/requests",
        {
            "subject": "With a letter",
            "question": "See the letter.",
            "category": "other",
            "attachments": [
                SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("scan.png", PNG, content_type="image/png"),
            ],
        },
    )
    assert response.status_code == 201, response.content
    [question] = response.json()["messages"]
    assert [a["content_type"] for a in question["attachments"]] == [
        "application/pdf",
        "image/png",
    ]
    download = client_for(clinic_nurse).get(question["attachments"][0]["url"])
    assert b"".join(download.streaming_content) == PDF


def test_the_clinic_replies_with_an_attachment(client_for, gp, clinic_nurse):
    advice_request = ask(gp)
    response = client_for(clinic_nurse).post(
        f"/api/advice/requests/{advice_request.pk}/messages",
        {
            "body": "See the plan.",
            "kind": "answer",
            "by_telephone": "false",
            "attachments": [SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")],
        },
        headers={"If-Match": f'"{advice_request.version}"'},
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "answer"
    assert [a["name"] for a in response.json()["attachments"]] == ["plan.pdf"]


def test_a_file_that_is_not_a_pdf_or_image_refuses_the_message_by_its_content(
    client_for, gp, clinic
):
    response = client_for(gp).post(
        "/api/advice/requests",
        {
            "subject": "S",
            "question": "Q",
            "category": "other",
            "attachments": [SimpleUploadedFile("letter.pdf", b"<html></html>", "application/pdf")],
        },
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "attachments"
    assert "letter.pdf is not a PDF or an image" in error["message"]
    assert not AdviceRequest.objects.exists()
    assert not AdviceAttachment.objects.exists()


def test_a_multipart_form_is_checked_like_json(client_for, gp, clinic):
    response = client_for(gp).post(
        "/api/advice/requests", {"subject": "S", "category": "astrology"}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"question", "category"}


# --- telephone advice -----------------------------------------------------------------------


def telephone(practice_id, body=None):
    return f"/api/advice/practices/{practice_id}/telephone", {
        "subject": "Phone call about tramadol",
        "question": "Can tramadol be swapped for morphine?",
        "advice": "Yes, with the conversion from the table.",
        "category": "switching",
        **(body or {}),
    }


def test_the_clinic_records_telephone_advice_through_the_api(
    client_for, gp, practice, clinic_nurse
):
    url, body = telephone(practice.pk, {"asked_by_id": gp.pk})
    response = call(client_for(clinic_nurse), "post", url, body)
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "telephone"
    assert response.json()["status"] == "answered"
    assert [m["side"] for m in response.json()["messages"]] == ["practice", "clinic"]
    assert Notification.objects.filter(recipient=gp, kind="advice_answered").exists()


def test_telephone_advice_refuses_a_caller_from_another_practice_as_the_page_does(
    client_for, other_gp, practice, clinic_nurse
):
    url, body = telephone(practice.pk, {"asked_by_id": other_gp.pk})
    response = call(client_for(clinic_nurse), "post", url, body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "asked_by_id",
            "code": "invalid_choice",
            "message": "The caller works at another practice.",
        }
    ]
    assert not AdviceRequest.objects.exists()


def test_only_the_clinic_records_telephone_advice(client_for, gp, practice, patient):
    url, body = telephone(practice.pk)
    response = call(client_for(gp), "post", url, body)
    assert response.status_code == 403
    assert patient.name.encode() not in response.content
    assert not AdviceRequest.objects.exists()


def test_telephone_advice_for_an_unknown_practice_is_not_found(client_for, clinic_nurse):
    response = call(client_for(clinic_nurse), "post", *telephone(999_999))
    assert response.status_code == 404


# --- counts and the article check ------------------------------------------------------------


def test_the_clinic_counts_its_own_requests_and_planners_all_on_both_doors(
    client_for, gp, clinic, clinic_nurse, planner
):
    ask(gp, clinic=clinic)
    ask(gp, clinic=ClinicFactory.create())
    assert call(client_for(clinic_nurse), "get", "/api/advice/counts").json()["total"] == 1
    assert call(client_for(planner), "get", "/api/advice/counts").json()["total"] == 2
    page = client_for(clinic_nurse).get(reverse("advice:counts")).content.decode()
    assert 'data-testid="count-total">1<' in page


def test_the_article_check_names_what_may_identify_the_patient(
    client_for, gp, patient, clinic_nurse
):
    advice_request = answered(gp, clinic_nurse, patient=patient)
    response = call(
        client_for(clinic_nurse),
        "post",
        "/api/advice/articles/check",
        {"body": f"{patient.name} was seen 12.03.2024.", "request_id": advice_request.pk},
    )
    assert response.status_code == 200
    assert {w["kind"] for w in response.json()} == {"patient_name", "date"}
    assert call(client_for(gp), "post", "/api/advice/articles/check", {}).status_code == 403
