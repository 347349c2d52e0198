"""The knowledge base: written from an answered request, warned about patient data,
published only with a second clinician's approval, searchable by word and category."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from smertespor.advice.article_services import approve_article, submit_article
from smertespor.advice.models import Article
from smertespor.advice.tests.factories import (
    answered,
    ask,
    draft_article,
    published_article,
    submitted_article,
)
from smertespor.notifications.models import Notification

pytestmark = pytest.mark.django_db


def body_of(response):
    return response.content.decode()


def test_a_clinician_writes_a_draft_from_an_answered_request(client_for, gp, clinic_nurse):
    advice_request = answered(gp, clinic_nurse)
    client = client_for(clinic_nurse)
    page = client.get(reverse("advice:article_create", args=[advice_request.pk]))
    assert page.status_code == 200
    assert "Reduce by 10 % a month." in body_of(page)  # the thread, for reference

    response = client.post(
        reverse("advice:article_create", args=[advice_request.pk]),
        {"title": "Tapering oxycodone", "body": "Reduce slowly.", "category": "taper_strategy"},
    )

    article = Article.objects.get()
    assert response.status_code == 302
    assert article.status == Article.Status.DRAFT
    assert article.source_request == advice_request


def test_an_unanswered_request_cannot_become_an_article(client_for, gp, clinic_nurse):
    advice_request = ask(gp)
    response = client_for(clinic_nurse).get(
        reverse("advice:article_create", args=[advice_request.pk])
    )
    assert response.status_code == 403


def test_the_editor_warns_about_a_cpr_number_a_name_from_the_request_and_a_date(
    client_for, gp, patient, clinic_nurse
):
    advice_request = answered(gp, clinic_nurse, patient=patient)
    text = f"{patient.name.split()[0]} (120380-1234) was seen 12.03.2024 by {gp.last_name}."
    response = client_for(clinic_nurse).post(
        reverse("advice:article_check"),
        {"request_id": advice_request.pk, "title": "T", "body": text},
    )
    body = body_of(response)
    assert response.status_code == 200
    assert 'data-testid="deid-cpr"' in body
    assert 'data-testid="deid-date"' in body
    assert 'data-testid="deid-patient_name"' in body  # the patient's name now blocks
    assert body.count('data-testid="deid-name"') == 1
    assert "4 things in the text may identify a patient" in body


def test_a_clean_text_gets_a_clean_bill(client_for, gp, clinic_nurse):
    advice_request = answered(gp, clinic_nurse)
    response = client_for(clinic_nurse).post(
        reverse("advice:article_check"),
        {"request_id": advice_request.pk, "title": "Tapering", "body": "Reduce by 10 % a month."},
    )
    assert "No CPR numbers, names from the request or dates found." in body_of(response)


def test_submitting_a_text_with_warnings_needs_the_writers_confirmation(gp, patient, clinic_nurse):
    advice_request = answered(gp, clinic_nurse, patient=patient)
    article = draft_article(advice_request, clinic_nurse, body="Seen on 3. januar 2025.")
    with pytest.raises(ValidationError) as error:
        submit_article(article=article, by=clinic_nurse, source_request=advice_request)
    assert "warning" in error.value.messages[0]
    submitted = submit_article(
        article=article, by=clinic_nurse, warnings_checked=True, source_request=advice_request
    )
    assert submitted.status == Article.Status.AWAITING_APPROVAL
    assert submitted.warnings_checked


def test_publishing_needs_a_second_clinician(
    client_for, gp, practice_nurse, clinic_nurse, clinic_doctor
):
    advice_request = answered(gp, clinic_nurse)
    article = submitted_article(advice_request, clinic_nurse)
    assert Notification.objects.filter(
        recipient=clinic_doctor, kind="advice_article_submitted"
    ).exists()

    with pytest.raises(ValidationError):
        approve_article(article=article, by=clinic_nurse)
    approve = reverse("advice:article_approve", args=[article.pk])
    response = client_for(clinic_nurse).post(approve, {"version": article.version})
    assert response.status_code == 422  # as in the API
    assert "A second clinician must approve" in body_of(response)
    article.refresh_from_db()
    assert article.status == Article.Status.AWAITING_APPROVAL

    client_for(clinic_doctor).post(approve, {"version": article.version})

    article.refresh_from_db()
    assert article.is_published
    assert article.approved_by == clinic_doctor
    published = Notification.objects.filter(kind="advice_article_published")
    assert {n.recipient for n in published} >= {gp, practice_nurse}


def test_editing_a_submitted_article_sends_it_back_to_draft(
    client_for, gp, clinic_nurse, clinic_doctor
):
    article = submitted_article(answered(gp, clinic_nurse), clinic_nurse)
    client_for(clinic_doctor).post(
        reverse("advice:article_edit", args=[article.pk]),
        {
            "title": "Better title",
            "body": "Reduce slowly.",
            "category": "taper_strategy",
            "version": article.version,
        },
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.submitted_by is None
    with pytest.raises(ValidationError):
        approve_article(article=article, by=clinic_nurse)


def test_a_published_article_cannot_be_edited(client_for, gp, clinic_nurse, clinic_doctor):
    article = published_article(answered(gp, clinic_nurse), clinic_nurse, clinic_doctor)
    response = client_for(clinic_nurse).get(reverse("advice:article_edit", args=[article.pk]))
    assert response.status_code == 403


def test_general_practice_reads_only_published_articles(
    client_for, gp, other_gp, clinic_nurse, clinic_doctor
):
    advice_request = answered(gp, clinic_nurse)
    published = published_article(
        advice_request, clinic_nurse, clinic_doctor, title="Published one"
    )
    draft = draft_article(advice_request, clinic_nurse, title="Secret draft")
    client = client_for(other_gp)
    listing = body_of(client.get(reverse("advice:articles")))
    assert "Published one" in listing
    assert "Secret draft" not in listing
    assert client.get(reverse("advice:article_detail", args=[published.pk])).status_code == 200
    assert client.get(reverse("advice:article_detail", args=[draft.pk])).status_code == 404


def test_articles_are_searchable_by_word_and_category(client_for, gp, clinic_nurse, clinic_doctor):
    advice_request = answered(gp, clinic_nurse)
    published_article(
        advice_request,
        clinic_nurse,
        clinic_doctor,
        title="Methadone conversion",
        category="switching",
    )
    published_article(
        advice_request,
        clinic_nurse,
        clinic_doctor,
        title="Withdrawal in week two",
        category="withdrawal",
    )
    client = client_for(gp)
    by_word = body_of(client.get(reverse("advice:articles") + "?q=methadone"))
    assert "Methadone conversion" in by_word
    assert "Withdrawal in week two" not in by_word
    by_category = body_of(client.get(reverse("advice:articles") + "?category=withdrawal"))
    assert "Withdrawal in week two" in by_category
    assert "Methadone conversion" not in by_category
    nothing = body_of(client.get(reverse("advice:articles") + "?q=astrology"))
    assert 'data-testid="articles-empty"' in nothing


def test_an_article_shows_script_as_text(client_for, gp, clinic_nurse, clinic_doctor):
    article = published_article(
        answered(gp, clinic_nurse), clinic_nurse, clinic_doctor, body="<script>alert(1)</script>"
    )
    body = body_of(client_for(gp).get(reverse("advice:article_detail", args=[article.pk])))
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_planners_cannot_read_articles(client_for, planner):
    assert client_for(planner).get(reverse("advice:articles")).status_code == 403


@pytest.fixture(autouse=True)
def _english_messages():
    # These tests read the English source messages; the UI itself is Danish by default.
    with translation.override("en"):
        yield
