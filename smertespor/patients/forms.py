"""Patient forms: parse input at the boundary; the services validate the record."""

from django import forms
from django.utils.translation import gettext_lazy as _

from smertespor.patients.models import Patient
from smertespor.patients.services import EDITABLE_FIELDS, valid_cpr
from smertespor.versions import VersionField


class PatientDetailsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)


class PatientEditForm(PatientDetailsForm):
    version = VersionField()

    @staticmethod
    def initial_for(patient: Patient) -> dict[str, object]:
        return {
            **{field: getattr(patient, field) for field in EDITABLE_FIELDS},
            "version": patient.version,
        }

    def changes(self) -> dict[str, str]:
        return {field: self.cleaned_data[field] for field in EDITABLE_FIELDS}


class PatientCreateForm(PatientDetailsForm):
    cpr = forms.CharField(
        label=_("CPR number"),
        max_length=11,
        help_text=_("DDMMYY-SSSS. Birth date and sex are read from the number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    field_order = ["cpr", *EDITABLE_FIELDS]

    def clean_cpr(self) -> str:
        # The service's own check (one rule), run here too so a bad CPR is shown together
        # with the form's other errors rather than after they are fixed.
        return valid_cpr(self.cleaned_data["cpr"]).number


class PatientSearchForm(forms.Form):
    query = forms.CharField(
        label=_("Search by name or CPR number"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )


class RegistrationDecisionForm(forms.Form):
    """One decision on a registration request: a short reason and the version read."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the request; not shown to the requesting practice."),
    )
    version = VersionField()
