"""The worklists' per-row markup is written by tags, not includes (a page draws 25 rows);
the tags write what the includes wrote, in both languages."""

import uuid

import pytest
from django.template import Context, Template
from django.utils import translation

from smertespor.tracks.models import Status

# The includes the tags replaced, as they were.
PATIENT_CELL_WAS = (
    "<td><a href=\"{% url 'tracks:course_detail' row.patient_id row.course_id %}\" "
    'data-testid="row-link">{{ row.patient_name }}</a><br><small class="cpr muted">'
    "{{ row.cpr }}</small></td>"
)
STATUS_WAS = (
    '{% load tracks %}<span class="status status-{{ status }}" data-status="{{ status }}">'
    "{{ status|status_name }}</span>"
)


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("status", [*Status.values, "", "not-a-status"])
def test_the_status_badge_is_what_the_include_wrote(status, language):
    with translation.override(language):
        tag = Template("{% load tracks %}{% status_badge status %}").render(
            Context({"status": status})
        )
        include = Template(STATUS_WAS).render(Context({"status": status}))
    assert tag == include
    assert f'data-status="{status}"' in tag


@pytest.mark.parametrize(
    "name", ["Anna Jensen", 'Ærø <Øster> & "Åby"', "O'Brien"], ids=["plain", "markup", "quote"]
)
def test_the_patient_cell_is_what_the_include_wrote_and_escapes_the_name(name):
    row = {
        "patient_id": uuid.uuid4(),
        "course_id": 41,
        "patient_name": name,
        "cpr": "010170-1234",
    }
    tag = Template("{% load tracks %}{% patient_cell row %}").render(Context({"row": row}))
    include = Template(PATIENT_CELL_WAS).render(Context({"row": row}))
    assert tag == include
    assert "<Øster>" not in tag
    assert f"/patients/{row['patient_id']}/" in tag
