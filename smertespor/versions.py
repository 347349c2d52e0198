"""Optimistic concurrency: a write names the version it read; a stale one changes nothing.

Services raise `StaleVersion`; the web shows the form again with the message and answers
409, the API answers a 409 problem. It is a ValidationError so a form can show it as is.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class StaleVersion(ValidationError):
    """Someone changed the record since the user read it: nothing was saved."""

    default_message = _(
        "Someone else changed this record while you were working on it, so your change was "
        "not saved. Reload the page, check what changed and try again."
    )

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message, code="conflict")
