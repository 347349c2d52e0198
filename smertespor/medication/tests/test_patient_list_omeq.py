"""The patient list's OMEQ column: each patient's newest snapshot, one query per page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from smertespor.medication.models import OmeqSnapshot
from smertespor.medication.selectors import attach_latest_omeq, with_latest_omeq
from smertespor.medication.table_selectors import active_table_version
from smertespor.patients.models import Patient
from tests.factories import PatientFactory


def snapshot(patient, days_ago, maximum):
    version = active_table_version()
    return OmeqSnapshot.objects.create(
        patient=patient,
        recorded_at=timezone.now() - datetime.timedelta(days=days_ago),
        recorded_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        conversion_table=version,
        table_id=version.table_id,
        table_version=version.version,
        scheduled_mg_per_day=Decimal(maximum),
        max_mg_per_day=Decimal(maximum),
    )


def test_each_patient_gets_the_newest_snapshot_in_one_query(practice):
    patients = PatientFactory.create_batch(5, listed_practice=practice)
    for index, patient in enumerate(patients[:4]):
        snapshot(patient, 30, 10)
        snapshot(patient, 2, 20 + index)
    with CaptureQueriesContext(connection) as queries:
        listed = attach_latest_omeq(Patient.objects.filter(listed_practice=practice).order_by("pk"))
    assert len(queries) == 2  # the page's patients, then their snapshots
    by_id = {p.pk: p.latest_omeq for p in listed}
    newest = [by_id[p.pk] for p in patients]
    assert [s.max_mg_per_day if s else None for s in newest] == [20, 21, 22, 23, None]


def test_the_queryset_can_carry_the_newest_omeq_without_any_extra_query(practice):
    patient = PatientFactory.create(listed_practice=practice)
    snapshot(patient, 10, 40)
    snapshot(patient, 1, 55)
    [annotated] = with_latest_omeq(Patient.objects.filter(pk=patient.pk))
    assert annotated.latest_omeq_max_mg_per_day == 55


def test_the_list_template_filter_and_cell_render_the_figure(practice):
    patient = PatientFactory.create(listed_practice=practice)
    snapshot(patient, 1, 120)
    html = Template(
        "{% load medication %}{% for p in patients|with_latest_omeq %}"
        "{% omeq_cell p.latest_omeq %}{% endfor %}"
    ).render(Context({"patients": Patient.objects.filter(pk=patient.pk)}))
    assert '<span class="omeq-cell"><span>120</span></span>' in html


# The cell was an include; the tag that replaced it (one a row) writes the same markup.
WAS_AN_INCLUDE = (
    '{% load i18n medication %}<span class="omeq-cell">{% if omeq is None %}—'
    "{% elif not omeq.is_computable %}<span title=\"{% translate 'OMEQ cannot be computed with "
    'the active table\' %}">?</span>{% else %}<span{% if "high_dose" in omeq.warning_codes %}'
    ' class="high"{% endif %}>{{ omeq.max_mg_per_day|mg }}</span>'
    '{% if omeq.max_mg_per_day != omeq.scheduled_mg_per_day %} <small class="muted">('
    "{% blocktranslate with scheduled=omeq.scheduled_mg_per_day|mg %}{{ scheduled }} scheduled"
    "{% endblocktranslate %})</small>{% endif %}{% endif %}</span>"
)


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(
    "omeq",
    [
        None,
        OmeqSnapshot(is_computable=False),
        OmeqSnapshot(scheduled_mg_per_day=Decimal(60), max_mg_per_day=Decimal(60)),
        OmeqSnapshot(
            scheduled_mg_per_day=Decimal("90.5"),
            max_mg_per_day=Decimal("1234.5"),
            warning_codes=["high_dose"],
        ),
    ],
    ids=["none", "not computable", "scheduled only", "high with as-needed"],
)
def test_the_cell_tag_writes_what_the_include_wrote(omeq, language):
    with translation.override(language):
        tag = Template("{% load medication %}{% omeq_cell omeq %}").render(Context({"omeq": omeq}))
        include = Template(WAS_AN_INCLUDE).render(Context({"omeq": omeq}))
    assert tag == include
    assert tag.startswith('<span class="omeq-cell">')
