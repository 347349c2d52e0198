"""Medication, calculator and conversion-table forms: parse input at the boundary; the
services and the domain decide what is valid and say why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domain.catalogue import Catalogue, Category, Product
from domain.omeq import DoseUnit, Route, RuleKind
from smertespor.entry.forms import DecimalField, IntegerField
from smertespor.entry.numbers import json_number
from smertespor.medication.labels import (
    PER_UNIT_LABELS,
    ROUTE_NAMES,
    RULE_KIND_LABELS,
    UNIT_LABELS,
    unit_label,
)
from smertespor.medication.models import ConversionTableVersion, MedicationLine
from smertespor.medication.regimens import localised_numbers, plain_decimal
from smertespor.versions import VersionField

CATEGORY_LABELS = {
    Category.OPIOID: _("Opioids"),
    Category.BENZODIAZEPINE: _("Benzodiazepines"),
    Category.Z_DRUG: _("Z-drugs"),
    Category.GABAPENTINOID: _("Gabapentinoids"),
}
INDICATION_CHOICES = MedicationLine.Indication.choices
UNITS_HELP = _(
    "Tablets, capsules, patches worn at once, or ml. Half tablets only for scored tablets."
)
DOSES_HELP = _("Leave empty for a patch (it is worn continuously) and for an as-needed line.")
MAX_HELP = _("For an as-needed (PRN) line: the most doses a day.")
# The browser's date picker reads and writes ISO dates, whatever the user's language.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A product line's product and strength are one field on the forms (service argument -> field).
PRODUCT_FIELDS = {"product_id": "product_strength", "strength": "product_strength"}


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _decimal_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.Field:
    return DecimalField(
        label=label, required=required, localize=True, max_digits=12, help_text=help_text
    )


def strength_value(product_id: str, amount: Decimal) -> str:
    return f"{product_id}@{json_number(amount)}"


def parse_strength_value(value: str) -> tuple[str, Decimal] | None:
    product_id, _sep, amount = value.rpartition("@")
    try:
        return product_id, Decimal(amount)
    except InvalidOperation:
        return None


def product_label(product: Product, strength_label: str) -> str:
    brands = f" ({', '.join(product.brands)})" if product.brands else ""
    return f"{product.name} {localised_numbers(strength_label)} {unit_label(product.unit)}{brands}"


def product_strength_choices(catalogue: Catalogue) -> list[tuple[Any, Any]]:
    """One option per product and marketed strength, grouped opioids first."""
    groups: list[tuple[Any, Any]] = [("", _("Choose a product and strength"))]
    for category in Category:
        options = [
            (strength_value(p.id, s.amount), product_label(p, s.label))
            for p in sorted(catalogue, key=lambda p: (p.name, p.id))
            if p.category is category
            for s in p.strengths
        ]
        if options:
            groups.append((CATEGORY_LABELS[category], options))
    return groups


class MedicationLineForm(forms.Form):
    product_strength = forms.ChoiceField(label=_("Product and strength"))
    units_per_dose = _decimal_field(_("Units per dose"), required=True, help_text=UNITS_HELP)
    doses_per_day = _decimal_field(_("Doses per day"), help_text=DOSES_HELP)
    prn = forms.BooleanField(label=_("As needed (PRN)"), required=False)
    max_doses_per_day = _decimal_field(_("Maximum doses per day"), help_text=MAX_HELP)
    indication = forms.ChoiceField(label=_("Indication"), choices=INDICATION_CHOICES)
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, catalogue: Catalogue, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("start_date", timezone.localdate())
        kwargs["initial"].setdefault("units_per_dose", 1)
        super().__init__(*args, **kwargs)
        _choice_field(self, "product_strength").choices = product_strength_choices(catalogue)

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        parsed = parse_strength_value(data.pop("product_strength"))
        product_id, strength = parsed if parsed else ("", Decimal(0))
        return {"product_id": product_id, "strength": strength, **data}


class MedicationLineChangeForm(forms.Form):
    strength = forms.ChoiceField(label=_("Strength"))
    units_per_dose = _decimal_field(_("Units per dose"), required=True, help_text=UNITS_HELP)
    doses_per_day = _decimal_field(_("Doses per day"), help_text=DOSES_HELP)
    prn = forms.BooleanField(label=_("As needed (PRN)"), required=False)
    max_doses_per_day = _decimal_field(_("Maximum doses per day"), help_text=MAX_HELP)
    indication = forms.ChoiceField(label=_("Indication"), choices=INDICATION_CHOICES)
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    version = VersionField()

    def __init__(
        self, data: Any = None, *, line: MedicationLine, product: Product | None, **kwargs: Any
    ) -> None:
        strength = json_number(line.strength)
        super().__init__(data, initial=self.initial_for(line), **kwargs)
        choices = []
        if product is not None:
            choices = [
                (json_number(s.amount), f"{s.label} {product.unit}") for s in product.strengths
            ]
        if strength not in {value for value, _label in choices}:
            choices.append((strength, strength))
        _choice_field(self, "strength").choices = choices

    @staticmethod
    def initial_for(line: MedicationLine) -> dict[str, Any]:
        """The form's values for the line as stored (a fresh form, or a stale one's diff)."""
        return {
            "strength": json_number(line.strength),
            "units_per_dose": plain_decimal(line.units_per_dose),
            "doses_per_day": plain_decimal(line.doses_per_day) if line.doses_per_day else None,
            "prn": line.prn,
            "max_doses_per_day": plain_decimal(line.max_doses_per_day)
            if line.max_doses_per_day
            else None,
            "indication": line.indication,
            "start_date": line.start_date,
            "note": line.note,
            "version": line.version,
        }

    def service_arguments(self) -> dict[str, Any]:
        """The changes and, as `expected_version`, the version the form was opened at."""
        data = dict(self.cleaned_data)
        data["strength"] = Decimal(data["strength"])
        data["expected_version"] = data.pop("version")
        return data


class EndLineForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    version = VersionField()

    def __init__(self, data: Any = None, *, line: MedicationLine, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("ended_on", timezone.localdate())
        initial.setdefault("version", line.version)
        super().__init__(data, **kwargs)


# --- the calculator ----------------------------------------------------------------------


class CalculatorForm(forms.Form):
    table = forms.ChoiceField(label=_("Conversion table"))

    def __init__(self, *args: Any, tables: Iterable[ConversionTableVersion], **kwargs: Any):
        """`tables`: the usable versions, the region's table first."""
        super().__init__(*args, **kwargs)
        listed = list(tables)
        in_use = _("the region's table")
        _choice_field(self, "table").choices = [
            (
                str(t.pk),
                f"{t.table_id} {t.version} – {t.title}" + (f" ({in_use})" if i == 0 else ""),
            )
            for i, t in enumerate(listed)
        ]


class CalculatorLineForm(forms.Form):
    product_strength = forms.ChoiceField(label=_("Product and strength"), required=False)
    units_per_dose = _decimal_field(_("Units per dose"))
    substance = forms.CharField(
        label=_("or substance"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"list": "substances", "autocomplete": "off"}),
    )
    route = forms.ChoiceField(
        label=_("Route"),
        required=False,
        choices=[("", "—")] + [(r.value, ROUTE_NAMES.get(r.value, r.value)) for r in Route],
    )
    dose = _decimal_field(_("Dose per administration"))
    dose_unit = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        choices=[(u.value, UNIT_LABELS.get(u.value, u.value)) for u in DoseUnit],
    )
    doses_per_day = _decimal_field(_("Doses per day"))
    prn = forms.BooleanField(label=_("As needed (PRN)"), required=False)
    max_doses_per_day = _decimal_field(_("Maximum doses per day"))
    indication = forms.ChoiceField(label=_("Indication"), choices=INDICATION_CHOICES)

    def __init__(self, *args: Any, catalogue: Catalogue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "product_strength").choices = product_strength_choices(catalogue)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("product_strength") and not (data.get("substance") or "").strip()

    def line_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        parsed = parse_strength_value(data.pop("product_strength") or "")
        product_id, strength = parsed if parsed else ("", None)
        return {"product_id": product_id, "strength": strength, **data}


# Give each form the catalogue: `CalculatorLineFormSet(data, form_kwargs={"catalogue": ...})`.
# absolute_max: Django would otherwise build up to max_num + 1000 forms from a hand-made
# TOTAL_FORMS before refusing it (issue 12); now it builds at most 12 and says why.
MAX_CALCULATOR_LINES = 12
CalculatorLineFormSet = forms.formset_factory(
    CalculatorLineForm,
    extra=4,
    max_num=MAX_CALCULATOR_LINES,
    absolute_max=MAX_CALCULATOR_LINES,
    validate_max=True,
)


# --- conversion tables (administrators) --------------------------------------------------


class TableCopyForm(forms.Form):
    table_id = forms.CharField(
        label=_("Table id"),
        max_length=64,
        help_text=_("Keep the id to make a new version of the same table, or give a new one."),
    )
    version = forms.CharField(label=_("New version"), max_length=32)


class TableMetaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    source = forms.CharField(label=_("Source"), max_length=2000, widget=forms.Textarea({"rows": 3}))
    published = forms.DateField(label=_("Published"), widget=DATE_INPUT)
    note = forms.CharField(
        label=_("Note"), max_length=4000, required=False, widget=forms.Textarea({"rows": 3})
    )


def bands_text(bands: list[dict[str, str]] | None) -> str:
    if not bands:
        return ""
    return ", ".join(f"{b['from_morphine_mg_per_day']}:{b['factor']}" for b in bands)


class RuleForm(forms.Form):
    # Route and kind start empty: a preselected value would make the formset's blank extra
    # row look filled in, and refuse every save for a missing substance (issue 11).
    substance = forms.CharField(label=_("Substance"), max_length=64)
    route = forms.ChoiceField(
        label=_("Route"),
        choices=[("", "—")] + [(r.value, ROUTE_NAMES.get(r.value, r.value)) for r in Route],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "—")] + [(k.value, RULE_KIND_LABELS.get(k.value, k.value)) for k in RuleKind],
    )
    factor = DecimalField(
        label=_("Factor"), required=False, max_digits=12, decimal_places=6, localize=True
    )
    per_unit = forms.ChoiceField(
        label=_("Per"),
        required=False,
        choices=[("", "—")] + [(u.value, PER_UNIT_LABELS.get(u.value, u.value)) for u in DoseUnit],
    )
    bands = forms.CharField(
        label=_("Dose bands"),
        required=False,
        max_length=500,
        help_text=_(
            "For a dose-banded rule: morphine mg/day from which a factor applies, "
            "e.g. 30:5, 90:6, 300:8."
        ),
    )
    reason = forms.CharField(label=_("Reason (no factor)"), required=False, max_length=2000)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def clean_bands(self) -> list[dict[str, str]] | None:
        text = self.cleaned_data["bands"].strip()
        if not text:
            return None
        bands = []
        for part in text.split(","):
            edge, sep, factor = part.strip().partition(":")
            try:
                Decimal(edge.strip())
                Decimal(factor.strip())
            except InvalidOperation:
                sep = ""
            if not sep:
                raise ValidationError(
                    _("Write bands as edge:factor pairs separated by commas, e.g. 30:5, 90:6.")
                )
            bands.append({"from_morphine_mg_per_day": edge.strip(), "factor": factor.strip()})
        return bands

    def row(self) -> dict[str, Any]:
        """The rule as the plain row `ConversionTable.from_rows` checks."""
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "substance": data["substance"].strip().lower(),
            "route": data["route"],
            "kind": kind,
            "factor": data["factor"] if kind == RuleKind.LINEAR else None,
            "per_unit": (data["per_unit"] or None) if kind != RuleKind.EXCLUDED else None,
            "reason": data["reason"] if kind == RuleKind.EXCLUDED else None,
            "bands": data["bands"] if kind == RuleKind.DOSE_BANDED else None,
            "note": data["note"],
        }


MAX_TABLE_RULES = 200
RuleFormSet = forms.formset_factory(
    RuleForm,
    extra=1,
    can_delete=True,
    max_num=MAX_TABLE_RULES,
    absolute_max=MAX_TABLE_RULES,
)


class SignOffForm(forms.Form):
    """The explicit confirmation: the version's name typed out, and the revision reviewed."""

    confirm = forms.CharField(
        label=_("Type the version's name to confirm"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    revision = IntegerField(min_value=0, widget=forms.HiddenInput)


def rule_initial(rule: Any) -> dict[str, Any]:
    return {
        "substance": rule.substance,
        "route": rule.route,
        "kind": rule.kind,
        "factor": plain_decimal(rule.factor) if rule.factor is not None else None,
        "per_unit": rule.per_unit,
        "bands": bands_text(rule.bands),
        "reason": rule.reason,
        "note": rule.note,
    }


def apply_row_errors(
    rule_forms: Sequence[forms.Form],
    table_form: forms.Form,
    row_errors: Mapping[int | None, list[str]],
) -> None:
    """Show a refused table edit: each rule's issues on its row's form (`rule_forms` in the
    order the rows were given), the table's own on `table_form`."""
    for row, messages in row_errors.items():
        target = rule_forms[row] if row is not None and 0 <= row < len(rule_forms) else table_form
        for message in messages:
            target.add_error(None, message)
