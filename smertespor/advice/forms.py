"""Advice forms: they parse the pages' input (types, lengths, the offered choices); the rules
are the services' (`advice.services`), whose errors the views put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from smertespor.accounts.models import Organisation, Requester, User
from smertespor.accounts.selectors import pain_clinics_for
from smertespor.advice.categories import CATEGORY_CHOICES
from smertespor.advice.models import (
    ARTICLE_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    AdviceMessage,
    Outcome,
    Urgency,
)
from smertespor.advice.permissions import ASKING_KINDS, ASKING_ROLES
from smertespor.entry.numbers import size_for_people as filesizeformat
from smertespor.versions import VersionField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; the content checks are `advice.attachments`'."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _attachment_help() -> str:
    return str(
        _("PDF or images (PNG, JPEG) only, at most %(count)s files and %(size)s in total.")
        % {
            "count": settings.ADVICE_ATTACHMENT_MAX_FILES,
            "size": filesizeformat(settings.ADVICE_ATTACHMENT_MAX_BYTES),
        }
    )


def _attachments_field() -> MultipleFileField:
    return MultipleFileField(label=_("Attachments"), required=False, help_text=_attachment_help())


class AskForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX_LENGTH,
        help_text=_("A short heading, without the patient's name or CPR number."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        help_text=_("Urgent questions are answered within one working day, routine within three."),
    )
    question = forms.CharField(
        label=_("Your question"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What do you want advice on? What have you tried?"),
    )
    clinic = forms.ModelChoiceField(
        label=_("Pain clinic"), queryset=Organisation.objects.none(), required=False
    )
    about_course = forms.BooleanField(
        label=_("The question is about the patient's course"),
        required=False,
        help_text=_("The course's status and plan go with the question."),
    )

    def __init__(self, *args: Any, user: Requester, course: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()
        clinic = self.fields["clinic"]
        assert isinstance(clinic, forms.ModelChoiceField)  # noqa: S101 - declared above
        clinic.queryset = pain_clinics_for(user)
        if clinic.queryset.count() <= 1:
            clinic.widget = forms.HiddenInput()
        if course is None:
            del self.fields["about_course"]
        else:
            self.fields["about_course"].initial = True


class ReplyForm(forms.Form):
    version = VersionField()
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    kind = forms.ChoiceField(
        label=_("This message is"),
        choices=[
            (AdviceMessage.Kind.ANSWER, _("Advice (answers the question)")),
            (AdviceMessage.Kind.CLARIFICATION, _("A question to the GP (more information needed)")),
        ],
        initial=AdviceMessage.Kind.ANSWER,
        required=False,
    )
    by_telephone = forms.BooleanField(
        label=_("Given by telephone"),
        required=False,
        help_text=_("Record here advice you gave on the phone, so all advice is counted."),
    )

    def __init__(self, *args: Any, side: str = "practice", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()
        if side != "clinic":
            del self.fields["kind"]
            del self.fields["by_telephone"]


class UserChoiceField(forms.ModelChoiceField):
    """A user by name (the username for a user without one)."""

    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class CallerChoiceField(forms.ModelChoiceField):
    """A caller by name and practice."""

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.organisation})"


class AssignForm(forms.Form):
    version = VersionField()
    # Empty takes the request yourself, as in the API.
    assigned_to = UserChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Myself"),
    )

    def __init__(self, *args: Any, colleagues: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, UserChoiceField)  # noqa: S101 - declared above
        field.queryset = colleagues if colleagues is not None else User.objects.none()


class CloseForm(forms.Form):
    version = VersionField()
    outcome = forms.ChoiceField(
        label=_("What happens now?"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        help_text=_("One question, so the region can see how often advice replaced a referral."),
    )
    outcome_note = forms.CharField(
        label=_("Note (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TelephoneForm(forms.Form):
    practice = forms.ModelChoiceField(
        label=_("General practice or hospital department"),
        queryset=Organisation.objects.filter(kind__in=ASKING_KINDS).order_by("kind", "name"),
    )
    asked_by = CallerChoiceField(
        label=_("Caller (optional)"),
        queryset=User.objects.filter(
            is_active=True,
            role__in=ASKING_ROLES,
            organisation__kind__in=ASKING_KINDS,
        ).order_by("organisation__name", "first_name", "last_name"),
        required=False,
        help_text=_("The caller gets a notification and can close the request."),
    )
    called_at = forms.DateTimeField(
        label=_("Time of the call"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH)
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    question = forms.CharField(
        label=_("The question"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Without patient data: a question about a patient belongs in a request."),
    )
    advice = forms.CharField(
        label=_("The advice given"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ArticleForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=SUBJECT_MAX_LENGTH,
        help_text=_("The general question the article answers."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES)
    body = forms.CharField(
        label=_("Text"),
        max_length=ARTICLE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Write a new text for all GPs from the advice given. Never copy the patient's data: "
            "no names, CPR numbers or dates."
        ),
    )


class ArticleEditForm(ArticleForm):
    version = VersionField()

    @staticmethod
    def initial_for(article: Any) -> dict[str, Any]:
        return {
            "title": article.title,
            "body": article.body,
            "category": article.category,
            "version": article.version,
        }

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("title", "body", "category")}


class SubmitArticleForm(forms.Form):
    warnings_checked = forms.BooleanField(
        label=_("I have checked every warning: none identifies a patient."), required=False
    )
    version = VersionField()


class ApproveArticleForm(forms.Form):
    version = VersionField()


class ArticleSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *CATEGORY_CHOICES], required=False
    )
