"""Referral in a real browser: the GP refers a patient to the pain centre with one
criterion unknown (and a reason), the centre asks for a supplement, the GP answers in the
same thread, the centre accepts, and the GP sees it on the patient's record. Selectors avoid
UI text, which is Danish here. (The course and the discharge summary are the centres app's.)"""

import re

import pytest
from playwright.sync_api import Page, expect

from smertespor.demo_region import DEMO_PASSWORD
from tests.browser.conftest import PHONE, switch_user
from tests.browser.test_foundation import log_in

REFERRAL_URL = re.compile(r"/referrals/(\d+)/$")
FIELDS = {
    "#id_diagnosis_code": "DM545",
    "#id_diagnosis_text": "Kroniske lænderygsmerter",
    "#id_history": "Lænderygsmerter i tre år trods fysioterapi.",
    "#id_question": "Tværfagligt forløb med mestring og nedtrapning.",
    "#id_function_and_work": "Sygemeldt på halv tid.",
    "#id_patient_expectations": "At kunne arbejde igen.",
    "#id_gp_expectations": "En plan jeg kan følge op på.",
    "#id_pain_since": "2023-01-15",
}
YES = [
    "crit_complex__psychological",
    "crit_worked_up__somatic_examination",
    "crit_worked_up__blood_tests",
    "crit_worked_up__imaging_if_indicated",
    "crit_worked_up__specialist_assessment",
    "crit_primary_treatment_tried__physiotherapy",
    "crit_gp_takes_back",
]


CENTRE = "Tværfagligt Smertecenter, Aarhus Universitetshospital"


def write_referral(page: Page, recipient: str = CENTRE, unknown: str = "motivated") -> str:
    """From the patient's record, the GP writes a referral with every criterion met but
    `unknown`, and saves it; returns the referral's path."""
    page.get_by_test_id("refer-patient").click()
    expect(page.get_by_test_id("referral-prefill")).to_be_visible()
    page.locator("#id_recipient").select_option(label=recipient)
    for selector, value in FIELDS.items():
        page.locator(selector).fill(value)
    page.locator("#id_work_status").select_option("part_time_sick_leave")
    for name in YES:
        page.locator(f"#id_{name}").select_option("yes")
    page.locator(f"#id_crit_{unknown}").select_option("unknown")
    page.get_by_test_id("referral-save").click()
    expect(page).to_have_url(REFERRAL_URL)
    expect(page.get_by_test_id(f"criterion-status-{unknown}")).to_have_class(
        re.compile("criterion-unknown")
    )
    return re.search(r"/referrals/\d+/$", page.url).group(0)  # type: ignore[union-attr]


def send_with_reason(page: Page, reason: str) -> None:
    """Sending with a criterion not met is refused without a written reason; with one, the
    referral goes and is flagged."""
    page.get_by_test_id("referral-send-submit").click()
    expect(page.locator("ul#id_exception_reason_error")).to_be_visible()
    page.locator("#id_exception_reason").fill(reason)
    page.get_by_test_id("referral-send-submit").click()
    expect(page.get_by_test_id("referral-flagged")).to_be_visible()


def ask_for_supplement(page: Page, referral_path: str, question: str) -> None:
    """The signed-in centre clinician asks the GP for more; the referral waits."""
    page.goto(referral_path)
    expect(page.get_by_test_id("referral-flag")).to_be_visible()
    page.locator("#id_question").fill(question)
    page.get_by_test_id("referral-request-information").click()
    expect(page.get_by_test_id("referral-status")).to_have_class(
        re.compile("badge-awaiting_information")
    )


def answer_supplement(page: Page, referral_path: str, answer: str) -> None:
    """The signed-in GP answers in the same thread; the referral is back in triage."""
    page.goto(referral_path)
    page.locator("#id_body").fill(answer)
    page.get_by_test_id("referral-message-submit").click()
    expect(page.get_by_test_id("referral-message")).to_have_count(2)
    expect(page.get_by_test_id("referral-status")).to_have_class(re.compile("badge-in_triage"))


def accept(page: Page, referral_path: str, weeks: int = 8) -> None:
    """The signed-in centre clinician accepts with priority and waiting time."""
    page.goto(referral_path)
    page.locator("#id_priority").select_option("routine")
    page.locator("#id_expected_wait_weeks").fill(str(weeks))
    page.get_by_test_id("referral-accept").click()
    expect(page.get_by_test_id("referral-wait")).to_be_visible()


@pytest.mark.browser
def test_a_gp_refers_the_centre_asks_the_gp_answers_and_the_centre_accepts(page: Page) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, "demo-gp", DEMO_PASSWORD)
    page.goto("/patients/")
    page.locator("main table tbody tr td a").nth(3).click()
    record = page.url
    referral_path = write_referral(page)
    send_with_reason(page, "Patienten vil gerne tale med jer om forløbet.")

    switch_user(page, "demo-centre-doctor")
    ask_for_supplement(page, referral_path, "Har patienten prøvet et kommunalt tilbud?")

    switch_user(page, "demo-gp")
    answer_supplement(page, referral_path, "Ja, genoptræning i kommunen i 2024.")

    switch_user(page, "demo-centre-doctor")
    accept(page, referral_path)

    # The GP sees the status on the patient's record.
    switch_user(page, "demo-gp")
    page.goto(record)
    panel = page.get_by_test_id("referral-panel")
    expect(panel.locator(".badge-accepted")).to_be_visible()
