"""Who may do what with hospital contacts, written once for the actions, pages and API.

The doctors of a hospital department record and end their department's contacts; nobody
else does (a practice lists its patients itself, a clinic gets its care relation from a
course or an advice request). Planners and administrators never see a contact.
"""

from smertespor.accounts.models import Requester, User
from smertespor.accounts.permissions import is_hospital_department_staff
from smertespor.departments.models import HospitalContact


def can_record_hospital_contacts(user: Requester) -> bool:
    return is_hospital_department_staff(user)


def can_end_contact(user: Requester, contact: HospitalContact) -> bool:
    """A doctor of the contact's own department."""
    return (
        can_record_hospital_contacts(user)
        and isinstance(user, User)
        and user.organisation_id == contact.department_id
    )
