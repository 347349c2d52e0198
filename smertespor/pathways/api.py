"""Pathway endpoints: the same actions (`pathways.actions`), selectors and wording as the
pages. Writes to an enrolment name its version in `If-Match` (the `ETag` of its GET) and
writes to a part the part's version (its `version` in the enrolment's answer); a stale one
answers 409, one without `If-Match` 428 (`smertespor.versions`). Refusals are problems."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from domain.pathway import instrument_by_id
from smertespor.audit.services import record_listed
from smertespor.entry.doors import performs
from smertespor.entry.rules import requires
from smertespor.entry.schemas import Id
from smertespor.pathways import actions
from smertespor.pathways.access import enrolment_for
from smertespor.pathways.payloads import (
    enrolment_payload,
    enrolment_row,
    instrument_payload,
    part_payload,
    version_payload,
)
from smertespor.pathways.permissions import (
    can_read_definitions,
    can_see_counts,
    can_see_enrolments,
)
from smertespor.pathways.schemas import (
    EnrolmentEndIn,
    EnrolmentOut,
    EnrolmentRowOut,
    InstrumentOut,
    PartEndIn,
    PartPlanIn,
    PartStartIn,
    PathwayCountsOut,
    PathwayEnrolIn,
    PathwayInvolveIn,
    PathwayLevelIn,
    PathwayPartOut,
    PathwayVersionIn,
    PathwayVersionOut,
)
from smertespor.pathways.selectors import (
    counts,
    current_version,
    enrolments_for,
    pathway_versions,
    version_by_pk,
)
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

router = Router(tags=["pathways"])
_ENROLMENT = "/patients/{patient_id}/enrolment"


@router.get("/versions", response=list[PathwayVersionOut], url_name="pathways_versions")
@requires(can_read_definitions)
def list_versions(request: HttpRequest) -> list[dict[str, Any]]:
    """Every published version of the pathway, newest (the one new enrolments start on)
    first."""
    current = current_version()
    return [version_payload(v, current) for v in pathway_versions()]


@router.post("/versions", response={201: PathwayVersionOut}, url_name="pathways_publish")
@performs(actions.publish_pathway_version)
def publish_version(request: HttpRequest, payload: PathwayVersionIn) -> Status[dict[str, Any]]:
    """Publish a new version of the pathway (administrators). The file is checked whole:
    any problem is a 422 naming each, and nothing is saved."""
    stored = actions.publish_pathway_version(
        user=request.user, text=payload.text, note=payload.note
    )
    return Status(201, version_payload(stored))


@router.get("/versions/{version_id}", response=PathwayVersionOut, url_name="pathways_version")
@requires(can_read_definitions)
def get_version(request: HttpRequest, version_id: Id) -> dict[str, Any]:
    return version_payload(version_by_pk(version_id))


@router.get("/instrument", response=InstrumentOut, url_name="pathways_instrument")
@requires(can_read_definitions)
def get_instrument(request: HttpRequest) -> dict[str, Any]:
    """The stratification instrument of the current version, with its source and licence."""
    current = current_version()
    instrument = current.definition.instrument if current else "start-back"
    return instrument_payload(instrument_by_id(instrument))


@router.get("/enrolments", response=list[EnrolmentRowOut], url_name="pathways_enrolments")
@requires(can_see_enrolments)
def list_enrolments(request: HttpRequest) -> list[dict[str, Any]]:
    """The patients in the pathway that you may see (a GP: their practice's)."""
    rows = list(enrolments_for(request.user)[:500])
    record_listed(
        user=request.user, patients=[e.patient for e in rows], object_type="pathway_enrolments"
    )
    return [enrolment_row(e) for e in rows]


@router.get("/counts", response=PathwayCountsOut, url_name="pathways_counts")
@requires(can_see_counts)
def get_counts(request: HttpRequest) -> dict[str, Any]:
    """Counts only (planners and administrators): active enrolments by level and stage."""
    return counts()


@router.get(
    _ENROLMENT, response=EnrolmentOut, url_name="pathways_enrolment", openapi_extra=VERSIONED_READ
)
def get_enrolment(
    request: HttpRequest, response: HttpResponse, patient_id: uuid.UUID
) -> dict[str, Any]:
    """The patient's enrolment: where they are, who has them and since when, the parts and
    the timeline. Its `ETag` is the enrolment's version."""
    enrolment = enrolment_for(request.user, patient_id)
    send_etag(response, enrolment)
    return enrolment_payload(enrolment)


@router.post(_ENROLMENT, response={201: EnrolmentOut}, url_name="pathways_enrol")
@performs(actions.enrol_patient)
def enrol(
    request: HttpRequest, response: HttpResponse, patient_id: uuid.UUID, payload: PathwayEnrolIn
) -> Status[dict[str, Any]]:
    """The patient's GP enrols them (level from the screening answers, or chosen with a
    reason)."""
    enrolment = actions.enrol_patient(
        user=request.user,
        patient_id=patient_id,
        enrolled_on=payload.enrolled_on or timezone.localdate(),
        level=payload.level,
        level_reason=payload.level_reason,
        answers=payload.answers,
    )
    send_etag(response, enrolment)
    return Status(201, enrolment_payload(enrolment))


@router.post(
    _ENROLMENT + "/level",
    response=EnrolmentOut,
    url_name="pathways_level",
    openapi_extra=versioned_write(),
)
@performs(actions.set_level)
def set_level(
    request: HttpRequest, response: HttpResponse, patient_id: uuid.UUID, payload: PathwayLevelIn
) -> dict[str, Any]:
    enrolment = actions.set_level(
        user=request.user,
        patient_id=patient_id,
        expected_version=if_match(request),
        level=payload.level,
        level_reason=payload.level_reason,
        answers=payload.answers,
    )
    send_etag(response, enrolment)
    return enrolment_payload(enrolment)


@router.post(
    _ENROLMENT + "/involvements",
    response={201: PathwayPartOut},
    url_name="pathways_involve",
    openapi_extra=versioned_write(success=None),
)
@performs(actions.involve_organisation)
def involve(
    request: HttpRequest, patient_id: uuid.UUID, payload: PathwayInvolveIn
) -> Status[dict[str, Any]]:
    """The coordinating GP involves an organisation in a stage (it gets a care relation)."""
    part = actions.involve_organisation(
        user=request.user,
        patient_id=patient_id,
        expected_version=if_match(request),
        stage=payload.stage,
        organisation_id=payload.organisation_id,
        note=payload.note,
    )
    return Status(201, part_payload(part))


@router.post(
    _ENROLMENT + "/end",
    response=EnrolmentOut,
    url_name="pathways_end",
    openapi_extra=versioned_write(),
)
@performs(actions.end_enrolment)
def end(
    request: HttpRequest, response: HttpResponse, patient_id: uuid.UUID, payload: EnrolmentEndIn
) -> dict[str, Any]:
    enrolment = actions.end_enrolment(
        user=request.user,
        patient_id=patient_id,
        expected_version=if_match(request),
        ended_on=payload.ended_on or timezone.localdate(),
        reason=payload.reason,
    )
    send_etag(response, enrolment)
    return enrolment_payload(enrolment)


@router.post(_ENROLMENT + "/parts", response={201: PathwayPartOut}, url_name="pathways_part_start")
@performs(actions.start_part)
def start_part(
    request: HttpRequest, response: HttpResponse, patient_id: uuid.UUID, payload: PartStartIn
) -> Status[dict[str, Any]]:
    """Your organisation's part of a stage has started (the GP is told)."""
    part = actions.start_part(
        user=request.user,
        patient_id=patient_id,
        stage=payload.stage,
        started_on=payload.started_on or timezone.localdate(),
        plan=payload.plan,
    )
    send_etag(response, part)
    return Status(201, part_payload(part))


@router.post(
    _ENROLMENT + "/parts/{part_id}/plan",
    response=PathwayPartOut,
    url_name="pathways_part_plan",
    openapi_extra=versioned_write(),
)
@performs(actions.report_plan)
def report_plan(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    part_id: Id,
    payload: PartPlanIn,
) -> dict[str, Any]:
    """Report (or replace) the plan of your part; `If-Match` is the part's version."""
    part = actions.report_plan(
        user=request.user,
        patient_id=patient_id,
        part_id=part_id,
        expected_version=if_match(request),
        plan=payload.plan,
    )
    send_etag(response, part)
    return part_payload(part)


@router.post(
    _ENROLMENT + "/parts/{part_id}/end",
    response=PathwayPartOut,
    url_name="pathways_part_end",
    openapi_extra=versioned_write(),
)
@performs(actions.end_part)
def end_part(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    part_id: Id,
    payload: PartEndIn,
) -> dict[str, Any]:
    """Report the end of your part with its outcome; `If-Match` is the part's version."""
    part = actions.end_part(
        user=request.user,
        patient_id=patient_id,
        part_id=part_id,
        expected_version=if_match(request),
        ended_on=payload.ended_on or timezone.localdate(),
        outcome=payload.outcome,
    )
    send_etag(response, part)
    return part_payload(part)
