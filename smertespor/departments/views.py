"""Hospital-contact pages: the department's patients, recording a contact, ending one.
Thin: parse with a form, call the action, render; a refused form answers 422 like the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smertespor.accounts.requests import SignedInRequest
from smertespor.audit.services import record_listed
from smertespor.departments import actions
from smertespor.departments.forms import ContactForm, EndContactForm
from smertespor.departments.permissions import can_record_hospital_contacts
from smertespor.departments.selectors import contact_for, open_contacts_for
from smertespor.departments.services import RECORDED
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import requires
from smertespor.patients.services import RegistrationLimitReached
from smertespor.versions import StaleVersion, stale_form

LIST_LIMIT = 500


@login_required
@requires(can_record_hospital_contacts)
@require_GET
def contact_list(request: SignedInRequest) -> HttpResponse:
    """The department's open contacts: the patients in its care now."""
    contacts = list(open_contacts_for(request.user)[:LIST_LIMIT])
    record_listed(
        user=request.user,
        patients=[contact.patient_id for contact in contacts],
        object_type="hospital_contacts",
    )
    return render(request, "departments/contacts.html", {"contacts": contacts})


@login_required
@requires(can_record_hospital_contacts)
@require_http_methods(["GET", "POST"])
@performs(actions.record_hospital_contact)
def contact_create(request: SignedInRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_hospital_contact(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except RegistrationLimitReached as error:
            form.add_error(None, str(error))
            status = 429
        else:
            # The same answer whether or not a patient matched (docs/security.md).
            messages.info(request, str(RECORDED))
            return redirect("departments:contacts")
    return render(
        request,
        "departments/contact_create.html",
        {"form": form},
        status=status or form_status(form),
    )


@login_required
@requires(can_record_hospital_contacts)
@require_http_methods(["GET", "POST"])
@performs(actions.end_hospital_contact)
def contact_end(request: SignedInRequest, contact_id: int) -> HttpResponse:
    contact = contact_for(request.user, contact_id, change=request.method == "POST")
    form = EndContactForm(request.POST or None, initial=EndContactForm.initial_for(contact))
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_hospital_contact(
                user=request.user,
                contact_id=contact.pk,
                ended_on=form.cleaned_data["ended_on"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            contact.refresh_from_db()
            stale_form(form, EndContactForm.initial_for(contact), error, version=contact.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The contact has ended; the patient is no longer in your department's care."),
            )
            return redirect("departments:contacts")
    return render(
        request,
        "departments/contact_end.html",
        {"contact": contact, "form": form},
        status=form_status(form),
    )
