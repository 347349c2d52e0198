"""Taper plans in a real browser: the demo GP goes from a patient's medication list to an
active plan, sees the chart, and opens the handout — in well under a minute of clicking.

Selectors are ids, names and data-testid attributes, not button texts, so the test holds
whatever language the interface is in.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from smertespor.demo_region import DEMO_PASSWORD

PLAN_URL = re.compile(r"/tapering/patients/[0-9a-f-]{36}/plans/(\d+)/$")


def log_in(page: Page) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill("demo-gp")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def a_patient_to_plan_for(page: Page) -> str:
    """A patient of the demo GP with no plan in force whose list the default plan fits."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    patients = page.request.get("/api/patients?page=1").json()["items"]
    for patient in patients:
        base = f"/api/tapering/patients/{patient['id']}"
        if page.request.get(f"{base}/plans").json():
            continue
        preview = page.request.post(
            f"{base}/preview",
            data="{}",
            headers={"X-CSRFToken": csrf, "Content-Type": "application/json"},
        )
        if preview.ok and len(preview.json()["steps"]) > 2:
            return str(patient["id"])
    pytest.fail("No demo patient without a plan has a list the default plan fits.")


@pytest.mark.browser
def test_the_demo_gp_makes_a_plan_from_the_medication_list_and_opens_the_handout(
    page: Page,
) -> None:
    log_in(page)
    patient_id = a_patient_to_plan_for(page)
    # The GP's whole path from the medication tab: three clicks (make, activate, handout).
    page.goto(f"/medication/patients/{patient_id}/")
    page.get_by_test_id("make-taper-plan").click()
    expect(page).to_have_url(re.compile(rf"/tapering/patients/{patient_id}/new/$"))
    preview = page.locator("#plan-preview")
    expect(preview.locator("svg polyline.planned")).to_have_count(1)
    steps = preview.locator("table.taper-steps tbody")
    before = steps.inner_text()

    # Every two weeks instead of four: the live preview redraws the dates, nothing saved yet.
    page.locator("#id_interval_days").fill("14")
    page.locator("#id_interval_days").dispatch_event("change")
    expect(steps).not_to_have_text(before)
    # A bad value is explained next to its field, and the preview says it cannot be made.
    page.locator("#id_step_percent").fill("60")
    page.locator("#id_step_percent").dispatch_event("change")
    expect(page.locator("#errors-step_percent .errorlist")).to_be_visible()
    page.locator("#id_step_percent").fill("20")
    page.locator("#id_step_percent").dispatch_event("change")
    expect(page.locator("#errors-step_percent .errorlist")).to_have_count(0)
    expect(steps).to_be_visible()

    page.locator("button[name=submit][value=activate]").click()
    expect(page).to_have_url(PLAN_URL)
    expect(page.locator(".taper-status-active").first).to_be_visible()
    chart = page.locator("section.taper-chart svg[role=img]")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline.planned")).to_have_count(1)
    expect(chart.locator("desc")).not_to_be_empty()

    page.locator("a[href$='/handout/']").first.click()
    handout = page.locator("article.handout[lang=da]")
    expect(handout).to_be_visible()
    expect(handout.locator("h2").filter(has_text="Trin 1")).to_have_count(1)
    expect(handout).to_contain_text("Abstinenser")
    page.emulate_media(media="print")  # printed: the handout without the site around it
    expect(handout).to_be_visible()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    page.emulate_media(media="screen")

    pdf = page.request.get(page.url.replace("/handout/", "/handout.pdf"))
    assert pdf.ok and pdf.body().startswith(b"%PDF-")

    # The patient page shows the plan in force with its chart.
    page.goto(f"/patients/{patient_id}/")
    expect(page.locator("article.taper-panel svg polyline.planned")).to_have_count(1)


def a_patient_whose_plan_needs_a_switch(page: Page) -> str:
    """A demo patient with no plan whose default plan switches a coarse product (a patch)."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for number in range(1, 6):
        for patient in page.request.get(f"/api/patients?page={number}").json()["items"]:
            base = f"/api/tapering/patients/{patient['id']}"
            if page.request.get(f"{base}/plans").json():
                continue
            preview = page.request.post(
                f"{base}/preview",
                data="{}",
                headers={"X-CSRFToken": csrf, "Content-Type": "application/json"},
            )
            if preview.ok and preview.json()["switches"]:
                return str(patient["id"])
    pytest.fail("No demo patient without a plan has a default plan with a switch.")


@pytest.mark.browser
def test_a_coarse_patch_is_stretched_and_switched_and_the_gp_sees_it_before_saving(
    page: Page,
) -> None:
    # Issue 11: the pace holds with coarse strengths. A patch step that cuts more than a
    # step lasts longer and says so; the last patch is switched to a finer product, shown
    # before the steps; the stop threshold is a setting on the form.
    log_in(page)
    patient_id = a_patient_whose_plan_needs_a_switch(page)
    page.goto(f"/tapering/patients/{patient_id}/new/")
    preview = page.locator("#plan-preview")
    switches = preview.locator("section.taper-switches")
    expect(switches).to_be_visible()
    expect(switches.locator(".taper-switch")).not_to_have_count(0)
    steps = preview.locator("table.taper-steps")
    # The proposal comes before the plan it changes.
    box, table = switches.bounding_box(), steps.bounding_box()
    assert box is not None and table is not None and box["y"] < table["y"]
    expect(steps.locator("tr[data-kind=switch]")).not_to_have_count(0)
    expect(steps.locator(".step-note[data-note=stretched]").first).to_be_visible()
    threshold = page.locator("#id_stop_threshold_mg_per_day")
    expect(threshold).to_have_value("30")
    # A threshold of 0 is refused next to its field; back to 30, the plan is made again.
    threshold.fill("0")
    threshold.dispatch_event("change")
    expect(page.locator("#errors-stop_threshold_mg_per_day .errorlist")).to_be_visible()
    threshold.fill("30")
    threshold.dispatch_event("change")
    expect(page.locator("#errors-stop_threshold_mg_per_day .errorlist")).to_have_count(0)
    expect(switches).to_be_visible()

    page.locator("button[name=submit][value=activate]").click()
    expect(page).to_have_url(PLAN_URL)
    expect(page.locator("section.taper-switches .taper-switch")).not_to_have_count(0)
    page.locator("a[href$='/handout/']").first.click()
    expect(page.locator("article.handout[lang=da]")).to_contain_text("Skift fra")
