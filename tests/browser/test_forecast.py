"""The capacity forecast in a real browser: the planner starts a forecast, watches it run in
the background (the task worker beside the server, as `make run` has it) and reads the
band chart and its tables."""

import re

import pytest
from playwright.sync_api import Page, expect

from smertespor.demo_region import DEMO_PASSWORD

JOB_URL = re.compile(r"/jobs/(\d+)/$")
RESULT_URL = re.compile(r"/evaluation/forecast/(\d+)/$")


@pytest.mark.browser
def test_the_planner_runs_a_forecast_and_reads_the_bands(page: Page) -> None:
    errors: list[str] = []  # a CSP refusal shows up here (the CSP forbids inline styles)
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto("/login/")
    page.locator("#id_username").fill("demo-planner")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))

    page.goto("/evaluation/forecast/")
    page.locator("#id_slots_per_month").fill("12")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(JOB_URL)

    # htmx polls the progress until the worker has finished, then shows the result link
    result_link = page.get_by_test_id("job-result")
    expect(result_link).to_be_visible(timeout=60_000)
    result_link.click()
    expect(page).to_have_url(RESULT_URL)

    expect(page.locator("#forecast-chart svg")).to_be_visible(timeout=20_000)
    summary = page.locator("main table").nth(1)
    expect(summary.locator("tbody tr")).to_have_count(5)
    expect(summary).to_contain_text("12")  # the slots entered
    page.locator("main details summary").click()
    expect(page.locator("main details table").first.locator("tbody tr")).to_have_count(24)
    assert errors == []
