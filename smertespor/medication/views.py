"""Medication pages: the patient's list with OMEQ, its forms, and the stand-alone calculator.

Thin: parse (a form), load the patient through `patients.access` (which audits), call an
action (`actions`: the role check and the service, the same as the API's) or a selector,
render. A refused form comes back with status 422, as the API answers; htmx requests get the
form fragment back instead of the page.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smertespor.accounts.permissions import can_see_patient_data
from smertespor.entry.doors import performs
from smertespor.entry.forms import INVALID_STATUS, apply_errors, form_status
from smertespor.entry.rules import requires
from smertespor.interop.permissions import can_export_records
from smertespor.medication import actions
from smertespor.medication.calculation import (
    Evaluation,
    LineInput,
    OmeqInputError,
    calculate,
    compare,
    side_by_side,
)
from smertespor.medication.chart import ChartPoint, OmeqChart, omeq_chart
from smertespor.medication.forms import (
    MAX_CALCULATOR_LINES,
    PRODUCT_FIELDS,
    CalculatorForm,
    CalculatorLineForm,
    CalculatorLineFormSet,
    EndLineForm,
    MedicationLineChangeForm,
    MedicationLineForm,
)
from smertespor.medication.models import ConversionTableVersion
from smertespor.medication.permissions import can_record_medication, can_use_omeq_calculator
from smertespor.medication.regimens import regimen_from_lines
from smertespor.medication.selectors import (
    current_catalogue,
    ended_lines,
    line_of,
    medication_history,
    omeq_snapshots,
    patient_comparison,
    patient_evaluation,
    region_omeq_thresholds,
)
from smertespor.medication.table_selectors import domain_table, usable_tables_active_first
from smertespor.patients.access import patient_for, patient_for_request
from smertespor.patients.models import Patient
from smertespor.tapering.permissions import can_make_taper_plans
from smertespor.tapering.selectors import plan_in_force
from smertespor.versions import StaleVersion, stale_form


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _done(request: HttpRequest, patient: Patient, message: str) -> HttpResponse:
    messages.success(request, message)
    url = reverse("medication:patient", args=[patient.pk])
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _chart(patient: Patient) -> tuple[OmeqChart | None, list[ChartPoint]]:
    thresholds = region_omeq_thresholds()
    points = [
        ChartPoint(
            day=s.recorded_on,
            scheduled=s.scheduled_mg_per_day,
            maximum=s.max_mg_per_day,
            table=f"{s.table_id} {s.table_version}",
        )
        for s in omeq_snapshots(patient)
    ]
    chart = omeq_chart(
        points,
        today=timezone.localdate(),
        reassess=thresholds.reassess_mg_per_day,
        high=thresholds.high_mg_per_day,
    )
    return chart, points


@login_required
@requires(can_see_patient_data)
@require_GET
def patient_medication(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="medication_list")
    evaluation = patient_evaluation(patient)
    chart, points = _chart(patient)
    context = {
        "patient": patient,
        "tab": "medication",
        "evaluation": evaluation,
        "chart": chart,
        "snapshot_points": points,
        "ended_lines": regimen_from_lines(ended_lines(patient)[:50], current_catalogue()).lines,
        "can_record": can_record_medication(request.user),
        "can_make_taper_plans": can_make_taper_plans(request.user),
        "taper_plan_in_force": plan_in_force(patient),
        "can_exchange": can_export_records(request.user),
        "thresholds": region_omeq_thresholds(),
    }
    return render(request, "medication/patient_medication.html", context)


def _line_page(
    request: HttpRequest, patient: Patient, form: forms.BaseForm, context: dict[str, Any]
) -> HttpResponse:
    """The line form as a page, or as the fragment htmx swaps in (422 when refused)."""
    context = {"patient": patient, "tab": "medication", "form": form, **context}
    template = "medication/_line_form.html" if _is_htmx(request) else "medication/line_form.html"
    return render(request, template, context, status=form_status(form))


@login_required
@requires(can_record_medication)
@require_http_methods(["GET", "POST"])
@performs(actions.add_medication_line)
def add_line(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    patient = patient_for_request(request, patient_id, object_type="medication_line")
    form = MedicationLineForm(request.POST or None, catalogue=current_catalogue())
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_medication_line(
                user=request.user, patient_id=patient.pk, **form.service_arguments()
            )
        except ValidationError as error:
            apply_errors(form, error, fields=PRODUCT_FIELDS)
        else:
            return _done(request, patient, _("The line has been added."))
    context = {
        "action": reverse("medication:add_line", args=[patient.pk]),
        "heading": _("Add a medication line"),
    }
    return _line_page(request, patient, form, context)


@login_required
@requires(can_record_medication)
@require_http_methods(["GET", "POST"])
@performs(actions.change_medication_line)
def change_line(request: HttpRequest, patient_id: uuid.UUID, line_id: int) -> HttpResponse:
    patient = patient_for_request(request, patient_id, object_type="medication_line")
    line = line_of(patient, line_id)
    product = regimen_from_lines([line], current_catalogue()).lines[0].product
    form = MedicationLineChangeForm(request.POST or None, line=line, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_medication_line(
                user=request.user,
                patient_id=patient.pk,
                line_id=line.pk,
                **form.service_arguments(),
            )
        except StaleVersion as error:
            line.refresh_from_db()
            current = MedicationLineChangeForm.initial_for(line)
            stale_form(form, current, error, version=line.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _done(request, patient, _("The line has been changed."))
    context = {
        "line": line,
        "product": product,
        "action": reverse("medication:change_line", args=[patient.pk, line.pk]),
        "heading": _("Change %(product)s") % {"product": product.name if product else line},
    }
    return _line_page(request, patient, form, context)


@login_required
@requires(can_record_medication)
@require_http_methods(["GET", "POST"])
@performs(actions.end_medication_line)
def end_line(request: HttpRequest, patient_id: uuid.UUID, line_id: int) -> HttpResponse:
    patient = patient_for_request(request, patient_id, object_type="medication_line")
    line = line_of(patient, line_id)
    form = EndLineForm(request.POST or None, line=line)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_medication_line(
                user=request.user,
                patient_id=patient.pk,
                line_id=line.pk,
                expected_version=form.cleaned_data["version"],
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except StaleVersion as error:
            line.refresh_from_db()
            # The end form's own fields are not the line's: the table lists none, and the
            # page shows the line as it is now.
            stale_form(form, {}, error, version=line.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _done(request, patient, _("The line has been ended."))
    product = regimen_from_lines([line], current_catalogue()).lines[0].product
    context = {
        "line": line,
        "action": reverse("medication:end_line", args=[patient.pk, line.pk]),
        "heading": _("End %(product)s") % {"product": product.name if product else line},
    }
    return _line_page(request, patient, form, context)


@login_required
@requires(can_see_patient_data)
@require_GET
def line_history(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="medication_history")
    catalogue = current_catalogue()
    names = {p.id: p.name for p in catalogue}
    versions = list(medication_history(patient)[:500])
    for version in versions:
        version.product_name = names.get(version.product_id, version.product_id)
    context = {"patient": patient, "tab": "medication", "versions": versions}
    return render(request, "medication/line_history.html", context)


@login_required
@requires(can_see_patient_data)
@require_GET
def patient_compare(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="omeq_comparison")
    evaluations = patient_comparison(patient)
    context = {
        "patient": patient,
        "tab": "medication",
        "evaluations": evaluations,
        "rows": side_by_side(evaluations),
    }
    return render(request, "medication/patient_compare.html", context)


# --- the stand-alone calculator (no patient data, so no audit row) -----------------------


def _calculator_input(
    request: HttpRequest,
) -> tuple[CalculatorForm, Any, list[ConversionTableVersion], Any]:
    tables = usable_tables_active_first()
    catalogue = current_catalogue()
    data: Any = request.GET if "line-TOTAL_FORMS" in request.GET else None
    if data is not None and "more" in data:
        data = data.copy()
        try:
            count = int(data["line-TOTAL_FORMS"])
        except ValueError:
            count = 0
        data["line-TOTAL_FORMS"] = str(min(count + 2, MAX_CALCULATOR_LINES))
    form = CalculatorForm(data, tables=tables, initial={"table": str(tables[0].pk)})
    formset = CalculatorLineFormSet(data, prefix="line", form_kwargs={"catalogue": catalogue})
    return form, formset, tables, catalogue


def _line_inputs(formset: Any) -> tuple[list[LineInput], list[CalculatorLineForm]]:
    inputs, line_forms = [], []
    for line_form in formset.forms:
        if not line_form.has_changed() or line_form.is_blank():
            continue
        inputs.append(LineInput(**line_form.line_arguments()))
        line_forms.append(line_form)
    return inputs, line_forms


def _show_input_errors(error: OmeqInputError, line_forms: list[CalculatorLineForm]) -> list[str]:
    """Each refused line's reasons at its form's fields; returns the reasons for no one line."""
    general = []
    for problem in error.problems:
        if problem.index is None:
            general.append(problem.message)
            continue
        refused = ValidationError(problem.message, code=problem.code)
        apply_errors(
            line_forms[problem.index],
            ValidationError({problem.field or NON_FIELD_ERRORS: refused}),
            fields=PRODUCT_FIELDS,
        )
    return general


def _calculator_status(
    request: HttpRequest, form: CalculatorForm, formset: Any, general_errors: list[str]
) -> int:
    """422 when the regimen entered was refused (as `POST /api/omeq` answers), else 200."""
    if "more" in request.GET or not form.is_bound:
        return 200
    return INVALID_STATUS if general_errors else form_status(form, formset)


@login_required
@requires(can_use_omeq_calculator)
@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    form, formset, tables, catalogue = _calculator_input(request)
    evaluation: Evaluation | None = None
    general_errors: list[str] = []
    if "more" not in request.GET and form.is_valid() and formset.is_valid():
        inputs, line_forms = _line_inputs(formset)
        version = next(t for t in tables if str(t.pk) == form.cleaned_data["table"])
        if not inputs:
            general_errors.append(_("Enter at least one line."))
        else:
            try:
                evaluation = calculate(inputs, version, domain_table(version), catalogue)
            except OmeqInputError as error:
                general_errors += _show_input_errors(error, line_forms)
    context = {
        "form": form,
        "formset": formset,
        "evaluation": evaluation,
        "general_errors": general_errors,
        "query": request.GET.urlencode(),
        "substances": _substances(tables),
    }
    status = _calculator_status(request, form, formset, general_errors)
    return render(request, "medication/calculator.html", context, status=status)


@login_required
@requires(can_use_omeq_calculator)
@require_GET
def calculator_compare(request: HttpRequest) -> HttpResponse:
    form, formset, tables, catalogue = _calculator_input(request)
    evaluations: list[Evaluation] = []
    general_errors: list[str] = []
    if "more" not in request.GET and form.is_valid() and formset.is_valid():
        inputs, line_forms = _line_inputs(formset)
        if not inputs:
            general_errors.append(_("Enter at least one line."))
        else:
            try:
                pairs = [(t, domain_table(t)) for t in tables]
                evaluations = compare(inputs, pairs, catalogue)
            except OmeqInputError as error:
                general_errors += _show_input_errors(error, line_forms)
    context = {
        "form": form,
        "formset": formset,
        "evaluations": evaluations,
        "rows": side_by_side(evaluations),
        "general_errors": general_errors,
        "query": request.GET.urlencode(),
        "substances": _substances(tables),
    }
    status = _calculator_status(request, form, formset, general_errors)
    return render(request, "medication/calculator_compare.html", context, status=status)


def _substances(tables: list[ConversionTableVersion]) -> list[str]:
    return sorted({rule.substance for table in tables for rule in table.rules.all()})
