"""Advice in a real browser: the GP asks about a patient, the clinic answers, the GP closes
with "advice sufficient", and the clinic publishes an article with a second clinician's
approval. Selectors avoid UI text, which is Danish here."""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from smertespor.demo_region import DEMO_PASSWORD
from tests.browser.conftest import switch_user
from tests.browser.test_foundation import log_in

REQUEST_URL = re.compile(r"/advice/(\d+)/$")
ARTICLE_URL = re.compile(r"/advice/articles/(\d+)/$")


@pytest.mark.browser
def test_a_gp_asks_the_clinic_answers_the_gp_closes_and_the_clinic_publishes_an_article(
    page: Page,
) -> None:
    marker = uuid.uuid4().hex[:8]
    subject = f"Taper question {marker}"

    # The GP opens a patient of the practice and asks the pain clinic about them.
    log_in(page, "demo-gp", DEMO_PASSWORD)
    page.goto("/patients/")
    page.locator("main table tbody tr td a").first.click()
    patient_name = page.get_by_role("heading", level=1).inner_text().strip()
    page.get_by_test_id("ask-about-patient").first.click()
    expect(page.get_by_test_id("snapshot")).to_be_visible()
    page.locator("#id_subject").fill(subject)
    page.locator("#id_category").select_option("taper_strategy")
    page.locator("#id_question").fill("Oxycodone for two years: how fast can we taper?")
    page.get_by_test_id("ask-submit").click()
    expect(page).to_have_url(REQUEST_URL)
    request_path = re.search(r"/advice/\d+/$", page.url).group(0)  # type: ignore[union-attr]
    expect(page.get_by_test_id("advice-subject")).to_contain_text(subject)
    expect(page.get_by_test_id("message")).to_have_count(1)

    # The clinic doctor sees it on the worklist, with the patient, and answers.
    switch_user(page, "demo-clinic-doctor")
    page.goto("/advice/")
    page.get_by_role("link", name=subject).click()
    expect(page).to_have_url(re.compile(request_path + "$"))
    expect(page.locator("main")).to_contain_text(patient_name)
    expect(page.get_by_test_id("snapshot")).to_be_visible()
    page.locator("#id_body").fill("Reduce by 10 % of the starting dose every 4 weeks.")
    page.get_by_test_id("reply-submit").click()
    expect(page.get_by_test_id("message")).to_have_count(2)
    expect(page.get_by_test_id("status")).to_have_attribute("class", re.compile("badge-answered"))

    # The GP reads the answer (and has a notification) and closes: advice sufficient.
    switch_user(page, "demo-gp")
    expect(page.get_by_test_id("unread-notifications")).to_be_visible()
    page.goto(request_path)
    expect(page.get_by_test_id("message")).to_have_count(2)
    page.get_by_test_id("close-link").click()
    page.locator("input[name=outcome][value=advice_sufficient]").check()
    page.get_by_test_id("close-submit").click()
    expect(page).to_have_url(re.compile(request_path + "$"))
    expect(page.get_by_test_id("closed-note")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_attribute("class", re.compile("badge-closed"))
    expect(page.get_by_test_id("reply-form")).to_have_count(0)

    # The clinic doctor writes an article from the answer; the editor warns about a date.
    switch_user(page, "demo-clinic-doctor")
    page.goto(request_path)
    page.get_by_test_id("write-article").click()
    title = f"Tapering a long-acting opioid {marker}"
    page.locator("#id_title").fill(title)
    page.locator("#id_body").fill("Seen on 12.03.2024: reduce by 10 % every 4 weeks.")
    page.get_by_test_id("article-check").click()
    expect(page.get_by_test_id("deid-date")).to_be_visible()
    page.locator("#id_body").fill("Reduce by 10 % of the starting dose every 4 weeks.")
    page.get_by_test_id("article-check").click()
    expect(page.get_by_test_id("deid-date")).to_have_count(0)
    page.get_by_test_id("article-save").click()
    expect(page).to_have_url(ARTICLE_URL)
    article_path = re.search(r"/advice/articles/\d+/$", page.url).group(0)  # type: ignore[union-attr]
    page.get_by_test_id("article-submit").click()
    expect(page.get_by_test_id("awaiting-colleague")).to_be_visible()
    expect(page.get_by_test_id("article-approve")).to_have_count(0)

    # A second clinician approves, and the article is published.
    switch_user(page, "demo-clinic-nurse")
    page.goto(article_path)
    page.get_by_test_id("article-approve").click()
    expect(page.get_by_test_id("article-approve")).to_have_count(0)
    expect(page.get_by_test_id("article-submit-form")).to_have_count(0)

    # Every GP finds it in the knowledge base.
    switch_user(page, "demo-gp2")
    page.goto(f"/advice/articles/?q={marker}")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_test_id("article-title")).to_have_text(title)
    expect(page.locator("main")).not_to_contain_text(patient_name)
