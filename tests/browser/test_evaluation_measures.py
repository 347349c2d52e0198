"""Measures in a real browser: the planner opens the region's dashboard, a measure's decile
chart (drawn by vega-embed under the CSP) and drills into a practice; the GP sees their own
patients behind a measure. The demo region computes its measures when it is loaded."""

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import switch_user


@pytest.mark.browser
def test_the_planner_opens_the_region_and_drills_into_a_practice(page: Page) -> None:
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", console)
    switch_user(page, "demo-planner")
    page.locator("header").get_by_role("link", name="Mål").first.click()
    expect(page).to_have_url(re.compile(r"/evaluation/measures/$"))
    table = page.get_by_test_id("region-measures")
    expect(table).to_be_visible()
    table.get_by_role("link", name="Opioidpatienter på mindst 50 mg OMEQ").click()
    expect(page).to_have_url(re.compile(r"/evaluation/measures/omeq_50/"))
    expect(page.get_by_test_id("decile-chart")).to_have_attribute("data-rendered", "true")
    expect(page.get_by_test_id("region-chart").locator("canvas")).to_be_visible()
    practices = page.get_by_test_id("organisation-figures")
    first = practices.locator("tbody th a").first
    name = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"/evaluation/measures/practices/\d+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_test_id("practice-measures")).to_be_visible()
    # From a measure back to its decile chart, with the practice's own line on it.
    page.get_by_test_id("practice-measures").get_by_role(
        "link", name="Opioidpatienter på mindst 50 mg OMEQ"
    ).click()
    expect(page.locator("figcaption").filter(has_text=name)).to_be_visible()
    expect(page.get_by_test_id("decile-chart")).to_have_attribute("data-rendered", "true")
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.browser
def test_the_gp_sees_their_own_patients_behind_a_measure(page: Page) -> None:
    switch_user(page, "demo-gp")
    page.locator("header").get_by_role("link", name="Mål").first.click()
    expect(page).to_have_url(re.compile(r"/evaluation/measures/practice/$"))
    row = (
        page.get_by_test_id("practice-measures")
        .locator("tr")
        .filter(has_text="Opioidpatienter på mindst 50 mg OMEQ")
    )
    row.get_by_role("link", name="Patienter", exact=True).click()
    expect(page).to_have_url(re.compile(r"/evaluation/measures/practice/omeq_50/patients/"))
    expect(page.get_by_test_id("measure-patients").locator("tbody tr").first).to_be_visible()
