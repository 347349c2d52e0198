"""Knowledge-base articles: two editors do not overwrite each other, and nobody approves a
text that changed since they read it (a stale write is 409 and changes nothing)."""

import json

import pytest
from django.urls import reverse

from smertespor.advice.article_services import approve_article, submit_article, update_article
from smertespor.advice.models import Article
from smertespor.advice.tests.factories import answered, draft_article, submitted_article
from smertespor.versions import StaleVersion

pytestmark = pytest.mark.django_db


def _opened(client, article):
    response = client.get(reverse("advice:article_edit", args=[article.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    return {name: form[name].value() for name in form.fields}


def test_a_stale_article_edit_is_refused_with_409_and_shows_the_other_text(
    client_for, gp, clinic_nurse, clinic_doctor
):
    article = draft_article(answered(gp, clinic_nurse), clinic_nurse)
    url = reverse("advice:article_edit", args=[article.pk])
    first, second = client_for(clinic_nurse), client_for(clinic_doctor)
    opened_first, opened_second = _opened(first, article), _opened(second, article)

    assert first.post(url, {**opened_first, "title": "Nurse's title"}).status_code == 302
    refused = second.post(url, {**opened_second, "body": "Doctor's text."})

    assert refused.status_code == 409
    article.refresh_from_db()
    assert (article.title, article.version) == ("Nurse's title", 2)
    assert article.body != "Doctor's text."
    form = refused.context["form"]
    labels = {change.label: change.current for change in form.stale_changes}
    assert labels[str(form.fields["title"].label)] == "Nurse's title"
    assert form["body"].value() == "Doctor's text."
    assert 'name="version" value="2"' in refused.content.decode()


def test_an_article_changed_since_the_approver_read_it_is_not_published(
    client_for, gp, clinic_nurse, clinic_doctor
):
    advice_request = answered(gp, clinic_nurse)
    article = submitted_article(advice_request, clinic_nurse)
    read_at = article.version
    # The writer changes the text and submits it again while the approver reads the old one.
    changed = update_article(
        article=article,
        by=clinic_nurse,
        title=article.title,
        body="A new text.",
        category=article.category,
        expected_version=read_at,
    )
    submit_article(article=changed, by=clinic_nurse, source_request=advice_request)

    refused = client_for(clinic_doctor).post(
        reverse("advice:article_approve", args=[article.pk]), {"version": read_at}
    )

    assert refused.status_code == 409
    article.refresh_from_db()
    assert article.status == Article.Status.AWAITING_APPROVAL
    assert "A new text." in refused.content.decode()  # the text as it is now, to read first
    assert f'name="version" value="{article.version}"' in refused.content.decode()
    api = client_for(clinic_doctor).post(
        f"/api/advice/articles/{article.pk}/approve",
        content_type="application/json",
        headers={"If-Match": f'"{read_at}"'},
    )
    assert api.status_code == 409
    article.refresh_from_db()
    assert not article.is_published


def test_the_article_s_etag_round_trips_and_a_patch_without_if_match_is_428(
    client_for, gp, clinic_nurse
):
    article = draft_article(answered(gp, clinic_nurse), clinic_nurse)
    client = client_for(clinic_nurse)
    path = f"/api/advice/articles/{article.pk}"
    body = json.dumps({"title": "T", "body": "Reduce slowly.", "category": "taper_strategy"})
    assert client.patch(path, body, "application/json").status_code == 428
    tag = client.get(path)["ETag"]
    assert tag == '"1"'
    patched = client.patch(path, body, "application/json", headers={"If-Match": tag})
    assert patched.status_code == 200
    assert patched["ETag"] == '"2"' == f'"{patched.json()["version"]}"'
    again = client.patch(path, body, "application/json", headers={"If-Match": tag})
    assert again.status_code == 409
    assert client.get(path)["ETag"] == '"2"'


def test_every_article_write_raises_the_version_by_one(gp, clinic_nurse, clinic_doctor):
    advice_request = answered(gp, clinic_nurse)
    article = draft_article(advice_request, clinic_nurse)
    assert article.version == 1
    article = update_article(
        article=article,
        by=clinic_nurse,
        title="T",
        body="B",
        category="taper_strategy",
        expected_version=1,
    )
    assert article.version == 2
    article = submit_article(
        article=article, by=clinic_nurse, source_request=advice_request, expected_version=2
    )
    assert article.version == 3
    with pytest.raises(StaleVersion):
        approve_article(article=article, by=clinic_doctor, expected_version=2)
    article = approve_article(article=article, by=clinic_doctor, expected_version=3)
    assert article.version == Article.objects.get(pk=article.pk).version == 4


def test_a_reply_written_on_a_stale_page_is_refused_and_kept_to_send_again(
    client_for, gp, clinic_nurse
):
    from smertespor.advice.models import AdviceMessage
    from smertespor.advice.services import reply_to_advice_request
    from smertespor.advice.tests.factories import ask

    advice_request = ask(gp)
    opened_at = advice_request.version
    # The clinic answers while the GP is writing a follow-up on the page opened before.
    reply_to_advice_request(
        advice_request=advice_request, by=clinic_nurse, body="Reduce slowly.", kind="answer"
    )
    messages = AdviceMessage.objects.count()

    refused = client_for(gp).post(
        reverse("advice:reply", args=[advice_request.pk]),
        {"body": "Also: which dose?", "version": opened_at},
    )

    assert refused.status_code == 409
    assert AdviceMessage.objects.count() == messages
    body = refused.content.decode()
    assert "Reduce slowly." in body  # the thread as it is now
    assert "Also: which dose?" in body  # the text, to send again
    advice_request.refresh_from_db()
    assert f'name="version" value="{advice_request.version}"' in body


def test_a_stale_close_or_assign_is_409_on_the_page_and_in_the_api(
    client_for, gp, clinic_nurse, clinic_doctor
):
    from smertespor.advice.models import AdviceRequest
    from smertespor.advice.services import reply_to_advice_request

    advice_request = answered(gp, clinic_nurse)
    stale = advice_request.version
    reply_to_advice_request(
        advice_request=advice_request, by=clinic_nurse, body="One more thing.", kind="answer"
    )
    closed = client_for(gp).post(
        reverse("advice:close", args=[advice_request.pk]),
        {"outcome": "advice_sufficient", "version": stale},
    )
    assigned = client_for(clinic_doctor).post(
        f"/api/advice/requests/{advice_request.pk}/assign",
        json.dumps({"user_id": clinic_doctor.pk}),
        "application/json",
        headers={"If-Match": f'"{stale}"'},
    )
    assert (closed.status_code, assigned.status_code) == (409, 409)
    stored = AdviceRequest.objects.get(pk=advice_request.pk)
    assert (stored.is_closed, stored.assigned_to) == (False, clinic_nurse)
    tag = client_for(gp).get(f"/api/advice/requests/{advice_request.pk}")["ETag"]
    assert tag == f'"{stored.version}"'
    done = client_for(gp).post(
        f"/api/advice/requests/{advice_request.pk}/close",
        json.dumps({"outcome": "advice_sufficient"}),
        "application/json",
        headers={"If-Match": tag},
    )
    assert done.status_code == 200
    assert done["ETag"] == f'"{stored.version + 1}"'
