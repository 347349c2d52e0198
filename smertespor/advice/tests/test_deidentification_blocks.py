"""A CPR number or the patient's name never reaches the knowledge base or an advice subject.

Found in issue 12: the de-identification check flagged them, but one "I have reviewed all
warnings" tick let the article through, a second clinician approved, and every GP in the
region read it; advice subjects accepted a name and a CPR number although the help text said
not to. They are now hard errors (422 with the field) on the page and in the API; dates and
other names stay warnings the writer may acknowledge.
"""

import json
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from smertespor.advice.article_services import approve_article, submit_article
from smertespor.advice.models import AdviceRequest, Article
from smertespor.advice.services import record_telephone_advice
from smertespor.advice.tests.factories import answered, ask, draft_article
from smertespor.notifications.models import Notification

pytestmark = pytest.mark.django_db
CPR = "120380-1234"  # fails modulus 11: still a CPR number


def call(client, method, url, body=None):
    """A write names the record's current version in If-Match (stale writes are tested in
    test_versions.py): these tests are about what the text may hold."""
    kwargs: dict[str, Any] = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    record: Article | AdviceRequest | None = None
    if found := re.search(r"/api/advice/articles/(\d+)(/|$)", url):
        record = Article.objects.filter(pk=found.group(1)).first()
    elif found := re.search(r"/api/advice/requests/(\d+)/(messages|assign|close)$", url):
        record = AdviceRequest.objects.filter(pk=found.group(1)).first()
    if record is not None and method != "get":
        kwargs["headers"] = {"If-Match": f'"{record.version}"'}
    return getattr(client, method)(url, **kwargs)


def danish(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    return client


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


# Articles --------------------------------------------------------------------------------


def test_a_cpr_number_blocks_submitting_even_with_the_warnings_ticked(gp, patient, clinic_nurse):
    advice_request = answered(gp, clinic_nurse, patient=patient)
    article = draft_article(advice_request, clinic_nurse, body=f"Patient {CPR} tapered well.")
    with pytest.raises(ValidationError) as error:
        submit_article(
            article=article, by=clinic_nurse, warnings_checked=True, source_request=advice_request
        )
    assert codes(error.value) == {"body": ["cpr_number"]}
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_a_cpr_number_blocks_an_article_without_a_known_patient(gp, clinic_nurse):
    article = draft_article(answered(gp, clinic_nurse), clinic_nurse, title="Sagen 0101011234")
    with pytest.raises(ValidationError) as error:
        submit_article(article=article, by=clinic_nurse, warnings_checked=True)
    assert codes(error.value) == {"title": ["cpr_number"]}


def test_the_patients_name_blocks_submitting(gp, patient, clinic_nurse):
    advice_request = answered(gp, clinic_nurse, patient=patient)
    article = draft_article(advice_request, clinic_nurse, title="Fru Testesen og oxycodon")
    with pytest.raises(ValidationError) as error:
        submit_article(
            article=article, by=clinic_nurse, warnings_checked=True, source_request=advice_request
        )
    assert codes(error.value) == {"title": ["patient_name"]}


def test_dates_and_the_clinicians_names_can_still_be_acknowledged(gp, patient, clinic_nurse):
    advice_request = answered(gp, clinic_nurse, patient=patient)
    article = draft_article(
        advice_request, clinic_nurse, body=f"Set 12.03.2024; spørg {gp.last_name}."
    )
    submitted = submit_article(
        article=article, by=clinic_nurse, warnings_checked=True, source_request=advice_request
    )
    assert submitted.status == Article.Status.AWAITING_APPROVAL


def _awaiting_with(advice_request, writer, body):
    """An article that was submitted before the rule (or whose text the check missed then)."""
    article = draft_article(advice_request, writer)
    article = submit_article(article=article, by=writer, source_request=advice_request)
    Article.objects.filter(pk=article.pk).update(body=body)
    article.refresh_from_db()
    return article


def test_approving_an_article_with_a_cpr_number_is_refused(
    settings, client_for, gp, patient, clinic_nurse, clinic_doctor
):
    advice_request = answered(gp, clinic_nurse, patient=patient)
    article = _awaiting_with(advice_request, clinic_nurse, f"CPR {CPR}.")
    with pytest.raises(ValidationError) as error:
        approve_article(article=article, by=clinic_doctor, source_request=advice_request)
    assert codes(error.value) == {"body": ["cpr_number"]}

    response = danish(client_for(clinic_doctor), settings).post(
        reverse("advice:article_approve", args=[article.pk])
    )
    assert response.status_code == 422
    assert "CPR-nummer" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.AWAITING_APPROVAL
    assert not Notification.objects.filter(kind="advice_article_published").exists()


def test_approving_an_article_with_the_patients_name_is_refused_in_the_api(
    client_for, gp, patient, clinic_nurse, clinic_doctor
):
    advice_request = answered(gp, clinic_nurse, patient=patient)
    article = _awaiting_with(advice_request, clinic_nurse, "Birthe Testesen tapered well.")
    response = call(client_for(clinic_doctor), "post", f"/api/advice/articles/{article.pk}/approve")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("body", "patient_name")
    ]
    article.refresh_from_db()
    assert article.status == Article.Status.AWAITING_APPROVAL


def test_the_api_refuses_submitting_a_cpr_number_with_the_field(client_for, gp, clinic_nurse):
    article = draft_article(answered(gp, clinic_nurse), clinic_nurse, body=f"Se {CPR}.")
    response = call(
        client_for(clinic_nurse),
        "post",
        f"/api/advice/articles/{article.pk}/submit",
        {"warnings_checked": True},
    )
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("body", "cpr_number")]
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_the_submit_page_refuses_a_cpr_number_in_danish(settings, client_for, gp, clinic_nurse):
    article = draft_article(answered(gp, clinic_nurse), clinic_nurse, body=f"Se {CPR}.")
    response = danish(client_for(clinic_nurse), settings).post(
        reverse("advice:article_submit", args=[article.pk]), {"warnings_checked": "on"}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "CPR-nummer" in page
    assert 'data-testid="deid-blocking"' in page
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_the_check_marks_what_blocks(client_for, gp, patient, clinic_nurse):
    advice_request = answered(gp, clinic_nurse, patient=patient)
    response = call(
        client_for(clinic_nurse),
        "post",
        "/api/advice/articles/check",
        {"body": f"Birthe Testesen {CPR} 12.03.2024", "request_id": advice_request.pk},
    )
    assert [(w["kind"], w["blocking"]) for w in response.json()] == [
        ("patient_name", True),
        ("cpr", True),
        ("date", False),
    ]


# Advice subjects -------------------------------------------------------------------------


def test_an_advice_subject_with_a_cpr_number_is_refused(gp):
    with pytest.raises(ValidationError) as error:
        ask(gp, subject=f"Spørgsmål om {CPR}")
    assert codes(error.value) == {"subject": ["cpr_number"]}
    assert not AdviceRequest.objects.exists()


def test_an_advice_subject_with_the_patients_name_is_refused_on_the_page(
    settings, client_for, gp, patient
):
    response = danish(client_for(gp), settings).post(
        reverse("advice:create_for_patient", args=[patient.pk]),
        {
            "subject": "Birthe Testesens aftrapning",
            "question": "How fast?",
            "category": "taper_strategy",
            "urgency": "routine",
        },
    )
    assert response.status_code == 422
    assert "patientens navn" in response.content.decode()
    assert not AdviceRequest.objects.exists()


def test_the_api_refuses_a_cpr_number_in_a_subject(client_for, gp, patient):
    response = call(
        client_for(gp),
        "post",
        "/api/advice/requests",
        {
            "subject": f"CPR {CPR.replace('-', '')}",
            "question": "How fast?",
            "category": "taper_strategy",
            "patient_id": str(patient.pk),
        },
    )
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("subject", "cpr_number")
    ]


def test_a_telephone_advice_subject_with_a_cpr_number_is_refused(gp, practice, clinic_nurse):
    with pytest.raises(ValidationError) as error:
        record_telephone_advice(
            by=clinic_nurse,
            practice=practice,
            subject=f"Opkald om {CPR}",
            question="How fast?",
            advice="Slowly.",
            category="taper_strategy",
        )
    assert codes(error.value) == {"subject": ["cpr_number"]}


def test_a_closing_note_with_a_cpr_number_is_refused(client_for, gp, clinic_nurse):
    advice_request = answered(gp, clinic_nurse)
    response = call(
        client_for(gp),
        "post",
        f"/api/advice/requests/{advice_request.pk}/close",
        {"outcome": "advice_sufficient", "note": f"Husk {CPR}"},
    )
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("outcome_note", "cpr_number")
    ]
