"""Field validators shared by every app's models, so forms and the API refuse alike."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def no_nul_bytes(value: str) -> None:
    # PostgreSQL cannot store NUL in text; SQLite would. Refuse it the same way on both.
    if "\x00" in value:
        raise ValidationError(_("The text contains a NUL character."), code="null_characters")
