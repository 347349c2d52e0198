"""The worklists: the GP's and the clinic's, one section at a time, sortable and paginated."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from smertespor.entry.rules import logged_in, requires
from smertespor.tracks.permissions import (
    can_see_a_worklist,
    can_see_clinic_worklist,
    can_see_practice_worklist,
)
from smertespor.tracks.worklists import Worklist, attach_alerts, clinic_worklist, practice_worklist


@login_required
@requires(can_see_a_worklist)
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    if can_see_practice_worklist(request.user):
        return redirect("tracks:practice_worklist")
    return redirect("tracks:clinic_worklist")


def _render(request: HttpRequest, worklist: Worklist) -> HttpResponse:
    page = worklist.page(request.GET.get("page"))
    rows = worklist.rows(page)
    if worklist.section.key in {"due", "alerts"}:
        attach_alerts(rows)
    context = {
        "worklist": worklist,
        "page": page,
        "rows": rows,
        "sort": worklist.sort,
        "section": worklist.section.key,
        "today": worklist.today,
    }
    return render(request, f"tracks/worklist_{worklist.kind}.html", context)


@login_required
@requires(can_see_practice_worklist)
@require_GET
def practice_worklist_view(request: HttpRequest) -> HttpResponse:
    worklist = practice_worklist(
        user=logged_in(request.user),
        section=request.GET.get("section", ""),
        sort=request.GET.get("sort", ""),
    )
    return _render(request, worklist)


@login_required
@requires(can_see_clinic_worklist)
@require_GET
def clinic_worklist_view(request: HttpRequest) -> HttpResponse:
    worklist = clinic_worklist(
        user=logged_in(request.user),
        section=request.GET.get("section", ""),
        sort=request.GET.get("sort", ""),
    )
    return _render(request, worklist)
