"""The Danish UI: every message translated, the compiled catalogue current."""

import gettext
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "da" / "LC_MESSAGES"


def _entries(po_text: str) -> list[tuple[str, str]]:
    """(catalogue key, translation) per entry: context entries keyed "ctxt\\x04msgid", plural
    entries by their singular msgid with the first plural form's translation."""
    entries: list[tuple[str, str]] = []
    fields: dict[str, str] = {}
    current = ""

    def flush() -> None:
        if fields.get("msgid"):
            key = fields["msgid"]
            if "msgctxt" in fields:
                key = fields["msgctxt"] + "\x04" + key
            entries.append((key, fields.get("msgstr", fields.get("msgstr[0]", ""))))
        fields.clear()

    for raw in [*po_text.splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line:
                flush()
            continue
        if line.startswith('"'):
            fields[current] += line[1:-1]
            continue
        current, value = line.split(" ", 1)
        if current == "msgctxt" and "msgid" in fields:
            flush()
        fields[current] = value[1:-1]
    return entries


def test_every_danish_message_is_translated():
    po_text = (LOCALE / "django.po").read_text(encoding="utf-8")
    untranslated = [msgid for msgid, msgstr in _entries(po_text) if not msgstr]
    assert untranslated == []
    fuzzy = [line for line in po_text.splitlines() if line.startswith("#,") and "fuzzy" in line]
    assert fuzzy == [], "fuzzy entries are guesses: translate them and drop the flag"


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def test_the_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    po_text = (LOCALE / "django.po").read_text(encoding="utf-8")
    stale = [
        key
        for key, msgstr in _entries(po_text)
        if catalog.get(_unescape(key), catalog.get((_unescape(key), 0))) != _unescape(msgstr)
    ]
    assert stale == [], "run `make messages` to recompile the .mo file"


@pytest.mark.parametrize(
    ("language", "text"), [("da", "Hvem har set mine oplysninger"), ("en", "Who has looked")]
)
def test_the_patient_page_follows_the_chosen_language(client_for, gp, patient, language, text):
    client = client_for(gp)
    client.post(reverse("set_language"), {"language": language})
    body = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert text in body


def test_the_error_pages_are_danish(client_for, gp, planner):
    with translation.override("da"):
        not_found = client_for(gp).get("/patients/00000000-0000-0000-0000-000000000000/")
        denied = client_for(planner).get(reverse("patients:list"))
    assert not_found.status_code == 404
    assert "Ikke fundet" in not_found.content.decode()
    assert denied.status_code == 403
    assert "Ingen adgang" in denied.content.decode()


def test_the_500_page_is_danish_and_self_contained():
    body = (Path(__file__).resolve().parents[2] / "templates" / "500.html").read_text()
    assert 'lang="da"' in body
    assert "Der opstod en fejl" in body
    assert "{%" not in body  # rendered without a template context


def test_the_login_page_is_reachable_in_both_languages(db):
    for language in ("da", "en"):
        response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("login"))
        assert response.status_code == 200
