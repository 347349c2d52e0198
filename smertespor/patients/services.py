"""Writes to the patient record. Each runs in one transaction and writes its audit row."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from domain.cpr import Cpr, InvalidCpr, parse_cpr
from smertespor.accounts.models import Organisation, User
from smertespor.accounts.permissions import PRACTICE_ROLES
from smertespor.audit.models import AuditEvent
from smertespor.audit.services import AuditAction, record_event
from smertespor.notifications.services import notify
from smertespor.patients.access import visible_patients
from smertespor.patients.models import CareRelation, Patient, RegistrationRequest
from smertespor.versions import ExpectedVersion, StaleVersion, check_version, claim_version

EDITABLE_FIELDS = ("name", "address", "phone", "email")


def valid_cpr(text: str) -> Cpr:
    """The parsed CPR number, or a ValidationError in the user's language (forms use it too)."""
    try:
        return parse_cpr(text, today=timezone.localdate())
    except InvalidCpr as error:
        messages = {
            "cpr_length": _("A CPR number has 10 digits (DDMMYY-SSSS)."),
            "cpr_format": _("A CPR number has only digits (DDMMYY-SSSS)."),
            "cpr_birth_date": _("The first six digits are not a valid birth date."),
            "cpr_future": _("The birth date in the CPR number lies in the future."),
        }
        raise ValidationError(messages.get(error.code, error.message), code=error.code) from None


# The answer to a registration sent for review: the same for every CPR number it is given
# for, with nothing about the patient or another practice.
SENT_FOR_REVIEW = gettext_lazy(
    "The registration has been sent for review. The patient appears on your list if it is approved."
)

# Registration attempts per user and hour (a setting); above it the attempt is refused, 429.
DEFAULT_REGISTRATIONS_PER_HOUR = 30
REGISTRATION_OBJECT_TYPES = ("patient", "registration_request")


class RegistrationLimitReached(Exception):
    """Too many registrations by one user within the hour."""

    def __init__(self) -> None:
        super().__init__(_("You have registered many patients in the last hour. Try again later."))


def registrations_per_hour() -> int:
    return int(getattr(settings, "PATIENT_REGISTRATIONS_PER_HOUR", DEFAULT_REGISTRATIONS_PER_HOUR))


def check_registration_rate(
    by: User,
    object_types: tuple[str, ...] = REGISTRATION_OBJECT_TYPES,
    actions: tuple[str, ...] = (AuditAction.CREATE,),
) -> None:
    """Refuse (`RegistrationLimitReached`) once ``by`` has made the hour's registrations:
    the audit rows of ``actions`` on ``object_types`` in the last hour, counted against
    `PATIENT_REGISTRATIONS_PER_HOUR` (also used for hospital departments' contacts)."""
    since = timezone.now() - timedelta(hours=1)
    recent = AuditEvent.objects.filter(
        user=by,
        action__in=actions,
        object_type__in=object_types,
        occurred_at__gte=since,
    ).count()
    if recent >= registrations_per_hour():
        raise RegistrationLimitReached


def _request_review(patient: Patient, *, practice: Organisation, by: User) -> RegistrationRequest:
    """The pending request of ``practice`` for ``patient``: made once, counted on each try."""
    request = (
        RegistrationRequest.objects.select_for_update()
        .filter(patient=patient, practice=practice, status=RegistrationRequest.Status.PENDING)
        .first()
    )
    if request is None:
        return RegistrationRequest.objects.create(
            patient=patient, practice=practice, requested_by=by, requested_at=timezone.now()
        )
    request.attempts = F("attempts") + 1
    request.save(update_fields=["attempts"])
    return request


def register_patient(
    *,
    by: User,
    cpr: str,
    name: str,
    address: str = "",
    phone: str = "",
    email: str = "",
) -> Patient | None:
    """Register a patient listed at the registering user's own practice.

    Returns the new patient, or None when the registration was sent for review: the CPR
    number belongs to a patient outside the user's scope. That answer names nothing about
    the patient or their practice, and the attempt is written to that patient's access log
    ("who has seen my record"). The whole registration is validated before the CPR number is
    looked up, so an invalid one answers the same for any number; a number already in the
    user's own scope is said to be so (they can see that patient anyway). Who may register
    is the action's rule (`actions.register_patient`).
    """
    practice = by.organisation
    if practice is None or not practice.is_gp_practice:
        raise PermissionDenied
    try:
        parsed = valid_cpr(cpr)
    except ValidationError as error:
        raise ValidationError({"cpr": error}) from None
    patient = Patient(
        cpr=parsed.number,
        name=name.strip(),
        birth_date=parsed.birth_date,
        sex=parsed.sex.value,
        listed_practice=practice,
        address=address.strip(),
        phone=phone.strip(),
        email=email.strip(),
    )
    # Not unique: whether the number exists is looked up below, once the input is valid.
    patient.full_clean(validate_unique=False)
    check_registration_rate(by)
    with transaction.atomic():
        existing = Patient.objects.filter(cpr=parsed.number).only("pk").first()
        if existing is not None:
            if visible_patients(by).filter(pk=existing.pk).exists():
                raise ValidationError(
                    {
                        "cpr": ValidationError(
                            _("This patient is already on your patient list."),
                            code="duplicate_cpr",
                        )
                    }
                )
            request = _request_review(existing, practice=practice, by=by)
            record_event(
                user=by,
                action=AuditAction.CREATE,
                object_type="registration_request",
                object_id=str(existing.pk),
                patient=existing,
                detail={"practice_id": practice.pk, "request_id": request.pk},
            )
            return None
        patient._history_user = by  # type: ignore[attr-defined]
        patient.save(force_insert=True)
        record_event(
            user=by,
            action=AuditAction.CREATE,
            object_type="patient",
            object_id=str(patient.pk),
            patient=patient,
        )
    return patient


def update_patient(
    *, by: User, patient: Patient, expected_version: ExpectedVersion = None, **changes: str
) -> Patient:
    """Change contact details; the earlier version stays readable in the record history.

    `expected_version` is the version the user read; if someone saved since, nothing is
    saved (`StaleVersion`). None only for the system.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        check_version(locked, expected_version)
        changed = [
            field for field, value in changes.items() if getattr(locked, field) != value.strip()
        ]
        for field in changed:
            setattr(locked, field, changes[field].strip())
        locked.full_clean()
        if changed:
            claim_version(locked, expected_version)
            locked._history_user = by  # type: ignore[attr-defined]
            locked.save(update_fields=[*changed, "version", "updated_at"])
        record_event(
            user=by,
            action=AuditAction.UPDATE,
            object_type="patient",
            object_id=str(locked.pk),
            patient=locked,
            detail={"fields": sorted(changed)},
        )
    return locked


def end_care_relation(*, relation: CareRelation) -> CareRelation:
    """End ``relation`` (the caller audits why): its organisation no longer sees the patient
    through it. Closing a closed relation changes nothing."""
    if relation.closed_at is None:
        relation.closed_at = timezone.now()
        relation.save(update_fields=["closed_at"])
    return relation


def open_care_relation(
    *, patient: Patient, organisation: Organisation, reason: str, by: User | None
) -> CareRelation:
    """Give ``organisation`` access to ``patient`` (called by courses, referrals, advice)."""
    existing = CareRelation.objects.filter(
        patient=patient, organisation=organisation, reason=reason, closed_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return CareRelation.objects.create(
        patient=patient,
        organisation=organisation,
        reason=reason,
        opened_at=timezone.now(),
        opened_by=by if isinstance(by, User) else None,
    )


def close_care_relation(*, patient: Patient, organisation: Organisation, reason: str) -> int:
    """End ``organisation``'s open care relations of ``reason`` to ``patient`` (a referral
    rejected, forwarded or withdrawn); other reasons keep theirs. Returns how many closed."""
    return CareRelation.objects.filter(
        patient=patient, organisation=organisation, reason=reason, closed_at__isnull=True
    ).update(closed_at=timezone.now())


DECISION_REASON_MAX_LENGTH = 500

# What the requesting practice is told: the date of its registration and the outcome, never
# the patient's name or CPR number. On approval the patient is on their list anyway (the
# link opens it); a decline tells them nothing they did not know from "sent for review".
TRANSFERRED_TEXT = gettext_noop(
    "Your registration of %(date)s has been approved by the patient's practice: the patient "
    "is now listed at your practice."
)
DECLINED_TEXT = gettext_noop(
    "Your registration of %(date)s has been declined by the patient's practice."
)


class RequestAlreadyDecided(StaleVersion):
    """The request was decided (by someone else) since the user read it: nothing changed."""

    def __init__(self) -> None:
        super().__init__(_("This registration request has already been decided."))


def _decision_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        message = _("Give a short reason for the decision.")
        raise ValidationError({"reason": ValidationError(message, code="required")})
    if len(text) > DECISION_REASON_MAX_LENGTH:
        message = _("The reason can be at most %(max)d characters.") % {
            "max": DECISION_REASON_MAX_LENGTH
        }
        raise ValidationError({"reason": ValidationError(message, code="max_length")})
    if "\x00" in text:
        message = _("The reason contains a character that is not allowed.")
        raise ValidationError({"reason": ValidationError(message, code="null_characters")})
    return text


def _requesting_staff(practice: Organisation) -> list[User]:
    return list(User.objects.filter(organisation=practice, is_active=True, role__in=PRACTICE_ROLES))


def decide_registration_request(
    *,
    by: User,
    request: RegistrationRequest,
    transfer: bool,
    reason: str,
    expected_version: ExpectedVersion,
) -> RegistrationRequest:
    """Decide a pending registration request, as the patient's current practice.

    ``transfer``: the patient has moved to the requesting practice, whose listing it becomes
    (a new version of the patient, kept in the record history); else the request is
    declined and nothing else changes. Both are audited against the patient and notified to
    the requesting practice's staff without naming the patient. Who may decide, and which
    requests, is the action's rule (`actions.transfer_listing`, `actions.decline_registration`).
    """
    text = _decision_reason(reason)
    Status = RegistrationRequest.Status
    with transaction.atomic():
        locked = RegistrationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != Status.PENDING:
            raise RequestAlreadyDecided
        check_version(locked, expected_version)
        claim_version(
            locked,
            expected_version,
            error=RequestAlreadyDecided,
            filters={"status": Status.PENDING},
            status=Status.TRANSFERRED if transfer else Status.DECLINED,
            decided_by=by,
            decided_at=timezone.now(),
            decision_reason=text,
        )
        patient = Patient.objects.select_for_update().get(pk=locked.patient_id)
        previous_practice_id = patient.listed_practice_id
        if transfer:
            # As editing does: a new version of the patient, its history row naming the user.
            claim_version(patient, None, listed_practice_id=locked.practice_id)
            patient._history_user = by  # type: ignore[attr-defined]
            patient.save(update_fields=["listed_practice", "version", "updated_at"])
        record_event(
            user=by,
            action=AuditAction.UPDATE,
            object_type="registration_request",
            object_id=str(patient.pk),
            patient=patient,
            detail={
                "request_id": locked.pk,
                "practice_id": locked.practice_id,
                "decision": locked.status,
                **({"previous_practice_id": previous_practice_id} if transfer else {}),
            },
        )
        params = {"date": timezone.localtime(locked.requested_at).strftime("%d.%m.%Y")}
        notify(
            _requesting_staff(locked.practice),
            kind="registration_transferred" if transfer else "registration_declined",
            text=TRANSFERRED_TEXT if transfer else DECLINED_TEXT,
            params=params,
            url=reverse("patients:detail", args=[patient.pk]) if transfer else "",
        )
    return locked
