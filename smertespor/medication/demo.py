"""Fictitious medication lists for the demo region, with a few months of OMEQ history.

Most demo patients get one to four opioid lines (some as needed, some patches, a few on high
doses or methadone, a few in substitution treatment) and some a benzodiazepine, z-drug or
gabapentinoid. Each list starts some months ago and changes a few times (a dose up or down,
an as-needed line added or stopped); every change date has an OMEQ snapshot computed with
the active table, as if recorded that day. Idempotent: patients who already have lines are
left alone. Every patient's list follows from their CPR number, so it is the same every load.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from domain.catalogue import Catalogue
from smertespor.medication.calculation import entries_from_regimen, evaluate
from smertespor.medication.models import MedicationLine, OmeqSnapshot
from smertespor.medication.regimens import regimen_from_lines
from smertespor.medication.selectors import current_catalogue
from smertespor.medication.table_selectors import active_table_version, domain_table
from smertespor.patients.models import Patient

D = Decimal
SUBSTITUTION = MedicationLine.Indication.SUBSTITUTION


@dataclass(frozen=True)
class Spec:
    product_id: str
    strength: str
    units: str = "1"
    per_day: str | None = "2"
    prn_max: str | None = None
    indication: str = MedicationLine.Indication.PAIN


def prn(product_id: str, strength: str, maximum: str, units: str = "1") -> Spec:
    return Spec(product_id, strength, units, None, maximum)


def patch(product_id: str, strength: str) -> Spec:
    return Spec(product_id, strength, "1", None)


# (weight, lines): typical Danish general-practice opioid regimens.
PROFILES: list[tuple[int, list[Spec]]] = [
    (12, [Spec("morphine-depot-tablet", "30"), prn("morphine-tablet", "10", "4")]),
    (12, [Spec("oxycodone-depot-tablet", "10"), prn("oxycodone-capsule", "5", "3")]),
    (10, [Spec("oxycodone-naloxone-depot-tablet", "10")]),
    (10, [Spec("tramadol-depot-tablet", "100")]),
    (6, [Spec("tapentadol-depot-tablet", "50")]),
    (8, [Spec("codeine-paracetamol-tablet", "30", "2", "3")]),
    (4, [Spec("codeine-asa-tablet", "9.6", "2", "3")]),
    (5, [prn("ketobemidone-tablet", "5", "4"), Spec("tramadol-capsule", "50", "1", "3")]),
    (6, [patch("fentanyl-patch", "25"), prn("oxycodone-capsule", "5", "3")]),
    (6, [patch("buprenorphine-patch-7-day", "10")]),
    (3, [Spec("methadone-tablet", "10")]),
    (4, [Spec("hydromorphone-depot-capsule", "8")]),
    (4, [Spec("morphine-depot-tablet", "100"), prn("oxycodone-capsule", "10", "4")]),
    (3, [patch("fentanyl-patch", "75"), prn("morphine-tablet", "30", "3")]),
    (2, [Spec("buprenorphine-substitution-sublingual-tablet", "8", "1", "1", None, SUBSTITUTION)]),
    (3, [Spec("morphine-depot-tablet", "60"), Spec("tramadol-capsule", "50", "1", "3")]),
]
CO_MEDICATION: list[tuple[int, Spec]] = [
    (4, Spec("diazepam-tablet", "5")),
    (3, prn("oxazepam-tablet", "15", "2")),
    (3, Spec("zopiclone-tablet", "7.5", "1", "1")),
    (4, Spec("pregabalin-capsule", "75")),
    (3, Spec("gabapentin-capsule", "300", "1", "3")),
]
EXTRA_PRN = [prn("oxycodone-capsule", "5", "3"), prn("morphine-tablet", "10", "4")]
SHARE_WITH_MEDICATION = 0.85
SHARE_WITH_CO_MEDICATION = 0.22


@dataclass
class _Line:
    spec: Spec
    start: datetime.date
    end: datetime.date | None = None


def _pick(rng: random.Random, weighted: list[tuple[int, Any]]) -> Any:
    return rng.choices([item for _w, item in weighted], [w for w, _item in weighted])[0]


def _other_strength(spec: Spec, catalogue: Catalogue, up: bool) -> Spec | None:
    strengths = [s.amount for s in catalogue.by_id(spec.product_id).strengths]
    current = D(spec.strength)
    options = [s for s in strengths if (s > current if up else s < current)]
    if not options:
        return None
    return replace(spec, strength=str(min(options) if up else max(options)))


def _timeline(rng: random.Random, today: datetime.date, catalogue: Catalogue) -> list[_Line]:
    start = today - datetime.timedelta(days=rng.randint(90, 210))
    lines = [_Line(spec, start) for spec in _pick(rng, PROFILES)]
    if rng.random() < SHARE_WITH_CO_MEDICATION:
        lines.append(_Line(_pick(rng, CO_MEDICATION), start))
    day = start
    for _event in range(rng.randint(0, 3)):
        day = day + datetime.timedelta(days=rng.randint(14, 45))
        if day >= today:
            break
        current = [line for line in lines if line.end is None]
        scheduled = [
            line
            for line in current
            if line.spec.per_day
            and line.spec.indication != SUBSTITUTION
            and catalogue.by_id(line.spec.product_id).is_opioid
        ]
        as_needed = [line for line in current if line.spec.prn_max]
        choice = rng.random()
        if scheduled and choice < 0.6:
            line = rng.choice(scheduled)
            changed = _other_strength(line.spec, catalogue, up=choice < 0.35)
            if changed is not None:
                line.end = day
                lines.append(_Line(changed, day))
        elif as_needed and choice < 0.8:
            rng.choice(as_needed).end = day
        elif not as_needed and len([line for line in current if line.end is None]) < 4:
            lines.append(_Line(rng.choice(EXTRA_PRN), day))
    return lines


def _model(patient: Patient, line: _Line) -> MedicationLine:
    spec = line.spec
    return MedicationLine(
        patient=patient,
        product_id=spec.product_id,
        strength=D(spec.strength),
        units_per_dose=D(spec.units),
        doses_per_day=D(spec.per_day) if spec.per_day else None,
        prn=spec.prn_max is not None,
        max_doses_per_day=D(spec.prn_max) if spec.prn_max else None,
        indication=spec.indication,
        start_date=line.start,
        ended_on=line.end,
        note="",
        created_at=_at(line.start),
    )


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _history_rows(lines: list[MedicationLine]) -> list[Any]:
    history_model = MedicationLine.history.model
    fields = [f.attname for f in MedicationLine._meta.concrete_fields]
    rows = []
    for line in lines:
        values = {name: getattr(line, name) for name in fields}
        added = {**values, "ended_on": None, "end_reason": ""}
        rows.append(history_model(**added, history_date=line.created_at, history_type="+"))
        if line.ended_on is not None:
            rows.append(history_model(**values, history_date=_at(line.ended_on), history_type="~"))
    return rows


@transaction.atomic
def load_demo_medication(patients: Iterable[Patient], *, today: datetime.date | None = None) -> int:
    """Give demo patients without lines a medication history; returns the lines added."""
    today = today or timezone.localdate()
    catalogue = current_catalogue()
    version = active_table_version()
    table = domain_table(version)
    candidates = list(patients)
    has_lines = set(
        MedicationLine.objects.filter(patient__in=candidates).values_list("patient_id", flat=True)
    )
    new_lines: list[MedicationLine] = []
    snapshots: list[OmeqSnapshot] = []
    for patient in candidates:
        if patient.pk in has_lines:
            continue
        rng = random.Random(f"demo-medication-{patient.cpr}")  # noqa: S311 - demo data
        if rng.random() > SHARE_WITH_MEDICATION:
            continue
        models = [_model(patient, line) for line in _timeline(rng, today, catalogue)]
        new_lines += models
        for day in sorted(
            {m.start_date for m in models} | {m.ended_on for m in models if m.ended_on}
        ):
            active = [
                m
                for m in models
                if m.start_date <= day and (m.ended_on is None or m.ended_on > day)
            ]
            regimen = regimen_from_lines(active, catalogue)
            evaluation = evaluate(entries_from_regimen(regimen), version, table)
            result = evaluation.result
            snapshots.append(
                OmeqSnapshot(
                    patient=patient,
                    recorded_at=_at(day),
                    recorded_on=day,
                    conversion_table=version,
                    table_id=table.id,
                    table_version=table.version,
                    is_computable=result is not None,
                    scheduled_mg_per_day=result.scheduled_mg_per_day if result else None,
                    max_mg_per_day=result.max_mg_per_day if result else None,
                    warning_codes=[code for code, _message in evaluation.warnings],
                    problems=[{"line": p.index, "code": p.code} for p in evaluation.problems],
                    line_count=len(active),
                )
            )
    MedicationLine.objects.bulk_create(new_lines, batch_size=500)
    history_model = MedicationLine.history.model
    history_model.objects.bulk_create(_history_rows(new_lines), batch_size=500)
    OmeqSnapshot.objects.bulk_create(snapshots, batch_size=500)
    return len(new_lines)
