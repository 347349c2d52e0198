"""Conversion-table pages: list, read, copy, edit a draft, review and sign off.

Administrators copy and edit drafts; someone else signs a draft off (another administrator,
or a clinician with the sign-off permission) on a page that first shows what the draft
changes for the region's patients (counts and sizes, no patient), and asks for the version's
name. Each change goes through `actions` (the same as the API's factor-set endpoints); a
refused change is shown on the page with status 422 (409 when the draft changed meanwhile).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import requires
from smertespor.medication import actions
from smertespor.medication.forms import (
    RuleFormSet,
    SignOffForm,
    TableCopyForm,
    TableMetaForm,
    apply_row_errors,
    bands_text,
    rule_initial,
)
from smertespor.medication.models import ConversionTableVersion
from smertespor.medication.permissions import (
    can_manage_conversion_tables,
    can_review_conversion_tables,
    can_sign_off_conversion_tables,
    is_not_a_drafter_of,
)
from smertespor.medication.table_impact import sign_off_preview
from smertespor.medication.table_selectors import (
    active_table_version,
    all_table_versions,
    draft_steps,
    table_version,
)
from smertespor.medication.table_services import TableEditError
from smertespor.versions import StaleVersion


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


def _detail_page(
    request: HttpRequest,
    version: ConversionTableVersion,
    *,
    copy_form: TableCopyForm | None = None,
) -> HttpResponse:
    may_manage = can_manage_conversion_tables(request.user)
    if copy_form is None and may_manage:
        copy_form = TableCopyForm(
            initial={"table_id": version.table_id, "version": _suggested_version(version)}
        )
    context: dict[str, Any] = {
        "version": version,
        "rules": [(rule, bands_text(rule.bands)) for rule in version.rules.all()],
        "copy_form": copy_form,
        "may_manage": may_manage,
        "drafted": draft_steps(version),
        "is_active": version.pk == active_table_version().pk,
        "snapshot_count": version.snapshots.count(),
    }
    return render(request, "medication/tables/detail.html", context, status=form_status(copy_form))


@login_required
@requires(can_review_conversion_tables)
@require_GET
def table_list(request: HttpRequest) -> HttpResponse:
    context = {
        "versions": all_table_versions(),
        "active": active_table_version(),
        "may_manage": can_manage_conversion_tables(request.user),
    }
    return render(request, "medication/tables/list.html", context)


@login_required
@requires(can_review_conversion_tables)
@require_GET
def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, table_version(pk))


@login_required
@requires(can_manage_conversion_tables)
@require_POST
@performs(actions.copy_conversion_table)
def table_copy(request: HttpRequest, pk: int) -> HttpResponse:
    source = table_version(pk)
    form = TableCopyForm(request.POST)
    if form.is_valid():
        try:
            copy = actions.copy_conversion_table(
                user=request.user,
                source=source,
                table_id=form.cleaned_data["table_id"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("A draft copy has been made. Edit it, then sign it off."))
            return redirect("medication:table_edit", pk=copy.pk)
    return _detail_page(request, source, copy_form=form)


def _edit_forms(request: HttpRequest, version: ConversionTableVersion) -> tuple[TableMetaForm, Any]:
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
@requires(can_manage_conversion_tables)
@require_http_methods(["GET", "POST"])
@performs(actions.edit_draft_table)
def table_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = table_version(pk)
    if not version.is_draft:
        messages.info(request, _("Only a draft copy can be edited; copy this version first."))
        return redirect("medication:table_detail", pk=version.pk)
    meta_form, rules = _edit_forms(request, version)
    if request.method == "POST" and meta_form.is_valid() and rules.is_valid():
        deleted = rules.deleted_forms
        kept = [form for form in rules.forms if form.cleaned_data and form not in deleted]
        try:
            actions.edit_draft_table(
                user=request.user,
                table_version=version,
                meta=meta_form.cleaned_data,
                rows=[form.row() for form in kept],
            )
        except TableEditError as error:
            apply_row_errors(kept, meta_form, error.row_errors)
        except ValidationError as error:
            apply_errors(meta_form, error)
        else:
            messages.success(request, _("The draft has been saved."))
            return redirect("medication:table_edit", pk=version.pk)
    context = {"version": version, "meta_form": meta_form, "rules": rules}
    return render(
        request, "medication/tables/edit.html", context, status=form_status(meta_form, rules)
    )


@login_required
@requires(can_review_conversion_tables)
@require_http_methods(["GET", "POST"])
@performs(actions.sign_off_conversion_table)
def table_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """What the draft changes for the region's patients, then the explicit sign-off."""
    version = table_version(pk)
    if not version.is_draft:
        messages.info(request, _("Only a draft can be signed off; copy this version first."))
        return redirect("medication:table_detail", pk=version.pk)
    form = SignOffForm(
        request.POST if request.method == "POST" else None,
        initial={"revision": version.revision},
    )
    if request.method == "POST" and form.is_valid():
        try:
            signed = actions.sign_off_conversion_table(
                user=request.user,
                table_version=version,
                confirm=form.cleaned_data["confirm"],
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as error:
            apply_errors(form, error)
            if isinstance(error, StaleVersion):
                # Show the draft as it is now, and let the next confirmation name it.
                version.refresh_from_db()
                data = request.POST.copy()
                data["revision"] = str(version.revision)
                form.data = data
        else:
            messages.success(
                request,
                _("%(table)s is now the region's active table.") % {"table": str(signed)},
            )
            return redirect("medication:table_detail", pk=signed.pk)
    user = request.user
    context = {
        "version": version,
        "preview": sign_off_preview(version),
        "form": form,
        "may_sign": can_sign_off_conversion_tables(user) and is_not_a_drafter_of(version)(user),
    }
    return render(request, "medication/tables/sign_off.html", context, status=form_status(form))
