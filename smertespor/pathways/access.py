"""The one way to load an enrolment: through its patient (`patients.access`, which applies
the role rules and writes the audit row), then the patient's enrolment (else 404)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from smertespor.accounts.models import Requester
from smertespor.pathways.models import Enrolment
from smertespor.pathways.selectors import current_enrolment, latest_enrolment
from smertespor.patients.access import patient_for, patient_for_change, patient_for_request
from smertespor.patients.models import Patient


class EnrolmentNotFound(Http404):
    pass


def _active(patient: Patient) -> Enrolment:
    enrolment = current_enrolment(patient)
    if enrolment is None:
        raise EnrolmentNotFound
    return enrolment


def enrolment_for(user: Requester, patient_id: Any) -> Enrolment:
    """The patient's enrolment (active, else the latest) to read; the view is audited."""
    patient = patient_for(user, patient_id, object_type="pathway_enrolment")
    enrolment = latest_enrolment(patient)
    if enrolment is None:
        raise EnrolmentNotFound
    return enrolment


def enrolment_for_change(user: Requester, patient_id: Any) -> Enrolment:
    """The patient's active enrolment, which a service is about to change."""
    return _active(patient_for_change(user, patient_id, object_type="pathway_enrolment"))


def enrolment_for_request(request: HttpRequest, patient_id: Any) -> Enrolment:
    """For a page: read on GET (audited here), for change on POST."""
    return _active(patient_for_request(request, patient_id, object_type="pathway_enrolment"))
