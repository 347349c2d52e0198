"""The demo region's measures: the last twelve months computed, so `make run` shows charts."""

from django.utils import timezone

from domain.calendar_months import add_calendar_months
from smertespor.evaluation.measures_services import compute_measures

DEMO_MONTHS = 12


def load_demo_measures() -> int:
    """Compute the last ``DEMO_MONTHS`` months up to and including this one (idempotent);
    returns how many months were computed."""
    this_month = timezone.localdate().replace(day=1)
    for back in range(DEMO_MONTHS - 1, -1, -1):
        compute_measures(add_calendar_months(this_month, -back))
    return DEMO_MONTHS
