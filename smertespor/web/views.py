"""The planners' overview (the front page is `smertespor.home`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from smertespor.accounts.permissions import can_see_aggregates
from smertespor.centres.selectors import course_counts
from smertespor.entry.rules import requires
from smertespor.patients.selectors import patient_count, practices_by_patient_count


@login_required
@requires(can_see_aggregates)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Aggregates only: how many patients each practice lists. No patient data."""
    practices = practices_by_patient_count()
    largest = max((count for _, count in practices), default=0) or 1
    rows = [
        {"practice": practice, "count": count, "share": round(100 * count / largest)}
        for practice, count in practices
    ]
    context = {
        "rows": rows,
        "patient_total": patient_count(),
        "practice_total": len(rows),
        "centre_counts": course_counts(),
    }
    return render(request, "web/overview.html", context)
