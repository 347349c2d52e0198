"""The measure dashboards: the planner's region and practices, a practice's own figures and
its own patients behind one (docs/evaluation.md). Every table downloads as CSV
(``?format=csv``) with the same suppression as the page."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from domain.measures import Level, Measure
from smertespor.accounts.models import Organisation, User
from smertespor.accounts.requests import SignedInRequest
from smertespor.audit.services import record_listed
from smertespor.entry.doors import performs
from smertespor.entry.forms import form_status
from smertespor.entry.numbers import for_people
from smertespor.entry.rules import requires
from smertespor.evaluation import measures_selectors as selectors
from smertespor.evaluation.measures_forms import ComputeForm
from smertespor.evaluation.measures_pages import (
    MeasureRow,
    level_rows,
    overview_rows,
    series,
    sort_of,
)
from smertespor.evaluation.measures_permissions import (
    can_compute_measures,
    can_see_measure_dashboards,
    can_see_own_practice_measures,
)
from smertespor.evaluation.measures_tables import csv_response, month_label, show, title
from smertespor.evaluation.measures_work import KIND, start_measures
from smertespor.jobs.selectors import job_for, recent_jobs
from smertespor.patients.models import Patient

PAGE_SIZE = 25


def _region_id(user: User) -> int:
    if user.organisation is None:
        raise PermissionDenied
    return user.organisation.region_id


def _measure(code: str) -> Measure:
    measure = selectors.measure_by_code(code)
    if measure is None:
        raise Http404
    return measure


def _about(measure: Measure) -> dict[str, str]:
    """Why the measure matters and what it counts, in the reader's language."""
    why, numerator, denominator = measure.about(get_language() or "da")
    return {"why": why, "numerator": numerator, "denominator": denominator}


def _wants_csv(request: SignedInRequest) -> bool:
    return request.GET.get("format") == "csv"


def _month_context(region_id: int, month: datetime.date | None) -> dict[str, object]:
    return {
        "month": month,
        "months": selectors.months(region_id),
        "min_denominator": selectors.min_denominator(),
    }


def _number(value: object) -> str:
    return for_people(value, 1) if value is not None else ""  # type: ignore[arg-type]


@login_required
@requires(can_see_measure_dashboards)
@require_GET
def region_dashboard(request: SignedInRequest) -> HttpResponse:
    """The planner's overview: every measure for the region, this month and the last."""
    region_id = _region_id(request.user)
    month = selectors.chosen_month(region_id, request.GET.get("month"))
    rows = overview_rows(region_id, month) if month else []
    if _wants_csv(request) and month:
        return csv_response(
            f"maal-region-{month_label(month)}.csv",
            [_("Measure"), _("Unit"), _("Region"), _("Counted"), _("Basis"), _("Month before")],
            [
                (
                    r.title,
                    r.unit,
                    r.region.value,
                    r.region.numerator,
                    r.region.denominator,
                    r.previous.value,
                )
                for r in rows
            ],
        )
    context = {
        "rows": rows,
        "compute_form": ComputeForm() if can_compute_measures(request.user) else None,
        **_month_context(region_id, month),
    }
    return render(request, "evaluation/measures_region.html", context)


@login_required
@requires(can_compute_measures)
@require_http_methods(["GET", "POST"])
@performs(start_measures)
def compute(request: SignedInRequest) -> HttpResponse:
    """Recompute a month's measures in the background; the job's page links back here."""
    form = ComputeForm(request.POST) if request.method == "POST" else ComputeForm()
    if request.method == "POST" and form.is_valid():
        try:
            job = start_measures(user=request.user, month=form.cleaned_data["month"])
        except ValidationError as error:
            form.add_error("month", error)
        else:
            return redirect("jobs:detail", job.pk)
    context = {"form": form, "jobs": recent_jobs(request.user, kind=KIND)}
    return render(request, "evaluation/measures_compute.html", context, status=form_status(form))


@login_required
@requires(can_compute_measures)
@require_GET
def compute_result(request: SignedInRequest, job_id: int) -> HttpResponse:
    """Where a finished recomputation links: the region's dashboard for its month."""
    job = job_for(request.user, job_id, kind=KIND)
    url = reverse("evaluation:measures_region")
    if isinstance(job.params.get("month"), str):
        url += f"?month={job.params['month'][:7]}"
    return redirect(url)


def _practice_in_region(region_id: int, practice_id: int) -> Organisation:
    practice = selectors.region_practices(region_id).filter(pk=practice_id).first()
    if practice is None:
        raise Http404
    return practice


@login_required
@requires(can_see_measure_dashboards)
@require_GET
def measure_detail(request: SignedInRequest, code: str) -> HttpResponse:
    """One measure: the region over time, the practices' deciles (with one practice's line
    when asked), and every organisation at a level for a month."""
    region_id = _region_id(request.user)
    measure = _measure(code)
    month = selectors.chosen_month(region_id, request.GET.get("month"))
    levels = [Level.PRACTICE, *[lv for lv in measure.levels if lv is not Level.PRACTICE]]
    level = next((lv for lv in levels if lv.value == request.GET.get("level")), levels[0])
    practice = None
    if request.GET.get("practice", "").isdigit():
        practice = _practice_in_region(region_id, int(request.GET["practice"]))
    sort = sort_of(request.GET.get("sort"))
    organisations = level_rows(region_id, measure, month, level, sort=sort) if month else []
    if _wants_csv(request) and month:
        return csv_response(
            f"maal-{measure.code}-{level.value}-{month_label(month)}.csv",
            [_("Organisation"), _("Counted"), _("Basis"), _("Figure")],
            [
                (r.organisation.name, r.shown.numerator, r.shown.denominator, r.shown.value)
                for r in organisations
            ],
        )
    rows, region_spec, decile_spec, _name = series(
        region_id, measure, organisation_id=practice.pk if practice else None
    )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "measure": measure,
        "title": title(measure),
        "about": _about(measure),
        "series": rows,
        "region_spec": region_spec,
        "decile_spec": decile_spec,
        "practice": practice,
        "practices": selectors.region_practices(region_id),
        "level": level,
        "levels": levels if len(levels) > 1 else [],
        "page": page,
        "sort": sort,
        "keep": [("level", level.value), ("sort", sort)],
        "region": show(
            measure,
            selectors.region_figures(region_id, month).get(measure.code) if month else None,
            full=False,
            minimum=selectors.min_denominator(),
        ),
        **_month_context(region_id, month),
    }
    return render(request, "evaluation/measures_detail.html", context)


@login_required
@requires(can_see_measure_dashboards)
@require_GET
def practice_dashboard(request: SignedInRequest, practice_id: int) -> HttpResponse:
    """The planner's drill-down: one practice's figures against the region (suppressed)."""
    region_id = _region_id(request.user)
    practice = _practice_in_region(region_id, practice_id)
    month = selectors.chosen_month(region_id, request.GET.get("month"))
    rows = overview_rows(region_id, month, organisation_id=practice.pk) if month else []
    if _wants_csv(request) and month:
        return _practice_csv(practice, month, rows)
    context = {"practice": practice, "rows": rows, "own": False, **_month_context(region_id, month)}
    return render(request, "evaluation/measures_practice.html", context)


def _practice_csv(
    practice: Organisation, month: datetime.date, rows: list[MeasureRow]
) -> HttpResponse:
    return csv_response(
        f"maal-{practice.provider_number or practice.pk}-{month_label(month)}.csv",
        [_("Measure"), _("Unit"), _("Practice"), _("Counted"), _("Basis"), _("Region")],
        [
            (r.title, r.unit, r.mine.value, r.mine.numerator, r.mine.denominator, r.region.value)
            for r in rows
            if r.mine is not None
        ],
    )


def _own_practice(user: User) -> Organisation:
    if user.organisation is None:
        raise PermissionDenied
    return user.organisation


@login_required
@requires(can_see_own_practice_measures)
@require_GET
def own_dashboard(request: SignedInRequest) -> HttpResponse:
    """A practice's own figures in full, against the region's (suppressed)."""
    practice = _own_practice(request.user)
    region_id = practice.region_id
    month = selectors.chosen_month(region_id, request.GET.get("month"))
    rows = overview_rows(region_id, month, organisation_id=practice.pk, full=True) if month else []
    if _wants_csv(request) and month:
        return _practice_csv(practice, month, rows)
    context = {"practice": practice, "rows": rows, "own": True, **_month_context(region_id, month)}
    return render(request, "evaluation/measures_practice.html", context)


@login_required
@requires(can_see_own_practice_measures)
@require_GET
def own_measure(request: SignedInRequest, code: str) -> HttpResponse:
    """One measure for the practice: its own line on the region's deciles, month by month."""
    practice = _own_practice(request.user)
    measure = _measure(code)
    rows, region_spec, decile_spec, _name = series(
        practice.region_id, measure, organisation_id=practice.pk, full=True
    )
    if _wants_csv(request):
        return csv_response(
            f"maal-{measure.code}-{practice.provider_number}.csv",
            [
                _("Month"),
                _("Practice"),
                _("Region"),
                _("10th percentile"),
                _("Median"),
                _("90th percentile"),
            ],
            [
                (
                    month_label(r.month),
                    r.organisation.value if r.organisation else "",
                    r.region.value,
                    _number(r.p10),
                    _number(r.p50),
                    _number(r.p90),
                )
                for r in rows
            ],
        )
    context = {
        "measure": measure,
        "title": title(measure),
        "about": _about(measure),
        "series": rows,
        "region_spec": region_spec,
        "decile_spec": decile_spec,
        "practice": practice,
        "own": True,
        "min_denominator": selectors.min_denominator(),
    }
    return render(request, "evaluation/measures_own_measure.html", context)


@login_required
@requires(can_see_own_practice_measures)
@require_GET
def own_patients(request: SignedInRequest, code: str) -> HttpResponse:
    """The practice's own patients behind a figure: only its listed patients, through the
    access rules, each audited as seen in a list."""
    practice = _own_practice(request.user)
    measure = _measure(code)
    month = selectors.chosen_month(practice.region_id, request.GET.get("month"))
    patients: list[Patient] = (
        list(selectors.patients_behind(request.user, measure, month, practice.pk)) if month else []
    )
    detail = {"measure": measure.code, "month": month_label(month) if month else ""}
    if _wants_csv(request) and month:
        listed = patients
        record_listed(
            user=request.user, patients=listed, object_type="measure_patients_csv", detail=detail
        )
        return csv_response(
            f"patienter-{measure.code}-{month_label(month)}.csv",
            [_("Name"), _("CPR number")],
            [(p.name, p.cpr_formatted) for p in listed],
        )
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    record_listed(
        user=request.user, patients=page.object_list, object_type="measure_patients", detail=detail
    )
    context = {
        "measure": measure,
        "title": title(measure),
        "about": _about(measure),
        "page": page,
        **_month_context(practice.region_id, month),
    }
    return render(request, "evaluation/measures_patients.html", context)
