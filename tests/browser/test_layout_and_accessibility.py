"""Every main page on a phone and a laptop, checked by axe-core, and the GP's taper path by
keyboard alone (issue 16: layout and WCAG 2.1 AA).

Each role signs in once per language in a context of its own, and each page is loaded once
per language: in Danish on a 390 px phone and in English on a 1,366 px laptop. On every load
the page must not scroll sideways, and axe-core (tests/browser/vendor/axe-core, used only
here, never served) must find no serious or critical violation of WCAG 2.1 A and AA.

Pages are found by following the links a user would, not by ids, so the test holds however
the demo region's ids fall.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from smertespor.demo_region import DEMO_PASSWORD
from tests.browser.search import wait_for_search, watch_search
from tests.browser.test_tapering import a_patient_to_plan_for

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
# (browser locale, viewport): Danish, whose words are longer, on the narrower screen.
LANGUAGES = {"da": ("da-DK", PHONE), "en": ("en-GB", LAPTOP)}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
SERIOUS = {"serious", "critical"}
UUID = r"[0-9a-f-]{36}"


class Walk:
    """One signed-in browser context of a role in a language, and what it found wrong."""

    def __init__(self, context: BrowserContext, language: str) -> None:
        self.page = context.new_page()
        self.language = language
        self.problems: list[str] = []

    def sign_in(self, username: str) -> None:
        self.page.goto("/login/")
        if self.language != "da":  # Danish is the default; the switch sets a cookie
            self.page.get_by_test_id(f"language-{self.language}").click()
        self.check("/login/")
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(DEMO_PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        expect(self.page.locator("header.site-header .user-badge")).to_be_attached()

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        self.check(url)

    def check(self, url: str) -> None:
        page = self.page
        expect(page.locator("html")).to_have_attribute("lang", self.language)
        width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > viewport:
            self.problems.append(f"{url}: {width} px wide on a {viewport} px screen")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS
        )
        for violation in violations:
            if violation["impact"] in SERIOUS:
                targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
                self.problems.append(f"{url}: {violation['id']} ({violation['impact']}) {targets}")

    def first_link(self, url: str, pattern: str) -> str:
        """The first link in the page's content whose path matches ``pattern``."""
        if self.page.url.removeprefix(self.origin) != url:
            self.page.goto(url)
        hrefs = self.page.locator("main a[href]").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
        found = next((h for h in hrefs if re.fullmatch(pattern, h.split("?")[0])), None)
        assert found, f"No link to {pattern} on {url}"
        return found

    @property
    def origin(self) -> str:
        return re.sub(r"^(https?://[^/]+).*$", r"\1", self.page.url)

    def api(self, path: str) -> object:
        return self.page.request.get(path).json()


@pytest.fixture(scope="module", params=sorted(LANGUAGES))
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def walk(browser: Browser, server_url: str, language: str) -> Iterator[Walk]:
    locale, viewport = LANGUAGES[language]
    # bypass_csp: the test adds axe-core's script to our pages, which the CSP rightly refuses.
    context = browser.new_context(
        base_url=server_url, locale=locale, viewport=viewport, bypass_csp=True
    )
    try:
        yield Walk(context, language)
    finally:
        context.close()


def report(walk: Walk) -> None:
    assert not walk.problems, "\n".join(walk.problems)


@pytest.mark.browser
def test_the_gps_pages_fit_the_screen_and_pass_axe(walk: Walk) -> None:
    walk.sign_in("demo-gp")
    walk.visit("/patients/")
    patient = a_patient_with_an_active_plan(walk)
    for url in (
        f"/patients/{patient}/",
        f"/medication/patients/{patient}/",
        f"/tapering/patients/{patient}/",
    ):
        walk.visit(url)
    walk.visit(
        walk.first_link(f"/tapering/patients/{patient}/", rf"/tapering/patients/{UUID}/plans/\d+/")
    )
    course = walk.first_link(
        f"/tracks/patients/{patient}/", rf"/tracks/patients/{UUID}/courses/\d+/"
    )
    walk.visit(course)
    walk.visit(f"{course}follow-ups/new/")
    walk.visit("/tracks/worklist/")
    walk.visit(walk.first_link("/advice/", r"/advice/\d+/"))
    walk.visit("/advice/")
    walk.visit(walk.first_link("/referrals/", r"/referrals/\d+/"))
    walk.visit("/referrals/")
    walk.visit(walk.first_link("/teaching/", r"/teaching/\d+/"))
    walk.visit("/teaching/")
    walk.visit("/notifications/")
    walk.visit("/evaluation/measures/practice/")
    report(walk)


@pytest.mark.browser
def test_the_clinics_pages_fit_the_screen_and_pass_axe(walk: Walk) -> None:
    walk.sign_in("demo-clinic-doctor")
    walk.visit("/patients/")
    walk.visit("/tracks/worklist/clinic/")
    course = rf"/tracks/patients/{UUID}/courses/\d+/"
    walk.visit(walk.first_link("/tracks/worklist/clinic/", course))
    walk.visit(walk.first_link("/advice/", r"/advice/\d+/"))
    walk.visit("/advice/")
    walk.visit("/teaching/")
    walk.visit("/teaching/need/")
    walk.visit("/notifications/")
    report(walk)


@pytest.mark.browser
def test_the_pain_centres_pages_fit_the_screen_and_pass_axe(walk: Walk) -> None:
    walk.sign_in("demo-centre-doctor")
    walk.visit("/centres/")
    walk.visit(walk.first_link("/centres/", rf"/centres/patients/{UUID}/courses/\d+/"))
    walk.visit("/referrals/")
    walk.visit(walk.first_link("/referrals/", r"/referrals/\d+/"))
    report(walk)


@pytest.mark.browser
def test_the_planners_dashboards_fit_the_screen_and_pass_axe(walk: Walk) -> None:
    walk.sign_in("demo-planner")
    for url in (
        "/overview/",
        "/evaluation/measures/",
        "/evaluation/screening/",
        "/evaluation/forecast/",
        "/teaching/reach/",
        "/advice/figures/",
        "/referrals/figures/",
    ):
        walk.visit(url)
    report(walk)


def a_patient_with_an_active_plan(walk: Walk) -> str:
    for patient in walk.api("/api/patients?page=1")["items"]:  # type: ignore[index]
        plans = walk.api(f"/api/tapering/patients/{patient['id']}/plans")
        if any(plan["status"] == "active" for plan in plans):  # type: ignore[attr-defined]
            return str(patient["id"])
    pytest.fail("The demo GP has no patient with an active taper plan.")


# --- the header and long words -----------------------------------------------------------


@pytest.mark.browser
def test_the_header_is_one_menu_button_on_a_phone_and_one_row_of_links_on_a_laptop(
    browser: Browser, server_url: str
) -> None:
    context = browser.new_context(base_url=server_url, locale="da-DK", viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, "demo-gp")
        header = page.locator("header.site-header")
        menu = header.locator("details.site-menu")
        links = header.locator(".site-nav a")
        # A phone: the brand and a Menu button; the links open below it and close on Escape.
        assert header.bounding_box()["height"] < 80  # type: ignore[index]
        expect(links.first).to_be_hidden()
        menu.locator("summary").click()
        expect(links.first).to_be_visible()
        page.keyboard.press("Escape")
        expect(links.first).to_be_hidden()
        expect(menu.locator("summary")).to_be_focused()

        # A laptop: no Menu button, every link on one row below the brand and the tools.
        page.set_viewport_size(LAPTOP)
        expect(menu.locator("summary")).to_be_hidden()
        expect(links.first).to_be_visible()
        tops = {round(box["y"]) for box in (link.bounding_box() for link in links.all()) if box}
        assert len(tops) == 1, tops
        assert header.bounding_box()["height"] < 130  # type: ignore[index]
    finally:
        context.close()


@pytest.mark.browser
def test_a_long_unbroken_string_wraps_instead_of_widening_the_page(
    browser: Browser, server_url: str
) -> None:
    context = browser.new_context(base_url=server_url, locale="da-DK", viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, "demo-gp")
        csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        unbroken = "Smertebehandlingsforløbsplan" * 40  # 1,120 letters, no space
        asked = page.request.post(
            "/api/advice/requests",
            data=json.dumps({"subject": unbroken[:150], "question": unbroken, "category": "other"}),
            headers={"X-CSRFToken": csrf, "Content-Type": "application/json"},
        )
        assert asked.status == 201, asked.text()
        page.goto(f"/advice/{asked.json()['id']}/")
        expect(page.locator("main")).to_contain_text(unbroken[:200])
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.goto("/advice/")  # the subject in the list's table
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("header.site-header .user-badge")).to_be_attached()


# --- the keyboard ------------------------------------------------------------------------

TAB_LIMIT = 120  # presses to reach any control: the header's links, then the page's


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focused element matches ``selector``: it must be reachable, and
    shown where it is focused."""
    page.wait_for_load_state()
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            box = page.locator(selector).first.bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0, f"{selector} is not shown"
            return
    pytest.fail(f"{TAB_LIMIT} presses of Tab did not reach {selector} on {page.url}")


@pytest.mark.browser
def test_the_gp_makes_a_taper_plan_with_the_keyboard_alone(page: Page) -> None:
    page.goto("/login/")
    tab_to(page, "#id_username")
    page.keyboard.type("demo-gp")
    tab_to(page, "#id_password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))  # "I dag"

    patient_id = a_patient_to_plan_for(page)
    name = page.request.get(f"/api/patients/{patient_id}").json()["name"]
    tab_to(page, "header a[href='/patients/']")  # from "I dag" to the patient list
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/patients/$"))
    tab_to(page, "#id_query")
    watch_search(page)
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    wait_for_search(page)  # not the results of a pause in the typing, which Enter replaces
    expect(page.locator("#search-results a[href$='/']").first).to_be_visible()
    tab_to(page, f"#search-results a[href='/patients/{patient_id}/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/patients/{patient_id}/$"))

    tab_to(page, f"main a[href='/medication/patients/{patient_id}/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/medication/patients/{patient_id}/$"))
    tab_to(page, "[data-testid=make-taper-plan]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/tapering/patients/{patient_id}/new/$"))

    # The preview follows the form: every two weeks instead of four.
    steps = page.locator("#plan-preview table.taper-steps tbody")
    expect(steps).to_be_visible()
    before = steps.inner_text()
    tab_to(page, "#id_interval_days")
    page.keyboard.press("Control+A")
    page.keyboard.type("14")
    page.keyboard.press("Tab")
    expect(steps).not_to_have_text(before)

    tab_to(page, "button[name=submit][value=activate]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/tapering/patients/{patient_id}/plans/\d+/$"))
    expect(page.locator(".taper-status-active").first).to_be_visible()
