"""Governed conversion tables in a real browser: the demo administrator copies the region's table,
edits a factor in the editor (its blank extra row included) and cannot sign the draft off
herself; a second administrator reviews what it changes for the region's patients, names the
version and signs it off; the demo GP is told.

The draft raises tramadol from the Norwegian 0.15 to CDC 2022's 0.2, within the published
range, so the demo patients the other browser tests use keep plausible figures. Selectors are
ids, names and data-testid attributes, so the test holds whatever the interface's language.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from smertespor.demo_region import DEMO_PASSWORD

VERSION = "2026.1"
# The demo region's second administrator (one administrator cannot make another).
SECOND_ADMIN = "demo-admin-2"
TABLE_URL = re.compile(r"/medication/tables/(\d+)/$")
EDIT_URL = re.compile(r"/medication/tables/(\d+)/edit/$")


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def a_new_page(browser: Browser, server_url: str) -> Page:
    """Another person at another computer: a context with its own cookies."""
    return browser.new_context(base_url=server_url, locale="da-DK").new_page()


def draft_a_new_tramadol_factor(page: Page) -> str:
    """Copy nordic into a draft and set tramadol to 0.2 in the editor; the draft's path."""
    page.goto("/medication/tables/")
    page.locator("main table a", has_text=re.compile(r"^nordic$")).first.click()
    expect(page).to_have_url(TABLE_URL)
    page.locator("#id_version").fill(VERSION)
    page.locator("form[action$='/copy/'] button[type=submit]").click()
    expect(page).to_have_url(EDIT_URL)
    match = EDIT_URL.search(page.url)
    assert match is not None
    name = page.locator("input[name$='-substance'][value='tramadol']").get_attribute("name")
    assert name is not None
    factor = page.locator(f"#id_{name.removesuffix('-substance')}-factor")
    factor.fill("0,2")
    page.locator("main form button[type=submit]").click()
    # Saved: back on the editor with the new factor (the blank extra row did not stop it).
    expect(page).to_have_url(EDIT_URL)
    expect(page.locator(".message-error")).to_have_count(0)
    expect(factor).to_have_value(re.compile(r"^0[,.]2$"))
    return f"/medication/tables/{match.group(1)}/"


@pytest.mark.browser
def test_a_table_change_is_drafted_by_one_administrator_and_signed_off_by_another(
    page: Page, browser: Browser, server_url: str
) -> None:
    log_in(page, "demo-admin")
    table_path = draft_a_new_tramadol_factor(page)

    # The drafter sees what the draft changes, but cannot sign it off.
    page.goto(table_path)
    page.get_by_test_id("review-sign-off").click()
    expect(page.get_by_test_id("sign-off-by-someone-else")).to_be_visible()
    expect(page.get_by_test_id("sign-off-form")).to_have_count(0)
    expect(page.get_by_test_id("moved")).to_have_text(re.compile(r"^[1-9]\d*$"))

    # The second administrator reviews the same figures and signs off, naming the version.
    signer = a_new_page(browser, server_url)
    log_in(signer, SECOND_ADMIN)
    signer.goto(f"{table_path}sign-off/")
    rules = signer.get_by_test_id("rule-changes")
    expect(rules.locator("tbody tr")).to_have_count(1)
    expect(signer.get_by_test_id("largest-changes").locator("tbody tr").first).to_be_visible()
    form = signer.get_by_test_id("sign-off-form")
    form.locator("#id_confirm").fill("nordic 2025.9")
    form.locator("button[type=submit]").click()
    expect(form.locator(".errorlist").first).to_be_visible()  # the wrong version: refused
    signer.get_by_test_id("sign-off-form").locator("#id_confirm").fill(f"nordic {VERSION}")
    signer.get_by_test_id("sign-off-form").locator("button[type=submit]").click()
    expect(signer).to_have_url(TABLE_URL)
    expect(signer.locator(".status-tag.active")).to_be_visible()
    signer.context.close()

    # The demo GP is told that the new table is in use.
    gp = a_new_page(browser, server_url)
    log_in(gp, "demo-gp")
    gp.goto("/notifications/")
    expect(gp.get_by_test_id("notification-list")).to_contain_text(f"nordic {VERSION}")
    gp.context.close()
