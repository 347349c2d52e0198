"""The front page, the planners' overview and the error pages."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from smertespor.accounts.models import Organisation
from smertespor.accounts.permissions import can_see_aggregates, can_see_patient_data, require
from smertespor.patients.models import Patient


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if can_see_patient_data(request.user):
        return redirect("patients:list")
    if can_see_aggregates(request.user):
        return redirect("overview")
    return render(request, "web/no_role.html")


@login_required
@require(can_see_aggregates)
def overview(request: HttpRequest) -> HttpResponse:
    """Aggregates only: how many patients each practice lists. No patient data."""
    practices = (
        Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE)
        .annotate(patient_count=Count("listed_patients"))
        .order_by("-patient_count", "name")
    )
    largest = max((p.patient_count for p in practices), default=0) or 1
    rows = [
        {"practice": p, "count": p.patient_count, "share": round(100 * p.patient_count / largest)}
        for p in practices
    ]
    context = {
        "rows": rows,
        "patient_total": Patient.objects.count(),
        "practice_total": len(rows),
    }
    return render(request, "web/overview.html", context)
