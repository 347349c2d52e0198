"""Definition files an administrator publishes (the pathway, the referral criteria): the
stored version's fields, the paste-or-upload form, the problems in the user's language and
the validate-then-save service every kind shares.

A kind's model extends `DefinitionVersion` and the kind is described once as a
`DefinitionKind` (model, the domain's parser, the problems' wording, the fields that name
a version); `install_builtin` stores the shipped file, `publish` checks and stores a new
one. The file is checked whole before anything is saved: every problem is named at the
form's `text` field (a 422 in the API), a version number already published is refused, and
nothing is stored.
The pages are `publish_page` and `versions_page` (its table the template
`includes/definition_versions.html`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domain.definition_file import MAX_FILE_CHARS, DefinitionError, Problem
from smertespor.entry.forms import apply_errors, form_status
from smertespor.validators import no_nul_bytes

if TYPE_CHECKING:
    from smertespor.accounts.models import User

NOTE_MAX_LENGTH = 500
MAX_UPLOAD_BYTES = MAX_FILE_CHARS

# The wording of the problems every definition file can have; each kind adds its own.
COMMON_PROBLEMS = {
    "not_toml": gettext_lazy("the file is not valid TOML"),
    "too_long": gettext_lazy("the file is too long"),
    "missing": gettext_lazy("is missing"),
    "not_text": gettext_lazy("must be a text"),
    "empty": gettext_lazy("must not be empty"),
    "text_too_long": gettext_lazy("is too long"),
    "not_list": gettext_lazy("must be a list"),
    "not_table": gettext_lazy("must be a table"),
    "not_integer": gettext_lazy("must be a whole number"),
    "duplicate": gettext_lazy("is used twice"),
    "bad_code": gettext_lazy("must be lowercase letters, digits, - and _ (at most 40)"),
}


class DefinitionVersion(models.Model):
    """One published version of a definition file: the file as the administrator gave it."""

    class Origin(models.TextChoices):
        BUILTIN = "builtin", gettext_lazy("Shipped with Smertespor")
        PUBLISHED = "published", gettext_lazy("Published by an administrator")

    version = models.CharField(gettext_lazy("version"), max_length=40)
    origin = models.CharField(gettext_lazy("origin"), max_length=16, choices=Origin.choices)
    published_at = models.DateTimeField(gettext_lazy("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    note = models.CharField(
        gettext_lazy("note"), max_length=NOTE_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )

    class Meta:
        abstract = True
        ordering = ["-published_at", "-pk"]


def problem_text(problem: Problem, problems: Mapping[str, Any]) -> str:
    text = f"{problem.where}: {problems.get(problem.code, problem.code)}"
    return f"{text} ({problem.value})" if problem.value else text


def file_error(
    error: DefinitionError, problems: Mapping[str, Any], *, field: str = "text"
) -> ValidationError:
    """Every problem of a refused file, at the field that held it."""
    return ValidationError(
        {field: [ValidationError(problem_text(p, problems), code=p.code) for p in error.problems]}
    )


class DefinitionFileForm(forms.Form):
    """Paste the file, or upload it; the service checks it."""

    file_label: Any = gettext_lazy("File (TOML)")

    text = forms.CharField(
        required=False,
        max_length=MAX_UPLOAD_BYTES,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text=gettext_lazy("Paste the file, or upload it below."),
    )
    upload = forms.FileField(label=gettext_lazy("…or upload the file"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Note (what changed)"), required=False, max_length=NOTE_MAX_LENGTH
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = self.file_label

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(_("The file is too large."))
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError as error:
                raise forms.ValidationError(_("The file must be UTF-8 text.")) from error
        return data


Definition = TypeVar("Definition")
Stored = TypeVar("Stored", bound=DefinitionVersion)


@dataclass(frozen=True)
class DefinitionKind(Generic[Definition, Stored]):
    """What one kind of definition file is: its model, the domain's parser, the wording of
    its problems, the fields that name a version (`key`: a repeated one is refused) and the
    other fields stored from the parsed file, and the messages of a refusal (lazy, with
    `%(version)s` in `duplicate_message`)."""

    model: type[Stored]
    parse: Callable[[str], Definition]
    problems: Mapping[str, Any]
    key: Callable[[Definition], dict[str, str]]
    fields: Callable[[Definition], dict[str, str]]
    empty_message: Any
    duplicate_message: Any

    def install_builtin(self, text: str, model: Any = None) -> Stored | None:
        """Store the shipped file if its version is not stored yet (idempotent). A data
        migration passes its historical model."""
        model = model or self.model
        definition = self.parse(text)
        if model.objects.filter(**self.key(definition)).exists():
            return None
        created: Stored = model.objects.create(
            **self.key(definition),
            **self.fields(definition),
            text=text,
            origin=DefinitionVersion.Origin.BUILTIN.value,
            published_at=timezone.now(),
            note="",
        )
        return created

    def publish(
        self, *, by: User, text: str, note: str, audit: Callable[[Stored, Definition], None]
    ) -> Stored:
        """Check the file whole, refuse a version already published, then store it and
        `audit` it in one transaction. Nothing is saved on any error; every problem is a
        ValidationError at `text`."""
        text = text.replace("\r\n", "\n")
        if not text.strip():
            raise ValidationError({"text": [str(self.empty_message)]}, code="required")
        try:
            definition = self.parse(text)
        except DefinitionError as error:
            raise file_error(error, self.problems) from error
        if len(note) > NOTE_MAX_LENGTH:
            raise ValidationError({"note": [_("The note may be at most 500 characters.")]})
        key = self.key(definition)
        if self.model._default_manager.filter(**key).exists():
            raise ValidationError(
                {"text": [str(self.duplicate_message) % {"version": key["version"]}]},
                code="duplicate_version",
            )
        try:
            with transaction.atomic():
                stored = self.model._default_manager.create(
                    **key,
                    **self.fields(definition),
                    text=text,
                    origin=DefinitionVersion.Origin.PUBLISHED,
                    published_at=timezone.now(),
                    published_by=by,
                    note=note.strip(),
                )
                audit(stored, definition)
        except IntegrityError as error:
            raise ValidationError(
                {"text": [_("This version was published a moment ago.")]}
            ) from error
        return stored


def publish_page(
    request: HttpRequest,
    *,
    form_class: type[DefinitionFileForm],
    publish: Callable[..., Stored],
    current_text: str,
    template: str,
    context: Mapping[str, Any],
    published: Callable[[Stored], str],
    done: Callable[[Stored], HttpResponse],
) -> HttpResponse:
    """The publish page of a definition file: the form (starting from the current file),
    `publish(user=, text=, note=)` on POST, the refusal back on the form (422), else the
    message `published(stored)` and `done(stored)` (a redirect)."""
    form = form_class(request.POST or None, request.FILES or None, initial={"text": current_text})
    if request.method == "POST" and form.is_valid():
        try:
            stored = publish(
                user=request.user, text=form.cleaned_data["text"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, published(stored))
            return done(stored)
    return render(
        request,
        template,
        {"form": form, "multipart": True, **context},
        status=form_status(form),
    )


def versions_page(
    request: HttpRequest, *, versions: Iterable[DefinitionVersion], template: str, can_publish: bool
) -> HttpResponse:
    """The list of a definition file's published versions, newest (the current) first."""
    rows = list(versions)
    return render(
        request,
        template,
        {"versions": rows, "current": rows[0] if rows else None, "can_publish": can_publish},
    )
