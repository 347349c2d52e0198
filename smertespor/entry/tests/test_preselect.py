"""A choice of organisation with one option is chosen already (no "---------" to pick)."""

from typing import cast

import pytest
from django import forms

from smertespor.accounts.models import Organisation
from smertespor.entry.forms import preselect_single

pytestmark = pytest.mark.django_db


class _ClinicForm(forms.Form):
    clinic = forms.ModelChoiceField(queryset=Organisation.objects.none())

    def __init__(self, *args, clinics, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["clinic"]).queryset = clinics
        preselect_single(self, "clinic")


def test_the_only_clinic_is_chosen_already(clinic):
    form = _ClinicForm(clinics=Organisation.objects.filter(pk=clinic.pk))
    assert cast(forms.ModelChoiceField, form.fields["clinic"]).empty_label is None
    assert form["clinic"].value() == clinic.pk
    assert "---------" not in str(form["clinic"])


def test_two_clinics_leave_the_choice_open(clinic, practice):
    form = _ClinicForm(clinics=Organisation.objects.filter(pk__in=[clinic.pk, practice.pk]))
    assert cast(forms.ModelChoiceField, form.fields["clinic"]).empty_label == "---------"
    assert form["clinic"].value() is None


def test_a_posted_choice_is_kept(clinic):
    form = _ClinicForm({"clinic": ""}, clinics=Organisation.objects.filter(pk=clinic.pk))
    assert not form.is_valid()  # nothing chosen is still refused, never guessed on a POST
