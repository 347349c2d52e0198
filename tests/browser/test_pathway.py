"""The low back pain pathway in a real browser: the GP registers a patient, enrols them from
the STarT Back form (high risk), involves the physiotherapy practice; the physiotherapist
sees the patient, reports the start with a plan and then the end with its outcome; the GP
is notified and sees the outcome on the patient's pathway page.

Selectors are ids, names and data-testid attributes, so the test holds in either language.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import switch_user

pytestmark = pytest.mark.browser

PATIENT_NAME = "Rasmus Rygforløb"
PATIENT_CPR = "0201370020"  # born 2 January 1937: outside the demo region's birth years
PHYSIOTHERAPY = "Fysioterapi Silkeborg"
# STarT Back: total 8, psychosocial subscale 5 -> high risk.
ANSWERS = {1: "agree", 2: "agree", 3: "agree", 4: "disagree", 5: "agree", 6: "agree",
           7: "agree", 8: "agree", 9: "very_much"}  # fmt: skip


def register_patient(page: Page, cpr: str, name: str) -> str:
    """The signed-in GP registers a patient at their practice; returns the record's URL."""
    page.goto("/patients/new/")
    page.locator("#id_cpr").fill(cpr)
    page.locator("#id_name").fill(name)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    return page.url


def enrol_at_high_risk(page: Page) -> str:
    """From the patient's record, the GP enrols them with the STarT Back answers of a high
    risk (level 3); returns the pathway page's URL."""
    page.get_by_test_id("pathway-panel").get_by_test_id("pathway-enrol").click()
    form = page.get_by_test_id("pathway-form")
    for number, answer in ANSWERS.items():
        form.locator(f"input[name=item_{number}][value={answer}]").check()
    form.get_by_test_id("pathway-submit").click()
    expect(page.get_by_test_id("enrolment-level")).to_contain_text("Niveau 3")
    return page.url


def test_the_gp_coordinates_and_physiotherapy_reports_back(page: Page) -> None:
    switch_user(page, "demo-gp")
    patient_url = register_patient(page, PATIENT_CPR, PATIENT_NAME)
    pathway_url = enrol_at_high_risk(page)

    page.get_by_test_id("pathway-involve").click()
    target = page.locator("#id_target")
    value = target.locator("option", has_text=PHYSIOTHERAPY).first.get_attribute("value")
    assert value is not None and value.startswith("physiotherapy:")
    target.select_option(value)
    page.get_by_test_id("pathway-submit").click()
    expect(page.get_by_test_id("pathway-stages")).to_contain_text(PHYSIOTHERAPY)

    # The physiotherapist now sees the patient and reports the start and the end.
    switch_user(page, "demo-physio-practice")
    page.goto(pathway_url)
    page.get_by_test_id("pathway-start").click()
    page.locator("#id_plan").fill("Træning to gange om ugen i otte uger.")
    page.get_by_test_id("pathway-submit").click()
    expect(page.get_by_test_id("pathway-now")).to_contain_text(PHYSIOTHERAPY)
    page.get_by_test_id("pathway-end-part").click()
    page.locator("#id_outcome").fill("Går 3 km uden smerter; fortsætter selv.")
    page.get_by_test_id("pathway-submit").click()
    expect(page.get_by_test_id("pathway-timeline")).to_contain_text("Går 3 km uden smerter")

    # The GP sees the outcome on the patient page's panel and has been notified.
    switch_user(page, "demo-gp")
    page.goto(patient_url)
    expect(page.get_by_test_id("pathway-panel")).to_contain_text("Går 3 km uden smerter")
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text(PHYSIOTHERAPY)
