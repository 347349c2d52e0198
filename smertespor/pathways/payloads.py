"""Records as the API answers them (the same wording as the pages)."""

from __future__ import annotations

from typing import Any

from domain.pathway import Instrument
from smertespor.pathways import labels
from smertespor.pathways.models import Enrolment, Event, Part, PathwayVersion
from smertespor.pathways.selectors import (
    Holder,
    current_version,
    parts_of,
    screenings_of,
    timeline_of,
    where_now,
)


def version_payload(
    stored: PathwayVersion, current: PathwayVersion | None = None
) -> dict[str, Any]:
    pathway = stored.definition
    current = current if current is not None else current_version(stored.pathway_id)
    return {
        "id": stored.pk,
        "pathway_id": stored.pathway_id,
        "version": stored.version,
        "title": stored.title,
        "origin": stored.origin,
        "published_at": stored.published_at,
        "note": stored.note,
        "is_current": current is not None and current.pk == stored.pk,
        "region": pathway.region,
        "condition": pathway.condition,
        "source": pathway.source,
        "source_note": pathway.note,
        "coordinator": str(pathway.coordinator),
        "instrument": pathway.instrument,
        "levels": [
            {
                "code": lv.code,
                "name": lv.name,
                "description": lv.description,
                "outcome": lv.outcome,
            }
            for lv in pathway.levels
        ],
        "stages": [
            {
                "code": s.code,
                "name": s.name,
                "owner": str(s.owner),
                "owner_name": labels.actor_name(s.owner),
                "levels": list(s.levels),
                "description": s.description,
                "entry_criteria": list(s.entry_criteria),
                "exit_criteria": list(s.exit_criteria),
                "expected_weeks_min": s.expected_weeks.minimum,
                "expected_weeks_max": s.expected_weeks.maximum,
                "starts_pathway": s.starts_pathway,
            }
            for s in pathway.stages
        ],
    }


def instrument_payload(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "version": instrument.version,
        "name": instrument.name,
        "source": instrument.source,
        "licence": instrument.licence,
        "translation": instrument.translation,
        "items": [
            {
                "number": item.number,
                "text": labels.item_text(item),
                "subscale": item.subscale,
                "answers": [
                    {"code": a.code, "label": labels.answer_label(a), "points": a.points}
                    for a in item.answers
                ],
            }
            for item in instrument.items
        ],
        "outcomes": [
            {
                "code": o.code,
                "name": labels.outcome_name(instrument, o.code),
                "matched_treatment": labels.matched_treatment(instrument, o.code),
            }
            for o in instrument.outcomes
        ],
        "rules": [
            {
                "outcome": r.outcome,
                "total_min": r.total_min,
                "total_max": r.total_max,
                "subscale_min": r.subscale_min,
                "subscale_max": r.subscale_max,
            }
            for r in instrument.rules
        ],
    }


def stage_name(enrolment: Enrolment, code: str) -> str:
    stage = enrolment.pathway.definition.stage(code)
    return stage.name if stage is not None else code


def level_name(enrolment: Enrolment) -> str:
    level = enrolment.pathway.definition.level(enrolment.level)
    return level.name if level is not None else enrolment.level


def part_payload(part: Part) -> dict[str, Any]:
    return {
        "id": part.pk,
        "stage": part.stage,
        "stage_name": stage_name(part.enrolment, part.stage),
        "organisation_id": part.organisation_id,
        "organisation": part.organisation.name,
        "status": part.status,
        "involved_at": part.involved_at,
        "started_on": part.started_on,
        "plan": part.plan,
        "ended_on": part.ended_on,
        "outcome": part.outcome,
        "version": part.version,
    }


def holder_payload(holder: Holder) -> dict[str, Any]:
    return {
        "organisation_id": holder.organisation.pk,
        "organisation": holder.organisation.name,
        "stage": holder.stage.code if holder.stage else "",
        "since": holder.since,
    }


def event_payload(event: Event) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "stage": event.stage,
        "organisation": event.organisation.name if event.organisation else "",
        "on": event.on,
        "at": event.at,
        "by": str(event.by),
        "text": event.text,
    }


def enrolment_payload(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "id": enrolment.pk,
        "patient_id": str(enrolment.patient_id),
        "pathway_id": enrolment.pathway.pathway_id,
        "pathway_version": enrolment.pathway.version,
        "pathway_version_id": enrolment.pathway_id,
        "coordinator_practice_id": enrolment.coordinator_practice_id,
        "coordinator_practice": enrolment.coordinator_practice.name,
        "coordinator": str(enrolment.coordinator),
        "enrolled_on": enrolment.enrolled_on,
        "status": enrolment.status,
        "level": enrolment.level,
        "level_name": level_name(enrolment),
        "level_basis": enrolment.level_basis,
        "level_reason": enrolment.level_reason,
        "ended_on": enrolment.ended_on,
        "end_reason": enrolment.end_reason,
        "version": enrolment.version,
        "now": [holder_payload(h) for h in where_now(enrolment)] if enrolment.is_active else [],
        "parts": [part_payload(p) for p in parts_of(enrolment)],
        "screenings": [
            {
                "instrument": s.instrument,
                "instrument_version": s.instrument_version,
                "answers": s.answers,
                "total": s.total,
                "subscale": s.subscale,
                "outcome": s.outcome,
                "recorded_at": s.recorded_at,
            }
            for s in screenings_of(enrolment)
        ],
        "timeline": [event_payload(e) for e in timeline_of(enrolment)],
    }


def enrolment_row(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "patient_id": str(enrolment.patient_id),
        "patient": enrolment.patient.name,
        "enrolled_on": enrolment.enrolled_on,
        "level": enrolment.level,
        "level_name": level_name(enrolment),
        "now": [holder_payload(h) for h in where_now(enrolment)],
    }
