"""The two tracks in a real browser: the GP enrols a patient and records two follow-ups, three
months pass without success, the 3-month rule proposes a handover on the GP's worklist, the GP
confirms it, and the clinic then sees the patient, accepts and assesses the patient's needs.

"Time passes" for real: the server runs in a subprocess on its own database, so this module
starts one of its own (the conftest's helpers) to know that database. The GP enrols with a
start date four weeks back (the form allows up to 31 days); then the course and its visits are
moved ten weeks further back in that database, as if the weeks had passed, and
`manage.py run_daily_rules` runs against it as cron would today (the job refuses a future day).
Reading the course before the job runs changes nothing.
"""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from smertespor.demo_region import DEMO_PASSWORD
from tests.browser.conftest import (
    COMMAND_TIMEOUT_SECONDS,
    REPO,
    _running_server,
    demo_region_database,
)

PATIENT_NAME = "Gudrun Forløbsen"
PATIENT_CPR = "0101370017"  # born 1 January 1937: outside the demo region's birth years


@pytest.fixture(scope="module")
def tracks_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A server of this module's own, and the environment that reaches its database."""
    workdir = tmp_path_factory.mktemp("tracks-browser")
    with ExitStack() as stack:
        database_url = stack.enter_context(demo_region_database())
        env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
        url = stack.enter_context(_running_server(env, workdir / "server.log"))
        yield url, env


@pytest.fixture(scope="module")
def server_url(tracks_server: tuple[str, dict[str, str]]) -> str:
    """Overrides the conftest's server for this module's `page`."""
    return tracks_server[0]


# Weeks pass: the course and its visits move back in time (the deadline follows the start).
TIME_PASSES = f"""
from datetime import timedelta
from django.db.models import F
from smertespor.tracks.models import Course, FollowUp
weeks = timedelta(weeks=10)
course = Course.objects.get(patient__name={PATIENT_NAME!r}, status="active")
Course.objects.filter(pk=course.pk).update(
    start_date=F("start_date") - weeks,
    next_follow_up_on=F("next_follow_up_on") - weeks,
    last_visit_on=F("last_visit_on") - weeks,
)
FollowUp.objects.filter(course=course).update(visit_on=F("visit_on") - weeks)
"""


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=True,
    )
    return result.stdout


def log_in(page: Page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def record_visit(
    page: Page, on: date, omeq: str, peg: tuple[int, int, int], nrs: int, sows: int
) -> None:
    page.get_by_test_id("record-follow-up").click()
    form = page.get_by_test_id("follow-up-form")
    form.locator("#id_visit_on").fill(on.isoformat())
    form.locator("#id_omeq_mg_per_day").fill(omeq)
    for name, value in zip(("peg_pain", "peg_enjoyment", "peg_activity"), peg, strict=True):
        form.locator(f"#id_{name}").fill(str(value))
    form.locator("#id_nrs").fill(str(nrs))
    form.locator("#id_sows_total").fill(str(sows))
    form.get_by_test_id("follow-up-submit").click()
    expect(page.get_by_test_id("course-title")).to_be_visible()


@pytest.mark.browser
def test_the_gp_confirms_the_rule_s_proposal_and_the_clinic_then_sees_the_patient(
    page: Page, tracks_server: tuple[str, dict[str, str]]
) -> None:
    _url, env = tracks_server
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    start = today - timedelta(days=28)

    # The GP registers the patient and enrols them in the practice track, four weeks back.
    log_in(page, "demo-gp")
    page.goto("/patients/new/")
    page.locator("#id_cpr").fill(PATIENT_CPR)
    page.locator("#id_name").fill(PATIENT_NAME)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PATIENT_NAME)
    page.get_by_test_id("course-panel").get_by_test_id("enrol").click()
    form = page.get_by_test_id("course-form")
    form.locator("#id_start_date").fill(start.isoformat())
    form.locator("#id_baseline_omeq_mg_per_day").fill("60")
    form.locator("#id_baseline_peg_pain").fill("7")
    form.locator("#id_baseline_peg_enjoyment").fill("6")
    form.locator("#id_baseline_peg_activity").fill("6")
    form.locator("#id_baseline_nrs").fill("6")
    form.locator("input[name=goal_kind][value=target]").check()
    form.locator("#id_goal_target_mg_per_day").fill("30")
    form.locator("#id_follow_up_interval_days").fill("14")
    form.locator("#id_plan_note").fill("Oxycodone depot 5 mg less every 2 weeks")
    form.get_by_test_id("enrol-submit").click()
    expect(page.locator("[data-status=active]").first).to_be_visible()
    course_url = page.url
    assert re.search(r"/tracks/patients/[0-9a-f-]{36}/courses/\d+/$", course_url)

    # Two follow-ups, neither reaching the target of 30 mg/day.
    record_visit(page, start + timedelta(days=14), "55", (7, 7, 6), 6, 8)
    record_visit(page, today - timedelta(days=1), "50", (6, 6, 6), 5, 6)
    visits = page.get_by_test_id("follow-ups").locator("tbody tr")
    expect(visits).to_have_count(3)  # the baseline and the two visits

    # Ten more weeks pass: the deadline is behind us. Reading the course changes nothing.
    manage(env, "shell", "-c", TIME_PASSES)
    page.goto(course_url)
    expect(page.locator("h2 [data-status=active]")).to_be_visible()
    patient_id = re.search(r"/tracks/patients/([0-9a-f-]{36})/", course_url)
    assert patient_id is not None
    page.goto(f"/patients/{patient_id.group(1)}/")  # the patient page, with its course panel
    expect(page.get_by_test_id("course-panel").locator("[data-status=active]")).to_be_visible()
    page.goto(course_url)
    expect(page.locator("h2 [data-status=active]")).to_be_visible()

    # The daily job judges the deadline: no success and no plan, so it proposes; it hands
    # nobody over.
    output = manage(env, "run_daily_rules")
    assert "1 handover proposed to the GP" in output, output
    page.goto(course_url)
    expect(page.locator("h2 [data-status=handover_review]")).to_be_visible()
    expect(page.get_by_test_id("handover")).to_have_count(0)

    # The GP sees the proposal on the worklist, reads why and confirms it.
    page.goto("/tracks/worklist/")
    page.get_by_test_id("section-proposals").click()
    proposal_row = page.get_by_test_id("worklist").locator("tbody tr").filter(has_text=PATIENT_NAME)
    expect(proposal_row).to_have_count(1)
    proposal_row.get_by_test_id("decide").click()
    expect(page.get_by_test_id("proposal")).to_be_visible()
    expect(page.get_by_test_id("proposal-why")).not_to_be_empty()
    confirm = page.get_by_test_id("confirm-form")
    confirm.locator("#id_confirm-expected_duration").fill("3 months")
    confirm.locator("#id_confirm-planned_follow_up").fill("The practice renews prescriptions")
    confirm.get_by_test_id("confirm-submit").click()
    expect(page).to_have_url(course_url)
    expect(page.locator("h2 [data-status=handover_proposed]")).to_be_visible()
    expect(page.get_by_test_id("handover")).to_be_visible()

    # The handover is on the clinic's intake list; the clinic doctor accepts it.
    log_in(page, "demo-clinic-doctor")
    page.goto("/tracks/worklist/")
    page.get_by_test_id("section-handovers").click()
    row = page.get_by_test_id("worklist").locator("tbody tr").filter(has_text=PATIENT_NAME)
    expect(row).to_have_count(1)
    row.get_by_test_id("row-link").click()
    expect(page).to_have_url(course_url)
    page.get_by_test_id("handover-letter").click()
    expect(page.get_by_test_id("snapshot-visits").locator("tbody tr")).to_have_count(2)
    # Printed, the letter is all there is: no header, menu, buttons or message links.
    page.emulate_media(media="print")
    expect(page.locator("article.letter")).to_be_visible()
    for hidden in (".site-header", ".course-actions", "article.letter p.no-print"):
        expect(page.locator(hidden).first).to_be_hidden()
    page.emulate_media(media="screen")
    expect(page.get_by_test_id("decision-accept")).to_be_visible()
    page.get_by_test_id("decision-accept").click()
    page.get_by_test_id("decision-submit").click()
    expect(page.locator("h2 [data-status=accepted]")).to_be_visible()
    hospital_url = page.url
    assert hospital_url != course_url

    # The needs assessment: which disciplines and which interventions.
    page.get_by_test_id("decision-assess_needs").click()
    assessment = page.get_by_test_id("assessment-form")
    for value in ("doctor", "nurse", "psychologist"):
        assessment.locator(f"input[name=disciplines][value={value}]").check()
    for value in ("supervised_taper", "cbt_group"):
        assessment.locator(f"input[name=interventions][value={value}]").check()
    assessment.locator("#id_summary").fill("Needs a supervised taper and help with coping")
    assessment.get_by_test_id("assessment-submit").click()
    expect(page.get_by_test_id("team-form")).to_be_visible()
    page.goto(hospital_url)
    expect(page.locator("h2 [data-status=needs_assessed]")).to_be_visible()
    expect(page.get_by_test_id("assessment")).to_have_attribute(
        "data-disciplines", "doctor nurse psychologist"
    )

    # The patient page's timeline shows every step, with who did it.
    page.goto(re.sub(r"courses/\d+/$", "", course_url))
    timeline = page.get_by_test_id("timeline")
    for kind in (
        "created",
        "follow_up",
        "propose_handover",
        "confirm_handover",
        "accept",
        "assess_needs",
    ):
        expect(timeline.locator(f"tr[data-kind={kind}]").first).to_be_visible()
