"""Django admin for the products an administrator adds to the catalogue (one by one or from
a CSV file). Conversion tables have their own pages (medication:tables)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from domain.catalogue import COLUMNS, FORM_RULES, ROUTES, UNITS, Category, Release
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.medication import actions
from smertespor.medication.catalogue_rows import products_csv_text
from smertespor.medication.catalogue_services import checked_products
from smertespor.medication.models import CatalogueProduct

MAX_UPLOAD_BYTES = 2_000_000


def _choices(values: Any) -> list[tuple[str, str]]:
    return [(str(v), str(v)) for v in values]


class CatalogueProductForm(forms.ModelForm):
    category = forms.ChoiceField(label=_("category"), choices=_choices(Category))
    form = forms.ChoiceField(label=_("form"), choices=_choices(FORM_RULES))
    route = forms.ChoiceField(label=_("route"), choices=_choices(ROUTES))
    release = forms.ChoiceField(label=_("release"), choices=_choices(Release))
    unit = forms.ChoiceField(label=_("unit"), choices=_choices(UNITS))

    class Meta:
        model = CatalogueProduct
        fields = [
            "product_id", "name", "brands", "atc", "category", "form", "route", "release",
            "unit", "strengths", "strength_labels", "substance", "other_ingredients",
            "splittable", "patch_change_hours", "is_substitution", "note",
        ]  # fmt: skip
        help_texts = {
            "strengths": _("Amounts of the counted (opioid) ingredient per unit, e.g. 5|10|20."),
            "strength_labels": _("As on the pack, one per strength, e.g. 5/2.5|10/5 (optional)."),
            "brands": _("Separated by |."),
            "other_ingredients": _("Never counted (naloxone, paracetamol...); separated by |."),
        }

    def csv_text(self) -> str:
        data = self.cleaned_data
        row = dict.fromkeys(COLUMNS, "")
        row.update({k: str(data.get(k) or "") for k in COLUMNS if k in data})
        row["id"] = data.get("product_id", "")
        row["splittable"] = "true" if data.get("splittable") else "false"
        row["is_substitution"] = "true" if data.get("is_substitution") else "false"
        hours = data.get("patch_change_hours")
        row["patch_change_hours"] = "" if hours is None else str(hours)
        return products_csv_text([row])


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label=_("Products CSV"),
        help_text=_("Columns as in domain/data/products.csv; ',' or ';' separated, UTF-8."),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."))
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None


@admin.register(CatalogueProduct)
class CatalogueProductAdmin(admin.ModelAdmin):
    form = CatalogueProductForm
    list_display = ["product_id", "name", "atc", "category", "strengths", "added_at", "added_by"]
    search_fields = ["product_id", "name", "atc", "substance"]
    change_list_template = "admin/medication/catalogueproduct/change_list.html"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Lines refer to a product and its strengths: an added product is never rewritten.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @performs(actions.import_catalogue_products)
    def save_model(
        self, request: HttpRequest, obj: CatalogueProduct, form: Any, change: bool
    ) -> None:
        [added] = actions.import_catalogue_products(user=request.user, csv_text=form.csv_text())
        obj.pk = added.pk

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)

        class Checked(form_class):  # type: ignore[misc, valid-type]  # a class made at run time
            def clean(self) -> dict[str, Any]:
                """The same check as the import, so a refused product is shown, not a 500."""
                data = super().clean()
                if not self.errors:
                    try:
                        checked_products(self.csv_text())
                    except ValidationError as error:
                        apply_errors(self, error)
                return data

        return Checked

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.import_csv)
        return [
            path("import/", view, name="medication_catalogueproduct_import"),
            *super().get_urls(),
        ]

    @performs(actions.import_catalogue_products)
    def import_csv(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ProductImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                added = actions.import_catalogue_products(
                    user=request.user, csv_text=form.cleaned_data["file"]
                )
            except ValidationError as error:
                apply_errors(form, error, fields={"csv_text": "file"})
            else:
                messages.success(request, _("%(count)s products added.") % {"count": len(added)})
                return redirect("admin:medication_catalogueproduct_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Import products from CSV"),
        }
        return TemplateResponse(
            request,
            "admin/medication/catalogueproduct/import.html",
            context,
            status=form_status(form),
        )
