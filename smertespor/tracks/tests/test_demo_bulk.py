"""The bulk demo builder writes the rows the one-row-at-a-time `DemoBuilder` writes."""

from datetime import date
from typing import Any

import pytest
from django.db import models, transaction

from smertespor.accounts.models import Organisation, Region
from smertespor.medication.demo import load_demo_medication
from smertespor.patients.models import CareRelation, Patient
from smertespor.tracks.demo_bulk import (
    STAGES,
    WRITTEN,
    BulkDemoBuilder,
    BulkStore,
    StagedDemoBuilder,
    run_stage,
)
from smertespor.tracks.models import Course, Handover, TimelineEvent
from smertespor.web import region_generator as generator

TODAY = date(2026, 3, 11)  # a Wednesday: the week's appointments fall on both sides of it


def _rows() -> dict[str, list[dict[str, Any]]]:
    """Every row the builders write, in key order, with keys replaced by positions."""
    ids = {
        model: list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        for model in WRITTEN
    }
    position = {model: {pk: i for i, pk in enumerate(pks)} for model, pks in ids.items()}
    found: dict[str, list[dict[str, Any]]] = {}
    for model in WRITTEN:
        rows = []
        for values in model._default_manager.order_by("pk").values():
            row: dict[str, Any] = dict(values)
            row.pop("id")
            for item in model._meta.concrete_fields:
                target = item.related_model if isinstance(item, models.ForeignKey) else None
                if target in position and row[item.attname] is not None:
                    row[item.attname] = ("#", position[target][row[item.attname]])
            if model is TimelineEvent and "previous_course" in row["detail"]:
                row["detail"]["previous_course"] = position[Course][
                    row["detail"]["previous_course"]
                ]
            rows.append(row)
        found[model._meta.model_name or ""] = rows
    return found


@pytest.fixture
def region(db):
    """Two practices' patients with medication, the clinic and its staff (no courses yet)."""
    the_region = Region.objects.create(code="1082", name="Region Midtjylland")
    practices = generator._practices(the_region, 2)
    others = generator._other_organisations(the_region)
    staff = generator._users(practices, others, generator.RegionReport())
    patients = generator._patients(practices, 120, seed=5)
    load_demo_medication(patients, today=TODAY)
    candidates = generator._candidates(patients)
    chosen = [p for p in sorted(patients, key=lambda p: p.cpr) if p.pk in candidates]
    return practices[0], others[Organisation.Kind.PAIN_CLINIC], staff, chosen, candidates


def _run(builder: StagedDemoBuilder, chosen: list[Patient], candidates: dict) -> int:
    made = 0
    # Every stage, twice (two patients each): one after the other, as the generator deals them.
    for number, patient in enumerate(chosen[: 2 * len(STAGES)]):
        mg, table = candidates[patient.pk]
        made += len(run_stage(builder, STAGES[number % len(STAGES)], patient, mg, table))
    return made


def test_bulk_rows_equal_the_builders_rows_for_every_stage(region):
    practice, clinic, staff, chosen, candidates = region
    assert len(chosen) >= 2 * len(STAGES)
    gp, nurse = staff.gps[practice.pk][0], staff.nurses[practice.pk]
    reference = StagedDemoBuilder(TODAY, gp, nurse, clinic)
    with transaction.atomic():
        made_one_by_one = _run(reference, chosen, candidates)
        one_by_one = _rows()
        transaction.set_rollback(True)
    assert not Course.objects.exists()

    store = BulkStore()
    bulk = BulkDemoBuilder(
        TODAY,
        gp,
        nurse,
        clinic,
        store=store,
        doctor=reference.doctor,
        clinic_nurse=reference.clinic_nurse,
        psychologist=reference.psychologist,
    )
    with transaction.atomic():
        made_in_bulk = _run(bulk, chosen, candidates)
        store.flush()
    in_bulk = _rows()

    assert made_in_bulk == made_one_by_one == Course.objects.count()
    assert set(in_bulk) == set(one_by_one)
    for name, rows in one_by_one.items():
        assert rows, f"no {name} rows: the stages should write some of each"
        assert in_bulk[name] == rows, name
    # The snapshot was taken from the database, with the visits as they were.
    assert all(h.snapshot["visits"] for h in Handover.objects.all())


def test_a_visit_after_the_handover_is_refused_in_bulk(region):
    practice, clinic, staff, chosen, candidates = region
    gp, nurse = staff.gps[practice.pk][0], staff.nurses[practice.pk]
    doctor = staff.clinic["clinic_doctor"][0]
    bulk = BulkDemoBuilder(
        TODAY,
        gp,
        nurse,
        clinic,
        store=BulkStore(),
        doctor=doctor,
        clinic_nurse=None,
        psychologist=None,
    )
    mg, table = candidates[chosen[0].pk]
    (course,) = run_stage(bulk, "early", chosen[0], mg, table)
    with pytest.raises(ValueError, match="after the handover"):
        bulk.visit(course, generator_visit(), by=gp)


def generator_visit():
    from smertespor.tracks.demo_builder import Visit

    return Visit(30, "0.9")


def test_care_relations_are_not_opened_twice(region):
    practice, clinic, staff, chosen, candidates = region
    gp, nurse = staff.gps[practice.pk][0], staff.nurses[practice.pk]
    store = BulkStore()
    bulk = BulkDemoBuilder(
        TODAY,
        gp,
        nurse,
        clinic,
        store=store,
        doctor=staff.clinic["clinic_doctor"][0],
        clinic_nurse=None,
        psychologist=None,
    )
    mg, table = candidates[chosen[0].pk]
    with transaction.atomic():
        run_stage(bulk, "relapse", chosen[0], mg, table)  # two courses, one relation
        store.flush()
    assert CareRelation.objects.filter(patient=chosen[0]).count() == 1
    assert Course.objects.filter(patient=chosen[0]).count() == 2
