"""Patient pages. Thin: parse, call access/selector/action, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.accounts.permissions import can_register_patients, can_see_patient_data
from smertespor.accounts.requests import SignedInRequest
from smertespor.audit.services import record_listed
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import requires
from smertespor.patients import actions
from smertespor.patients.access import patient_for, patient_for_request
from smertespor.patients.forms import PatientCreateForm, PatientEditForm, PatientSearchForm
from smertespor.patients.selectors import access_log_for, patient_sort, search_patients
from smertespor.patients.services import SENT_FOR_REVIEW, RegistrationLimitReached
from smertespor.versions import StaleVersion, stale_form

PAGE_SIZE = 25
SEARCH_LIMIT = 50


@login_required
@requires(can_see_patient_data)
@require_GET
def patient_list(request: SignedInRequest) -> HttpResponse:
    sort = patient_sort(request.GET.get("sort"))
    page = Paginator(search_patients(user=request.user, sort=sort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record_listed(user=request.user, patients=page.object_list, object_type="patient_list")
    context = {
        "page": page,
        "sort": sort,
        "search_form": PatientSearchForm(),
        "can_register": can_register_patients(request.user),
    }
    return render(request, "patients/list.html", context)


@login_required
@requires(can_see_patient_data)
@require_POST
def patient_search(request: SignedInRequest) -> HttpResponse:
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
        record_listed(user=request.user, patients=results, object_type="patient_search")
    is_htmx = request.headers.get("HX-Request") == "true"
    template = "patients/_search_results.html" if is_htmx else "patients/search.html"
    return render(
        request,
        template,
        {"search_form": form, "results": results, "truncated": truncated, "limit": SEARCH_LIMIT},
        status=form_status(form),
    )


@login_required
@requires(can_register_patients)
@require_http_methods(["GET", "POST"])
@performs(actions.register_patient)
def patient_create(request: SignedInRequest) -> HttpResponse:
    form = PatientCreateForm(request.POST or None)
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            patient = actions.register_patient(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except RegistrationLimitReached as error:
            form.add_error(None, str(error))
            status = 429
        else:
            if patient is None:
                messages.info(request, str(SENT_FOR_REVIEW))
                return redirect("patients:list")
            messages.success(request, _("The patient has been registered."))
            return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request, "patients/create.html", {"form": form}, status=status or form_status(form)
    )


@login_required
@require_GET
def patient_detail(request: SignedInRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id)
    return render(request, "patients/detail.html", {"patient": patient, "tab": "overview"})


@login_required
@require_http_methods(["GET", "POST"])
@performs(actions.edit_patient)
def patient_edit(request: SignedInRequest, patient_id: str) -> HttpResponse:
    patient = patient_for_request(request, patient_id, object_type="patient_edit")
    form = PatientEditForm(request.POST or None, initial=PatientEditForm.initial_for(patient))
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_patient(
                user=request.user,
                patient_id=patient.pk,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except StaleVersion as error:
            patient.refresh_from_db()
            stale_form(form, PatientEditForm.initial_for(patient), error, version=patient.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/edit.html",
        {"patient": patient, "form": form, "tab": "edit"},
        status=form_status(form),
    )


@login_required
@require_GET
def patient_history(request: SignedInRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="patient_history")
    versions = patient.history.select_related("history_user").order_by("-history_date")
    return render(
        request,
        "patients/history.html",
        {"patient": patient, "versions": versions, "tab": "history"},
    )


@login_required
@require_GET
def patient_access_log(request: SignedInRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="access_log")
    page = Paginator(access_log_for(patient), 50).get_page(request.GET.get("page"))
    return render(
        request, "patients/access_log.html", {"patient": patient, "page": page, "tab": "access_log"}
    )
