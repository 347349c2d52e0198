"""Teaching in a real browser: the clinic plans a session, a GP signs up, the clinic takes the
roll, and the GP sees the education hours and the certificate.

Selectors are ids and data-testid attributes, not button texts, so the test holds whatever
language the interface is in.
"""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from smertespor.demo_region import DEMO_PASSWORD

CLINIC_USER = "demo-clinic-doctor"
GP_USER = "demo-gp"
GP_NAME = "Karen Holm"
SESSION_URL = re.compile(r"/teaching/(\d+)/$")
MINUTES = 30


def log_in(page: Page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def soon() -> tuple[datetime, datetime]:
    """A session starting in about ten minutes, so the roll can be taken now (it opens an hour
    before the start) and sign-up is still open; never running past midnight, as the form
    takes one date."""
    now = datetime.now(ZoneInfo("Europe/Copenhagen"))
    start = (now + timedelta(minutes=10)).replace(second=0, microsecond=0)
    if (start + timedelta(minutes=MINUTES)).date() != start.date():
        start = (start + timedelta(days=1)).replace(hour=0, minute=1)
    return start, start + timedelta(minutes=MINUTES)


def hours(text: str) -> float:
    """A Danish number ("5,5" or "1.234,25") as a float."""
    return float(re.sub(r"[^\d,]", "", text).replace(",", "."))


@pytest.mark.browser
def test_the_clinic_plans_a_gp_signs_up_attends_and_sees_the_hours(page: Page) -> None:
    title = f"Browsertest nedtrapning {uuid.uuid4().hex[:6]}"
    start, end = soon()

    # The GP's hours before, to compare with after.
    log_in(page, GP_USER)
    page.goto("/teaching/mine/")
    hours_before = hours(page.get_by_test_id("my-hours").locator("strong").inner_text())

    # The clinic plans the session.
    log_in(page, CLINIC_USER)
    page.goto("/teaching/new/")
    page.locator("#id_title").fill(title)
    page.locator("input[name=topics][value=taper_strategy]").check()
    page.locator("input[name=audience][value=gps]").check()
    page.locator("#id_date").fill(start.strftime("%Y-%m-%d"))
    page.locator("#id_start_time").fill(start.strftime("%H:%M"))
    page.locator("#id_end_time").fill(end.strftime("%H:%M"))
    page.locator("#id_location").fill("Smerteklinikken, mødelokale 3")
    page.locator("#id_capacity").fill("5")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(SESSION_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    session_url = page.url

    # The GP finds it in the programme and signs up (htmx swaps the box in place).
    log_in(page, GP_USER)
    page.goto("/teaching/")
    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(session_url)
    page.get_by_test_id("sign-up").click()
    status = page.get_by_test_id("registration-status")
    expect(status).to_have_attribute("data-status", "registered")
    expect(page).to_have_url(session_url)
    expect(page.get_by_test_id("cancel-registration")).to_be_visible()

    # The clinic takes the roll.
    log_in(page, CLINIC_USER)
    page.goto(session_url)
    expect(page.get_by_test_id("participants")).to_contain_text(GP_NAME)
    page.get_by_test_id("mark-attendance").click()
    page.locator("tr", has_text=GP_NAME).locator("input[type=checkbox]").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(session_url)

    # The GP sees the half hour added and prints the certificate.
    log_in(page, GP_USER)
    page.goto("/teaching/mine/")
    row = page.get_by_test_id("attended").locator("tbody tr", has_text=title)
    expect(row).to_contain_text("0,5")
    assert hours(page.get_by_test_id("my-hours").locator("strong").inner_text()) == (
        hours_before + MINUTES / 60
    )
    row.get_by_test_id("certificate-link").click()
    certificate = page.get_by_test_id("certificate")
    expect(certificate).to_contain_text(title)
    expect(certificate).to_contain_text(GP_NAME)
