"""Administrators' forms: parse input at the boundary; the services validate the change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smertespor.accounts.labels import PERMISSION_LABELS
from smertespor.accounts.models import Organisation, Role, User
from smertespor.accounts.services import GRANTABLE_PERMISSIONS


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        role = obj.get_role_display() or "—"
        return f"{obj.username} · {obj} ({role}, {obj.organisation or '—'})"


class RoleChangeProposalForm(forms.Form):
    target_id = UserChoiceField(
        label=_("User"),
        queryset=User.objects.select_related("organisation").order_by("username"),
    )
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)
    organisation_id = forms.ModelChoiceField(
        label=_("New organisation"), queryset=Organisation.objects.order_by("name")
    )
    permissions = forms.MultipleChoiceField(
        label=_("Task permissions"),
        choices=[(p, PERMISSION_LABELS.get(p, p)) for p in GRANTABLE_PERMISSIONS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, exclude_user: User | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if exclude_user is not None:
            # Nobody proposes a change of their own role.
            field = self.fields["target_id"]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
            field.queryset = (
                User.objects.select_related("organisation")
                .exclude(pk=exclude_user.pk)
                .order_by("username")
            )

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "target_id": data["target_id"].pk,
            "role": data["role"],
            "organisation_id": data["organisation_id"].pk,
            "permissions": data["permissions"],
            "reason": data["reason"],
        }


class RoleChangeDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
