"""Who may move a record in or out of Smertespor."""

from smertespor.accounts.models import Requester, Role, User
from smertespor.accounts.permissions import can_see_patient_data, is_practice_staff
from smertespor.medication.permissions import can_record_medication

# Clinicians who see a patient may take the record with them; a secretary may not.
EXPORTING_ROLES = frozenset(
    {Role.GP, Role.PRACTICE_NURSE, Role.CLINIC_DOCTOR, Role.CLINIC_NURSE, Role.HOSPITAL_DOCTOR}
)


def can_export_records(user: Requester) -> bool:
    return can_see_patient_data(user) and isinstance(user, User) and user.role in EXPORTING_ROLES


def can_import_records(user: Requester) -> bool:
    """Imports register patients at the importer's practice and record their medication."""
    return can_record_medication(user) and is_practice_staff(user)
