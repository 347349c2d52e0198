"""Operations on the patient record: the rule, then the service. Pages and API call these."""

from smertespor.accounts.models import User
from smertespor.accounts.permissions import can_register_patients
from smertespor.entry.rules import require
from smertespor.patients import services
from smertespor.patients.access import patient_for_change
from smertespor.patients.models import Patient
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
