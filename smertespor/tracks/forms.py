"""Course forms: parse input at the boundary; the services and the domain decide what is
valid and say why (their errors are put next to the fields here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domain.catalogue import Catalogue
from domain.scores import default_score_settings
from smertespor.accounts.models import Organisation, User
from smertespor.accounts.selectors import default_pain_clinic, pain_clinics_for
from smertespor.entry.appointment_times import opening_hours
from smertespor.entry.forms import DecimalField, IntegerField, preselect_single
from smertespor.entry.numbers import for_people
from smertespor.medication.forms import MedicationLineForm
from smertespor.medication.models import MedicationLine
from smertespor.medication.regimens import regimen_from_lines
from smertespor.tracks.follow_ups import LineChange, RegimenUpdate
from smertespor.tracks.labels import COWS_ITEM_LABELS
from smertespor.tracks.models import Discipline, GoalKind, Intervention, TeamMember

# The browser's date picker reads and writes ISO dates, whatever the user's language.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# CDC 2022 (MMWR 71(RR-3)): follow up at least monthly while tapering.
DEFAULT_INTERVAL_DAYS = 28
SOWS_ITEMS = 16


def _score(label: Any, *, required: bool = True, maximum: int = 10) -> forms.IntegerField:
    return IntegerField(label=label, required=required, min_value=0, max_value=maximum)


def _omeq(label: Any, help_text: Any = "") -> forms.DecimalField:
    return DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=4,
        localize=True,
        help_text=help_text,
    )


class VersionForm(forms.Form):
    version = IntegerField(widget=forms.HiddenInput, min_value=1)


class CourseForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    baseline_omeq_mg_per_day = _omeq(
        _("Baseline OMEQ (mg/day)"),
        _("Only when the medication list cannot give it; otherwise it is computed from the list."),
    )
    baseline_peg_pain = _score(_("PEG: average pain in the past week (0–10)"))
    baseline_peg_enjoyment = _score(_("PEG: interference with enjoyment of life (0–10)"))
    baseline_peg_activity = _score(_("PEG: interference with general activity (0–10)"))
    baseline_nrs = _score(_("Pain NRS now (0–10)"))
    goal_kind = forms.ChoiceField(
        label=_("Goal agreed with the patient"),
        choices=GoalKind.choices,
        widget=forms.RadioSelect,
    )
    goal_target_mg_per_day = _omeq(
        _("Target OMEQ (mg/day)"), _("For a target goal: below the baseline.")
    )
    follow_up_interval_days = IntegerField(
        label=_("Planned follow-up interval (days)"), min_value=1, max_value=183
    )
    clinic = forms.ModelChoiceField(
        label=_("Supporting pain clinic"), queryset=Organisation.objects.none()
    )
    plan_note = forms.CharField(
        label=_("Plan"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The taper agreed: pace, steps, what to do if withdrawal symptoms appear."),
    )

    # The service's argument names where the form's differ (for `apply_errors`).
    FIELDS = {"clinic_id": "clinic"}

    def __init__(self, data: Any = None, *, user: User) -> None:
        default = default_pain_clinic(user)
        initial: dict[str, Any] = {
            "start_date": timezone.localdate(),
            "follow_up_interval_days": DEFAULT_INTERVAL_DAYS,
            "goal_kind": GoalKind.STOP,
            "clinic": default.pk if default else None,
        }
        super().__init__(data, initial=initial)
        clinic = self.fields["clinic"]
        assert isinstance(clinic, forms.ModelChoiceField)  # noqa: S101 - declared above
        clinic.queryset = pain_clinics_for(user)
        preselect_single(self, "clinic")

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "start_date": data["start_date"],
            "clinic_id": data["clinic"].pk,
            "baseline_peg": (
                data["baseline_peg_pain"],
                data["baseline_peg_enjoyment"],
                data["baseline_peg_activity"],
            ),
            "baseline_nrs": data["baseline_nrs"],
            "goal_kind": data["goal_kind"],
            "goal_target_mg_per_day": data["goal_target_mg_per_day"],
            "follow_up_interval_days": data["follow_up_interval_days"],
            "baseline_omeq_mg_per_day": data["baseline_omeq_mg_per_day"],
            "plan_note": data["plan_note"],
        }


class FollowUpForm(VersionForm):
    visit_on = forms.DateField(label=_("Visit date"), widget=DATE_INPUT)
    omeq_mg_per_day = _omeq(
        _("OMEQ (mg/day)"),
        _("Only when the medication list cannot give it; otherwise it is computed from the list."),
    )
    peg_pain = _score(_("PEG: average pain in the past week (0–10)"), required=False)
    peg_enjoyment = _score(_("PEG: interference with enjoyment of life (0–10)"), required=False)
    peg_activity = _score(_("PEG: interference with general activity (0–10)"), required=False)
    nrs = _score(_("Pain NRS now (0–10)"), required=False)
    sows_total = _score(_("SOWS total (0–64), patient-rated"), required=False, maximum=64)
    cows_total = _score(_("COWS total (0–48), clinician-rated"), required=False, maximum=48)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_visit_on = forms.DateField(label=_("Next visit"), required=False, widget=DATE_INPUT)

    def __init__(self, data: Any = None, *, with_cows: bool, version: int) -> None:
        super().__init__(data, initial={"visit_on": timezone.localdate(), "version": version})
        for number in range(1, SOWS_ITEMS + 1):
            self.fields[f"sows_{number}"] = IntegerField(
                label=_("SOWS item %(number)s") % {"number": number},
                required=False,
                min_value=0,
                max_value=4,
            )
        self.with_cows = with_cows
        if with_cows:
            for item, values in default_score_settings().cows.item_values:
                self.fields[f"cows_{item}"] = forms.TypedChoiceField(
                    label=COWS_ITEM_LABELS.get(item, item),
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[("", "—"), *((v, str(v)) for v in values)],
                )
        else:
            del self.fields["cows_total"]

    def sows_item_fields(self) -> list[forms.BoundField]:
        return [self[f"sows_{n}"] for n in range(1, SOWS_ITEMS + 1)]

    def cows_item_fields(self) -> list[forms.BoundField]:
        return [
            self[name] for name in self.fields if name.startswith("cows_") and name != "cows_total"
        ]

    def _items(self, prefix: str, names: list[str]) -> list[int] | None:
        values = [self.cleaned_data.get(f"{prefix}{name}") for name in names]
        if all(v is None for v in values):
            return None
        if any(v is None for v in values):
            self.add_error(
                f"{prefix.rstrip('_')}_total", _("Give every item of the scale, or only the total.")
            )
            return None
        return [int(v) for v in values if v is not None]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The three items make one score: parse them as one value, or none.
        peg = [data.get("peg_pain"), data.get("peg_enjoyment"), data.get("peg_activity")]
        if any(v is not None for v in peg) and any(v is None for v in peg):
            self.add_error("peg_pain", _("Give all three PEG items, or none."))
        return data

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        peg = (data["peg_pain"], data["peg_enjoyment"], data["peg_activity"])
        arguments: dict[str, Any] = {
            "version": data["version"],
            "visit_on": data["visit_on"],
            "omeq_mg_per_day": data["omeq_mg_per_day"],
            "peg": None if peg[0] is None else peg,
            "nrs": data["nrs"],
            "sows_total": data["sows_total"],
            "sows_items": self._items("sows_", [str(n) for n in range(1, SOWS_ITEMS + 1)]),
            "note": data["note"],
            "next_visit_on": data["next_visit_on"],
        }
        if self.with_cows:
            items = [item for item, _values in default_score_settings().cows.item_values]
            arguments["cows_total"] = data["cows_total"]
            arguments["cows_items"] = self._items("cows_", items)
        return arguments


class LineDoseForm(forms.Form):
    """A current medication line's dose as taken now (prefix: the line's id)."""

    units_per_dose = DecimalField(
        label=_("Units per dose"), min_value=0, max_digits=8, localize=True
    )
    doses_per_day = DecimalField(
        label=_("Doses per day"), required=False, min_value=0, max_digits=7, localize=True
    )
    max_doses_per_day = DecimalField(
        label=_("Maximum doses per day"), required=False, min_value=0, max_digits=7, localize=True
    )
    stopped = forms.BooleanField(label=_("Stopped"), required=False)

    def __init__(self, data: Any = None, *, line: MedicationLine, mapped: Any) -> None:
        initial = {
            "units_per_dose": for_people(line.units_per_dose),
            "doses_per_day": for_people(line.doses_per_day) or None,
            "max_doses_per_day": for_people(line.max_doses_per_day) or None,
        }
        super().__init__(data, initial=initial, prefix=f"line-{line.pk}")
        self.line = line
        self.mapped = mapped


class NewLineForm(MedicationLineForm):
    """An optional new line (e.g. a drug started since the last visit)."""

    add = forms.BooleanField(label=_("Add a line started since the last visit"), required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, prefix="new", **kwargs)
        if not self._is_adding():
            for name, field in self.fields.items():
                if name != "add":
                    field.required = False
        del self.fields["start_date"]

    def _is_adding(self) -> bool:
        return self.is_bound and self.data.get(self.add_prefix("add")) in {"on", "true", "1"}

    def service_arguments(self) -> dict[str, Any]:
        arguments = super().service_arguments()
        arguments.pop("add", None)
        arguments.pop("start_date", None)
        return arguments


class HandoverLetterFields(forms.Form):
    """The handover letter's fields, on the letter's page and wherever a GP hands over."""

    gp_comment = forms.CharField(
        label=_("Your comment to the clinic"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_duration = forms.CharField(
        label=_("Expected duration of the treatment"), required=False, max_length=200
    )
    planned_follow_up = forms.CharField(
        label=_("Planned follow-up"), required=False, max_length=500
    )


class DecisionForm(VersionForm, HandoverLetterFields):
    event = forms.CharField(widget=forms.HiddenInput, max_length=32)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class HandoverLetterForm(VersionForm, HandoverLetterFields):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gp_comment"].widget.attrs["rows"] = 4  # the letter's own page: more room


class NeedsAssessmentForm(VersionForm):
    disciplines = forms.MultipleChoiceField(
        label=_("Disciplines involved"),
        choices=Discipline.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    interventions = forms.MultipleChoiceField(
        label=_("Interventions"),
        choices=Intervention.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label=_("Assessment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Clinician"), queryset=User.objects.none())
    discipline = forms.ChoiceField(label=_("Discipline"), choices=Discipline.choices)

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


class AppointmentForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Time"), widget=DATETIME_INPUT)
    duration_minutes = IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=480, initial=45
    )
    discipline = forms.ChoiceField(label=_("Discipline"), choices=Discipline.choices)
    clinician = forms.ModelChoiceField(
        label=_("With"), queryset=TeamMember.objects.none(), required=False
    )
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=200)

    FIELDS = {"clinician_id": "clinician"}

    def __init__(self, data: Any = None, *, team: QuerySet[TeamMember]) -> None:
        super().__init__(data, prefix="appointment")
        hours = opening_hours()
        self.fields["starts_at"].help_text = _(
            "Weekdays from %(opens)s to %(closes)s (not on public holidays)."
        ) % {"opens": hours.opens.strftime("%H:%M"), "closes": hours.closes.strftime("%H:%M")}
        clinician = self.fields["clinician"]
        assert isinstance(clinician, forms.ModelChoiceField)  # noqa: S101 - declared above
        clinician.queryset = team

    def action_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        member = data.pop("clinician")
        data["clinician_id"] = member.user_id if member else None
        return data


class AppointmentCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=500)


class TeamMemberRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class PlanForm(VersionForm):
    plan_note = forms.CharField(
        label=_("Course plan"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Goals, what each discipline does, and how the taper is supervised."),
    )


class DischargeSummaryForm(VersionForm):
    summary = forms.CharField(
        label=_("Course and treatment"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )
    medication_at_discharge = forms.CharField(
        label=_("Note on the medication"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the lines above do not say, e.g. how to go on tapering. The doses themselves "
            "are changed on the lines."
        ),
    )
    omeq_mg_per_day = _omeq(
        _("OMEQ at discharge (mg/day)"),
        _("Only when the medication list cannot give it; otherwise it is computed from the list."),
    )
    recommendations = forms.CharField(
        label=_("Recommendations for the GP's follow-up"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DischargeNewLineForm(NewLineForm):
    """A line the clinic starts at discharge."""

    add = forms.BooleanField(label=_("Start a new line at discharge"), required=False)


class DischargeMedicationForms:
    """The medication at discharge: each current line of the list, prefilled (keep it, change
    its dose or mark it stopped), and an optional new line, read as the same `RegimenUpdate`
    a follow-up visit makes, so the medication services change the list either way."""

    def __init__(
        self, data: Any = None, *, lines: Sequence[MedicationLine], catalogue: Catalogue
    ) -> None:
        mapped = {m.line.pk: m for m in regimen_from_lines(lines, catalogue).lines}
        self.line_forms = [
            LineDoseForm(data, line=line, mapped=mapped.get(line.pk)) for line in lines
        ]
        self.new_line = DischargeNewLineForm(data, catalogue=catalogue)

    @property
    def is_adding(self) -> bool:
        return self.new_line._is_adding()

    def is_valid(self) -> bool:
        """Every form is checked, so each shows its own errors."""
        checked = [form.is_valid() for form in self.line_forms]
        if self.is_adding:
            checked.append(self.new_line.is_valid())
        return all(checked)

    def forms(self) -> list[forms.Form]:
        """The forms whose errors count for the page's status."""
        return [*self.line_forms, *([self.new_line] if self.is_adding else [])]

    def regimen(self) -> RegimenUpdate:
        changes, stopped = [], []
        for form in self.line_forms:
            data = form.cleaned_data
            if data.get("stopped"):
                stopped.append(form.line.pk)
                continue
            changes.append(
                LineChange(
                    line_id=form.line.pk,
                    units_per_dose=data["units_per_dose"],
                    doses_per_day=data.get("doses_per_day"),
                    max_doses_per_day=data.get("max_doses_per_day"),
                )
            )
        added = (self.new_line.service_arguments(),) if self.is_adding else ()
        return RegimenUpdate(changes=tuple(changes), stopped=tuple(stopped), added=added)


class ConfirmProposalForm(VersionForm, HandoverLetterFields):
    """The GP hands the patient over as the 3-month rule proposed, with the letter."""

    prefix = "confirm"
    note = forms.CharField(
        label=_("Why hand over now? (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DismissProposalForm(VersionForm):
    """The GP keeps the course in the practice track; the reason is required (the service
    says so)."""

    prefix = "dismiss"
    reason = forms.CharField(
        label=_("Why keep the course in the practice track?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
