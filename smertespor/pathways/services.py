"""Writes to the pathway: publishing a version, enrolment, the level, involving an
organisation, each actor's part (start, plan, end) and ending. Each runs in one transaction,
checks what the pathway's data allows, records the timeline, writes its audit row and tells
the GP (tovholder) what the other actors report.

`record_stage_transition` is the service other apps call to report a stage of their own
(the referrals app: the pain centre's start and end), e.g.

    record_stage_transition(patient=patient, stage="pain_centre", organisation=centre,
                            event="start", on=date, by=user, text="Accepted at triage")

It does nothing (returns None) for a patient who is not in the pathway.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from domain.pathway import (
    AnswerError,
    Pathway,
    instrument_by_id,
    parse_pathway,
    score,
    shipped_pathway_text,
)
from smertespor.accounts.models import Organisation, Role, User
from smertespor.audit.services import AuditAction, record_event
from smertespor.definition_files import DefinitionKind
from smertespor.entry.dates import day_for_people
from smertespor.notifications.services import notify
from smertespor.pathways.labels import PROBLEMS, answer_error
from smertespor.pathways.models import (
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Enrolment,
    Event,
    LevelBasis,
    Part,
    PathwayVersion,
    Screening,
)
from smertespor.pathways.permissions import REPORTING_ROLES, is_coordinator, is_patients_gp
from smertespor.pathways.selectors import current_enrolment, current_version
from smertespor.patients.models import CareRelation, Patient
from smertespor.patients.services import open_care_relation
from smertespor.versions import ExpectedVersion, StaleVersion, check_version, claim_version

# An enrolment or a report may be recorded up to a month after it happened.
MAX_BACKDATED_DAYS = 31
EVENTS = ("start", "plan", "end")

STARTED_TEXT = gettext_noop(
    "%(organisation)s has started its part of a patient's low back pain pathway (%(stage)s)."
)
PLANNED_TEXT = gettext_noop(
    "%(organisation)s has reported its plan in a patient's low back pain pathway (%(stage)s)."
)
ENDED_TEXT = gettext_noop(
    "%(organisation)s has ended its part of a patient's low back pain pathway (%(stage)s)."
)
INVOLVED_TEXT = gettext_noop(
    "A GP has involved %(organisation)s in a patient's low back pain pathway (%(stage)s)."
)


def _audit(by: User, action: str, obj: Any, patient: Patient | None, **detail: Any) -> None:
    record_event(
        user=by,
        action=action,
        object_type=f"pathway_{type(obj).__name__.lower()}",
        object_id=str(obj.pk),
        patient=patient,
        detail=detail or None,
    )


# --- versions ------------------------------------------------------------------------------


PATHWAY_FILES: DefinitionKind[Pathway, PathwayVersion] = DefinitionKind(
    model=PathwayVersion,
    parse=parse_pathway,
    problems=PROBLEMS,
    key=lambda pathway: {"pathway_id": pathway.id, "version": pathway.version},
    fields=lambda pathway: {"title": pathway.title},
    empty_message=gettext_lazy("Paste or upload the pathway file."),
    duplicate_message=gettext_lazy(
        "Version %(version)s of this pathway is already published. Give the changed "
        "file a new version."
    ),
)


def install_builtin_pathway(version_model: Any = PathwayVersion) -> PathwayVersion | None:
    """Store the shipped pathway file if its version is not stored yet (idempotent).

    Takes the model so that a data migration can pass its historical model."""
    return PATHWAY_FILES.install_builtin(shipped_pathway_text(), version_model)


def publish_pathway_version(*, by: User, text: str, note: str = "") -> PathwayVersion:
    """Check a pathway file and publish it as the version new enrolments start on.

    A file with any problem is refused whole (every problem named); so is a version number
    already published. Existing enrolments keep their versions."""

    def audit(stored: PathwayVersion, pathway: Pathway) -> None:
        _audit(by, AuditAction.CREATE, stored, None, pathway=pathway.id, version=pathway.version)

    return PATHWAY_FILES.publish(by=by, text=text, note=note, audit=audit)


# --- enrolment -----------------------------------------------------------------------------


def _check_day(
    errors: dict[str, list[str]], field: str, on: datetime.date, *, not_before: datetime.date
) -> None:
    today = timezone.localdate()
    if on > today:
        errors.setdefault(field, []).append(_("The date cannot be in the future."))
    elif on < today - datetime.timedelta(days=MAX_BACKDATED_DAYS):
        errors.setdefault(field, []).append(
            _("The date can be at most %(days)s days ago.") % {"days": MAX_BACKDATED_DAYS}
        )
    elif on < not_before:
        errors.setdefault(field, []).append(
            _("The date cannot be before %(date)s.") % {"date": day_for_people(not_before)}
        )


def _level(
    pathway: Pathway,
    *,
    level: str | None,
    reason: str,
    answers: Mapping[int, str] | None,
    errors: dict[str, list[str]],
) -> tuple[str, str, Any]:
    """The level (and its basis) from the screening answers, or chosen with a reason; a
    chosen level that differs from the screening's needs a reason too."""
    result = None
    if answers:
        try:
            result = score(instrument_by_id(pathway.instrument), answers)
        except AnswerError as error:
            for field, messages in answer_error(error).message_dict.items():
                errors.setdefault(field, []).extend(messages)
            return "", "", None
    if level and pathway.level(level) is None:
        errors.setdefault("level", []).append(_("Choose one of the pathway's levels."))
        return "", "", None
    if result is not None:
        screened = pathway.level_for_outcome(result.outcome)
        assert screened is not None  # noqa: S101 - the file's check guarantees it
        if not level or level == screened.code:
            return screened.code, LevelBasis.INSTRUMENT, result
        if not reason.strip():
            errors.setdefault("level_reason", []).append(
                _("Say why you choose another level than the screening gives.")
            )
        return level, LevelBasis.CLINICAL, result
    if not level:
        errors.setdefault("level", []).append(
            _("Answer the screening questions or choose a level.")
        )
        return "", "", None
    if not reason.strip():
        errors.setdefault("level_reason", []).append(
            _("Say why you choose this level without a screening.")
        )
    return level, LevelBasis.CLINICAL, None


def _check_reason(errors: dict[str, list[str]], field: str, text: str, limit: int) -> None:
    if len(text) > limit:
        errors.setdefault(field, []).append(_("At most %(limit)s characters.") % {"limit": limit})


def _save_screening(
    enrolment: Enrolment, by: User, result: Any, answers: Mapping[int, str]
) -> None:
    Screening.objects.create(
        enrolment=enrolment,
        instrument=result.instrument,
        instrument_version=result.instrument_version,
        answers={str(k): v for k, v in sorted(answers.items())},
        total=result.total,
        subscale=result.subscale,
        outcome=result.outcome,
        recorded_by=by,
        recorded_at=timezone.now(),
    )


def _event(
    enrolment: Enrolment,
    kind: str,
    by: User,
    on: datetime.date,
    *,
    part: Part | None = None,
    text: str = "",
    **detail: Any,
) -> Event:
    return Event.objects.create(
        enrolment=enrolment,
        kind=kind,
        part=part,
        stage=part.stage if part is not None else "",
        organisation=part.organisation if part is not None else None,
        on=on,
        at=timezone.now(),
        by=by,
        text=text,
        detail=detail,
    )


def enrol_patient(
    *,
    patient: Patient,
    by: User,
    enrolled_on: datetime.date,
    level: str | None = None,
    level_reason: str = "",
    answers: Mapping[int, str] | None = None,
) -> Enrolment:
    """The patient's GP enrols them on the current version of the pathway, with a level
    from the screening answers or chosen with a reason. The GP's own stage starts."""
    if not is_patients_gp(by, patient) or by.organisation_id is None:
        raise PermissionDenied
    version = current_version()
    if version is None:  # pragma: no cover - the migration installs the shipped pathway
        raise ValidationError(_("No version of the pathway is published."))
    pathway = version.definition
    errors: dict[str, list[str]] = {}
    if current_enrolment(patient) is not None:
        errors.setdefault("__all__", []).append(_("The patient is already in the pathway."))
    _check_day(errors, "enrolled_on", enrolled_on, not_before=datetime.date.min)
    _check_reason(errors, "level_reason", level_reason, REASON_MAX_LENGTH)
    chosen, basis, result = _level(
        pathway, level=level, reason=level_reason, answers=answers, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            enrolment = Enrolment.objects.create(
                patient=patient,
                pathway=version,
                coordinator_practice_id=by.organisation_id,
                coordinator=by,
                enrolled_on=enrolled_on,
                enrolled_at=timezone.now(),
                level=chosen,
                level_basis=basis,
                level_reason=level_reason.strip(),
            )
        except IntegrityError as error:
            raise ValidationError(_("The patient is already in the pathway.")) from error
        if result is not None and answers:
            _save_screening(enrolment, by, result, answers)
        _event(enrolment, Event.Kind.ENROLLED, by, enrolled_on, version=version.version)
        _event(
            enrolment,
            Event.Kind.LEVEL_SET,
            by,
            enrolled_on,
            text=level_reason.strip(),
            level=chosen,
            basis=basis,
            **({"total": result.total, "subscale": result.subscale} if result else {}),
        )
        assert by.organisation is not None  # noqa: S101 - is_patients_gp checked it
        part = Part.objects.create(
            enrolment=enrolment,
            stage=pathway.first_stage.code,
            organisation=by.organisation,
            status=Part.Status.ACTIVE,
            involved_at=timezone.now(),
            started_on=enrolled_on,
        )
        _event(enrolment, Event.Kind.STARTED, by, enrolled_on, part=part)
        _audit(
            by,
            AuditAction.CREATE,
            enrolment,
            patient,
            pathway=version.pathway_id,
            version=version.version,
            level=chosen,
        )
    return enrolment


def _require_coordinator(by: User, enrolment: Enrolment) -> None:
    if not is_coordinator(by, enrolment.coordinator_practice_id):
        raise PermissionDenied
    if not enrolment.is_active:
        raise ValidationError(_("The pathway has ended."), code="ended")


def set_level(
    *,
    enrolment: Enrolment,
    by: User,
    expected_version: ExpectedVersion,
    level: str | None,
    level_reason: str = "",
    answers: Mapping[int, str] | None = None,
) -> Enrolment:
    """The GP stratifies again (new screening answers) or chooses another level with a
    reason."""
    _require_coordinator(by, enrolment)
    pathway = enrolment.pathway.definition
    errors: dict[str, list[str]] = {}
    _check_reason(errors, "level_reason", level_reason, REASON_MAX_LENGTH)
    chosen, basis, result = _level(
        pathway, level=level, reason=level_reason, answers=answers, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    check_version(enrolment, expected_version)
    with transaction.atomic():
        before = enrolment.level
        claim_version(
            enrolment,
            expected_version,
            level=chosen,
            level_basis=basis,
            level_reason=level_reason.strip(),
        )
        if result is not None and answers:
            _save_screening(enrolment, by, result, answers)
        _event(
            enrolment,
            Event.Kind.LEVEL_SET,
            by,
            timezone.localdate(),
            text=level_reason.strip(),
            level=chosen,
            before=before,
            basis=basis,
            **({"total": result.total, "subscale": result.subscale} if result else {}),
        )
        _audit(by, AuditAction.UPDATE, enrolment, enrolment.patient, level=chosen, before=before)
    return enrolment


def _reporters(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=organisation_id, is_active=True, role__in=REPORTING_ROLES
        )
    )


def _patient_url(enrolment: Enrolment) -> str:
    return reverse("pathways:patient", kwargs={"patient_id": enrolment.patient_id})


def involve_organisation(
    *,
    enrolment: Enrolment,
    by: User,
    expected_version: ExpectedVersion,
    stage: str,
    organisation_id: object,
    note: str = "",
    on: datetime.date | None = None,
) -> Part:
    """The GP involves an organisation in a stage of the patient's level: it gets a care
    relation to the patient (and so sees them) and is expected to report its start."""
    _require_coordinator(by, enrolment)
    pathway = enrolment.pathway.definition
    errors: dict[str, list[str]] = {}
    found = pathway.stage(stage)
    organisation = None
    if found is None:
        errors["stage"] = [_("Choose one of the pathway's stages.")]
    elif enrolment.level not in found.levels:
        errors["stage"] = [
            _("This stage is not part of the patient's level. Change the level first.")
        ]
    else:
        try:
            organisation = Organisation.objects.get(pk=int(str(organisation_id)))
        except (ValueError, Organisation.DoesNotExist):
            organisation = None
        if organisation is None or organisation.kind != found.owner:
            errors["organisation"] = [_("Choose an organisation that takes this stage.")]
            organisation = None
        elif by.organisation is not None and organisation.region_id != by.organisation.region_id:
            errors["organisation"] = [_("Choose an organisation of your region.")]
            organisation = None
        elif (
            enrolment.parts.filter(stage=stage, organisation=organisation)
            .exclude(status=Part.Status.ENDED)
            .exists()
        ):
            errors["organisation"] = [_("This organisation already has this stage.")]
    _check_reason(errors, "note", note, TEXT_MAX_LENGTH)
    if errors:
        raise ValidationError(errors)
    assert found is not None and organisation is not None  # noqa: S101 - checked above
    check_version(enrolment, expected_version)
    with transaction.atomic():
        claim_version(enrolment, expected_version)
        part = Part.objects.create(
            enrolment=enrolment,
            stage=stage,
            organisation=organisation,
            status=Part.Status.EXPECTED,
            involved_at=timezone.now(),
            plan="",
        )
        open_care_relation(
            patient=enrolment.patient,
            organisation=organisation,
            reason=CareRelation.Reason.REFERRAL,
            by=by,
        )
        _event(enrolment, Event.Kind.INVOLVED, by, on or timezone.localdate(), part=part, text=note)
        _audit(
            by,
            AuditAction.UPDATE,
            enrolment,
            enrolment.patient,
            involved=organisation.pk,
            stage=stage,
        )
        notify(
            _reporters(organisation.pk),
            kind="pathway_involved",
            text=INVOLVED_TEXT,
            url=_patient_url(enrolment),
            params={"organisation": organisation.name, "stage": found.name},
        )
    return part


def _tell_coordinator(enrolment: Enrolment, by: User, part: Part, text: str) -> None:
    """The GP hears what another organisation reports (not what their own practice does)."""
    if by.organisation_id == enrolment.coordinator_practice_id:
        return
    stage = enrolment.pathway.definition.stage(part.stage)
    recipients = [enrolment.coordinator] if enrolment.coordinator.is_active else []
    if not recipients:
        recipients = list(
            User.objects.filter(
                organisation_id=enrolment.coordinator_practice_id, role=Role.GP, is_active=True
            )
        )
    notify(
        recipients,
        kind="pathway_report",
        text=text,
        url=_patient_url(enrolment),
        params={
            "organisation": part.organisation.name,
            "stage": stage.name if stage else part.stage,
        },
    )


def record_stage_transition(
    *,
    by: User,
    stage: str,
    organisation: Organisation,
    event: str,
    on: datetime.date | None = None,
    text: str = "",
    patient: Patient | None = None,
    enrolment: Enrolment | None = None,
    expected_version: ExpectedVersion = None,
) -> Part | None:
    """An organisation reports the start, plan or end of its part in a stage.

    `start` starts the part the GP involved it in (or a new one); `plan` records or
    replaces its plan; `end` ends it with its outcome (`text`, required). The GP hears of
    each. Pass the `enrolment` or the `patient` (whose active enrolment is used; None is
    returned when they are not in the pathway). `expected_version` is the part's version
    for `plan` and `end` (None for the system)."""
    if enrolment is None:
        if patient is None:
            raise ValueError("record_stage_transition needs a patient or an enrolment")
        enrolment = current_enrolment(patient)
        if enrolment is None:
            return None
    if event not in EVENTS:
        raise ValidationError({"event": [_("Report a start, a plan or an end.")]})
    if not enrolment.is_active:
        raise ValidationError(_("The pathway has ended."), code="ended")
    on = on or timezone.localdate()
    pathway = enrolment.pathway.definition
    found = pathway.stage(stage)
    errors: dict[str, list[str]] = {}
    # Errors name the fields as the doors call them.
    on_field = "started_on" if event == "start" else "ended_on"
    text_field = "outcome" if event == "end" else "plan"
    if found is None:
        raise ValidationError({"stage": [_("Choose one of the pathway's stages.")]})
    if organisation.kind != found.owner:
        raise ValidationError(
            {"stage": [_("Your organisation does not take this stage of the pathway.")]}
        )
    open_part = (
        enrolment.parts.filter(stage=stage, organisation=organisation)
        .exclude(status=Part.Status.ENDED)
        .first()
    )
    _check_reason(errors, text_field, text, TEXT_MAX_LENGTH)
    if event == "start":
        if open_part is not None and open_part.status == Part.Status.ACTIVE:
            errors.setdefault("stage", []).append(_("This part has already started."))
        _check_day(errors, on_field, on, not_before=enrolment.enrolled_on)
    else:
        if open_part is None:
            raise ValidationError({"stage": [_("This part has not been started.")]})
        if event == "end":
            if open_part.status != Part.Status.ACTIVE:
                errors.setdefault("stage", []).append(_("This part has not been started."))
            if not text.strip():
                errors.setdefault(text_field, []).append(
                    _("Say how the part ended and what the GP should know.")
                )
            _check_day(
                errors, on_field, on, not_before=open_part.started_on or enrolment.enrolled_on
            )
        elif not text.strip():
            errors.setdefault(text_field, []).append(_("Write the plan."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if event == "start":
            if open_part is not None:
                check_version(open_part, expected_version)
                claim_version(
                    open_part,
                    expected_version,
                    status=Part.Status.ACTIVE,
                    started_on=on,
                    plan=text.strip() or open_part.plan,
                )
                part = open_part
            else:
                try:
                    with transaction.atomic():
                        part = Part.objects.create(
                            enrolment=enrolment,
                            stage=stage,
                            organisation=organisation,
                            status=Part.Status.ACTIVE,
                            involved_at=timezone.now(),
                            started_on=on,
                            plan=text.strip(),
                        )
                except IntegrityError as error:
                    raise StaleVersion from error
            _event(enrolment, Event.Kind.STARTED, by, on, part=part, text=text.strip())
            notice = STARTED_TEXT
        elif event == "plan":
            assert open_part is not None  # noqa: S101 - checked above
            check_version(open_part, expected_version)
            claim_version(open_part, expected_version, plan=text.strip())
            part = open_part
            _event(
                enrolment,
                Event.Kind.PLANNED,
                by,
                timezone.localdate(),
                part=part,
                text=text.strip(),
            )
            notice = PLANNED_TEXT
        else:
            assert open_part is not None  # noqa: S101 - checked above
            check_version(open_part, expected_version)
            claim_version(
                open_part,
                expected_version,
                status=Part.Status.ENDED,
                ended_on=on,
                outcome=text.strip(),
            )
            part = open_part
            _event(enrolment, Event.Kind.ENDED, by, on, part=part, text=text.strip())
            notice = ENDED_TEXT
        _audit(
            by,
            AuditAction.UPDATE,
            part,
            enrolment.patient,
            event=event,
            stage=stage,
            organisation=organisation.pk,
        )
        _tell_coordinator(enrolment, by, part, notice)
    return part


def end_enrolment(
    *,
    enrolment: Enrolment,
    by: User,
    expected_version: ExpectedVersion,
    ended_on: datetime.date,
    reason: str,
) -> Enrolment:
    """The GP ends the pathway; their own part ends with it. Another organisation's part
    under way must be ended by it first."""
    _require_coordinator(by, enrolment)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say why the pathway ends.")]
    _check_reason(errors, "reason", reason, REASON_MAX_LENGTH)
    _check_day(errors, "ended_on", ended_on, not_before=enrolment.enrolled_on)
    others = (
        enrolment.parts.filter(status=Part.Status.ACTIVE)
        .exclude(organisation_id=enrolment.coordinator_practice_id)
        .select_related("organisation")
    )
    if others:
        errors.setdefault("__all__", []).append(
            _("%(organisations)s still has the patient: their part must end first.")
            % {"organisations": ", ".join(sorted({p.organisation.name for p in others}))}
        )
    if errors:
        raise ValidationError(errors)
    check_version(enrolment, expected_version)
    with transaction.atomic():
        claim_version(
            enrolment,
            expected_version,
            status=Enrolment.Status.ENDED,
            ended_on=ended_on,
            end_reason=reason.strip(),
        )
        for part in enrolment.parts.exclude(status=Part.Status.ENDED):
            part.status = Part.Status.ENDED
            if part.started_on is not None:
                part.ended_on = max(ended_on, part.started_on)
            part.save(update_fields=["status", "ended_on"])
        _event(enrolment, Event.Kind.PATHWAY_ENDED, by, ended_on, text=reason.strip())
        _audit(by, AuditAction.UPDATE, enrolment, enrolment.patient, ended=ended_on.isoformat())
    return enrolment
