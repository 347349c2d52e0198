"""Referral forms: they parse the pages' input (types, lengths, the offered choices); the
rules are the services' (`referrals.services`), whose errors the views put back on the
form. The criteria fields come from the newest published criteria version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from domain.referral_criteria import Answer, CriterionKind
from smertespor.accounts.models import Organisation, Requester
from smertespor.advice.forms import _attachments_field
from smertespor.entry.appointment_times import opening_hours
from smertespor.entry.forms import preselect_single
from smertespor.referrals.models import (
    MESSAGE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Priority,
    Referral,
    RejectionReason,
    WorkStatus,
)
from smertespor.referrals.selectors import current_criteria, referral_recipients
from smertespor.versions import VersionField

ANSWER_CHOICES = [
    (Answer.UNKNOWN.value, _("Unknown")),
    (Answer.YES.value, _("Yes")),
    (Answer.NO.value, _("No")),
]
SHORT_TEXTS = {"contact": 200, "diagnosis_text": 200, "interpreter_language": 100}


def _area(label: Any, help_text: Any = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReferralForm(forms.Form):
    """The referral: the guidance's content, what the centres ask for, and the criteria."""

    recipient = forms.ModelChoiceField(label=_("To"), queryset=Organisation.objects.none())
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.ROUTINE
    )
    contact = forms.CharField(
        label=_("Contact"),
        required=False,
        max_length=200,
        help_text=_("How to reach the patient, or a relative the centre may contact."),
    )
    diagnosis_code = forms.CharField(
        label=_("Diagnosis (ICD-10)"), required=False, max_length=10, help_text=_("E.g. DM545.")
    )
    diagnosis_text = forms.CharField(label=_("Diagnosis"), required=False, max_length=200)
    comorbidity = _area(_("Comorbidity"))
    history = _area(_("History and findings"), rows=6)
    question = _area(_("Question to the centre"), _("What do you want the centre to do?"))
    results = _area(_("Results of tests"), _("Blood tests, imaging, specialist assessments."))
    interpreter_language = forms.CharField(
        label=_("Interpreter needed (language)"),
        required=False,
        max_length=100,
        help_text=_("Leave empty if no interpreter is needed."),
    )
    special_needs = _area(_("Special needs"), _("Hearing, sight, mobility, cognition."))
    pain_since = forms.DateField(
        label=_("Pain since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When the pain began (the duration criterion is judged from it)."),
    )
    function_and_work = _area(_("Function and work"))
    work_status = forms.ChoiceField(
        label=_("Work status"),
        required=False,
        choices=[("", "—"), *WorkStatus.choices],
    )
    social_situation = _area(_("Social situation"))
    earlier_treatment = _area(_("Earlier treatment"))
    earlier_centre_courses = _area(_("Earlier pain-centre courses"))
    patient_expectations = _area(_("The patient's expectations"))
    gp_expectations = _area(_("Your expectations"))

    def __init__(
        self, *args: Any, user: Requester, referral: Referral | None = None, **kwargs: Any
    ) -> None:
        if referral is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = initial_for(referral)
        super().__init__(*args, **kwargs)
        recipient = self.fields["recipient"]
        assert isinstance(recipient, forms.ModelChoiceField)  # noqa: S101 - declared above
        recipient.queryset = referral_recipients(user)
        preselect_single(self, "recipient")
        if referral is not None:
            self.fields["version"] = VersionField()
        language = get_language() or "da"
        self.criteria_fields: list[dict[str, Any]] = []
        self.criteria_set = current_criteria()
        for criterion in self.criteria_set.criteria:
            if not criterion.is_answered_by_referrer:
                continue
            names = []
            if criterion.kind == CriterionKind.ANSWER:
                name = f"crit_{criterion.code}"
                self.fields[name] = forms.ChoiceField(
                    label=criterion.text(language), choices=ANSWER_CHOICES, required=False
                )
                names.append(name)
            else:
                for option in criterion.options:
                    name = f"crit_{criterion.code}__{option.code}"
                    self.fields[name] = forms.ChoiceField(
                        label=option.text(language), choices=ANSWER_CHOICES, required=False
                    )
                    names.append(name)
            evidence = f"crit_{criterion.code}__evidence"
            self.fields[evidence] = forms.CharField(
                label=_("Evidence"), required=False, max_length=1000
            )
            names.append(evidence)
            self.criteria_fields.append(
                {"title": criterion.text(language), "code": criterion.code, "names": names}
            )
        self.fields["attachments"] = _attachments_field()

    def content_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("crit_")]

    def criteria_groups(self) -> list[dict[str, Any]]:
        return [
            {"title": group["title"], "fields": [self[name] for name in group["names"]]}
            for group in self.criteria_fields
        ]

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        content = {
            name: data.get(name) or ""
            for name in (
                "priority",
                "contact",
                "diagnosis_code",
                "diagnosis_text",
                "comorbidity",
                "history",
                "question",
                "results",
                "interpreter_language",
                "special_needs",
                "function_and_work",
                "work_status",
                "social_situation",
                "earlier_treatment",
                "earlier_centre_courses",
                "patient_expectations",
                "gp_expectations",
            )
        }
        content["pain_since"] = data.get("pain_since")
        return content

    def criteria(self) -> dict[str, Any]:
        data = self.cleaned_data
        answers: dict[str, Any] = {}
        for criterion in self.criteria_set.criteria:
            if not criterion.is_answered_by_referrer:
                continue
            entry: dict[str, Any] = {
                "evidence": data.get(f"crit_{criterion.code}__evidence") or "",
                "options": {},
            }
            if criterion.kind == CriterionKind.ANSWER:
                entry["answer"] = data.get(f"crit_{criterion.code}") or Answer.UNKNOWN.value
            else:
                for option in criterion.options:
                    value = data.get(f"crit_{criterion.code}__{option.code}")
                    if value and value != Answer.UNKNOWN.value:
                        entry["options"][option.code] = value
            answers[criterion.code] = entry
        return answers


def initial_for(referral: Referral) -> dict[str, Any]:
    """The form's values for a stored draft."""
    initial: dict[str, Any] = {
        "recipient": referral.recipient_id,
        "version": referral.version,
        "pain_since": referral.pain_since,
    }
    for name in ReferralForm.base_fields:
        if name not in {"recipient", "pain_since"}:
            initial[name] = getattr(referral, name, "")
    for code, given in (referral.criteria_answers or {}).items():
        initial[f"crit_{code}"] = given.get("answer", Answer.UNKNOWN.value)
        initial[f"crit_{code}__evidence"] = given.get("evidence", "")
        for option, answer in (given.get("options") or {}).items():
            initial[f"crit_{code}__{option}"] = answer
    return initial


class SendForm(forms.Form):
    version = VersionField()
    exception_reason = forms.CharField(
        label=_("Why refer although criteria are missing"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when a criterion is not met or unknown; the centre sees it."),
    )


class MessageForm(forms.Form):
    version = VersionField()
    body = forms.CharField(
        label=_("Message"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()


class VersionOnlyForm(forms.Form):
    version = VersionField()


class ReasonForm(forms.Form):
    version = VersionField()
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class InformationForm(forms.Form):
    version = VersionField()
    question = forms.CharField(
        label=_("What do you need from the GP?"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptForm(forms.Form):
    version = VersionField()
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    expected_wait_weeks = forms.IntegerField(
        label=_("Expected waiting time (weeks)"), min_value=0, max_value=104
    )
    note = forms.CharField(
        label=_("Note to the GP"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    version = VersionField()
    rejection_reason = forms.ChoiceField(label=_("Reason"), choices=RejectionReason.choices)
    advice_to_gp = forms.CharField(
        label=_("Advice to the GP"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ForwardForm(forms.Form):
    version = VersionField()
    forward_to = forms.ModelChoiceField(label=_("Forward to"), queryset=Organisation.objects.none())
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["forward_to"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = referral_recipients(referral.referred_by).exclude(pk=referral.recipient_id)
        preselect_single(self, "forward_to")


class AppointmentForm(forms.Form):
    version = VersionField()
    appointment_at = forms.DateTimeField(
        label=_("First appointment"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = opening_hours()
        self.fields["appointment_at"].help_text = "{} {}".format(
            _("Weekdays from %(opens)s to %(closes)s (not on public holidays).")
            % {"opens": hours.opens.strftime("%H:%M"), "closes": hours.closes.strftime("%H:%M")},
            _("A first consultation is reckoned as one hour."),
        )
