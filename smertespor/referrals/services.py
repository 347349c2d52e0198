"""Writes to referrals: the GP's draft, sending it, the thread, and every triage step at the
centre. Each runs in one transaction, validates first (nothing is saved on a refusal),
applies the domain's state machine (`domain.referral_states`), records the step as a
`TriageTask` with who, when and why, writes the audit row and notifies the other side.

Care relations: sending opens one for the recipient only (reason REFERRAL); rejecting,
withdrawing and forwarding close it (forwarding opens one for the new recipient).
Notification texts name a referral by its number, never its patient: they are e-mailed too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from domain.referral_criteria import (
    Answer,
    Checklist,
    CriteriaError,
    CriteriaSet,
    CriterionInput,
    CriterionKind,
    ReferralFacts,
    evaluate,
)
from domain.referral_states import Actor, ReferralEvent, ReferralTransitionError, transition
from smertespor.accounts.models import Organisation, Role, User
from smertespor.advice.attachments import check_attachments
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.appointment_times import check_opening_hours_of
from smertespor.notifications.services import notify
from smertespor.patients.models import CareRelation, Patient
from smertespor.patients.services import close_care_relation, open_care_relation
from smertespor.referrals import pathway
from smertespor.referrals.criteria import judging_version
from smertespor.referrals.models import (
    MESSAGE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Priority,
    Referral,
    ReferralAttachment,
    ReferralCommunication,
    RejectionReason,
    Side,
    Status,
    TriageTask,
    WorkStatus,
)
from smertespor.referrals.permissions import TRIAGE_ROLES, side_of
from smertespor.referrals.prefill import referral_prefill
from smertespor.referrals.selectors import criteria_of, current_criteria, referral_recipients
from smertespor.versions import ExpectedVersion, check_version, claim_version

Kind = ReferralCommunication.Kind

# The content fields a draft takes (the guidance's and the pain centres'), all optional in a
# draft; MANDATORY ones must be filled in before it is sent.
TEXT_FIELDS = (
    "contact",
    "diagnosis_code",
    "diagnosis_text",
    "comorbidity",
    "history",
    "question",
    "results",
    "interpreter_language",
    "special_needs",
    "function_and_work",
    "social_situation",
    "earlier_treatment",
    "earlier_centre_courses",
    "patient_expectations",
    "gp_expectations",
)
CONTENT_FIELDS = (*TEXT_FIELDS, "priority", "pain_since", "work_status")
MANDATORY = (
    "diagnosis_code",
    "diagnosis_text",
    "history",
    "question",
    "function_and_work",
    "work_status",
    "patient_expectations",
    "gp_expectations",
)
# ICD-10 as in SKS (DM545) or plain (M54.5, M545).
ICD10 = re.compile(r"^D?[A-Z][0-9]{2}(\.?[0-9A-Z]{1,4})?$")
EVIDENCE_MAX_LENGTH = 1000
MAX_WAIT_WEEKS = 104
# The first consultation at a pain centre is reckoned as an hour: it must end before closing.
FIRST_APPOINTMENT_MINUTES = 60


def field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def _text(value: object, *, field: str, max_length: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise field_error(field, _("The text contains a NUL character."), "nul")
    if len(text) > max_length:
        raise field_error(
            field,
            _("The text is too long: %(length)s characters; the limit is %(limit)s.")
            % {"length": len(text), "limit": max_length},
            "max_length",
        )
    if required and not text:
        raise field_error(field, _("This field is required."), "required")
    return text


# --- the criteria --------------------------------------------------------------------------


def _answer(value: object, field: str) -> Answer:
    try:
        return Answer(str(value or Answer.UNKNOWN))
    except ValueError:
        raise field_error(field, _("Answer yes, no or unknown."), "invalid_choice") from None


def clean_criteria_answers(raw: object) -> dict[str, dict[str, Any]]:
    """The referrer's answers as stored: {code: {answer, options, evidence}}; refused with a
    ValidationError on `criteria` when they name a criterion or option the data lacks."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        raise field_error("criteria", _("The criteria answers are not readable."), "invalid")
    criteria = current_criteria()
    known = {c.code: c for c in criteria.criteria if c.is_answered_by_referrer}
    cleaned: dict[str, dict[str, Any]] = {}
    for code, given in raw.items():
        criterion = known.get(str(code))
        if criterion is None or not isinstance(given, Mapping):
            raise field_error(
                "criteria", _("There is no such criterion to answer."), "invalid_choice"
            )
        options = given.get("options") or {}
        if not isinstance(options, Mapping) or set(map(str, options)) - set(criterion.option_codes):
            raise field_error("criteria", _("There is no such option to answer."), "invalid_choice")
        cleaned[criterion.code] = {
            "answer": _answer(given.get("answer"), "criteria").value
            if criterion.kind == CriterionKind.ANSWER
            else Answer.UNKNOWN.value,
            "options": {str(k): _answer(v, "criteria").value for k, v in options.items()},
            "evidence": _text(
                given.get("evidence"), field="criteria", max_length=EVIDENCE_MAX_LENGTH
            ),
        }
    return cleaned


def checklist_of(
    referral: Referral, on: date | None = None, criteria: CriteriaSet | None = None
) -> Checklist:
    """The specialty-plan checklist of `referral` as it stands (on the day `on`), judged on
    `criteria` (by default the version it was sent with, or for a draft the newest). Answers
    to criteria or options a newer version no longer has are left out, not guessed."""
    criteria = criteria or criteria_of(referral)
    known = {criterion.code: set(criterion.option_codes) for criterion in criteria.criteria}
    day = on or (timezone.localdate(referral.sent_at) if referral.sent_at else timezone.localdate())
    inputs = {
        code: CriterionInput(
            answer=Answer(given.get("answer", Answer.UNKNOWN)),
            options={
                k: Answer(v) for k, v in (given.get("options") or {}).items() if k in known[code]
            },
            evidence=str(given.get("evidence", "")),
        )
        for code, given in (referral.criteria_answers or {}).items()
        if code in known
    }
    pain_since = referral.pain_since if referral.pain_since and referral.pain_since <= day else None
    return evaluate(
        criteria,
        ReferralFacts(
            sent_on=day,
            pain_since=pain_since,
            referrer_is_gp=referral.referred_by.role == Role.GP,
            inputs=inputs,
        ),
    )


def checklist_json(checklist: Checklist) -> list[dict[str, Any]]:
    return [
        {
            "code": result.code,
            "status": result.status.value,
            "evidence": result.evidence,
            "months_of_pain": result.months_of_pain,
            "options": {code: answer.value for code, answer in result.options},
        }
        for result in checklist.results
    ]


# --- the draft -----------------------------------------------------------------------------


def _recipient(by: User, recipient_id: object) -> Organisation:
    try:
        pk = int(str(recipient_id))
    except ValueError:
        pk = None
    recipient = referral_recipients(by).filter(pk=pk).first() if pk else None
    if recipient is None:
        raise field_error(
            "recipient_id",
            _("Choose a pain centre or pain clinic in your region."),
            "invalid_choice",
        )
    return recipient


def _clean_content(content: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(content) - set(CONTENT_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field is unknown."), "invalid")
    cleaned: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        if field in content:
            limit = 200 if field in {"contact", "diagnosis_text"} else TEXT_MAX_LENGTH
            limit = 100 if field == "interpreter_language" else limit
            cleaned[field] = _text(content[field], field=field, max_length=limit)
    if cleaned.get("diagnosis_code"):
        code = cleaned["diagnosis_code"].upper().replace(" ", "")
        if not ICD10.match(code) or len(code) > 10:
            raise field_error(
                "diagnosis_code",
                _("Write an ICD-10 code, e.g. DM545 or M54.5."),
                "invalid",
            )
        cleaned["diagnosis_code"] = code
    if "priority" in content:
        if content["priority"] not in Priority.values:
            raise field_error("priority", _("Choose one of the options."), "invalid_choice")
        cleaned["priority"] = content["priority"]
    if "work_status" in content:
        if content["work_status"] not in ("", *WorkStatus.values):
            raise field_error("work_status", _("Choose one of the options."), "invalid_choice")
        cleaned["work_status"] = content["work_status"] or ""
    if "pain_since" in content:
        value = content["pain_since"]
        if value not in (None, "") and not isinstance(value, date):
            raise field_error("pain_since", _("Enter a valid date."), "invalid")
        if isinstance(value, date) and value > timezone.localdate():
            raise field_error(
                "pain_since", _("The pain cannot have begun in the future."), "future"
            )
        cleaned["pain_since"] = value or None
    return cleaned


def _save_attachments(
    referral: Referral,
    by: User,
    files: Sequence[UploadedFile],
    communication: ReferralCommunication | None = None,
) -> list[ReferralAttachment]:
    if not files:
        return []
    try:
        checked = check_attachments(files)
    except ValidationError as error:
        raise ValidationError({"attachments": error.error_list}) from None
    now = timezone.now()
    saved = []
    for item in checked:
        attachment = ReferralAttachment(
            referral=referral,
            communication=communication,
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=by,
            uploaded_at=now,
        )
        attachment.file.save(item.name, item.upload, save=False)
        attachment.save(force_insert=True)
        saved.append(attachment)
    return saved


def save_referral_draft(
    *,
    by: User,
    patient: Patient,
    recipient_id: object,
    content: Mapping[str, Any],
    criteria: object = None,
    files: Sequence[UploadedFile] = (),
    referral: Referral | None = None,
    expected_version: ExpectedVersion = None,
) -> Referral:
    """A new draft (`referral` None) or the draft changed. The caller loaded the patient
    through `patients.access` and checked that `by` may refer them (or edit the draft)."""
    recipient = _recipient(by, recipient_id)
    cleaned = _clean_content(content)
    answers = clean_criteria_answers(criteria) if criteria is not None else None
    if referral is not None:
        check_version(referral, expected_version)
        if not referral.is_draft:
            raise ValidationError(
                _("This referral has been sent; it can no longer be changed."), code="sent"
            )
    now = timezone.now()
    with transaction.atomic():
        if referral is None:
            referral = Referral(
                patient=patient,
                practice=by.organisation,
                referred_by=by,
                recipient=recipient,
                created_at=now,
                **cleaned,
            )
            if answers is not None:
                referral.criteria_answers = answers
            referral.full_clean()
            referral.save(force_insert=True)
            action = AuditAction.CREATE
        else:
            claim_version(referral, expected_version, filters={"status": Status.DRAFT})
            referral.recipient = recipient
            for field, value in cleaned.items():
                setattr(referral, field, value)
            if answers is not None:
                referral.criteria_answers = answers
            referral.full_clean()
            referral.save()
            action = AuditAction.UPDATE
        _save_attachments(referral, by, files)
        record_event(
            user=by,
            action=action,
            object_type="referral",
            object_id=str(referral.pk),
            patient=patient,
            detail={"status": Status.DRAFT, "recipient": recipient.pk},
        )
    return referral


def missing_content(referral: Referral) -> list[str]:
    """The mandatory fields still empty: the form names them before sending."""
    return [field for field in MANDATORY if not getattr(referral, field)]


# --- steps ---------------------------------------------------------------------------------


def _step(
    referral: Referral,
    *,
    by: User,
    event: ReferralEvent,
    actor: Actor,
    expected_version: ExpectedVersion,
    reason: str = "",
    task: Mapping[str, Any] | None = None,
    updates: Mapping[str, Any] | None = None,
) -> TriageTask:
    """Apply `event` to the locked referral, record the TriageTask and the audit row. Call it
    inside the service's transaction, after every validation."""
    check_version(referral, expected_version)
    try:
        target = transition(referral.domain_status, event, by=actor, reason=reason)
    except ReferralTransitionError as error:
        raise ValidationError(_transition_message(error), code=error.code) from None
    source = referral.status
    now = timezone.now()
    changes: dict[str, Any] = {"status": target.value, **(updates or {})}
    if target.value in {Status.REJECTED, Status.DISCHARGED, Status.WITHDRAWN}:
        changes["closed_at"] = now
    claim_version(referral, expected_version, filters={"status": source}, **changes)
    organisation = by.organisation
    if organisation is None:
        raise PermissionDenied
    step = TriageTask.objects.create(
        referral=referral,
        event=event.value,
        from_status=source,
        to_status=target.value,
        by=by,
        organisation=organisation,
        at=now,
        reason=reason,
        **(task or {}),
    )
    record_event(
        user=by,
        action=AuditAction.UPDATE,
        object_type="referral",
        object_id=str(referral.pk),
        patient=referral.patient,
        detail={"event": event.value, "from": source, "to": target.value},
    )
    return step


def _transition_message(error: ReferralTransitionError) -> str:
    if error.code == "transition_reason_required":
        return _("Give a reason.")
    if error.code == "transition_not_allowed_for_actor":
        return _("The other side takes this step.")
    return _("This step is not possible while the referral is %(status)s.") % {
        "status": Status(error.current.value).label
    }


def _centre_staff(organisation: Organisation) -> list[User]:
    return list(
        User.objects.filter(organisation=organisation, role__in=TRIAGE_ROLES, is_active=True)
    )


def _notify_centre(referral: Referral, text: str) -> None:
    notify(
        _centre_staff(referral.recipient),
        kind="referral",
        text=text,
        params={"number": referral.pk, "practice": referral.practice.name},
        url=referral_url(referral),
    )


def _notify_gp(referral: Referral, text: str) -> None:
    notify(
        referral.referred_by,
        kind="referral",
        text=text,
        params={"number": referral.pk, "recipient": referral.recipient.name},
        url=referral_url(referral),
    )


def send_referral(
    *,
    referral: Referral,
    by: User,
    exception_reason: str = "",
    expected_version: ExpectedVersion = None,
) -> Referral:
    """Send the draft: every mandatory field filled in; criteria not met or unknown only with
    a written reason, which flags the referral to the centre. The medication, OMEQ, plans,
    course and advice are frozen with it, and the recipient gets a care relation."""
    check_version(referral, expected_version)
    missing = missing_content(referral)
    if missing:
        raise ValidationError(
            {
                field: ValidationError(_("Fill this in before sending."), code="required")
                for field in missing
            }
        )
    today = timezone.localdate()
    judged_on = judging_version()
    try:
        checklist = checklist_of(referral, today, judged_on.definition)
    except CriteriaError as error:
        raise field_error("criteria", error.message, error.code) from None
    exception_reason = _text(
        exception_reason, field="exception_reason", max_length=REASON_MAX_LENGTH
    )
    if checklist.missing and not exception_reason:
        raise field_error(
            "exception_reason",
            _(
                "Some criteria are not met or unknown. Write why the patient should be "
                "referred anyway; the centre will see it."
            ),
            "criteria_missing",
        )
    with transaction.atomic():
        locked = _locked(referral)
        _step(
            locked,
            by=by,
            event=ReferralEvent.SEND,
            actor=Actor.PRACTICE,
            expected_version=expected_version,
            reason=exception_reason,
            updates={
                "sent_at": timezone.now(),
                "criteria_version": checklist.version,
                "criteria_definition": judged_on,
                "criteria_result": checklist_json(checklist),
                "criteria_missing": list(checklist.missing),
                "criteria_exception_reason": exception_reason if checklist.missing else "",
                "snapshot": referral_prefill(by, referral.patient),
            },
        )
        open_care_relation(
            patient=referral.patient,
            organisation=locked.recipient,
            reason=CareRelation.Reason.REFERRAL,
            by=by,
        )
        _notify_centre(
            locked,
            gettext_noop("New referral #%(number)s from %(practice)s, criteria flagged.")
            if checklist.missing
            else gettext_noop("New referral #%(number)s from %(practice)s."),
        )
    return locked


def write_message(
    *,
    referral: Referral,
    by: User,
    body: str,
    files: Sequence[UploadedFile] = (),
    expected_version: ExpectedVersion = None,
) -> ReferralCommunication:
    """A message in the thread. The practice's answer to a request for information is the
    supplement: the referral goes back to triage. A closed referral takes no messages."""
    side = side_of(by, referral)
    if side is None:
        raise PermissionDenied
    check_version(referral, expected_version)
    if referral.is_closed or referral.is_draft:
        raise ValidationError(
            _("This referral is closed, so no more messages can be added."), code="closed"
        )
    body = _text(body, field="body", max_length=MESSAGE_MAX_LENGTH, required=True)
    with transaction.atomic():
        locked = _locked(referral)
        if locked.is_closed:
            raise ValidationError(
                _("This referral is closed, so no more messages can be added."), code="closed"
            )
        supplement = side == Side.PRACTICE and locked.status == Status.AWAITING_INFORMATION
        if supplement:
            _step(
                locked,
                by=by,
                event=ReferralEvent.SUPPLEMENT,
                actor=Actor.PRACTICE,
                expected_version=expected_version,
            )
        else:
            claim_version(locked, expected_version)
        message = ReferralCommunication.objects.create(
            referral=locked,
            author=by,
            side=side,
            kind=Kind.SUPPLEMENT if supplement else Kind.MESSAGE,
            body=body,
            created_at=timezone.now(),
        )
        _save_attachments(locked, by, files, message)
        record_event(
            user=by,
            action=AuditAction.CREATE,
            object_type="referral_message",
            object_id=str(locked.pk),
            patient=referral.patient,
            detail={"kind": message.kind, "message": message.pk},
        )
        if side == Side.PRACTICE:
            _notify_centre(
                locked,
                gettext_noop("%(practice)s has answered on referral #%(number)s.")
                if supplement
                else gettext_noop("%(practice)s has written on referral #%(number)s."),
            )
        else:
            _notify_gp(locked, gettext_noop("%(recipient)s has written on referral #%(number)s."))
    referral.status, referral.version = locked.status, locked.version
    return message


def start_triage(
    *, referral: Referral, by: User, expected_version: ExpectedVersion = None
) -> Referral:
    with transaction.atomic():
        locked = _locked(referral)
        _step(
            locked,
            by=by,
            event=ReferralEvent.START_TRIAGE,
            actor=Actor.CENTRE,
            expected_version=expected_version,
        )
        _notify_gp(locked, gettext_noop("%(recipient)s is triaging referral #%(number)s."))
    return locked


def _locked(referral: Referral) -> Referral:
    locked = (
        Referral.objects.select_for_update()
        .select_related("recipient", "practice", "referred_by")
        .get(pk=referral.pk)
    )
    locked.patient = referral.patient
    return locked


def request_information(
    *, referral: Referral, by: User, question: str, expected_version: ExpectedVersion = None
) -> Referral:
    """The centre asks the GP for more; the referral waits for the answer in the thread."""
    question = _text(question, field="question", max_length=MESSAGE_MAX_LENGTH, required=True)
    with transaction.atomic():
        locked = _locked(referral)
        _step(
            locked,
            by=by,
            event=ReferralEvent.REQUEST_INFORMATION,
            actor=Actor.CENTRE,
            expected_version=expected_version,
            reason=question,
        )
        ReferralCommunication.objects.create(
            referral=locked,
            author=by,
            side=Side.CENTRE,
            kind=Kind.INFORMATION_REQUEST,
            body=question,
            created_at=timezone.now(),
        )
        _notify_gp(
            locked, gettext_noop("%(recipient)s asks for more information on referral #%(number)s.")
        )
    return locked


def accept_referral(
    *,
    referral: Referral,
    by: User,
    priority: str,
    expected_wait_weeks: int,
    note: str = "",
    expected_version: ExpectedVersion = None,
) -> Referral:
    if priority not in Priority.values:
        raise field_error("priority", _("Choose one of the options."), "invalid_choice")
    if (
        isinstance(expected_wait_weeks, bool)
        or not isinstance(expected_wait_weeks, int)
        or not 0 <= expected_wait_weeks <= MAX_WAIT_WEEKS
    ):
        raise field_error(
            "expected_wait_weeks",
            _("Give the expected waiting time in weeks, from 0 to %(max)s.")
            % {"max": MAX_WAIT_WEEKS},
            "invalid",
        )
    note = _text(note, field="note", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        locked = _locked(referral)
        _step(
            locked,
            by=by,
            event=ReferralEvent.ACCEPT,
            actor=Actor.CENTRE,
            expected_version=expected_version,
            reason=note,
            task={"priority": priority, "expected_wait_weeks": expected_wait_weeks},
            updates={"triage_priority": priority, "expected_wait_weeks": expected_wait_weeks},
        )
        pathway.report_to_pathway(locked, by=by, event="start", text=pathway.accepted_text(locked))
        _notify_gp(locked, gettext_noop("%(recipient)s has accepted referral #%(number)s."))
    return locked


def reject_referral(
    *,
    referral: Referral,
    by: User,
    rejection_reason: str,
    advice_to_gp: str,
    expected_version: ExpectedVersion = None,
) -> Referral:
    """Reject with MedCom's reason and advice to the GP; the centre's care relation closes."""
    if rejection_reason not in RejectionReason.values:
        raise field_error("rejection_reason", _("Choose one of the options."), "invalid_choice")
    advice_to_gp = _text(
        advice_to_gp, field="advice_to_gp", max_length=REASON_MAX_LENGTH, required=True
    )
    with transaction.atomic():
        locked = _locked(referral)
        _step(
            locked,
            by=by,
            event=ReferralEvent.REJECT,
            actor=Actor.CENTRE,
            expected_version=expected_version,
            reason=advice_to_gp,
            task={"rejection_reason": rejection_reason, "advice_to_gp": advice_to_gp},
        )
        close_care_relation(
            patient=referral.patient,
            organisation=locked.recipient,
            reason=CareRelation.Reason.REFERRAL,
        )
        _notify_gp(locked, gettext_noop("%(recipient)s has rejected referral #%(number)s."))
    return locked


def forward_referral(
    *,
    referral: Referral,
    by: User,
    to_id: object,
    reason: str,
    expected_version: ExpectedVersion = None,
) -> Referral:
    """Send the referral on to another centre or clinic of the region: the care relation
    moves with it, and the new recipient receives it as new."""
    reason = _text(reason, field="reason", max_length=REASON_MAX_LENGTH, required=True)
    try:
        to = _recipient(referral.referred_by, to_id)
    except ValidationError:
        raise field_error(
            "forward_to", _("Choose another pain centre or clinic in the region."), "invalid_choice"
        ) from None
    if to.pk == referral.recipient_id:
        raise field_error(
            "forward_to", _("Choose another pain centre or clinic in the region."), "same"
        )
    with transaction.atomic():
        locked = _locked(referral)
        previous = locked.recipient
        _step(
            locked,
            by=by,
            event=ReferralEvent.FORWARD,
            actor=Actor.CENTRE,
            expected_version=expected_version,
            reason=reason,
            task={"forwarded_to": to},
            updates={"recipient_id": to.pk},
        )
        locked.recipient = to
        close_care_relation(
            patient=referral.patient, organisation=previous, reason=CareRelation.Reason.REFERRAL
        )
        open_care_relation(
            patient=referral.patient,
            organisation=to,
            reason=CareRelation.Reason.REFERRAL,
            by=by,
        )
        _notify_gp(
            locked, gettext_noop("Referral #%(number)s has been forwarded to %(recipient)s.")
        )
        _notify_centre(
            locked, gettext_noop("Referral #%(number)s from %(practice)s was forwarded to you.")
        )
    return locked


def book_first_appointment(
    *,
    referral: Referral,
    by: User,
    at: datetime,
    expected_version: ExpectedVersion = None,
) -> Referral:
    if not isinstance(at, datetime):
        raise field_error("appointment_at", _("Enter a valid date and time."), "invalid")
    if timezone.is_naive(at):
        # A time without a zone is the region's local time, as on the page.
        at = timezone.make_aware(at)
    if at < timezone.now():
        raise field_error(
            "appointment_at", _("The first appointment cannot be in the past."), "past"
        )
    # On a working day inside the opening hours, with room for the first consultation.
    check_opening_hours_of(at, FIRST_APPOINTMENT_MINUTES, field="appointment_at")
    with transaction.atomic():
        locked = _locked(referral)
        _step(
            locked,
            by=by,
            event=ReferralEvent.BOOK_FIRST_APPOINTMENT,
            actor=Actor.CENTRE,
            expected_version=expected_version,
            task={"appointment_at": at},
            updates={"first_appointment_at": at},
        )
        pathway.report_to_pathway(
            locked, by=by, event="plan", text=pathway.appointment_text(locked)
        )
        _notify_gp(
            locked,
            gettext_noop("%(recipient)s has booked the first appointment on referral #%(number)s."),
        )
    return locked


def record_discharge(
    *,
    referral: Referral,
    by: User,
    note: str = "",
    expected_version: ExpectedVersion = None,
) -> Referral:
    """The course at the centre is over (called by the centre's discharge summary): the
    referral is discharged, and the GP, who takes the patient back, sees it."""
    note = _text(note, field="note", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        locked = _locked(referral)
        _step(
            locked,
            by=by,
            event=ReferralEvent.DISCHARGE,
            actor=Actor.CENTRE,
            expected_version=expected_version,
            reason=note,
        )
        pathway.report_to_pathway(
            locked, by=by, event="end", text=note or pathway.discharged_text(locked)
        )
        _notify_gp(
            locked,
            gettext_noop("%(recipient)s has discharged the patient of referral #%(number)s."),
        )
    return locked


def withdraw_referral(
    *, referral: Referral, by: User, reason: str, expected_version: ExpectedVersion = None
) -> Referral:
    reason = _text(reason, field="reason", max_length=REASON_MAX_LENGTH, required=True)
    with transaction.atomic():
        locked = _locked(referral)
        _step(
            locked,
            by=by,
            event=ReferralEvent.WITHDRAW,
            actor=Actor.PRACTICE,
            expected_version=expected_version,
            reason=reason,
        )
        pathway.report_to_pathway(locked, by=by, event="close", text=reason)
        close_care_relation(
            patient=referral.patient,
            organisation=locked.recipient,
            reason=CareRelation.Reason.REFERRAL,
        )
        _notify_centre(locked, gettext_noop("%(practice)s has withdrawn referral #%(number)s."))
    return locked
