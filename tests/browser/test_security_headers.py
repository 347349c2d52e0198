"""The Content-Security-Policy in a real browser: key pages, htmx and the API docs run under
it without a single violation (issue 12). A violation would mean a page silently lost a
script or a style; chromium reports each one as a console error and as a
`securitypolicyviolation` event, and both are collected here."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from smertespor.demo_region import DEMO_PASSWORD

# Runs before any page script and is not subject to the page's CSP (Playwright injects it).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations = window.__cspViolations || [];
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Violations:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.context.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message: object) -> None:
        text = str(getattr(message, "text", ""))
        if "Content Security Policy" in text or "CSP violation" in text:
            self.console.append(text)

    def seen(self) -> list[str]:
        in_page = self.page.evaluate("window.__cspViolations || []")
        return [*self.console, *in_page]


@pytest.fixture
def violations(page: Page) -> Iterator[Violations]:
    yield Violations(page)


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()


def a_patient_with_a_chart(page: Page) -> str:
    for patient in page.request.get("/api/patients?page=1").json()["items"]:
        page.goto(f"/medication/patients/{patient['id']}/")
        if page.locator("section.omeq-chart svg[role=img]").count():
            return str(patient["id"])
    pytest.fail("No demo patient of the GP has an OMEQ chart.")


@pytest.mark.browser
def test_the_gps_pages_and_htmx_run_under_the_policy(page: Page, violations: Violations) -> None:
    log_in(page, "demo-gp")
    expect(page.get_by_role("heading", name="I dag", level=1)).to_be_visible()
    page.goto("/patients/")
    expect(page.locator("#id_query")).to_be_visible()
    assert violations.seen() == []

    # htmx: the patient search swaps results in without a page load (indicator styles are ours).
    first = (
        page.get_by_test_id("patient-list")
        .locator("tbody tr")
        .first.locator("td")
        .first.inner_text()
        .strip()
    )
    page.locator("#id_query").fill(first)
    page.locator("#id_query").press("Enter")
    expect(page.locator("#search-results").get_by_role("link", name=first).first).to_be_visible()
    assert violations.seen() == []

    # The medication page with its SVG chart, and the patient's record.
    patient_id = a_patient_with_a_chart(page)
    expect(page.locator("section.omeq-chart svg polyline").first).to_be_attached()
    page.goto(f"/patients/{patient_id}/")
    expect(page.locator("main h1").first).to_be_visible()
    assert violations.seen() == []


@pytest.mark.browser
def test_the_api_docs_run_under_the_policy_when_signed_in(
    page: Page, violations: Violations
) -> None:
    log_in(page, "demo-gp")
    expect(page.get_by_role("heading", name="I dag", level=1)).to_be_visible()
    page.goto("/patients/")
    expect(page.locator("#id_query")).to_be_visible()
    page.goto("/api/docs")
    # Swagger UI built the page from the schema: its scripts and styles loaded.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Smertespor API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert violations.seen() == []


@pytest.mark.browser
def test_the_planners_overview_bars_run_under_the_policy(
    page: Page, violations: Violations
) -> None:
    log_in(page, "demo-planner")
    page.goto("/overview/")
    expect(page.locator("svg.bar rect").first).to_be_attached()
    box = page.locator("svg.bar").first.bounding_box()
    assert box is not None and box["width"] > 0
    assert violations.seen() == []


@pytest.mark.browser
def test_an_inline_script_would_be_refused_and_reported(page: Page, violations: Violations) -> None:
    """The watch above sees what the policy refuses (so an empty list means something)."""
    page.goto("/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.append(script);
        }"""
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_function("(window.__cspViolations || []).length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in line for line in violations.seen())
