"""Putting a service's ValidationError on a form, the status code of a refused form, and the
number fields every form uses (digits 0-9 only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

INVALID_STATUS = 422
STALE_STATUS = 409


def _only_ascii_digits(field: forms.Field, value: Any) -> None:
    """Python reads "١٠" or "１０" as 10; a dose typed in other digits is refused, as the API
    refuses it (issue 12), so what is saved is what the user sees."""
    if isinstance(value, str) and any(ch.isdigit() and not ch.isascii() for ch in value):
        raise ValidationError(field.error_messages["invalid"], code="invalid")


class DecimalField(forms.DecimalField):
    """Django's DecimalField, refusing digits other than 0-9."""

    def to_python(self, value: Any) -> Any:
        _only_ascii_digits(self, value)
        return super().to_python(value)


class IntegerField(forms.IntegerField):
    """Django's IntegerField, refusing digits other than 0-9."""

    def to_python(self, value: Any) -> Any:
        _only_ascii_digits(self, value)
        return super().to_python(value)


def apply_errors(
    form: forms.BaseForm, error: ValidationError, *, fields: dict[str, str] | None = None
) -> None:
    """Show ``error`` on ``form``: each field's messages at the field, the rest at the top.

    ``fields`` maps a service's argument names to the form's field names where they differ.
    """
    rename = fields or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        target = rename.get(key, key)
        form.add_error(target if target in form.fields else None, errors)


def form_status(*forms_: forms.BaseForm | forms.BaseFormSet | None) -> int:
    """The status of a page with these forms, as the API would answer: 409 when a write was
    stale (a `StaleVersion` on the form), 422 when a submitted form was refused, else 200."""
    if any(
        isinstance(form, forms.BaseForm) and form.has_error(NON_FIELD_ERRORS, "conflict")
        for form in forms_
    ):
        return STALE_STATUS
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        if isinstance(form, forms.BaseFormSet):
            if form.non_form_errors() or any(form.errors):
                return INVALID_STATUS
        elif form.errors:
            return INVALID_STATUS
    return 200


def preselect_single(form: forms.BaseForm, name: str) -> None:
    """When a choice of organisation has exactly one option (the region's only clinic), it is
    chosen already: no "---------" to pick it from. A bound form keeps what was posted."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        return
    if field.queryset is None:
        return
    options = list(field.queryset[:2])
    if len(options) == 1:
        field.empty_label = None
        field.initial = options[0].pk
        if not form.is_bound:
            form.initial.setdefault(name, options[0].pk)
