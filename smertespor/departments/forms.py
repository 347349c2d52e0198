"""Hospital-contact forms: parse input at the boundary; the service validates the contact."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smertespor.departments.models import REASON_MAX_LENGTH, HospitalContact
from smertespor.versions import VersionField


class ContactForm(forms.Form):
    cpr = forms.CharField(
        label=_("CPR number"),
        max_length=11,
        help_text=_("DDMMYY-SSSS."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("The patient's full name, as registered at their practice."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of contact"),
        choices=HospitalContact.Kind.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for the contact"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. admitted with low back pain and sciatica; opioid treatment."),
    )
    started_on = forms.DateField(
        label=_("Started"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        help_text=_("Leave empty for today."),
    )


class EndContactForm(forms.Form):
    ended_on = forms.DateField(
        label=_("Ended"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        help_text=_("Leave empty for today."),
    )
    version = VersionField()

    @staticmethod
    def initial_for(contact: HospitalContact) -> dict[str, object]:
        return {"ended_on": timezone.localdate(), "version": contact.version}
