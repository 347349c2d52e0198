"""Writes to the patient record. Each runs in one transaction and writes its audit row."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domain.cpr import Cpr, InvalidCpr, parse_cpr
from smertespor.accounts.models import Organisation, User
from smertespor.audit.services import AuditAction, record_event
from smertespor.patients.models import CareRelation, Patient
from smertespor.versions import ExpectedVersion, check_version, claim_version

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


def register_patient(
    *,
    by: User,
    cpr: str,
    name: str,
    address: str = "",
    phone: str = "",
    email: str = "",
) -> Patient:
    """Register a patient listed at the registering user's own practice.

    Who may register is the action's rule (`actions.register_patient`); here the practice
    is the registering user's organisation.
    """
    practice = by.organisation
    if practice is None or not practice.is_gp_practice:
        raise PermissionDenied
    try:
        parsed = valid_cpr(cpr)
    except ValidationError as error:
        raise ValidationError({"cpr": error}) from None
    with transaction.atomic():
        if Patient.objects.filter(cpr=parsed.number).exists():
            raise ValidationError(
                {"cpr": _("A patient with this CPR number is already registered.")},
                code="duplicate_cpr",
            )
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
        patient.full_clean()
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
