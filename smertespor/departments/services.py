"""Writes to hospital contacts: recording one (which opens the department's care relation
to the patient) and ending it (which closes it). Each runs in one transaction and writes
its audit row.

No CPR oracle (docs/security.md): a contact names the patient by CPR number *and* the name
the patient is registered with, and the whole input is validated before the number is
looked up. The answer is the same (`RECORDED`) whether the number belongs to a patient in
Smertespor, to one registered under another name, or to nobody; only a match opens the
relation, and every attempt is written to the audit log (against the patient when the
number is theirs) and counted against `PATIENT_REGISTRATIONS_PER_HOUR`.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from smertespor.accounts.models import User
from smertespor.accounts.permissions import PRACTICE_ROLES
from smertespor.audit.services import AuditAction, record_event
from smertespor.departments.models import REASON_MAX_LENGTH, HospitalContact
from smertespor.notifications.services import notify
from smertespor.patients.models import CareRelation, Patient
from smertespor.patients.services import (
    check_registration_rate,
    end_care_relation,
    open_care_relation,
    valid_cpr,
)
from smertespor.versions import ExpectedVersion, StaleVersion, check_version, claim_version

OBJECT_TYPE = "hospital_contact"
NAME_MAX_LENGTH = 200

# The answer to every valid contact, whatever the CPR number: nothing about the patient.
RECORDED = gettext_lazy(
    "The contact has been recorded. If the CPR number and the name match a patient in "
    "Smertespor, the patient is now on your department's list."
)
NEW_CONTACT_TEXT = gettext_noop(
    "%(department)s has recorded a hospital contact (%(date)s) with a patient listed at your "
    "practice."
)


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _text(value: str, *, field: str, max_length: int, missing: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise _error(field, missing, "required")
    if "\x00" in text:
        raise _error(field, _("The text contains a character that is not allowed."), "nul")
    if len(text) > max_length:
        raise _error(
            field,
            _("Keep it to %(max)d characters.") % {"max": max_length},
            "max_length",
        )
    return text


def same_name(registered: str, given: str) -> bool:
    """The names match as people write them: case, accents' composition and spacing aside."""

    def key(name: str) -> str:
        return " ".join(unicodedata.normalize("NFC", name).casefold().split())

    return key(registered) == key(given)


class AlreadyInCare(ValidationError):
    pass


def record_contact(
    *,
    by: User,
    cpr: str,
    name: str,
    kind: str,
    reason: str,
    started_on: date | None = None,
) -> HospitalContact | None:
    """Record the department's contact with a patient; the contact if it opened one, else
    None. Callers answer `RECORDED` either way (never the difference). Who may record is the
    action's rule (`actions.record_hospital_contact`)."""
    department = by.organisation
    if department is None or not department.is_hospital_department:
        raise ValidationError(_("Only a hospital department records contacts."), code="kind")
    try:
        parsed = valid_cpr(cpr)
    except ValidationError as error:
        raise ValidationError({"cpr": error}) from None
    name = _text(name, field="name", max_length=NAME_MAX_LENGTH, missing=_("Give the name."))
    if kind not in HospitalContact.Kind.values:
        raise _error("kind", _("Choose admission or outpatient course."), "invalid_choice")
    reason = _text(
        reason,
        field="reason",
        max_length=REASON_MAX_LENGTH,
        missing=_("Give the reason for the contact."),
    )
    today = timezone.localdate()
    started_on = started_on or today
    if started_on > today:
        raise _error("started_on", _("The contact cannot start in the future."), "future")
    check_registration_rate(
        by, object_types=(OBJECT_TYPE,), actions=(AuditAction.CREATE, AuditAction.REFUSED)
    )
    with transaction.atomic():
        patient = Patient.objects.filter(cpr=parsed.number).first()
        if patient is None or not same_name(patient.name, name):
            # Not recorded. Against the patient if the number is theirs: their access log
            # shows that a department tried.
            record_event(
                user=by,
                action=AuditAction.REFUSED,
                object_type=OBJECT_TYPE,
                patient=patient,
                detail={"attempted": AuditAction.CREATE, "department_id": department.pk},
            )
            return None
        if HospitalContact.objects.filter(
            patient=patient, department=department, ended_at__isnull=True
        ).exists():
            # The department sees this patient already: saying so tells it nothing new.
            raise AlreadyInCare(
                {
                    "cpr": ValidationError(
                        _("This patient is already in your department's care."),
                        code="already_in_care",
                    )
                }
            )
        now = timezone.now()
        relation = open_care_relation(
            patient=patient,
            organisation=department,
            reason=CareRelation.Reason.HOSPITAL_CONTACT,
            by=by,
        )
        contact = HospitalContact.objects.create(
            patient=patient,
            department=department,
            care_relation=relation,
            kind=kind,
            reason=reason,
            started_on=started_on,
            recorded_by=by,
            recorded_at=now,
        )
        record_event(
            user=by,
            action=AuditAction.CREATE,
            object_type=OBJECT_TYPE,
            object_id=str(contact.pk),
            patient=patient,
            detail={"department_id": department.pk, "kind": kind},
        )
        # The patient's GP learns of it (e-mail too: no name, no CPR number in the text).
        notify(
            list(
                User.objects.filter(
                    organisation_id=patient.listed_practice_id,
                    role__in=PRACTICE_ROLES,
                    is_active=True,
                )
            ),
            kind="hospital_contact_recorded",
            text=NEW_CONTACT_TEXT,
            params={"department": department.name, "date": started_on.strftime("%d.%m.%Y")},
            url=reverse("patients:detail", args=[patient.pk]),
        )
    return contact


class ContactAlreadyEnded(StaleVersion):
    def __init__(self) -> None:
        super().__init__(_("This contact has already ended."))


def end_contact(
    *,
    by: User,
    contact: HospitalContact,
    ended_on: date | None = None,
    expected_version: ExpectedVersion,
) -> HospitalContact:
    """End the contact (the patient is discharged or the outpatient course is over) and
    close the department's care relation: it no longer sees the patient. Its advice
    requests stay with the clinic and in its list, without the patient's name."""
    today = timezone.localdate()
    ended_on = ended_on or today
    if ended_on > today:
        raise _error("ended_on", _("The contact cannot end in the future."), "future")
    if ended_on < contact.started_on:
        raise _error("ended_on", _("The contact cannot end before it started."), "before_start")
    with transaction.atomic():
        locked = HospitalContact.objects.select_for_update().get(pk=contact.pk)
        if not locked.is_open:
            raise ContactAlreadyEnded
        check_version(locked, expected_version)
        claim_version(
            locked,
            expected_version,
            filters={"ended_at__isnull": True},
            error=ContactAlreadyEnded,
            ended_on=ended_on,
            ended_at=timezone.now(),
            ended_by=by,
        )
        end_care_relation(relation=locked.care_relation)
        record_event(
            user=by,
            action=AuditAction.UPDATE,
            object_type=OBJECT_TYPE,
            object_id=str(locked.pk),
            patient=contact.patient,
            detail={"ended_on": ended_on.isoformat(), "department_id": locked.department_id},
        )
    return locked
