"""Screening in a real browser: the demo GP opens screening, sees the practice's own flagged
patients (the demo extract matches some of them by pseudonym) and invites one into the
practice track; the planner sees only suppressed counts per practice."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import switch_user


@pytest.mark.browser
def test_the_gp_invites_a_flagged_patient_into_the_practice_track(page: Page) -> None:
    switch_user(page, "demo-gp")
    page.get_by_role("link", name="Screening").first.click()
    expect(page.get_by_role("heading", name="Screening af receptindløsninger")).to_be_visible()
    flagged = page.get_by_test_id("flagged-patients")
    expect(flagged).to_be_visible()
    first_row = flagged.locator("tbody tr").first
    name = first_row.locator("td").first.inner_text()
    first_row.get_by_role("button", name="Inviter til praksisforløb").click()
    expect(page.get_by_text(f"{name} er inviteret til praksisforløb.")).to_be_visible()
    row = page.get_by_test_id("flagged-patients").locator("tbody tr", has_text=name)
    expect(row.get_by_text("Inviteret")).to_be_visible()
    expect(row.get_by_role("link", name="Start forløbet")).to_be_visible()


@pytest.mark.browser
def test_the_planner_sees_counts_per_practice_and_no_patient(page: Page) -> None:
    switch_user(page, "demo-planner")
    page.goto("/evaluation/screening/")
    expect(page.get_by_test_id("region-counts")).to_be_visible()
    expect(page.get_by_test_id("flagged-patients")).to_have_count(0)
    expect(page.get_by_role("link", name="Hent som CSV")).to_be_visible()
