"""Patient pages. Thin: parse, call access/selector/service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smertespor.accounts.permissions import can_register_patients, can_see_patient_data, require
from smertespor.patients.access import patient_for, patient_for_change
from smertespor.patients.forms import PatientCreateForm, PatientEditForm, PatientSearchForm
from smertespor.patients.selectors import SORTS, access_log_for, search_patients
from smertespor.patients.services import register_patient, update_patient

PAGE_SIZE = 25
SEARCH_LIMIT = 50


@login_required
@require(can_see_patient_data)
def patient_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    page = Paginator(search_patients(user=request.user, sort=sort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "sort": sort,
        "search_form": PatientSearchForm(),
        "can_register": can_register_patients(request.user),
    }
    return render(request, "patients/list.html", context)


@login_required
@require(can_see_patient_data)
@require_POST
def patient_search(request: HttpRequest) -> HttpResponse:
    # POST, so a CPR number typed into the search never ends up in a URL or an access log.
    form = PatientSearchForm(request.POST)
    results = None
    truncated = False
    if form.is_valid():
        matches = list(
            search_patients(user=request.user, query=form.cleaned_data["query"])[: SEARCH_LIMIT + 1]
        )
        truncated = len(matches) > SEARCH_LIMIT
        results = matches[:SEARCH_LIMIT]
    is_htmx = request.headers.get("HX-Request") == "true"
    template = "patients/_search_results.html" if is_htmx else "patients/search.html"
    return render(
        request,
        template,
        {"search_form": form, "results": results, "truncated": truncated, "limit": SEARCH_LIMIT},
    )


@login_required
@require(can_register_patients)
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = register_patient(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The patient has been registered."))
            return redirect("patients:detail", patient_id=patient.pk)
    return render(request, "patients/create.html", {"form": form})


@login_required
def patient_detail(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id)
    return render(request, "patients/detail.html", {"patient": patient, "tab": "overview"})


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: str) -> HttpResponse:
    if request.method == "POST":
        patient = patient_for_change(request.user, patient_id)
    else:
        patient = patient_for(request.user, patient_id, object_type="patient_edit")
    form = PatientEditForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            update_patient(
                by=request.user,
                patient=patient,
                **{field: form.cleaned_data[field] for field in PatientEditForm.Meta.fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    return render(request, "patients/edit.html", {"patient": patient, "form": form, "tab": "edit"})


@login_required
def patient_history(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="patient_history")
    versions = patient.history.select_related("history_user").order_by("-history_date")
    return render(
        request,
        "patients/history.html",
        {"patient": patient, "versions": versions, "tab": "history"},
    )


@login_required
def patient_access_log(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="access_log")
    page = Paginator(access_log_for(patient), 50).get_page(request.GET.get("page"))
    return render(
        request, "patients/access_log.html", {"patient": patient, "page": page, "tab": "access_log"}
    )
