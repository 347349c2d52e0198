"""The demo region read in Danish by a GP, a clinic doctor, a planner and an administrator:
no page shows "mg/day", "mcg/h", an ISO date or a raw code from the code lists.

Each person starts on the home page and follows the links (two pages of each kind, so one
patient's pages stand for all), as someone trying the product in a browser would.
"""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from domain.omeq import DoseUnit
from domain.omeq.rules import RuleKind
from smertespor.accounts.models import User
from smertespor.audit.labels import OBJECT_LABELS
from smertespor.medication.models import ConversionRule, ConversionTableVersion

ROLES = ["demo-gp", "demo-clinic-doctor", "demo-planner", "demo-admin"]
PAGES_PER_KIND = 2
PAGES_PER_PERSON = 70
SKIP = ("/api/", "/admin/", "/static/", "logout", "/i18n/", ".pdf", ".ics", "csv", "download")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ENGLISH_UNITS = ("mg/day", "mcg/h", "mcg/day")


def visible_text(body: str) -> str:
    """What a reader sees: no scripts, styles, text areas (a definition file being edited),
    tags or attributes (ISO dates stay correct in input values and datetime attributes)."""
    body = re.sub(r"<(script|style|textarea|template)\b[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(body)


def raw_codes() -> set[str]:
    """The codes of the models' choices and the domain's code lists whose label differs from
    the code: snake_case codes, which are never Danish words, and a few single words."""
    codes: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and "_" in value and value != str(label):
                    codes.add(value)
    codes.update(code for code in OBJECT_LABELS if "_" in code)
    codes.update(kind.value for kind in RuleKind)
    codes.update({DoseUnit.MCG_PER_H.value})
    return codes


def source_texts() -> list[str]:
    """Published sources quoted as published (often in English): every model's ``source``
    citation and the conversion tables' notes."""
    texts = [*ConversionRule.objects.values_list("note", flat=True)]
    texts += ConversionTableVersion.objects.values_list("note", flat=True)
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "source"), None)
        if field is not None and not field.choices:
            texts += [
                str(value) for value in model._default_manager.values_list("source", flat=True)
            ]
    return sorted((t for t in texts if t), key=len, reverse=True)


def problems_on(text: str, codes: set[str]) -> list[str]:
    found = [unit for unit in ENGLISH_UNITS if unit in text]
    found += [f"ISO date {m.group()}" for m in ISO_DATE.finditer(text)]
    for code in codes:
        for shown in {code, code.replace("_", " ")}:
            if re.search(rf"(?<![\w/-]){re.escape(shown)}(?![\w/-])", text):
                found.append(f"code {shown!r}")
    return found


def walk(client: Client, codes: set[str], sources: list[str]) -> dict[str, list[str]]:
    queue: list[str] = ["/"]
    seen: set[str] = set()
    kinds: Counter[str] = Counter()
    problems: dict[str, list[str]] = {}
    while queue and len(seen) < PAGES_PER_PERSON:
        url = queue.pop(0)
        kind = re.sub(r"[0-9a-f-]{36}|\d+", "N", url.split("?")[0])
        if url in seen or kinds[kind] >= PAGES_PER_KIND:
            continue
        seen.add(url)
        kinds[kind] += 1
        response = client.get(url, follow=True)
        assert response.status_code < 500, url
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        text = visible_text(body)
        for source in sources:
            text = text.replace(source, " ")
        if found := problems_on(text, codes):
            problems[url] = sorted(set(found))
        for href in re.findall(r'href="(/[^"#]*)"', body):
            href = html.unescape(href)
            if not any(part in href for part in SKIP) and href not in seen:
                queue.append(href)
    assert len(seen) > 10  # the walk got past the home page
    return problems


@pytest.mark.django_db
def test_the_demo_region_reads_in_danish_for_every_role():
    call_command("load_demo_region", verbosity=0)
    codes, sources = raw_codes(), source_texts()
    assert "follow_up" in codes or "advice_article" in codes  # the code lists were found
    problems = {}
    for username in ROLES:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
        client.force_login(User.objects.get(username=username))
        for url, found in walk(client, codes, sources).items():
            problems[f"{username} {url}"] = found
    assert problems == {}


def test_the_checks_catch_what_they_look_for():
    text = visible_text(
        '<p title="2026-01-02">Dosis 5 mg/day fra 2026-01-02, follow up</p>'
        '<input type="date" value="2026-03-04"><textarea>published = 2026-01-15</textarea>'
    )
    assert problems_on(text, {"follow_up"}) == [
        "mg/day",
        "ISO date 2026-01-02",
        "code 'follow up'",
    ]


@pytest.mark.django_db
def test_english_pages_show_dates_day_first(client_for, gp, patient):
    client = client_for(gp)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/patients/").content.decode()
    born = patient.birth_date
    assert born.strftime("%d/%m/%Y") in visible_text(body)
    if born.day != born.month:
        assert born.strftime("%m/%d/%Y") not in visible_text(body)
    header = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f"born {born.day} {born:%B %Y}" in visible_text(header)  # not "born 6. December"
