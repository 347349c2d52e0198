"""Issue 14's journey in a real browser, from enrolment to the discharge summary: the GP
(demo-gp) registers a patient and enrols them in the low back pain pathway, refers them to
the pain centre with one criterion unknown (and the written reason), the centre
(demo-centre-doctor) asks for a supplement, the GP answers, the centre accepts (the
pathway shows the centre has the patient now), plans and runs the course (team, a module,
an appointment recorded as attended, the PEG at start and end), sends the discharge
summary, and the GP finds the discharged referral and the new summary on the home page.
The GP's steps are at 390 px, a phone's width.

The steps are the other browser tests' helpers (referrals, pathway, conftest). Selectors
are ids, names and data-testid attributes, so the test holds in either language.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from smertespor.entry.appointment_times import bookable_on
from tests.browser.conftest import PHONE, fits_phone, switch_user
from tests.browser.test_pathway import enrol_at_high_risk, register_patient
from tests.browser.test_referrals import (
    CENTRE,
    accept,
    answer_supplement,
    ask_for_supplement,
    send_with_reason,
    write_referral,
)

pytestmark = pytest.mark.browser

PATIENT_NAME = "Lene Lændeforløb"
PATIENT_CPR = "0301370023"  # born 3 January 1937: outside the demo region's birth years
CENTRE_DOCTOR = "Bruun"  # demo-centre-doctor, Lise Bruun


def _peg(page: Page, timepoint: str, pain: int, enjoyment: int, activity: int) -> None:
    page.get_by_test_id("record-peg").click()
    page.locator("#id_timepoint").select_option(timepoint)
    page.locator("#id_item_pain").fill(str(pain))
    page.locator("#id_item_enjoyment").fill(str(enjoyment))
    page.locator("#id_item_activity").fill(str(activity))
    page.get_by_test_id("outcome-form").get_by_role("button").click()
    expect(page.get_by_test_id("course-facts")).to_be_visible()


def _plan_and_run_the_course(page: Page) -> None:
    """The centre's doctor plans the course from the worklist and runs it to its end."""
    page.goto("/centres/")
    row = page.get_by_test_id("referred").locator("tr", has_text=PATIENT_NAME)
    row.get_by_test_id("plan-course").click()
    form = page.get_by_test_id("course-form")
    form.locator("#id_goals").fill("Tilbage i arbejde på nedsat tid og bedre søvn.")
    form.locator("#id_planned_start").fill(timezone.localdate().isoformat())
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("course-facts")).to_contain_text("Tilbage i arbejde")

    team = page.get_by_test_id("team-form")
    doctor = team.locator("#id_team-user option", has_text=CENTRE_DOCTOR).first
    team.locator("#id_team-user").select_option(doctor.get_attribute("value"))
    team.locator("#id_team-discipline").select_option("doctor")
    team.locator("button[type=submit]").click()
    expect(page.get_by_test_id("team")).to_contain_text(CENTRE_DOCTOR)

    modules = page.get_by_test_id("module-form")
    modules.locator("#id_module-code").select_option("pain_education")
    modules.locator("#id_module-note").fill("Smerteskole, 3 gange")
    modules.locator("button[type=submit]").click()
    expect(page.get_by_test_id("modules")).to_contain_text("Smerteskole, 3 gange")

    _peg(page, "start", 8, 7, 7)
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("discharge")).to_be_visible()

    # Yesterday's appointment, booked afterwards and recorded as attended.
    # The last working day before today (appointments are booked inside the opening hours).
    yesterday = bookable_on(timezone.now() - timedelta(days=1), earlier=True).date()
    booking = page.get_by_test_id("appointment-form")
    booking.locator("#id_appointment-starts_at").fill(f"{yesterday.isoformat()}T10:00")
    booking.locator("#id_appointment-clinician").select_option(index=1)
    booking.locator("#id_appointment-module").select_option(index=1)
    booking.locator("button[type=submit]").click()
    appointments = page.get_by_test_id("appointments")
    appointments.locator("select[name=outcome]").select_option("attend")
    appointments.get_by_role("button").click()
    expect(appointments.locator("select[name=outcome]")).to_have_count(0)

    _peg(page, "end", 5, 4, 4)
    expect(page.get_by_test_id("outcome-charts").locator("polyline").first).to_be_visible()

    page.get_by_test_id("discharge").click()
    page.locator("#id_course_summary").fill("Smerteskole og gradueret træning gennemført.")
    page.locator("#id_plan_after").fill("Egen læge overtager; kontrol hver 4. uge.")
    page.get_by_test_id("send-summary").click()
    expect(page.get_by_test_id("epikrise")).to_contain_text("Egen læge overtager")


def test_from_enrolment_to_the_discharge_summary_on_the_gps_home_page(page: Page) -> None:
    page.set_viewport_size(PHONE)

    # The GP enrols the patient in the pathway and refers with one criterion unknown.
    switch_user(page, "demo-gp")
    record = register_patient(page, PATIENT_CPR, PATIENT_NAME)
    pathway_url = enrol_at_high_risk(page)
    page.goto(record)
    referral_path = write_referral(page, CENTRE, unknown="motivated")
    send_with_reason(page, "Patienten er i tvivl, men vil gerne til en samtale.")
    fits_phone(page)

    # The centre asks for a supplement; the GP answers (it shows on the GP's home page).
    switch_user(page, "demo-centre-doctor")
    ask_for_supplement(page, referral_path, "Har patienten prøvet et kommunalt tilbud?")
    switch_user(page, "demo-gp")
    page.goto("/")  # "I dag"
    waiting = page.get_by_test_id("home-referrals").locator("li", has_text=PATIENT_NAME)
    expect(waiting).to_contain_text("Afventer oplysninger")
    expect(waiting).to_contain_text("Centret venter på dit svar.")
    fits_phone(page)
    waiting.get_by_role("link", name=re.compile(re.escape(PATIENT_NAME))).click()
    answer_supplement(page, referral_path, "Ja, genoptræning i kommunen i 2024.")

    # The centre accepts: the pathway shows that the centre has the patient now.
    switch_user(page, "demo-centre-doctor")
    accept(page, referral_path, weeks=6)
    switch_user(page, "demo-gp")
    page.goto(pathway_url)
    expect(page.get_by_test_id("pathway-now")).to_contain_text(CENTRE)
    fits_phone(page)

    # The centre plans and runs the course and sends the discharge summary.
    switch_user(page, "demo-centre-doctor")
    _plan_and_run_the_course(page)

    # The GP's "I dag": the discharged referral and the new summary.
    switch_user(page, "demo-gp")
    page.goto("/")
    home = page.get_by_test_id("home-referrals")
    referral = home.locator("li", has_text=PATIENT_NAME)
    expect(referral).to_contain_text("Afsluttet")
    summaries = page.get_by_test_id("home-discharge_summaries")
    expect(summaries).to_contain_text(PATIENT_NAME)
    fits_phone(page)
    summaries.get_by_role("link", name=PATIENT_NAME).click()
    expect(page.get_by_test_id("plan-after")).to_contain_text("Egen læge overtager")
    fits_phone(page)

    # The pathway: the pain centre's stage has ended with the discharge.
    page.goto(pathway_url)
    expect(page.get_by_test_id("pathway-now")).not_to_contain_text(CENTRE)
