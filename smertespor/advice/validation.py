"""Checks of free text and choices shared by the advice services: the one place their rules
live, so the pages and the API refuse the same input with the same message and code."""

from collections.abc import Container

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A refusal of one field that keeps its code (a dict of plain messages loses it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def clean_text(value: str, *, field: str, max_length: int, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise field_error(
            field, _("Write %(what)s; it cannot be empty.") % {"what": label}, "required"
        )
    if len(text) > max_length:
        raise field_error(
            field,
            _("%(what)s is too long: %(length)s characters; the limit is %(limit)s.")
            % {"what": label.capitalize(), "length": len(text), "limit": max_length},
            "max_length",
        )
    if "\x00" in text:
        raise field_error(field, _("The text contains a NUL character."), "nul")
    return text


def check_choice(value: str, allowed: Container[str], *, field: str) -> str:
    if value not in allowed:
        raise field_error(field, _("Choose one of the options."), "invalid_choice")
    return value
