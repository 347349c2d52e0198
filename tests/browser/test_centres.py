"""The pain centre in a real browser: the centre's doctor opens the running demo course,
records the PEG at the end, sends the discharge summary; the GP finds it as new on the
worklist, reads it and marks it received. The summary fits a 390 px phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import switch_user


@pytest.mark.browser
def test_the_centre_discharges_a_course_and_the_gp_reads_the_summary(page: Page) -> None:
    switch_user(page, "demo-centre-doctor")
    page.goto("/centres/")
    course_link = page.get_by_test_id("open-courses").get_by_role("link").first
    patient = course_link.inner_text().strip()
    course_link.click()
    course_url = page.url
    expect(page.get_by_test_id("outcome-charts").locator("svg")).to_have_count(3)

    page.get_by_test_id("record-peg").click()
    page.locator("#id_timepoint").select_option("end")
    page.locator("#id_item_pain").fill("4")
    page.locator("#id_item_enjoyment").fill("11")  # out of range: refused, nothing saved
    page.locator("#id_item_activity").fill("4")
    page.get_by_test_id("outcome-form").get_by_role("button").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    page.locator("#id_item_enjoyment").fill("3")
    page.get_by_test_id("outcome-form").get_by_role("button").click()
    expect(page.get_by_test_id("course-facts")).to_be_visible()
    expect(page.get_by_test_id("outcome-charts").locator("polyline").first).to_be_visible()

    page.get_by_test_id("discharge").click()
    page.locator("#id_course_summary").fill("Gruppeforløb og gradueret træning gennemført.")
    page.locator("#id_plan_after").fill("Egen læge overtager; kontrol hver 4. uge.")
    page.locator("#id_physiotherapy_continues").fill("Holdtræning 2 gange om ugen.")
    page.get_by_test_id("send-summary").click()
    expect(page.get_by_test_id("epikrise")).to_contain_text("Egen læge overtager")
    expect(page.locator("button[data-print]")).to_be_visible()

    switch_user(page, "demo-gp")
    page.goto("/tracks/worklist/")
    summaries = page.get_by_test_id("new-discharge-summaries")
    expect(summaries).to_contain_text(patient)
    summaries.get_by_role("link", name=patient).first.click()
    expect(page.get_by_test_id("plan-after")).to_contain_text("Egen læge overtager")
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.get_by_test_id("acknowledge-form").get_by_role("button").click()
    expect(page.get_by_test_id("acknowledge-form")).to_have_count(0)
    page.goto("/tracks/worklist/")
    new = page.get_by_test_id("new-discharge-summaries")
    expect(new.get_by_role("link", name=re.compile(re.escape(patient)))).to_have_count(0)

    # The centre's course page, on a phone.
    switch_user(page, "demo-centre-doctor")
    page.goto(course_url)
    expect(page.get_by_test_id("summary-link")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
