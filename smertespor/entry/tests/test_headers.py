"""A strict Content-Security-Policy and a Permissions-Policy on every answer, and no inline
script, style or event handler in any page a role sees (issue 12, "headers and caching").

The CSP forbids inline code; a page that still had some would break silently in the browser
(tests/browser/test_security_headers.py checks that no violation is reported there).
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from smertespor.tapering.services import create_taper_plan, default_pace
from smertespor.teaching.models import Registration
from smertespor.teaching.tests.factories import past_session_with_attendance

pytestmark = pytest.mark.django_db

CSP_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]
PERMISSIONS = [
    "camera=()",
    "microphone=()",
    "geolocation=()",
    "payment=()",
    "usb=()",
    "publickey-credentials-get=(self)",
    "publickey-credentials-create=(self)",
]

# What the policy refuses to run: a <script> with a body or without src (JSON data blocks
# are not run and are allowed), a <style> block, a style="…" attribute, an on…= handler and
# a javascript: link; htmx's hx-on runs inline code too.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I
)
INLINE = {
    "inline script": INLINE_SCRIPT,
    "style block": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "javascript: url": re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I),
    "hx-on": re.compile(r"\shx-on[:-]", re.I),
}


def inline_code(html: str) -> list[str]:
    return [
        f"{what}: {match.group()[:80]}"
        for what, pattern in INLINE.items()
        for match in pattern.finditer(html)
    ]


def test_the_inline_check_finds_what_the_policy_forbids():
    html = (
        '<script>alert(1)</script><style>p{}</style><p style="color:red">'
        '<button onclick="x()"><a href="javascript:x()"><div hx-on:click="x()">'
    )
    found = inline_code(html)
    assert {what for what in INLINE if any(line.startswith(f"{what}: ") for line in found)} == set(
        INLINE
    )
    allowed = (
        '<script src="/static/x.js" defer></script>'
        '<script type="application/json" id="s">{}</script>'
    )
    assert inline_code(allowed) == []


def _medication_and_plan(gp, patient, client_for):
    client_for(gp).post(
        reverse("medication:add_line", args=[patient.pk]),
        {
            "product_strength": "morphine-depot-tablet@30",
            "units_per_dose": "1",
            "doses_per_day": "2",
            "indication": "pain",
            "start_date": (timezone.localdate() - timedelta(days=30)).isoformat(),
        },
    )
    pace = default_pace(timezone.localdate())
    return create_taper_plan(patient=patient, by=gp, pace=pace, activate=True)


@pytest.fixture
def pages(gp, patient, clinic, client_for):
    plan = _medication_and_plan(gp, patient, client_for)
    session = past_session_with_attendance(organiser=clinic, attendees=[gp], title="Abstinenser")
    registration = Registration.objects.get(session=session, participant=gp)
    plan_args = [patient.pk, plan.pk]
    return [
        reverse("login"),
        reverse("home"),
        reverse("overview"),
        reverse("patients:list"),
        reverse("patients:detail", args=[patient.pk]),
        reverse("medication:patient", args=[patient.pk]),
        reverse("tapering:patient_plans", args=[patient.pk]),
        reverse("tapering:plan_detail", args=plan_args),
        reverse("tapering:plan_handout", args=plan_args),
        reverse("tapering:plan_summary", args=plan_args),
        reverse("advice:list"),
        reverse("advice:create"),
        reverse("advice:articles"),
        reverse("teaching:list"),
        reverse("teaching:create"),
        reverse("teaching:need"),
        reverse("teaching:hours"),
        reverse("teaching:detail", args=[session.pk]),
        reverse("teaching:certificate", args=[registration.pk]),
        reverse("notifications:list"),
        "/no-such-page/",
    ]


@pytest.fixture
def roles(gp, clinic_nurse, clinic_secretary, planner, admin_user):
    return {
        "anonymous": None,
        "gp": gp,
        "clinic_nurse": clinic_nurse,
        "secretary": clinic_secretary,
        "planner": planner,
        "admin": admin_user,
    }


def test_no_page_of_any_role_has_inline_code_and_every_answer_has_the_policies(
    client, client_for, pages, roles
):
    rendered = 0
    problems: list[str] = []
    for role, user in roles.items():
        browser = client if user is None else client_for(user)
        for url in pages:
            response = browser.get(url)
            policy = response.get("Content-Security-Policy", "")
            for directive in CSP_DIRECTIVES:
                assert directive in policy, (role, url, policy)
            assert all(p in response.get("Permissions-Policy", "") for p in PERMISSIONS)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            rendered += response.status_code == 200
            problems += [f"{role} {url}: {line}" for line in inline_code(response.content.decode())]
    assert problems == []
    assert rendered >= 30  # most pages were really shown, not only refused


def test_the_error_page_has_no_inline_style():
    assert inline_code(render_to_string("500.html")) == []


TEMPLATE_ROOT = Path(settings.BASE_DIR) / "smertespor"


def test_no_template_has_inline_code():
    found = [
        f"{path.relative_to(TEMPLATE_ROOT)}: {line}"
        for path in sorted(TEMPLATE_ROOT.rglob("templates/**/*.html"))
        for line in inline_code(path.read_text())
    ]
    assert found == []


def test_htmx_does_not_inject_its_indicator_styles(client_for, gp):
    page = client_for(gp).get(reverse("advice:list")).content.decode()
    assert '"includeIndicatorStyles": false' in page


def test_the_api_answers_carry_the_policies(client_for, gp):
    response = client_for(gp).get("/api/notifications")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


def test_a_staff_user_sees_the_same_policy_in_the_admin(admin_user, client_for):
    response = client_for(admin_user).get("/admin/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_permissions_policy_names_every_feature():
    from smertespor.entry.headers import permissions_policy

    assert permissions_policy({"camera": "()", "publickey-credentials-get": "(self)"}) == (
        "camera=(), publickey-credentials-get=(self)"
    )
