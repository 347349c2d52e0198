"""Who sees which measures: planners the region's suppressed figures, a practice its own."""

from smertespor.accounts.models import Requester, User
from smertespor.accounts.permissions import can_see_aggregates, is_practice_staff


def can_see_measure_dashboards(user: Requester) -> bool:
    """Planners and administrators: the region, every practice, suppressed; no patient."""
    return isinstance(user, User) and user.is_active and can_see_aggregates(user)


def can_see_own_practice_measures(user: Requester) -> bool:
    """A GP practice's staff: their own practice's figures in full, the region's suppressed,
    and their own patients behind a figure."""
    return isinstance(user, User) and user.is_active and is_practice_staff(user)


def can_see_region_measures(user: Requester) -> bool:
    return can_see_measure_dashboards(user) or can_see_own_practice_measures(user)


def is_own_practice(user: Requester, organisation_id: int | None) -> bool:
    """Whether ``organisation_id`` is the practice whose patients ``user`` sees in full."""
    return (
        can_see_own_practice_measures(user)
        and isinstance(user, User)
        and organisation_id is not None
        and user.organisation_id == organisation_id
    )


def can_compute_measures(user: Requester) -> bool:
    """Planners and administrators recompute a month's measures (a background job)."""
    return can_see_measure_dashboards(user)
