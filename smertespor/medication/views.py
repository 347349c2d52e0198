"""Medication pages: the patient's list with OMEQ, its forms, and the stand-alone calculator.

Thin: parse (a form), load the patient through `patients.access` (which audits), call a
selector or service, render. htmx requests get the form fragment back instead of the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smertespor.accounts.permissions import require
from smertespor.medication.calculation import (
    Evaluation,
    LineInput,
    OmeqInputError,
    calculate,
    compare,
    omeq_thresholds,
    side_by_side,
)
from smertespor.medication.chart import ChartPoint, omeq_chart
from smertespor.medication.forms import (
    CalculatorForm,
    CalculatorLineFormSet,
    EndLineForm,
    MedicationLineChangeForm,
    MedicationLineForm,
    apply_service_errors,
)
from smertespor.medication.models import ConversionTableVersion, MedicationLine
from smertespor.medication.permissions import can_record_medication, can_use_omeq_calculator
from smertespor.medication.regimens import regimen_from_lines
from smertespor.medication.selectors import (
    current_catalogue,
    ended_lines,
    medication_history,
    omeq_snapshots,
    patient_comparison,
    patient_evaluation,
)
from smertespor.medication.services import (
    add_medication_line,
    change_medication_line,
    end_medication_line,
)
from smertespor.medication.table_selectors import domain_table, usable_tables_active_first
from smertespor.patients.access import patient_for, patient_for_change
from smertespor.patients.models import Patient


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


def _chart(patient: Patient) -> Any:
    thresholds = omeq_thresholds()
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
@require_GET
def patient_medication(request: HttpRequest, patient_id: str) -> HttpResponse:
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
        "thresholds": omeq_thresholds(),
    }
    return render(request, "medication/patient_medication.html", context)


def _line_page(
    request: HttpRequest, patient: Patient, template: str, context: dict[str, Any]
) -> HttpResponse:
    context = {"patient": patient, "tab": "medication", **context}
    if _is_htmx(request):
        return render(request, "medication/_line_form.html", context)
    return render(request, template, context)


@login_required
@require(can_record_medication)
@require_http_methods(["GET", "POST"])
def add_line(request: HttpRequest, patient_id: str) -> HttpResponse:
    if request.method == "POST":
        patient = patient_for_change(request.user, patient_id, object_type="medication_line")
    else:
        patient = patient_for(request.user, patient_id, object_type="medication_line_form")
    form = MedicationLineForm(request.POST or None, catalogue=current_catalogue())
    if request.method == "POST" and form.is_valid():
        try:
            add_medication_line(patient=patient, by=request.user, **form.service_arguments())
        except ValidationError as error:
            rename = {"product_id": "product_strength", "strength": "product_strength"}
            apply_service_errors(form, error, rename)
        else:
            return _done(request, patient, _("The line has been added."))
    context = {
        "form": form,
        "action": reverse("medication:add_line", args=[patient.pk]),
        "heading": _("Add a medication line"),
    }
    return _line_page(request, patient, "medication/line_form.html", context)


def _line_of(patient: Patient, line_id: int) -> MedicationLine:
    line = patient.medication_lines.filter(pk=line_id).first()
    if line is None:
        raise Http404
    return line


@login_required
@require(can_record_medication)
@require_http_methods(["GET", "POST"])
def change_line(request: HttpRequest, patient_id: str, line_id: int) -> HttpResponse:
    if request.method == "POST":
        patient = patient_for_change(request.user, patient_id, object_type="medication_line")
    else:
        patient = patient_for(request.user, patient_id, object_type="medication_line_form")
    line = _line_of(patient, line_id)
    catalogue = current_catalogue()
    product = regimen_from_lines([line], catalogue).lines[0].product
    form = MedicationLineChangeForm(request.POST or None, line=line, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            change_medication_line(line=line, by=request.user, **form.service_arguments())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, patient, _("The line has been changed."))
    context = {
        "form": form,
        "line": line,
        "product": product,
        "action": reverse("medication:change_line", args=[patient.pk, line.pk]),
        "heading": _("Change %(product)s") % {"product": product.name if product else line},
    }
    return _line_page(request, patient, "medication/line_form.html", context)


@login_required
@require(can_record_medication)
@require_http_methods(["GET", "POST"])
def end_line(request: HttpRequest, patient_id: str, line_id: int) -> HttpResponse:
    if request.method == "POST":
        patient = patient_for_change(request.user, patient_id, object_type="medication_line")
    else:
        patient = patient_for(request.user, patient_id, object_type="medication_line_form")
    line = _line_of(patient, line_id)
    form = EndLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            end_medication_line(
                line=line,
                by=request.user,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, patient, _("The line has been ended."))
    product = regimen_from_lines([line], current_catalogue()).lines[0].product
    context = {
        "form": form,
        "line": line,
        "action": reverse("medication:end_line", args=[patient.pk, line.pk]),
        "heading": _("End %(product)s") % {"product": product.name if product else line},
    }
    return _line_page(request, patient, "medication/line_form.html", context)


@login_required
@require_GET
def line_history(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="medication_history")
    catalogue = current_catalogue()
    names = {p.id: p.name for p in catalogue}
    versions = list(medication_history(patient)[:500])
    for version in versions:
        version.product_name = names.get(version.product_id, version.product_id)
    context = {"patient": patient, "tab": "medication", "versions": versions}
    return render(request, "medication/line_history.html", context)


@login_required
@require_GET
def patient_compare(request: HttpRequest, patient_id: str) -> HttpResponse:
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


MAX_CALCULATOR_LINES = 12


def _calculator_input(request: HttpRequest) -> tuple[Any, Any, list[ConversionTableVersion], Any]:
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
    formset = CalculatorLineFormSet(data, prefix="line", catalogue=catalogue)
    return form, formset, tables, catalogue


def _line_inputs(formset: Any) -> tuple[list[LineInput], list[Any]]:
    inputs, line_forms = [], []
    for line_form in formset.forms:
        if not line_form.has_changed() or line_form.is_blank():
            continue
        inputs.append(LineInput(**line_form.line_arguments()))
        line_forms.append(line_form)
    return inputs, line_forms


def _show_input_errors(error: OmeqInputError, line_forms: list[Any], formset: Any) -> list[str]:
    general = []
    for problem in error.problems:
        if problem.index is None:
            general.append(problem.message)
            continue
        line_form = line_forms[problem.index]
        field = problem.field if problem.field in line_form.fields else None
        if problem.field in {"product_id", "strength"}:
            field = "product_strength"
        line_form.add_error(field, problem.message)
    return general


@login_required
@require(can_use_omeq_calculator)
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
                general_errors += _show_input_errors(error, line_forms, formset)
    context = {
        "form": form,
        "formset": formset,
        "evaluation": evaluation,
        "general_errors": general_errors,
        "query": request.GET.urlencode(),
        "substances": _substances(tables),
    }
    return render(request, "medication/calculator.html", context)


@login_required
@require(can_use_omeq_calculator)
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
                general_errors += _show_input_errors(error, line_forms, formset)
    context = {
        "form": form,
        "formset": formset,
        "evaluations": evaluations,
        "rows": side_by_side(evaluations),
        "general_errors": general_errors,
        "query": request.GET.urlencode(),
        "substances": _substances(tables),
    }
    return render(request, "medication/calculator_compare.html", context)


def _substances(tables: list[ConversionTableVersion]) -> list[str]:
    return sorted({rule.substance for table in tables for rule in table.rules.all()})
