"""The home page in a real browser: the demo GP signs in, lands on "I dag" (the first item
of the navigation), and one click on a row opens the page where that work is done."""

import re

import pytest
from playwright.sync_api import Page, expect

from smertespor.demo_region import DEMO_PASSWORD
from tests.browser.test_foundation import first_nav_item, log_in


@pytest.mark.browser
def test_the_gp_lands_on_today_and_one_click_opens_the_work(page: Page) -> None:
    log_in(page, "demo-gp", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("I dag")
    expect(first_nav_item(page)).to_have_text("I dag")
    expect(first_nav_item(page)).to_have_attribute("aria-current", "page")
    for key in ("visits", "proposals", "answered_advice", "discharge_summaries", "high_dose"):
        expect(page.get_by_test_id(f"home-{key}")).to_be_visible()

    item = page.get_by_test_id("home-item").first
    expect(item).to_be_visible()  # the demo region gives the GP work today
    target = item.get_attribute("href")
    assert target and target.startswith("/") and target != "/"
    item.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
