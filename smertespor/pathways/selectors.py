"""Reads of the pathway. Other apps call `current_enrolment(patient)` (the patient loaded
through `patients.access`) and `where_now(enrolment)`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, QuerySet, Value, When
from django.http import Http404

from domain.pathway import Pathway, Stage
from smertespor.accounts.models import Organisation, Requester
from smertespor.pathways.models import Enrolment, Event, Part, PathwayVersion
from smertespor.patients.access import in_scope
from smertespor.patients.models import Patient

LOW_BACK_PAIN = "low-back-pain"


def pathway_versions(pathway_id: str = LOW_BACK_PAIN) -> QuerySet[PathwayVersion]:
    return PathwayVersion.objects.filter(pathway_id=pathway_id).select_related("published_by")


def current_version(pathway_id: str = LOW_BACK_PAIN) -> PathwayVersion | None:
    """The version new enrolments start on: the latest published."""
    return pathway_versions(pathway_id).first()


def version_by_pk(pk: object) -> PathwayVersion:
    try:
        return PathwayVersion.objects.get(pk=int(str(pk)))
    except (ValueError, PathwayVersion.DoesNotExist) as error:
        raise Http404 from error


def current_enrolment(patient: Patient) -> Enrolment | None:
    """The patient's active enrolment in the pathway, or None."""
    return (
        Enrolment.objects.filter(patient=patient, status=Enrolment.Status.ACTIVE)
        .select_related("pathway", "coordinator_practice", "coordinator")
        .first()
    )


def latest_enrolment(patient: Patient) -> Enrolment | None:
    """The active enrolment, else the most recent ended one (one query: active first, then
    newest first)."""
    active_first = Case(When(status=Enrolment.Status.ACTIVE, then=Value(0)), default=Value(1))
    return (
        Enrolment.objects.filter(patient=patient)
        .select_related("pathway", "coordinator_practice", "coordinator")
        .order_by(active_first, "-enrolled_at", "-pk")
        .first()
    )


def parts_of(enrolment: Enrolment) -> QuerySet[Part]:
    return enrolment.parts.select_related("organisation")


def part_of(enrolment: Enrolment, part_id: object) -> Part:
    try:
        return parts_of(enrolment).get(pk=int(str(part_id)))
    except (ValueError, Part.DoesNotExist) as error:
        raise Http404 from error


def timeline_of(enrolment: Enrolment) -> QuerySet[Event]:
    return enrolment.events.select_related("organisation", "by")


def screenings_of(enrolment: Enrolment) -> Any:
    return enrolment.screenings.select_related("recorded_by")


@dataclass(frozen=True)
class Holder:
    """Who has the patient now: an organisation, in which stage, since when."""

    organisation: Organisation
    stage: Stage | None
    since: datetime.date
    part: Part | None


def where_now(enrolment: Enrolment, parts: list[Part] | None = None) -> list[Holder]:
    """The organisations whose part is under way (longest first); the coordinating
    practice when no part is, since the last part ended (or the enrolment). `parts`: the
    enrolment's parts (`parts_of`), if the caller has read them already."""
    pathway = enrolment.pathway.definition
    parts = list(parts_of(enrolment)) if parts is None else parts
    active = [p for p in parts if p.status == Part.Status.ACTIVE]
    if active:
        rows = [
            Holder(p.organisation, pathway.stage(p.stage), p.started_on or p.involved_at.date(), p)
            for p in active
        ]
        return sorted(rows, key=lambda h: h.since)
    ended = [p.ended_on for p in parts if p.ended_on is not None]
    since = max([enrolment.enrolled_on, *ended])
    return [
        Holder(
            enrolment.coordinator_practice,
            next(iter(pathway.stages_owned_by(pathway.coordinator)), None),
            since,
            None,
        )
    ]


@dataclass(frozen=True)
class StageRow:
    """A stage of the enrolment's pathway with its parts, for the overview."""

    stage: Stage
    in_level: bool
    parts: list[Part]

    @property
    def state(self) -> str:
        statuses = {p.status for p in self.parts}
        for status in (Part.Status.ACTIVE, Part.Status.EXPECTED, Part.Status.ENDED):
            if status in statuses:
                return str(status)
        return "not_started"


def stage_rows(
    enrolment: Enrolment, pathway: Pathway | None = None, parts: list[Part] | None = None
) -> list[StageRow]:
    pathway = pathway or enrolment.pathway.definition
    parts = list(parts_of(enrolment)) if parts is None else parts
    return [
        StageRow(
            stage=stage,
            in_level=enrolment.level in stage.levels,
            parts=[p for p in parts if p.stage == stage.code],
        )
        for stage in pathway.stages
    ]


def enrolments_for(user: Requester) -> QuerySet[Enrolment]:
    """The active enrolments of the patients `user` may see (the GP's list)."""
    return (
        Enrolment.objects.filter(in_scope(user, "patient"), status=Enrolment.Status.ACTIVE)
        .select_related("patient", "pathway", "coordinator_practice", "coordinator")
        .order_by("patient__name", "pk")
    )


def counts() -> dict[str, Any]:
    """Aggregates for planners: active enrolments by level and by stage under way."""
    active = Enrolment.objects.filter(status=Enrolment.Status.ACTIVE)
    by_level = {row["level"]: row["n"] for row in active.values("level").annotate(n=Count("pk"))}
    by_stage = {
        row["stage"]: row["n"]
        for row in Part.objects.filter(
            enrolment__status=Enrolment.Status.ACTIVE, status=Part.Status.ACTIVE
        )
        .values("stage")
        .annotate(n=Count("enrolment", distinct=True))
    }
    return {
        "active": active.count(),
        "ended": Enrolment.objects.filter(status=Enrolment.Status.ENDED).count(),
        "by_level": by_level,
        "by_stage": by_stage,
    }


def organisations_for_stage(stage: Stage, region_id: int | None) -> QuerySet[Organisation]:
    """The organisations of the region that may take a stage (its owner kind)."""
    rows = Organisation.objects.filter(kind=stage.owner)
    return rows.filter(region_id=region_id) if region_id is not None else rows


def open_part(enrolment: Enrolment, stage: str, organisation: Organisation) -> Part | None:
    """The organisation's part in the stage that has not ended (expected or under way)."""
    return (
        enrolment.parts.filter(stage=stage, organisation=organisation)
        .exclude(status=Part.Status.ENDED)
        .first()
    )


# Added for the patient's timeline (patients.timeline):
def enrolments_of(patient: Patient) -> QuerySet[Enrolment]:
    """Every enrolment of the patient in a pathway, newest first, with its version."""
    return Enrolment.objects.filter(patient=patient).select_related("pathway")


def enrolments_of_any_patient() -> QuerySet[Enrolment]:
    """Every pathway enrolment (`patients.page_reads.has_records` asks for one patient's)."""
    return Enrolment.objects.all()
