"""Who may do what with taper plans, written once for the pages, the API and the services.

Seeing a plan is seeing the patient (`patients.access`). Making a plan and changing its status
is a doctor's decision (Sundhedsstyrelsen, vejledning nr. 9523/2019: the treatment plan for
dependence-forming medicines); everyone who may see the patient may read and print it.
"""

from smertespor.accounts.models import Requester, Role, User
from smertespor.accounts.permissions import can_see_patient_data

PLAN_MAKERS = frozenset({Role.GP, Role.CLINIC_DOCTOR})


def can_read_taper_plans(user: Requester) -> bool:
    return can_see_patient_data(user)


def can_make_taper_plans(user: Requester) -> bool:
    return isinstance(user, User) and can_see_patient_data(user) and user.role in PLAN_MAKERS
