"""The pain centre's forms. They only parse; the services validate (once) and refuse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domain.outcomes import Instrument
from smertespor.accounts.models import User
from smertespor.centres.labels import item_text
from smertespor.centres.models import MeasureTimepoint, PlannedModule, TeamDiscipline, TeamMember
from smertespor.centres.selectors import module_choices
from smertespor.entry.forms import IntegerField
from smertespor.tracks.forms import DATE_INPUT, DATETIME_INPUT
from smertespor.versions import VersionField


class VersionForm(forms.Form):
    """A form that writes a versioned record carries the version it was opened at."""

    version = VersionField()


class CourseForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals of the course"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the patient and the team want to reach, in the patient's words."),
    )
    planned_start = forms.DateField(label=_("Planned start"), widget=DATE_INPUT)


class StepForm(VersionForm):
    event = forms.ChoiceField(
        choices=[("start", _("Start the course")), ("cancel", _("Cancel the course"))]
    )
    reason = forms.CharField(
        label=_("Reason (for cancelling)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, prefix="step", **kwargs)


class TeamMemberRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Clinician"), queryset=User.objects.none())
    discipline = forms.ChoiceField(label=_("Discipline"), choices=TeamDiscipline.choices)

    FIELDS = {"user_id": "user"}

    def __init__(self, data: Any = None, *, clinicians: QuerySet[User]) -> None:
        super().__init__(data, prefix="team")
        user = self.fields["user"]
        assert isinstance(user, forms.ModelChoiceField)  # noqa: S101 - declared above
        user.queryset = clinicians

    def action_arguments(self) -> dict[str, Any]:
        return {
            "user_id": self.cleaned_data["user"].pk,
            "discipline": self.cleaned_data["discipline"],
        }


class ModuleForm(forms.Form):
    code = forms.ChoiceField(label=_("Module"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="module")
        code = self.fields["code"]
        assert isinstance(code, forms.ChoiceField)  # noqa: S101 - declared above
        code.choices = module_choices()


class TaperPlanForm(forms.Form):
    module_id = IntegerField(widget=forms.HiddenInput, min_value=1)
    taper_plan_id = forms.TypedChoiceField(label=_("Taper plan"), coerce=int)

    def __init__(self, data: Any = None, *, plans: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(data, prefix="taper", **kwargs)
        field = self.fields["taper_plan_id"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = plans


class AppointmentForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Time"), widget=DATETIME_INPUT)
    duration_minutes = IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=480, initial=60
    )
    clinician = forms.ModelChoiceField(label=_("With"), queryset=TeamMember.objects.none())
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=PlannedModule.objects.none(), required=False
    )

    FIELDS = {"clinician_id": "clinician", "module_id": "module"}

    def __init__(
        self,
        data: Any = None,
        *,
        team: QuerySet[TeamMember],
        modules: QuerySet[PlannedModule],
    ) -> None:
        super().__init__(data, prefix="appointment")
        clinician = self.fields["clinician"]
        module = self.fields["module"]
        assert isinstance(clinician, forms.ModelChoiceField)  # noqa: S101 - declared above
        assert isinstance(module, forms.ModelChoiceField)  # noqa: S101 - declared above
        clinician.queryset = team
        module.queryset = modules

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "clinician_id": data["clinician"].user_id,
            "module_id": data["module"].pk if data["module"] else None,
        }


class AppointmentRecordForm(VersionForm):
    outcome = forms.ChoiceField(
        choices=[("attend", _("Attended")), ("cancel", _("Cancelled"))], label=_("Outcome")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class OutcomeForm(forms.Form):
    """One instrument's items at one timepoint."""

    timepoint = forms.ChoiceField(label=_("Timepoint"), choices=MeasureTimepoint.choices)
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE_INPUT)

    def __init__(self, data: Any = None, *, instrument: Instrument, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"measured_on": timezone.localdate()})
        super().__init__(data, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[f"item_{item.code}"] = IntegerField(
                label=item_text(instrument.code, item.code, item.text),
                min_value=item.minimum,
                max_value=item.maximum,
            )

    @property
    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{item.code}"] for item in self.instrument.items]

    @property
    def error_fields(self) -> dict[str, str]:
        """The service's field names (answers.<item>) as this form's."""
        return {f"answers.{item.code}": f"item_{item.code}" for item in self.instrument.items}

    def answers(self) -> dict[str, object]:
        return {item.code: self.cleaned_data[f"item_{item.code}"] for item in self.instrument.items}


class DischargeSummaryForm(VersionForm):
    course_summary = forms.CharField(
        label=_("Course and treatment"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    plan_after = forms.CharField(
        label=_("Plan for after the course: the GP takes over"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the GP follows up, when, and what to do if it goes wrong."),
    )
    municipality_continues = forms.CharField(
        label=_("What the municipality continues"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. training, job centre, rehabilitation."),
    )
    physiotherapy_continues = forms.CharField(
        label=_("What physiotherapy continues"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
