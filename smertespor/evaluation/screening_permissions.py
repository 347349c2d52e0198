"""Who may see and do what with screening, written once for the pages, the API and services.

- Planners and administrators: counts per practice for the whole region, suppressed (they see
  no patient); they upload extracts and start runs (the extract is pseudonymised and they never
  see its rows, only the bad-row report of a refused file).
- Staff of a general practice: their own practice's counts, unsuppressed.
- The practice's GPs: also the list of their own flagged patients matched to Smertespor's
  patients, and the invitation to the practice track.
"""

from smertespor.accounts.models import Requester, Role, User
from smertespor.accounts.permissions import (
    can_see_aggregates,
    can_see_patient_data,
    is_practice_staff,
)


def can_see_region_counts(user: Requester) -> bool:
    return can_see_aggregates(user)


def can_upload_extracts(user: Requester) -> bool:
    return can_see_aggregates(user) and isinstance(user, User) and user.is_active


def can_see_practice_counts(user: Requester) -> bool:
    return can_see_patient_data(user) and is_practice_staff(user)


def can_see_screening(user: Requester) -> bool:
    return can_see_region_counts(user) or can_see_practice_counts(user)


def can_see_flagged_patients(user: Requester) -> bool:
    return can_see_practice_counts(user) and isinstance(user, User) and user.role == Role.GP


def can_invite(user: Requester) -> bool:
    return can_see_flagged_patients(user)
