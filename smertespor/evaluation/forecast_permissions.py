"""Who may run the capacity forecast: the pain clinic's staff (for the clinic's own courses)
and the region's planners (for the region); aggregate figures only, no patient."""

from smertespor.accounts.models import Requester, Role, User
from smertespor.tracks.permissions import is_clinic_staff


def is_planner(user: Requester) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and user.role == Role.PLANNER
        and user.organisation_id is not None
    )


def can_forecast(user: Requester) -> bool:
    return is_clinic_staff(user) or is_planner(user)
