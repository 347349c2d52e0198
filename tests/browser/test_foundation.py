"""The foundation's main flow in a real browser: log in, find a patient, read the record."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from smertespor.demo_region import DEMO_PASSWORD
from tests.browser.search import wait_for_search, watch_search

# A CPR number, with or without its dash, not glued to other hex digits (so a UUID's
# digit runs do not count).
CPR_PATTERN = re.compile(r"(?<![0-9a-f])\d{6}-?\d{4}(?![0-9a-f])", re.IGNORECASE)
RECORD_URL = re.compile(r"/patients/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/$")
DEMO_GP_PRACTICE = "Lægerne i Silkeborg Centrum"


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def search_for(page: Page, query: str) -> None:
    """Search the patient list as a GP does (type, Enter) and wait for this search's results."""
    watch_search(page)
    search_box = page.locator("#id_query")
    search_box.fill(query)
    search_box.press("Enter")
    wait_for_search(page)


def first_nav_item(page: Page) -> Locator:
    """The first role-specific link in the header, after the brand."""
    return page.locator("header.site-header nav ul").first.locator("li a:not(.brand)").first


@pytest.mark.browser
def test_a_gp_finds_a_patient_switches_language_and_sees_their_own_visit_in_the_access_log(
    page: Page, tmp_path: Path
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    visited: list[str] = []

    log_in(page, "demo-gp", DEMO_PASSWORD)
    expect(page.get_by_test_id("home-visits")).to_be_visible()  # "I dag" first
    page.goto("/patients/")
    visited.append(page.url)
    expect(page.locator("html")).to_have_attribute("lang", "da")

    # The GP's own list: take the first patient shown, and every CPR number on the page.
    first_row = page.get_by_test_id("patient-list").locator("tbody tr").first
    name = first_row.locator("td").first.inner_text().strip()
    cpr = first_row.locator("td.cpr").inner_text().strip()
    shown_cprs = {c.strip() for c in page.locator("td.cpr").all_inner_texts()}
    assert name
    assert CPR_PATTERN.fullmatch(cpr)

    # Search by name, then by CPR number (the search is a POST, so neither reaches a URL).
    results = page.locator("#search-results")
    search_for(page, name)
    expect(results.get_by_role("link", name=name, exact=True).first).to_be_visible()
    search_for(page, cpr)
    expect(results.locator("td.cpr")).to_have_text([cpr])

    results.get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(RECORD_URL)
    record_url = page.url
    visited.append(record_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    # Danish to English and back: the page stays on the record, the navigation follows.
    danish_label = first_nav_item(page).inner_text().strip()
    page.get_by_test_id("language-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(record_url)
    visited.append(page.url)
    expect(first_nav_item(page)).to_have_text("Today")
    assert danish_label != "Today", "The navigation is not translated into Danish."
    page.get_by_test_id("language-da").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page).to_have_url(record_url)
    visited.append(page.url)
    expect(first_nav_item(page)).to_have_text(danish_label)

    # "Who has looked at this record" shows this visit, by this GP of this practice.
    page.locator(f"a[href='{urlsplit(record_url).path}access-log/']").click()
    expect(page).to_have_url(f"{record_url}access-log/")
    visited.append(page.url)
    access_log = page.get_by_test_id("access-log")
    own_visits = access_log.locator("tbody tr").filter(
        has_text="demo-gp"  # the name, with the username beside it
    )
    expect(own_visits.first).to_be_visible()
    expect(own_visits.first).to_contain_text(DEMO_GP_PRACTICE)

    screenshot = tmp_path / "patient.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0

    cpr_forms = shown_cprs | {c.replace("-", "") for c in shown_cprs}
    leaked = [
        url
        for url in visited + requested
        if CPR_PATTERN.search(url) or any(form in url for form in cpr_forms)
    ]
    assert requested
    assert not leaked, f"CPR numbers in URLs: {leaked}"


@pytest.mark.browser
def test_the_login_page_refuses_a_wrong_password(page: Page) -> None:
    log_in(page, "demo-gp2", "not-the-demo-password")

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("header.site-header nav a:not(.brand)")).to_have_count(0)

    page.goto("/patients/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/patients/$"))


@pytest.mark.browser
def test_a_result_keeps_the_keyboard_focus_when_the_search_results_are_shown_again(
    page: Page,
) -> None:
    """Typing and then Enter sends two searches (the pause in the typing sends one 0.4 s
    later): a keyboard user who has tabbed to a result in between keeps it focused when the
    results are replaced (htmx puts the focus back on the element with the same id, and the
    table's scroll box, wrapped round it when the swap settles, must not take it away)."""
    log_in(page, "demo-gp", DEMO_PASSWORD)
    expect(page.get_by_test_id("home-visits")).to_be_visible()
    page.goto("/patients/")
    name = page.get_by_test_id("patient-list").locator("tbody tr td").first.inner_text().strip()
    search_for(page, name)
    link = page.locator("#search-results a").first
    href = link.get_attribute("href")
    link.focus()
    watch_search(page)
    page.evaluate("() => htmx.trigger(\"form[hx-target='#search-results']\", 'submit')")
    wait_for_search(page)
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == href
