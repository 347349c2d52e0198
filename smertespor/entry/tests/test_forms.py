from django import forms
from django.core.exceptions import ValidationError

from smertespor.entry.forms import INVALID_STATUS, apply_errors, form_status


class DoseForm(forms.Form):
    dose = forms.DecimalField()
    note = forms.CharField(required=False)


def test_field_errors_land_on_their_field_and_the_rest_at_the_top():
    form = DoseForm({"dose": "10"})
    assert form.is_valid()
    apply_errors(form, ValidationError({"dose": "Too high.", "start_date": "In the past."}))
    assert form.errors["dose"] == ["Too high."]
    assert form.non_field_errors() == ["In the past."]


def test_a_renamed_service_argument_lands_on_the_form_s_field():
    form = DoseForm({"dose": "10"})
    form.is_valid()
    apply_errors(form, ValidationError({"dose_mg": "Too high."}), fields={"dose_mg": "dose"})
    assert form.errors["dose"] == ["Too high."]


def test_an_error_without_fields_is_shown_at_the_top():
    form = DoseForm({"dose": "10"})
    form.is_valid()
    apply_errors(form, ValidationError("Nothing was saved."))
    assert form.non_field_errors() == ["Nothing was saved."]


def test_a_refused_form_answers_422_and_an_unsent_or_valid_one_200():
    assert form_status(DoseForm()) == 200
    valid = DoseForm({"dose": "10"})
    assert form_status(valid) == 200
    assert form_status(DoseForm({"dose": "x"})) == INVALID_STATUS == 422
    formset = forms.formset_factory(DoseForm)(
        {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-dose": "x"}
    )
    assert form_status(valid, formset) == 422


def test_a_stale_write_on_a_form_answers_409():
    from smertespor.versions import StaleVersion

    form = DoseForm({"dose": "10"})
    form.is_valid()
    apply_errors(form, StaleVersion())
    assert form_status(form) == 409
