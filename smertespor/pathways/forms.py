"""Forms of the pathway pages: they parse; the services validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domain.pathway import Instrument, Pathway, Stage
from smertespor.accounts.models import Organisation
from smertespor.definition_files import DefinitionFileForm
from smertespor.pathways import labels
from smertespor.pathways.models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH
from smertespor.versions import VersionField


class PublishForm(DefinitionFileForm):
    file_label = gettext_lazy("Pathway file (TOML)")


def _answer_fields(form: forms.Form, instrument: Instrument) -> None:
    for item in instrument.items:
        form.fields[f"item_{item.number}"] = forms.ChoiceField(
            label=f"{item.number}. {labels.item_text(item)}",
            required=False,
            choices=[(a.code, labels.answer_label(a)) for a in item.answers],
            widget=forms.RadioSelect,
        )


def _level_fields(form: forms.Form, pathway: Pathway) -> None:
    form.fields["level"] = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("From the screening"))] + [(lv.code, lv.name) for lv in pathway.levels],
        help_text=_(
            "Leave it to the screening, or choose a level and say why (for instance without "
            "a screening)."
        ),
    )
    form.fields["level_reason"] = forms.CharField(
        label=_("Reason for the level"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LevelMixin:
    instrument: Instrument
    cleaned_data: dict[str, Any]

    def answers(self) -> dict[int, str] | None:
        given = {
            item.number: self.cleaned_data.get(f"item_{item.number}") or ""
            for item in self.instrument.items
        }
        answered = {k: v for k, v in given.items() if v}
        return answered or None

    def item_fields(self) -> list[Any]:
        return [self[f"item_{item.number}"] for item in self.instrument.items]  # type: ignore[index]


class EnrolForm(LevelMixin, forms.Form):
    enrolled_on = forms.DateField(
        label=gettext_lazy("Enrolled on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, pathway: Pathway, instrument: Instrument, **kwargs: Any):
        kwargs.setdefault("initial", {"enrolled_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        _answer_fields(self, instrument)
        _level_fields(self, pathway)


class LevelForm(LevelMixin, forms.Form):
    version = VersionField()

    def __init__(self, *args: Any, pathway: Pathway, instrument: Instrument, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        _answer_fields(self, instrument)
        _level_fields(self, pathway)


class InvolveForm(forms.Form):
    target = forms.ChoiceField(label=gettext_lazy("Stage and organisation"))
    note = forms.CharField(
        label=gettext_lazy("Note to the organisation"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = VersionField()

    def __init__(
        self, *args: Any, targets: list[tuple[Stage, Organisation]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)  # noqa: S101 - declared above
        target.choices = [
            (f"{stage.code}:{org.pk}", f"{stage.name} — {org.name}") for stage, org in targets
        ]

    def chosen_target(self) -> tuple[str, str]:
        stage, _sep, organisation = self.cleaned_data["target"].partition(":")
        return stage, organisation


class StartForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Stage"))
    started_on = forms.DateField(
        label=gettext_lazy("Started on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    plan = forms.CharField(
        label=gettext_lazy("Plan"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, stages: list[Stage], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ChoiceField)  # noqa: S101 - declared above
        stage.choices = [(s.code, s.name) for s in stages]


class PlanForm(forms.Form):
    plan = forms.CharField(
        label=gettext_lazy("Plan"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    version = VersionField()


class EndPartForm(forms.Form):
    ended_on = forms.DateField(
        label=gettext_lazy("Ended on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    outcome = forms.CharField(
        label=gettext_lazy("Outcome and what the GP should know"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    version = VersionField()


class EndEnrolmentForm(forms.Form):
    ended_on = forms.DateField(
        label=gettext_lazy("Ended on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why the pathway ends"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = VersionField()
