"""Checks of free text and choices shared by the advice services (forms and the API check
them too; the services check again, so every caller gets the same refusal)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def clean_text(value: str, *, field: str, max_length: int, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(
            {field: _("Write %(what)s; it cannot be empty.") % {"what": label}}, code="required"
        )
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("%(what)s is too long: %(length)s characters; the limit is %(limit)s.")
                % {"what": label.capitalize(), "length": len(text), "limit": max_length}
            },
            code="max_length",
        )
    if "\x00" in text:
        raise ValidationError({field: _("The text contains a NUL character.")}, code="nul")
    return text


def check_choice(value: str, allowed: Any, *, field: str) -> str:
    if value not in allowed:
        raise ValidationError({field: _("Choose one of the options.")}, code="invalid_choice")
    return value
