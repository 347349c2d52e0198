"""Administrators' pages for conversion tables: list, read, copy, edit a draft, sign off."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.accounts.permissions import require
from smertespor.medication.forms import (
    RuleFormSet,
    TableCopyForm,
    TableMetaForm,
    apply_row_errors,
    apply_service_errors,
    bands_text,
    rule_initial,
)
from smertespor.medication.models import ConversionTableVersion
from smertespor.medication.permissions import can_manage_conversion_tables
from smertespor.medication.table_selectors import active_table_version, all_table_versions
from smertespor.medication.table_services import (
    TableEditError,
    copy_conversion_table,
    edit_draft_table,
    sign_off_conversion_table,
)


def _suggested_version(version: ConversionTableVersion) -> str:
    taken = set(
        ConversionTableVersion.objects.filter(table_id=version.table_id).values_list(
            "version", flat=True
        )
    )
    number = 1
    while f"{version.version}-r{number}" in taken:
        number += 1
    return f"{version.version}-r{number}"


def _detail_context(version: ConversionTableVersion, copy_form: TableCopyForm) -> dict[str, Any]:
    return {
        "version": version,
        "rules": [(rule, bands_text(rule.bands)) for rule in version.rules.all()],
        "copy_form": copy_form,
        "is_active": version.pk == active_table_version().pk,
        "snapshot_count": version.snapshots.count(),
    }


@login_required
@require(can_manage_conversion_tables)
@require_GET
def table_list(request: HttpRequest) -> HttpResponse:
    context = {"versions": all_table_versions(), "active": active_table_version()}
    return render(request, "medication/tables/list.html", context)


@login_required
@require(can_manage_conversion_tables)
@require_GET
def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(all_table_versions(), pk=pk)
    copy_form = TableCopyForm(
        initial={"table_id": version.table_id, "version": _suggested_version(version)}
    )
    return render(request, "medication/tables/detail.html", _detail_context(version, copy_form))


@login_required
@require(can_manage_conversion_tables)
@require_POST
def table_copy(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(ConversionTableVersion, pk=pk)
    form = TableCopyForm(request.POST)
    if form.is_valid():
        try:
            copy = copy_conversion_table(source=source, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("A draft copy has been made. Edit it, then sign it off."))
            return redirect("medication:table_edit", pk=copy.pk)
    context = _detail_context(source, form)
    return render(request, "medication/tables/detail.html", context, status=422)


def _edit_forms(request: HttpRequest, version: ConversionTableVersion) -> tuple[Any, Any]:
    data = request.POST if request.method == "POST" else None
    meta_form = TableMetaForm(
        data,
        initial={
            "title": version.title,
            "source": version.source,
            "published": version.published,
            "note": version.note,
        },
    )
    rules = RuleFormSet(
        data, prefix="rule", initial=[rule_initial(rule) for rule in version.rules.all()]
    )
    return meta_form, rules


@login_required
@require(can_manage_conversion_tables)
@require_http_methods(["GET", "POST"])
def table_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ConversionTableVersion, pk=pk)
    if not version.is_draft:
        messages.info(request, _("Only a draft copy can be edited; copy this version first."))
        return redirect("medication:table_detail", pk=version.pk)
    meta_form, rules = _edit_forms(request, version)
    table_errors: list[str] = []
    status = 200
    if request.method == "POST":
        if meta_form.is_valid() and rules.is_valid():
            deleted = rules.deleted_forms
            kept = [form for form in rules.forms if form.cleaned_data and form not in deleted]
            try:
                edit_draft_table(
                    table_version=version,
                    by=request.user,
                    meta=meta_form.cleaned_data,
                    rows=[form.row() for form in kept],
                )
            except TableEditError as error:
                table_errors = apply_row_errors(kept, error.row_errors)
            except ValidationError as error:
                table_errors = list(error.messages)
            else:
                messages.success(request, _("The draft has been saved."))
                return redirect("medication:table_edit", pk=version.pk)
        status = 422
    context = {
        "version": version,
        "meta_form": meta_form,
        "rules": rules,
        "table_errors": table_errors,
    }
    return render(request, "medication/tables/edit.html", context, status=status)


@login_required
@require(can_manage_conversion_tables)
@require_POST
def table_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ConversionTableVersion, pk=pk)
    try:
        sign_off_conversion_table(table_version=version, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(table)s is now the region's active table.") % {"table": str(version)},
        )
    return redirect("medication:table_detail", pk=version.pk)
