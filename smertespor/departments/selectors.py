"""Reads of hospital contacts: a department's open contacts (its patients) and one contact.
Each patient is loaded or listed through `patients.access`, so every view is audited."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from smertespor.accounts.models import Requester, User
from smertespor.audit.services import AuditAction, record_event
from smertespor.departments.models import HospitalContact
from smertespor.departments.permissions import can_record_hospital_contacts
from smertespor.patients.access import in_scope, patient_for, patient_for_change
from smertespor.patients.models import Patient


class ContactNotFound(Http404):
    pass


def open_contacts_for(user: Requester) -> QuerySet[HospitalContact]:
    """The open contacts of ``user``'s department, newest first (none for anyone else).
    The caller logs the patients it shows (`record_listed`)."""
    if not can_record_hospital_contacts(user) or not isinstance(user, User):
        return HospitalContact.objects.none()
    return (
        HospitalContact.objects.filter(
            in_scope(user, "patient_id"), department_id=user.organisation_id, ended_at__isnull=True
        )
        .select_related("patient", "recorded_by")
        .order_by("-started_on", "-pk")
    )


def open_contacts_of_patient(user: Requester, patient: Patient) -> list[HospitalContact]:
    """The patient's open contacts with ``user``'s department (the caller loaded the patient
    through `patients.access`)."""
    return list(open_contacts_for(user).filter(patient=patient))


def contacts_of_patient(user: Requester, patient: Patient) -> list[HospitalContact]:
    """All of the patient's contacts with ``user``'s department, open and ended, newest first
    (none for anyone else; the caller loaded the patient through `patients.access`)."""
    if not can_record_hospital_contacts(user) or not isinstance(user, User):
        return []
    return list(
        HospitalContact.objects.filter(patient=patient, department_id=user.organisation_id)
        .select_related("department")
        .order_by("-started_on", "-pk")
    )


def contact_for(user: Requester, contact_id: object, *, change: bool = False) -> HospitalContact:
    """One open contact of ``user``'s department, its patient loaded (and the access logged)
    through `patients.access`; anything else is 404, the refused attempt logged."""
    try:
        pk = int(str(contact_id))
    except ValueError:
        pk = None
    contact = open_contacts_for(user).filter(pk=pk).first() if pk is not None else None
    if contact is None:
        target = HospitalContact.objects.filter(pk=pk).only("patient").first() if pk else None
        record_event(
            user=user,
            action=AuditAction.REFUSED,
            object_type="hospital_contact",
            object_id=str(contact_id)[:64],
            patient=target.patient if target is not None else None,
        )
        raise ContactNotFound
    if change:
        contact.patient = patient_for_change(
            user, contact.patient_id, object_type="hospital_contact"
        )
    else:
        contact.patient = patient_for(
            user,
            contact.patient_id,
            object_type="hospital_contact",
            detail={"hospital_contact": contact.pk},
        )
    return contact
