"""Optimistic concurrency: a write names the version it read; a stale one changes nothing.

Every clinical record that people edit (patients, medication lines, taper plans, courses,
advice cases, articles, teaching sessions, referrals as they come) has a `version`: a
positive integer that starts at 1 and that every service write raises by one in the same
UPDATE that checks it (`claim_version`). The database applies that conditional UPDATE to
one row or to none, so of two users saving at once exactly one wins; on PostgreSQL the
UPDATE also locks the row until the transaction ends.

The three doors carry the version the user read:

- **pages**: a hidden `version` field (`VersionField`). A stale submit answers 409 with the
  form filled in again with the user's values on the current version, and a table of what
  changed since the user opened the form (`stale_form`, `includes/stale_changes.html`), so
  one click re-applies.
- **API**: a GET sends `ETag: "<version>"` (a strong tag: it names the stored record's
  version), and a write sends it back in `If-Match` (`if_match`), which the service reads
  when it checks the version, after the action's refusals. A mismatch is 409, an
  `If-Match` that names no version is 412, a missing one 428, all problems.
- **services** raise `StaleVersion`; the web shows the form again with the message and
  answers 409, the API answers a 409 problem. It is a ValidationError so a form can show it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja.errors import HttpError


class StaleVersion(ValidationError):
    """Someone changed the record since the user read it: nothing was saved."""

    default_message = _(
        "Someone else changed this record while you were working on it, so your change was "
        "not saved. Reload the page, check what changed and try again."
    )

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message, code="conflict")


def version_field() -> models.PositiveIntegerField:
    """The model field: 1 for a new record, raised by one on every write."""
    return models.PositiveIntegerField(_("version"), default=1, editable=False)


# --- services ------------------------------------------------------------------------------


def expected_number(expected: ExpectedVersion) -> int | None:
    """The version number `expected` names (reading an `If-Match` may refuse: 428, 412)."""
    return expected.version if isinstance(expected, IfMatch) else expected


def check_version(
    obj: models.Model,
    expected: ExpectedVersion,
    *,
    error: type[StaleVersion] = StaleVersion,
) -> None:
    """Refuse early when `obj` as loaded is already past the version the user read.

    `expected` None is for the system (a scheduled rule, a demo builder), which acts on
    whatever it finds; every door a person uses passes the version it showed them.
    """
    number = expected_number(expected)
    if number is not None and getattr(obj, "version") != number:  # noqa: B009
        raise error


def claim_version(
    obj: models.Model,
    expected: ExpectedVersion,
    *,
    error: type[StaleVersion] = StaleVersion,
    filters: Mapping[str, Any] | None = None,
    **updates: Any,
) -> None:
    """Raise `obj`'s version by one if it is still `expected` (and set `updates`), in one
    conditional UPDATE; else raise `error` and change nothing.

    Call it inside the service's transaction before saving the other fields, so the row
    is the caller's until the transaction ends. `filters` adds conditions (e.g. a status).
    On success `obj.version` is the new version, so a later `save(update_fields=[...,
    "version"])` or a history row carries it.
    """
    number = expected_number(expected)
    check_version(obj, number, error=error)
    conditions: dict[str, Any] = {"pk": obj.pk, **(filters or {})}
    if number is not None:
        conditions["version"] = number
    manager = type(obj)._default_manager
    if manager.filter(**conditions).update(version=F("version") + 1, **updates) != 1:
        raise error
    for field, value in updates.items():
        setattr(obj, field, value)
    obj.version = manager.values_list("version", flat=True).get(pk=obj.pk)  # type: ignore[attr-defined]


# --- pages ---------------------------------------------------------------------------------


class VersionField(forms.IntegerField):
    """The hidden field a form carries the version it was opened at in."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


@dataclass(frozen=True)
class Change:
    """One row of the table a stale form shows: the field, the user's value, the current."""

    label: str
    yours: str
    current: str


def _shown(field: forms.Field, value: Any) -> str:
    """A form value as a person reads it (a choice's label, yes/no, a Danish date)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(field, forms.BooleanField):
        return gettext("Yes") if field.to_python(value) else gettext("No")
    if isinstance(field, forms.ChoiceField):
        choices: Any = getattr(field, "choices", ())
        labels = {str(key): str(label) for key, label in choices}
        if isinstance(value, list | tuple):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if isinstance(value, datetime.date | datetime.datetime | Decimal | float | int):
        return str(formats.localize(value))
    return str(value)


def stale_changes(form: forms.BaseForm, current: Mapping[str, Any]) -> list[Change]:
    """The fields where the user's submitted value differs from the record as it is now.

    `current` is the form's initial data for the record's current version (what a fresh
    GET would have shown); the comparison is the form field's own `has_changed`.
    """
    rows = []
    for name, field in form.fields.items():
        if isinstance(field, VersionField) or name not in current:
            continue
        bound = form[name]
        submitted = bound.data
        if field.has_changed(current[name], submitted):
            rows.append(
                Change(
                    label=str(field.label or name),
                    yours=_shown(field, submitted),
                    current=_shown(field, current[name]),
                )
            )
    return rows


def stale_form(
    form: forms.BaseForm, current: Mapping[str, Any], error: StaleVersion, *, version: int
) -> forms.BaseForm:
    """Make a refused form ready to re-apply: the user's values, the current version in the
    hidden field, the message (so `form_status` answers 409), `form.stale_changes` and
    `form.is_stale` (for `includes/form_errors.html`, which shows the table).

    `current` is the form's initial data for the record as it is now. Returns the form.
    """
    changes = stale_changes(form, current)
    data: Any = dict(form.data.items()) if not hasattr(form.data, "copy") else form.data.copy()
    for name, field in form.fields.items():
        if isinstance(field, VersionField):
            data[form.add_prefix(name)] = str(version)
    form.data = data
    form._errors = None  # type: ignore[attr-defined]  # clean again, with the new version
    form.full_clean()
    form.add_error(None, error)
    form.stale_changes = changes  # type: ignore[attr-defined]
    form.is_stale = True  # type: ignore[attr-defined]
    return form


# --- API -----------------------------------------------------------------------------------

_STRONG_TAG = re.compile(r'^"([1-9][0-9]{0,17})"$')


def etag(version: int) -> str:
    """The strong entity tag of a record at `version`: `"3"`."""
    return f'"{version}"'


def send_etag(response: HttpResponse, obj: models.Model) -> None:
    """Name `obj`'s version in the answer (`ETag`), for the client's next `If-Match`."""
    response["ETag"] = etag(getattr(obj, "version"))  # noqa: B009


class IfMatchMissing(HttpError):
    """A write without `If-Match` (428): it must say which version it read."""

    def __init__(self) -> None:
        super().__init__(
            428,
            gettext(
                'Send the record\'s version in an If-Match header (If-Match: "3"), as the '
                "ETag of its GET gave it, so a change made in the meantime is not overwritten."
            ),
        )


class IfMatchUnusable(HttpError):
    """An `If-Match` that names no single version of ours (412)."""

    def __init__(self) -> None:
        super().__init__(
            412,
            gettext('If-Match must name one version of the record as its ETag gave it (e.g. "3").'),
        )


@dataclass(frozen=True)
class IfMatch:
    """An API write's `If-Match` header, read when the service checks the version.

    The door passes it on unread, so the action's refusals (role 403, scope 404) and the
    body's (422) come first, as on a request without the header.
    """

    header: str | None

    @property
    def version(self) -> int:
        """The version named (`If-Match: "3"`); `IfMatchMissing` (428) without one,
        `IfMatchUnusable` (412) for a weak tag, `*`, a list or anything else."""
        if self.header is None or not self.header.strip():
            raise IfMatchMissing
        match = _STRONG_TAG.match(self.header.strip())
        if match is None:
            raise IfMatchUnusable
        return int(match.group(1))


# The version a write was read at: a number (a form's hidden field, a body's `version`), the
# API's `If-Match` (read by `check_version`, after the action's checks), or None for the
# system. Services and actions take it as `expected_version`.
ExpectedVersion = int | IfMatch | None


def if_match(request: HttpRequest) -> IfMatch:
    """The version the client read, as `If-Match: "<version>"` (the GET's ETag)."""
    return IfMatch(request.headers.get("If-Match"))


_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_ETAG_HEADER = {
    "ETag": {
        "description": 'The record\'s version as a strong entity tag, e.g. `"3"`; send it back '
        "in `If-Match` to change the record.",
        "schema": {"type": "string"},
    }
}

# Success answers under ninja's own (integer) keys, so the ETag joins the answer's content.
VERSIONED_READ: dict[str, Any] = {"responses": {200: {"headers": _ETAG_HEADER}}}
"""`openapi_extra` of a GET that sends the record's `ETag`."""


def versioned_write(success: int | None = 200) -> dict[str, Any]:
    """`openapi_extra` of a write that names the version it read in `If-Match` (and, when it
    answers the record with status `success`, sends the new `ETag`)."""
    extra: dict[str, Any] = {
        "parameters": [
            {
                "in": "header",
                "name": "If-Match",
                "required": True,
                "schema": {"type": "string"},
                "description": "The record's version as its GET's ETag gave it, e.g. `\"3\"`.",
            }
        ],
        "responses": {
            "409": {"description": "Stale write: the record's version is no longer If-Match's."},
            "412": {
                "description": "If-Match names no version of the record (a weak tag, `*`, a list).",
                "content": _PROBLEM,
            },
            "428": {"description": "If-Match is missing.", "content": _PROBLEM},
        },
    }
    if success is not None:
        extra["responses"][success] = {"headers": _ETAG_HEADER}
    return extra
