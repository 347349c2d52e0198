"""Patient pages. Thin: parse, call access/selector/action, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.accounts.permissions import (
    can_register_patients,
    can_see_patient_data,
    is_hospital_department_staff,
)
from smertespor.accounts.requests import SignedInRequest
from smertespor.audit.services import record_listed
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import requires
from smertespor.patients import actions
from smertespor.patients.access import (
    can_decide_registrations,
    patient_for,
    patient_for_request,
    registration_request_for,
)
from smertespor.patients.forms import (
    PatientCreateForm,
    PatientEditForm,
    PatientSearchForm,
    RegistrationDecisionForm,
)
from smertespor.patients.models import RegistrationRequest
from smertespor.patients.selectors import (
    access_log_for,
    patient_sort,
    pending_registration_requests,
    search_patients,
)
from smertespor.patients.services import SENT_FOR_REVIEW, RegistrationLimitReached
from smertespor.patients.timeline import KIND_LABELS, kind_of, patient_timeline
from smertespor.versions import StaleVersion, stale_form

PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 20
SEARCH_LIMIT = 50


@login_required
@requires(can_see_patient_data)
@require_GET
def patient_list(request: SignedInRequest) -> HttpResponse:
    sort = patient_sort(request.GET.get("sort"))
    patients, search = search_patients(user=request.user, sort=sort)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    record_listed(
        user=request.user, patients=page.object_list, object_type="patient_list", search=search
    )
    context = {
        "page": page,
        "sort": sort,
        "search_form": PatientSearchForm(),
        "can_register": can_register_patients(request.user),
        # A hospital department takes patients into its care by recording a contact.
        "is_department": is_hospital_department_staff(request.user),
        "pending_requests": pending_registration_requests(request.user).count(),
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
        patients, search = search_patients(user=request.user, query=form.cleaned_data["query"])
        matches = list(patients[: SEARCH_LIMIT + 1])
        truncated = len(matches) > SEARCH_LIMIT
        results = matches[:SEARCH_LIMIT]
        record_listed(
            user=request.user, patients=results, object_type="patient_search", search=search
        )
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
    pending = pending_registration_requests(request.user, patient=patient).count()
    kind = kind_of(request.GET.get("kind"))
    timeline = Paginator(
        patient_timeline(request.user, patient, kind=kind), TIMELINE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "patients/detail.html",
        {
            "patient": patient,
            "tab": "overview",
            "pending_requests": pending,
            "timeline": timeline,
            "timeline_kind": kind,
            "timeline_kinds": list(KIND_LABELS.items()),
        },
    )


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


@login_required
@requires(can_decide_registrations)
@require_GET
def registration_requests(request: SignedInRequest) -> HttpResponse:
    """The pending registration requests for the patients listed at the user's practice."""
    requests = list(pending_registration_requests(request.user)[:500])
    record_listed(
        user=request.user,
        patients=[item.patient_id for item in requests],
        object_type="registration_request",
    )
    return render(request, "patients/registration_requests.html", {"requests": requests})


def _decision_forms(
    registration: RegistrationRequest,
    posted: str = "",
    form: RegistrationDecisionForm | None = None,
) -> dict[str, RegistrationDecisionForm]:
    initial = {"version": registration.version}
    forms = {
        name: RegistrationDecisionForm(prefix=name, initial=initial)
        for name in ("transfer", "decline")
    }
    if posted and form is not None:
        forms[posted] = form
    return forms


def _render_request(
    request: SignedInRequest,
    registration: RegistrationRequest,
    forms: dict[str, RegistrationDecisionForm],
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "patients/registration_request.html",
        {"registration": registration, "patient": registration.patient, **forms},
        status=status,
    )


@login_required
@requires(can_decide_registrations)
@require_GET
def registration_request(request: SignedInRequest, request_id: int) -> HttpResponse:
    registration = registration_request_for(request.user, request_id)
    patient_for(request.user, registration.patient_id, object_type="registration_request")
    return _render_request(request, registration, _decision_forms(registration))


def _decide(request: SignedInRequest, request_id: int, decision: str) -> HttpResponse:
    registration = registration_request_for(request.user, request_id)
    form = RegistrationDecisionForm(request.POST, prefix=decision)
    if form.is_valid():
        action = (
            actions.transfer_listing if decision == "transfer" else actions.decline_registration
        )
        try:
            action(
                user=request.user,
                request_id=registration.pk,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            registration.refresh_from_db()
            form = RegistrationDecisionForm(
                {**request.POST.dict(), f"{decision}-version": str(registration.version)},
                prefix=decision,
            )
            form.is_valid()
            form.add_error(None, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if decision == "transfer":
                text = _("The patient is now listed at %(practice)s.")
            else:
                text = _("The registration request from %(practice)s has been declined.")
            messages.success(request, text % {"practice": registration.practice.name})
            return redirect("patients:registration_requests")
    forms = _decision_forms(registration, decision, form)
    return _render_request(request, registration, forms, status=form_status(form))


@login_required
@requires(can_decide_registrations)
@require_POST
@performs(actions.transfer_listing)
def registration_request_transfer(request: SignedInRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "transfer")


@login_required
@requires(can_decide_registrations)
@require_POST
@performs(actions.decline_registration)
def registration_request_decline(request: SignedInRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "decline")
