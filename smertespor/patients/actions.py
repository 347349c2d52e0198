"""Operations on the patient record: the rule, then the service. Pages and API call these."""

from smertespor.accounts.models import User
from smertespor.accounts.permissions import can_register_patients
from smertespor.entry.rules import require
from smertespor.patients import services
from smertespor.patients.access import (
    can_decide_registrations,
    patient_for_change,
    registration_request_for,
)
from smertespor.patients.models import Patient, RegistrationRequest
from smertespor.versions import ExpectedVersion


def register_patient(
    *,
    user: User,
    cpr: str,
    name: str,
    address: str = "",
    phone: str = "",
    email: str = "",
) -> Patient | None:
    """Register a patient at the user's own practice (practice staff only); None when the
    registration was sent for review (see `services.register_patient`)."""
    require(user, can_register_patients, object_type="patient")
    return services.register_patient(
        by=user, cpr=cpr, name=name, address=address, phone=phone, email=email
    )


def edit_patient(
    *, user: User, patient_id: object, expected_version: ExpectedVersion, **changes: str
) -> Patient:
    """Change a patient's name or contact details; the record history keeps the old ones.

    `expected_version`: the version the user read (the form's, or the API's If-Match).
    """
    patient = patient_for_change(user, patient_id)
    return services.update_patient(
        by=user, patient=patient, expected_version=expected_version, **changes
    )


def _decide(
    user: User,
    request_id: object,
    *,
    transfer: bool,
    reason: str,
    expected_version: ExpectedVersion,
) -> RegistrationRequest:
    by = require(user, can_decide_registrations, object_type="registration_request")
    request = registration_request_for(by, request_id)
    return services.decide_registration_request(
        by=by, request=request, transfer=transfer, reason=reason, expected_version=expected_version
    )


def transfer_listing(
    *, user: User, request_id: object, reason: str, expected_version: ExpectedVersion
) -> RegistrationRequest:
    """ "The patient has moved to you": list the patient at the requesting practice (the
    staff of the patient's current practice only)."""
    return _decide(
        user, request_id, transfer=True, reason=reason, expected_version=expected_version
    )


def decline_registration(
    *, user: User, request_id: object, reason: str, expected_version: ExpectedVersion
) -> RegistrationRequest:
    """Decline a registration request; the patient stays where they are listed."""
    return _decide(
        user, request_id, transfer=False, reason=reason, expected_version=expected_version
    )
