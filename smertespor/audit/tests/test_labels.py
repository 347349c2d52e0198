"""Every kind of thing the audit log records has words, so no page shows a code."""

import re
from pathlib import Path

from django.utils import translation

from smertespor.audit.labels import OBJECT_LABELS, object_label

APPS = Path(__file__).resolve().parents[2]
OBJECT_TYPE = re.compile(r'object_type(?:: str)? ?= ?"([a-z_]+)"')


def _object_types_in_the_code() -> set[str]:
    found: set[str] = set()
    for path in APPS.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found.update(OBJECT_TYPE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_object_type_the_apps_write_has_a_label():
    written = _object_types_in_the_code()
    assert len(written) > 40  # the scan found the calls
    assert sorted(written - OBJECT_LABELS.keys()) == []


def test_labels_are_danish_words_and_an_unknown_code_never_shows():
    with translation.override("da"):
        assert object_label("follow_up") == "opfølgningsbesøg"
        assert object_label("advice_article") == "vidensbankartikel"
        assert object_label("made_up_code") == "post i journalen"
    with translation.override("en"):
        assert object_label("follow_up") == "follow-up visit"
