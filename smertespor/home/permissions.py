"""Who has a home page of today's work: anyone with a role (clinical or aggregate)."""

from smertespor.accounts.models import Requester, User
from smertespor.accounts.permissions import can_see_aggregates, can_see_patient_data


def has_a_home(user: Requester) -> bool:
    """A signed-in, active user with a role; without one the page says to ask for access."""
    return (
        isinstance(user, User)
        and user.is_active
        and (can_see_patient_data(user) or can_see_aggregates(user))
    )
