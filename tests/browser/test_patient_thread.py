"""The patient's thread in a real browser: the demo GP opens a patient, reads the timeline
and follows an entry to the page that shows it.

Selectors are ids and data-testid attributes, so the test holds in either language.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import switch_user


def a_patient_with_a_visit(page: Page) -> tuple[str, str]:
    """A patient of the demo GP whose timeline has a follow-up visit, and the visit's page."""
    for patient in page.request.get("/api/patients?page=1").json()["items"]:
        answer = page.request.get(f"/api/patients/{patient['id']}/timeline?kind=visit")
        items = answer.json()["items"]
        if items:
            return str(patient["id"]), items[0]["url"]
    pytest.fail("No demo patient of the demo GP has a follow-up visit on the timeline.")


@pytest.mark.browser
def test_the_demo_gp_follows_a_timeline_entry_from_the_patient_page(page: Page) -> None:
    switch_user(page, "demo-gp")
    patient_id, visit_url = a_patient_with_a_visit(page)

    page.goto(f"/patients/{patient_id}/")
    timeline = page.get_by_test_id("patient-timeline")
    expect(timeline).to_be_visible()
    expect(timeline.get_by_test_id("timeline-entry").first).to_be_visible()

    # Only the visits, by a plain link (no script needed), then the newest visit's page.
    timeline.get_by_test_id("timeline-filter-visit").click()
    expect(page).to_have_url(re.compile(r"\?kind=visit"))
    entries = page.get_by_test_id("timeline-entry")
    expect(entries.first).to_have_attribute("data-kind", "visit")
    entries.first.locator("a").click()

    expect(page).to_have_url(re.compile(re.escape(visit_url) + "$"))
    expect(page.locator("h1")).to_be_visible()
