"""Each operation on the pathway, once: load the patient (and enrolment) through
`patients.access`, check the rule, call the service. Pages and the API call these, so every
door answers alike: out of scope 404, a role that may not act 403 (audited), refused input
422, a stale version 409."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from smertespor.accounts.models import Requester, User
from smertespor.entry.rules import require
from smertespor.pathways import services
from smertespor.pathways.access import enrolment_for_change
from smertespor.pathways.models import Enrolment, Part, PathwayVersion
from smertespor.pathways.permissions import (
    can_enrol,
    can_publish,
    can_report,
    is_coordinator,
    is_patients_gp,
)
from smertespor.pathways.selectors import part_of
from smertespor.patients.access import patient_for_change
from smertespor.versions import ExpectedVersion


def publish_pathway_version(*, user: Requester, text: str, note: str = "") -> PathwayVersion:
    """An administrator publishes a new version of the pathway."""
    admin = require(user, can_publish, object_type="pathway_version")
    return services.publish_pathway_version(by=admin, text=text, note=note)


def enrol_patient(
    *,
    user: Requester,
    patient_id: object,
    enrolled_on: datetime.date,
    level: str | None = None,
    level_reason: str = "",
    answers: Mapping[int, str] | None = None,
) -> Enrolment:
    """The patient's GP enrols them in the pathway."""
    gp = require(user, can_enrol, object_type="pathway_enrolment")
    patient = patient_for_change(gp, patient_id, object_type="pathway_enrolment")
    require(
        gp,
        is_patients_gp(gp, patient),
        object_type="pathway_enrolment",
        object_id=str(patient.pk),
        patient=patient,
    )
    return services.enrol_patient(
        patient=patient,
        by=gp,
        enrolled_on=enrolled_on,
        level=level,
        level_reason=level_reason,
        answers=answers,
    )


def _coordinator(user: Requester, patient_id: object) -> tuple[User, Enrolment]:
    gp = require(user, can_enrol, object_type="pathway_enrolment")
    enrolment = enrolment_for_change(gp, patient_id)
    require(
        gp,
        is_coordinator(gp, enrolment.coordinator_practice_id),
        object_type="pathway_enrolment",
        object_id=str(enrolment.pk),
        patient=enrolment.patient,
    )
    return gp, enrolment


def set_level(
    *,
    user: Requester,
    patient_id: object,
    expected_version: ExpectedVersion,
    level: str | None,
    level_reason: str = "",
    answers: Mapping[int, str] | None = None,
) -> Enrolment:
    """The coordinating GP sets the level again (screening or a reason)."""
    gp, enrolment = _coordinator(user, patient_id)
    return services.set_level(
        enrolment=enrolment,
        by=gp,
        expected_version=expected_version,
        level=level,
        level_reason=level_reason,
        answers=answers,
    )


def involve_organisation(
    *,
    user: Requester,
    patient_id: object,
    expected_version: ExpectedVersion,
    stage: str,
    organisation_id: object,
    note: str = "",
) -> Part:
    """The coordinating GP involves an organisation in a stage."""
    gp, enrolment = _coordinator(user, patient_id)
    return services.involve_organisation(
        enrolment=enrolment,
        by=gp,
        expected_version=expected_version,
        stage=stage,
        organisation_id=organisation_id,
        note=note,
    )


def end_enrolment(
    *,
    user: Requester,
    patient_id: object,
    expected_version: ExpectedVersion,
    ended_on: datetime.date,
    reason: str,
) -> Enrolment:
    """The coordinating GP ends the pathway."""
    gp, enrolment = _coordinator(user, patient_id)
    return services.end_enrolment(
        enrolment=enrolment,
        by=gp,
        expected_version=expected_version,
        ended_on=ended_on,
        reason=reason,
    )


def _reporter(user: Requester, patient_id: object) -> tuple[User, Enrolment]:
    reporter = require(user, can_report, object_type="pathway_part")
    return reporter, enrolment_for_change(reporter, patient_id)


def start_part(
    *,
    user: Requester,
    patient_id: object,
    stage: str,
    started_on: datetime.date,
    plan: str = "",
) -> Part:
    """An organisation with the patient reports that its part of a stage has started."""
    reporter, enrolment = _reporter(user, patient_id)
    assert reporter.organisation is not None  # noqa: S101 - can_report requires one
    found = enrolment.pathway.definition.stage(stage)
    if found is None:
        raise ValidationError({"stage": [_("Choose one of the pathway's stages.")]})
    # Another organisation's stage is not the reporter's to start (403, audited).
    require(
        reporter,
        found.owner == reporter.organisation.kind,
        object_type="pathway_part",
        object_id=str(enrolment.pk),
        patient=enrolment.patient,
    )
    part = services.record_stage_transition(
        enrolment=enrolment,
        by=reporter,
        stage=stage,
        organisation=reporter.organisation,
        event="start",
        on=started_on,
        text=plan,
    )
    assert part is not None  # noqa: S101 - an enrolment was given
    return part


def _own_part(reporter: User, enrolment: Enrolment, part_id: object) -> Part:
    part = part_of(enrolment, part_id)
    require(
        reporter,
        part.organisation_id == reporter.organisation_id,
        object_type="pathway_part",
        object_id=str(part.pk),
        patient=enrolment.patient,
    )
    return part


def report_plan(
    *,
    user: Requester,
    patient_id: object,
    part_id: object,
    expected_version: ExpectedVersion,
    plan: str,
) -> Part:
    """The organisation reports (or replaces) the plan of its part."""
    reporter, enrolment = _reporter(user, patient_id)
    part = _own_part(reporter, enrolment, part_id)
    if part.status == Part.Status.ENDED:
        raise ValidationError(_("This part has ended."), code="ended")
    result = services.record_stage_transition(
        enrolment=enrolment,
        by=reporter,
        stage=part.stage,
        organisation=part.organisation,
        event="plan",
        text=plan,
        expected_version=expected_version,
    )
    assert result is not None  # noqa: S101 - an enrolment was given
    return result


def end_part(
    *,
    user: Requester,
    patient_id: object,
    part_id: object,
    expected_version: ExpectedVersion,
    ended_on: datetime.date,
    outcome: str,
) -> Part:
    """The organisation reports the end of its part, with its outcome, to the GP."""
    reporter, enrolment = _reporter(user, patient_id)
    part = _own_part(reporter, enrolment, part_id)
    if part.status == Part.Status.ENDED:
        raise ValidationError(_("This part has ended."), code="ended")
    result = services.record_stage_transition(
        enrolment=enrolment,
        by=reporter,
        stage=part.stage,
        organisation=part.organisation,
        event="end",
        on=ended_on,
        text=outcome,
        expected_version=expected_version,
    )
    assert result is not None  # noqa: S101 - an enrolment was given
    return result
