"""A hospital department in a real browser: the spine centre's doctor takes a patient into
the department's care by CPR number and name, asks the pain clinic about them, and the
clinic finds the question under "from hospital departments". Selectors avoid UI text."""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from smertespor.demo_region import DEMO_PASSWORD
from tests.browser.conftest import switch_user
from tests.browser.test_foundation import log_in

REQUEST_URL = re.compile(r"/advice/(\d+)/$")


@pytest.mark.browser
def test_a_department_takes_a_patient_into_care_and_asks_the_clinic(page: Page) -> None:
    subject = f"Spine surgery and opioids {uuid.uuid4().hex[:8]}"

    # The patient's GP sees the CPR number and the registered name (what the department has).
    log_in(page, "demo-gp", DEMO_PASSWORD)
    page.goto("/patients/")
    page.locator("main table tbody tr td a").nth(3).click()
    name = page.get_by_role("heading", level=1).inner_text().strip()
    cpr = page.locator("main .cpr").first.inner_text().strip()

    # The department records its contact: the patient is now on its list.
    switch_user(page, "demo-hospital-doctor")
    page.goto("/departments/contacts/new/")
    page.locator("#id_cpr").fill(cpr)
    page.locator("#id_name").fill(name)
    page.locator("#id_kind_0").check()
    page.locator("#id_reason").fill("Indlagt med lænderygsmerter")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/departments/contacts/$"))
    expect(page.get_by_test_id("contact-list")).to_contain_text(name)

    # It asks the pain clinic about the patient, from the patient's page.
    page.get_by_test_id("contact-list").get_by_role("link", name=name).click()
    expect(page.get_by_test_id("contact-panel")).to_be_visible()
    page.get_by_test_id("ask-about-patient").first.click()
    page.locator("#id_subject").fill(subject)
    page.locator("#id_category").select_option("taper_strategy")
    page.locator("#id_question").fill("How should the opioids be handled around the operation?")
    page.get_by_test_id("ask-submit").click()
    expect(page).to_have_url(REQUEST_URL)

    # The clinic finds it among the requests from hospital departments, not from practices.
    switch_user(page, "demo-clinic-doctor")
    page.goto("/advice/?source=hospital_department")
    expect(page.get_by_test_id("advice-list")).to_contain_text(subject)
    page.goto("/advice/?source=general_practice")
    expect(page.locator("main")).not_to_contain_text(subject)
