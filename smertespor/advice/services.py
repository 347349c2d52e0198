"""Writes to advice requests: asking, replying, assigning, closing, telephone advice and the
overdue flag. Each runs in one transaction, validates, writes its audit row and notifies.

Notification texts name a request by its number, never its subject or patient: they are
e-mailed too, and e-mail leaves Smertespor.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smertespor.accounts.models import Organisation, User
from smertespor.accounts.selectors import chosen_pain_clinic
from smertespor.advice.attachments import check_attachments
from smertespor.advice.categories import CATEGORY_VALUES
from smertespor.advice.models import (
    MESSAGE_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    WITH_CLINIC,
    AdviceAttachment,
    AdviceMessage,
    AdviceRequest,
    Channel,
    Outcome,
    Status,
    Urgency,
)
from smertespor.advice.permissions import (
    ANSWERING_ROLES,
    ASKING_KINDS,
    can_ask_for_advice,
    is_advice_clinician,
    side_of,
)
from smertespor.advice.response_time import due_date, response_working_days
from smertespor.advice.selectors import colleagues_for_assignment
from smertespor.advice.snapshot import patient_snapshot
from smertespor.advice.validation import check_choice, clean_text, field_error
from smertespor.audit.services import AuditAction, record_event
from smertespor.notifications.services import notify
from smertespor.patients.models import CareRelation, Patient
from smertespor.patients.services import open_care_relation
from smertespor.tracks.selectors import open_course_of
from smertespor.validators import refuse_identifiers
from smertespor.versions import ExpectedVersion, check_version, claim_version

if TYPE_CHECKING:
    from smertespor.tracks.models import Course

Side = AdviceMessage.Side
Kind = AdviceMessage.Kind


def clinicians_of(clinic: Organisation) -> list[User]:
    return list(User.objects.filter(organisation=clinic, role__in=ANSWERING_ROLES, is_active=True))


def organisation_of(user: User) -> Organisation:
    """The asker's practice or the answerer's clinic (the actions let no one else through)."""
    if user.organisation is None:
        raise PermissionDenied
    return user.organisation


def request_url(advice_request: AdviceRequest) -> str:
    return reverse("advice:detail", args=[advice_request.pk])


def _save_attachments(
    message: AdviceMessage, files: Sequence[UploadedFile]
) -> list[AdviceAttachment]:
    try:
        checked = check_attachments(files)
    except ValidationError as error:
        raise ValidationError({"attachments": error.error_list}) from None
    saved = []
    for item in checked:
        attachment = AdviceAttachment(
            message=message,
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            uploaded_at=message.created_at,
        )
        attachment.file.save(item.name, item.upload, save=False)
        attachment.save(force_insert=True)
        saved.append(attachment)
    return saved


def _course_for(patient: Patient | None, course_id: int | None) -> Course | None:
    """The patient's open course, if the GP says the question is about it."""
    if course_id is None:
        return None
    if patient is None:
        raise field_error("course_id", _("There is no course to ask about."), "invalid_choice")
    course = open_course_of(patient)
    if course is None or course.pk != course_id:
        raise field_error(
            "course_id", _("This is not the patient's open course."), "invalid_choice"
        )
    return course


def ask_for_advice(
    *,
    by: User,
    subject: str,
    question: str,
    category: str,
    urgency: str = Urgency.ROUTINE,
    clinic_id: int | None = None,
    patient: Patient | None = None,
    course_id: int | None = None,
    files: Sequence[UploadedFile] = (),
) -> AdviceRequest:
    """A GP's, practice nurse's or hospital department doctor's question to a pain clinic of
    their region (the only one when there is one).

    About a patient (loaded by the caller through `patients.access`, which the action checked
    with `can_ask_about`): the medication, OMEQ, warnings and course are frozen with it, and
    the clinic gets a care relation to the patient.
    """
    subject = clean_text(
        subject, field="subject", max_length=SUBJECT_MAX_LENGTH, label=_("a subject")
    )
    # The subject is shown in worklists and figures, outside the patient's record.
    refuse_identifiers(
        {"subject": subject}, patient_names=[patient.name] if patient is not None else []
    )
    question = clean_text(
        question, field="question", max_length=MESSAGE_MAX_LENGTH, label=_("the question")
    )
    check_choice(category, CATEGORY_VALUES, field="category")
    check_choice(urgency, Urgency.values, field="urgency")
    clinic = chosen_pain_clinic(by, clinic_id)
    now = timezone.now()
    with transaction.atomic():
        advice_request = AdviceRequest(
            practice=organisation_of(by),
            clinic=clinic,
            asked_by=by,
            patient=patient,
            course=_course_for(patient, course_id),
            subject=subject,
            category=category,
            urgency=urgency,
            snapshot=patient_snapshot(patient) if patient is not None else {},
            asked_at=now,
            due_on=due_date(now, urgency),
            last_activity_at=now,
        )
        advice_request.full_clean()
        advice_request.save(force_insert=True)
        message = AdviceMessage.objects.create(
            request=advice_request,
            author=by,
            side=Side.PRACTICE,
            kind=Kind.QUESTION,
            body=question,
            created_at=now,
        )
        _save_attachments(message, files)
        if patient is not None:
            open_care_relation(
                patient=patient,
                organisation=clinic,
                reason=CareRelation.Reason.ADVICE_REQUEST,
                by=by,
            )
        record_event(
            user=by,
            action=AuditAction.CREATE,
            object_type="advice_request",
            object_id=str(advice_request.pk),
            patient=patient,
            detail={"clinic": clinic.pk},
        )
        text = (
            gettext_noop("New urgent advice request #%(number)s from %(practice)s.")
            if urgency == Urgency.URGENT
            else gettext_noop("New advice request #%(number)s from %(practice)s.")
        )
        notify(
            clinicians_of(clinic),
            kind="advice_new_request",
            text=text,
            params={"number": advice_request.pk, "practice": advice_request.practice.name},
            url=request_url(advice_request),
        )
    return advice_request


def reply_to_advice_request(
    *,
    advice_request: AdviceRequest,
    by: User,
    body: str,
    kind: str | None = None,
    by_telephone: bool = False,
    files: Sequence[UploadedFile] = (),
    expected_version: ExpectedVersion = None,
) -> AdviceMessage:
    """A message in the thread. The clinic answers or asks the GP; the practice asks again.

    The request's status follows: a clinic answer makes it "answered", a clinic question
    "awaiting the GP"; the practice writing after either gives it back to the clinic with a
    new due date. The first clinic reply fixes the measured response time.
    """
    side = side_of(by, advice_request)
    if side is None:
        # The writer's side decides what the message is; someone without one cannot write.
        raise PermissionDenied
    check_version(advice_request, expected_version)
    if advice_request.is_closed:
        raise ValidationError(
            _("This request is closed, so no more messages can be added. Ask a new question."),
            code="closed",
        )
    body = clean_text(body, field="body", max_length=MESSAGE_MAX_LENGTH, label=_("a message"))
    if side == Side.PRACTICE:
        kind = Kind.QUESTION
        by_telephone = False
    else:
        kind = check_choice(kind or Kind.ANSWER, {Kind.ANSWER, Kind.CLARIFICATION}, field="kind")
    now = timezone.now()
    with transaction.atomic():
        locked = AdviceRequest.objects.select_for_update().get(pk=advice_request.pk)
        if locked.is_closed:
            raise ValidationError(
                _("This request is closed, so no more messages can be added."), code="closed"
            )
        claim_version(locked, expected_version)
        message = AdviceMessage.objects.create(
            request=locked,
            author=by,
            side=side,
            kind=kind,
            channel=Channel.TELEPHONE if by_telephone else Channel.WRITTEN,
            body=body,
            created_at=now,
        )
        _save_attachments(message, files)
        fields = ["status", "last_activity_at"]
        if side == Side.CLINIC:
            locked.status = Status.ANSWERED if kind == Kind.ANSWER else Status.AWAITING_GP
            if locked.assigned_to_id is None:
                locked.assigned_to = by
                fields.append("assigned_to")
            if locked.first_response_at is None:
                locked.first_response_at = now
                locked.response_working_days = response_working_days(locked.asked_at, now)
                fields += ["first_response_at", "response_working_days"]
        elif locked.status not in WITH_CLINIC:
            # Back to the clinic: a new round, with a new target.
            locked.status = Status.ASSIGNED if locked.assigned_to_id else Status.NEW
            locked.due_on = due_date(now, locked.urgency)
            fields.append("due_on")
        locked.last_activity_at = now
        locked.save(update_fields=[*fields, "version"])
        record_event(
            user=by,
            action=AuditAction.CREATE,
            object_type="advice_message",
            object_id=str(locked.pk),
            patient=advice_request.patient if advice_request.patient_id else None,
            detail={"kind": kind, "message": message.pk},
        )
        _notify_reply(locked, message)
    advice_request.status, advice_request.version = locked.status, locked.version
    return message


def _notify_reply(advice_request: AdviceRequest, message: AdviceMessage) -> None:
    params = {"number": advice_request.pk, "practice": advice_request.practice.name}
    url = request_url(advice_request)
    if message.side == Side.CLINIC:
        text = (
            gettext_noop("The pain clinic has answered advice request #%(number)s.")
            if message.kind == Kind.ANSWER
            else gettext_noop("The pain clinic asks you a question on advice request #%(number)s.")
        )
        recipient = advice_request.asked_by
        if recipient is not None:
            notify(recipient, kind="advice_answered", text=text, params=params, url=url)
        return
    recipients = (
        [advice_request.assigned_to]
        if advice_request.assigned_to is not None
        else clinicians_of(advice_request.clinic)
    )
    notify(
        recipients,
        kind="advice_follow_up",
        text=gettext_noop("%(practice)s has written again on advice request #%(number)s."),
        params=params,
        url=url,
    )


def assign_advice_request(
    *,
    advice_request: AdviceRequest,
    by: User,
    to_id: int | None = None,
    expected_version: ExpectedVersion = None,
) -> AdviceRequest:
    """Give the request to a colleague at the clinic (or take it: `to_id=None`)."""
    assignee = (
        by if to_id is None else colleagues_for_assignment(advice_request).filter(pk=to_id).first()
    )
    if (
        assignee is None
        or not is_advice_clinician(assignee)
        or assignee.organisation_id != advice_request.clinic_id
    ):
        raise field_error(
            "assigned_to", _("Choose a doctor or nurse of the pain clinic."), "assignee"
        )
    check_version(advice_request, expected_version)
    if advice_request.is_closed:
        raise ValidationError(_("This request is closed."), code="closed")
    with transaction.atomic():
        locked = AdviceRequest.objects.select_for_update().get(pk=advice_request.pk)
        claim_version(locked, expected_version)
        locked.assigned_to = assignee
        if locked.status == Status.NEW:
            locked.status = Status.ASSIGNED
        locked.save(update_fields=["assigned_to", "status", "version"])
        record_event(
            user=by,
            action=AuditAction.UPDATE,
            object_type="advice_request",
            object_id=str(locked.pk),
            patient=advice_request.patient if advice_request.patient_id else None,
            detail={"assigned_to": assignee.pk},
        )
        if assignee.pk != by.pk:
            notify(
                assignee,
                kind="advice_assigned",
                text=gettext_noop("Advice request #%(number)s is assigned to you."),
                params={"number": locked.pk},
                url=request_url(locked),
            )
    advice_request.assigned_to = assignee
    advice_request.status, advice_request.version = locked.status, locked.version
    return advice_request


def close_advice_request(
    *,
    advice_request: AdviceRequest,
    by: User,
    outcome: str,
    note: str = "",
    expected_version: ExpectedVersion = None,
) -> AdviceRequest:
    """The practice closes the request, answering the close-out question."""
    check_choice(outcome, Outcome.values, field="outcome")
    note = (note or "").strip()
    if len(note) > 500:
        raise field_error("outcome_note", _("Keep the note to 500 characters."), "max_length")
    refuse_identifiers(
        {"outcome_note": note},
        patient_names=[advice_request.patient.name] if advice_request.patient is not None else [],
    )
    with transaction.atomic():
        locked = AdviceRequest.objects.select_for_update().get(pk=advice_request.pk)
        check_version(locked, expected_version)
        if locked.is_closed:
            raise ValidationError(_("This request is already closed."), code="closed")
        if locked.first_response_at is None:
            raise ValidationError(
                _("The clinic has not replied yet, so there is nothing to close out."),
                code="not_answered",
            )
        locked.status = Status.CLOSED
        locked.outcome = outcome
        locked.outcome_note = note
        locked.closed_at = timezone.now()
        locked.closed_by = by
        locked.last_activity_at = locked.closed_at
        locked.full_clean()
        claim_version(locked, expected_version)
        locked.save()
        record_event(
            user=by,
            action=AuditAction.UPDATE,
            object_type="advice_request",
            object_id=str(locked.pk),
            patient=advice_request.patient if advice_request.patient_id else None,
            detail={"closed": outcome},
        )
    locked.patient = advice_request.patient
    return locked


def _caller(practice: Organisation, asked_by_id: int | None) -> User | None:
    """The practice's GP or nurse who called, if the clinic names them."""
    if asked_by_id is None:
        return None
    caller = User.objects.filter(pk=asked_by_id).select_related("organisation").first()
    if caller is None or not can_ask_for_advice(caller):
        raise field_error(
            "asked_by_id",
            _("Choose a GP or nurse of that practice."),
            "invalid_choice",
        )
    if caller.organisation_id != practice.pk:
        raise field_error(
            "asked_by_id",
            _("The caller works at another practice."),
            "invalid_choice",
        )
    return caller


def record_telephone_advice(
    *,
    by: User,
    practice: Organisation,
    subject: str,
    question: str,
    advice: str,
    category: str,
    urgency: str = Urgency.ROUTINE,
    asked_by_id: int | None = None,
    called_at: datetime | None = None,
) -> AdviceRequest:
    """Advice the clinic gave by telephone, recorded in the same place so all advice counts.

    Recorded without patient data (the clinic may not see the patient); the practice closes
    it with the close-out question like any other.
    """
    if practice.kind not in ASKING_KINDS:
        raise field_error(
            "practice",
            _("Choose the general practice or hospital department that called."),
            "invalid_choice",
        )
    asked_by = _caller(practice, asked_by_id)
    subject = clean_text(
        subject, field="subject", max_length=SUBJECT_MAX_LENGTH, label=_("a subject")
    )
    refuse_identifiers({"subject": subject})
    question = clean_text(
        question, field="question", max_length=MESSAGE_MAX_LENGTH, label=_("the question")
    )
    advice = clean_text(
        advice, field="advice", max_length=MESSAGE_MAX_LENGTH, label=_("the advice given")
    )
    check_choice(category, CATEGORY_VALUES, field="category")
    check_choice(urgency, Urgency.values, field="urgency")
    now = timezone.now()
    called_at = called_at or now
    if called_at > now:
        raise field_error("called_at", _("The call cannot be in the future."), "future")
    with transaction.atomic():
        advice_request = AdviceRequest(
            practice=practice,
            clinic=organisation_of(by),
            asked_by=asked_by,
            subject=subject,
            category=category,
            urgency=urgency,
            channel=Channel.TELEPHONE,
            status=Status.ANSWERED,
            assigned_to=by,
            asked_at=called_at,
            due_on=timezone.localdate(called_at),
            first_response_at=called_at,
            response_working_days=0,
            last_activity_at=now,
        )
        advice_request.full_clean()
        advice_request.save(force_insert=True)
        for side, kind, body, author in (
            (Side.PRACTICE, Kind.QUESTION, question, asked_by),
            (Side.CLINIC, Kind.ANSWER, advice, by),
        ):
            AdviceMessage.objects.create(
                request=advice_request,
                author=author,
                side=side,
                kind=kind,
                channel=Channel.TELEPHONE,
                body=body,
                created_at=called_at,
            )
        record_event(
            user=by,
            action=AuditAction.CREATE,
            object_type="advice_request",
            object_id=str(advice_request.pk),
            detail={"channel": Channel.TELEPHONE, "practice": practice.pk},
        )
        if asked_by is not None:
            notify(
                asked_by,
                kind="advice_answered",
                text=gettext_noop(
                    "The pain clinic has recorded its telephone advice as request #%(number)s."
                ),
                params={"number": advice_request.pk},
                url=request_url(advice_request),
            )
    return advice_request


def flag_overdue_requests(*, today: date | None = None) -> int:
    """Notify the clinic of each request whose reply is overdue, once per due date."""
    today = today or timezone.localdate()
    flagged = 0
    overdue = AdviceRequest.objects.filter(status__in=WITH_CLINIC, due_on__lt=today).exclude(
        overdue_notified_on=F("due_on")
    )
    for advice_request in overdue.select_related("clinic", "assigned_to").order_by("due_on", "pk"):
        with transaction.atomic():
            locked = AdviceRequest.objects.select_for_update().get(pk=advice_request.pk)
            if locked.status not in WITH_CLINIC or locked.overdue_notified_on == locked.due_on:
                continue
            recipients = (
                [advice_request.assigned_to]
                if advice_request.assigned_to is not None
                else clinicians_of(advice_request.clinic)
            )
            notify(
                recipients,
                kind="advice_overdue",
                text=gettext_noop(
                    "Advice request #%(number)s is overdue: a reply was due by %(due)s."
                ),
                params={"number": locked.pk, "due": locked.due_on.strftime("%d.%m.%Y")},
                url=request_url(locked),
            )
            locked.overdue_notified_on = locked.due_on
            locked.save(update_fields=["overdue_notified_on"])
            flagged += 1
    return flagged
