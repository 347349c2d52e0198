"""Versions of the referral criteria: the shipped file is the first, an administrator
publishes new ones (checked whole, nothing saved on error, a repeated version refused,
audited), referrals are judged on the newest and a sent referral keeps its own."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from domain.referral_criteria import shipped_criteria_text
from smertespor.audit.models import AuditEvent
from smertespor.referrals.criteria import publish_criteria_version
from smertespor.referrals.forms import ReferralForm
from smertespor.referrals.models import CriteriaVersion
from smertespor.referrals.services import checklist_of
from smertespor.referrals.tests.factories import ALL_MET, draft, sent

pytestmark = pytest.mark.django_db
JSON = "application/json"
SHIPPED = "2026-1"
WITHOUT_TAKE_BACK = {code: given for code, given in ALL_MET.items() if code != "gp_takes_back"}


def new_version(version="2027-1"):
    """The shipped file with another version: a year of pain, and the GP no longer asked to
    take the patient back."""
    text = shipped_criteria_text().replace(f'version = "{SHIPPED}"', f'version = "{version}"')
    text = text.replace("minimum_pain_months = 6", "minimum_pain_months = 12")
    head, _sep, _last = text.rpartition("[[criteria]]")
    return head


BROKEN = """version = "2027-2"
source = "Test"

[settings]
minimum_pain_months = 0

[[criteria]]
code = "Chronic pain"
kind = "forever"
en = "Chronic pain"

[[criteria]]
code = "complex"
kind = "any_of"
en = "Complex"
da = "Kompleks"
"""


def publish_page(client_for, user, **data):
    return client_for(user).post(reverse("referrals:criteria_publish"), data)


def test_the_shipped_file_is_the_first_version():
    stored = CriteriaVersion.objects.get()
    assert stored.version == SHIPPED
    assert stored.origin == CriteriaVersion.Origin.BUILTIN
    assert stored.published_by is None
    assert stored.definition.minimum_pain_months == 6


def test_an_administrator_publishes_a_new_version(client_for, admin_user):
    response = publish_page(client_for, admin_user, text=new_version(), note="Et år")
    stored = CriteriaVersion.objects.get(version="2027-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:criteria_version", args=[stored.pk])
    assert stored.published_by == admin_user
    assert stored.origin == CriteriaVersion.Origin.PUBLISHED
    assert stored.note == "Et år"
    assert stored.definition.minimum_pain_months == 12
    assert AuditEvent.objects.filter(
        user=admin_user, object_type="referral_criteria_version", object_id=str(stored.pk)
    ).exists()
    page = client_for(admin_user).get(reverse("referrals:criteria_versions"))
    assert "2027-1" in page.content.decode()


def test_an_uploaded_file_is_published(client_for, admin_user):
    upload = SimpleUploadedFile("kriterier.toml", new_version("2027-3").encode(), "text/plain")
    response = publish_page(client_for, admin_user, text="", upload=upload)
    assert response.status_code == 302
    assert CriteriaVersion.objects.filter(version="2027-3").exists()


def test_a_broken_file_is_refused_whole_with_every_problem(client_for, admin_user):
    response = publish_page(client_for, admin_user, text=BROKEN)
    assert response.status_code == 422
    errors = response.context["form"].errors["text"]
    text = " ".join(errors)
    assert "settings.minimum_pain_months" in text
    assert "criteria[0].kind" in text
    assert "criteria[0].code" in text
    assert "criteria[0].da" in text
    assert "criteria[1].options" in text
    assert len(errors) >= 5
    assert CriteriaVersion.objects.count() == 1
    assert not AuditEvent.objects.filter(object_type="referral_criteria_version").exists()


def test_the_problems_are_worded_in_danish(client_for, admin_user):
    response = publish_page(client_for, admin_user, text="version = ")
    assert response.status_code == 422
    assert "filen er ikke gyldig TOML" in response.content.decode()


def test_a_repeated_version_is_refused(client_for, admin_user):
    response = publish_page(client_for, admin_user, text=shipped_criteria_text())
    assert response.status_code == 422
    assert "2026-1" in " ".join(response.context["form"].errors["text"])
    assert CriteriaVersion.objects.count() == 1


def test_an_empty_file_is_refused(client_for, admin_user):
    response = publish_page(client_for, admin_user, text="  ")
    assert response.status_code == 422
    assert CriteriaVersion.objects.count() == 1


def test_a_referral_keeps_the_version_it_was_judged_on(
    client_for, admin_user, gp, patient, centre, centre_doctor
):
    before = sent(gp, patient, centre)
    first = CriteriaVersion.objects.get(version=SHIPPED)
    assert before.criteria_definition == first
    assert before.criteria_version == SHIPPED

    newer = publish_criteria_version(by=admin_user, text=new_version())
    after = sent(gp, patient, centre, criteria=WITHOUT_TAKE_BACK)
    assert after.criteria_definition == newer
    assert after.criteria_version == "2027-1"
    assert "gp_takes_back" not in [row["code"] for row in after.criteria_result]

    before.refresh_from_db()
    assert before.criteria_definition == first
    assert "gp_takes_back" in [row["code"] for row in before.criteria_result]
    assert checklist_of(before).version == SHIPPED  # judged again on its own version

    # The clinicians see which version each was judged on.
    centre_api = client_for(centre_doctor)
    old = centre_api.get(f"/api/referrals/{before.pk}").json()
    new = centre_api.get(f"/api/referrals/{after.pk}").json()
    assert (old["criteria_version"], old["criteria_version_id"]) == (SHIPPED, first.pk)
    assert (new["criteria_version"], new["criteria_version_id"]) == ("2027-1", newer.pk)
    page = centre_api.get(reverse("referrals:detail", args=[before.pk])).content.decode()
    assert SHIPPED in page
    assert "Lægen indvilliger i at overtage patienten efter forløbet" in page


def test_a_draft_opened_after_a_publication_shows_the_new_criteria(
    client_for, admin_user, gp, patient, centre
):
    referral = draft(gp, patient, centre)
    assert "gp_takes_back" in [r.code for r in checklist_of(referral).results]
    publish_criteria_version(by=admin_user, text=new_version())
    referral.refresh_from_db()
    checklist = checklist_of(referral)
    assert checklist.version == "2027-1"
    assert "gp_takes_back" not in [r.code for r in checklist.results]
    assert "crit_gp_takes_back" not in ReferralForm(user=gp, referral=referral).fields
    page = client_for(gp).get(reverse("referrals:edit", args=[referral.pk]))
    assert page.status_code == 200
    assert "Lægen indvilliger" not in page.content.decode()
    assert referral.criteria_definition is None


@pytest.mark.parametrize(
    "persona", ["gp", "practice_nurse", "centre_doctor", "centre_secretary", "planner"]
)
def test_only_an_administrator_publishes(request, client_for, persona):
    user = request.getfixturevalue(persona)
    page = client_for(user).get(reverse("referrals:criteria_publish"))
    assert page.status_code == 403
    posted = publish_page(client_for, user, text=new_version())
    assert posted.status_code == 403
    api = client_for(user).post(
        "/api/referrals/criteria/versions",
        json.dumps({"text": new_version()}),
        content_type=JSON,
    )
    assert api.status_code == 403
    assert CriteriaVersion.objects.count() == 1


@pytest.mark.parametrize("persona", ["gp", "practice_nurse", "centre_doctor", "centre_secretary"])
def test_clinicians_and_clinic_staff_do_not_list_the_versions(request, client_for, persona):
    user = request.getfixturevalue(persona)
    stored = CriteriaVersion.objects.get()
    http = client_for(user)
    assert http.get(reverse("referrals:criteria_versions")).status_code == 403
    assert http.get(reverse("referrals:criteria_version", args=[stored.pk])).status_code == 403
    assert http.get("/api/referrals/criteria/versions").status_code == 403


def test_planners_list_the_versions_and_read_one(client_for, planner, centre_doctor):
    stored = CriteriaVersion.objects.get()
    http = client_for(planner)
    figures = reverse("referrals:counts")
    assert 'data-testid="criteria-versions"' in http.get(figures).content.decode()
    assert 'data-testid="criteria-versions"' not in (
        client_for(centre_doctor).get(figures).content.decode()
    )
    listing = http.get(reverse("referrals:criteria_versions"))
    assert listing.status_code == 200
    assert 'data-testid="publish"' not in listing.content.decode()
    one = http.get(reverse("referrals:criteria_version", args=[stored.pk]))
    assert one.status_code == 200
    assert "Færdigudredt" in one.content.decode()


def test_the_api_lists_and_publishes(client_for, admin_user, planner):
    admin_api = client_for(admin_user)
    created = admin_api.post(
        "/api/referrals/criteria/versions",
        json.dumps({"text": new_version(), "note": "Et år"}),
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["version"] == "2027-1"
    assert body["minimum_pain_months"] == 12
    assert body["is_current"] is True
    assert body["published_by"]

    listed = client_for(planner).get("/api/referrals/criteria/versions").json()
    assert [v["version"] for v in listed] == ["2027-1", SHIPPED]
    assert [v["is_current"] for v in listed] == [True, False]
    assert client_for(planner).get("/api/referrals/criteria").status_code == 403

    duplicate = admin_api.post(
        "/api/referrals/criteria/versions",
        json.dumps({"text": new_version()}),
        content_type=JSON,
    )
    assert duplicate.status_code == 422
    broken = admin_api.post(
        "/api/referrals/criteria/versions", json.dumps({"text": BROKEN}), content_type=JSON
    )
    assert broken.status_code == 422
    assert broken["Content-Type"].startswith("application/problem+json")
    fields = [error["field"] for error in broken.json()["errors"]]
    assert fields.count("text") >= 5
    assert CriteriaVersion.objects.count() == 2
