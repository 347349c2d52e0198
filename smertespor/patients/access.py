"""The only way to load patient data. It applies the role rules and writes the audit row.

GP practice staff see patients listed at their practice; anyone else clinical sees patients
with an open care relation to their organisation (and so do practice staff for patients
they treat but who are listed elsewhere); planners and administrators see none. A patient
out of scope is indistinguishable from one that does not exist: 404, no patient data.
"""

import uuid
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from smertespor.accounts.models import Requester, User
from smertespor.accounts.permissions import can_see_patient_data, is_practice_staff
from smertespor.audit.services import AuditAction, record_event
from smertespor.patients.models import CareRelation, Patient


class PatientNotFound(Http404):
    pass


def visible_patients(user: Requester) -> QuerySet[Patient]:
    """The patients ``user`` may see. Not audited: callers log the search or view they do."""
    organisation_id = user.organisation_id if isinstance(user, User) else None
    if organisation_id is None or not can_see_patient_data(user):
        return Patient.objects.none()
    open_relation = CareRelation.objects.filter(
        patient=OuterRef("pk"), organisation_id=organisation_id, closed_at__isnull=True
    )
    scope = Q(Exists(open_relation))
    if is_practice_staff(user):
        scope |= Q(listed_practice_id=organisation_id)
    return Patient.objects.filter(scope)


def _scoped_patient(
    user: Requester, patient_id: object, *, action: str, object_type: str
) -> Patient:
    try:
        pk = patient_id if isinstance(patient_id, uuid.UUID) else uuid.UUID(str(patient_id))
    except ValueError:
        pk = None
    patient = visible_patients(user).filter(pk=pk).first() if pk else None
    if patient is None:
        # Refused attempts name the patient (if one exists) so the record's access log shows them.
        target = Patient.objects.filter(pk=pk).only("pk").first() if pk else None
        record_event(
            user=user,
            action=AuditAction.REFUSED,
            object_type=object_type,
            object_id=str(patient_id)[:64],
            patient=target,
            detail={"attempted": str(action)},
        )
        raise PatientNotFound
    return patient


def patient_for(
    user: Requester,
    patient_id: object,
    *,
    action: str = AuditAction.VIEW,
    object_type: str = "patient",
    detail: dict[str, Any] | None = None,
) -> Patient:
    """Load one patient for ``user``, logging the access (or the refused attempt)."""
    patient = _scoped_patient(user, patient_id, action=action, object_type=object_type)
    record_event(
        user=user,
        action=action,
        object_type=object_type,
        object_id=str(patient.pk),
        patient=patient,
        detail=detail,
    )
    return patient


def patient_for_change(
    user: Requester, patient_id: object, *, object_type: str = "patient"
) -> Patient:
    """Load a patient that a service is about to change.

    A refused attempt is logged here; the change itself is logged by the service (with what
    changed), so one submitted change writes one row.
    """
    return _scoped_patient(user, patient_id, action=AuditAction.UPDATE, object_type=object_type)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def patient_for_request(
    request: HttpRequest,
    patient_id: object,
    *,
    object_type: str = "patient",
    detail: dict[str, Any] | None = None,
) -> Patient:
    """The patient of a view that shows a page on GET and changes the record on POST.

    A GET is a view (audited here); a POST is a change, audited by the service with what
    changed, so one submitted change writes one row.
    """
    if request.method in SAFE_METHODS:
        return patient_for(request.user, patient_id, object_type=object_type, detail=detail)
    return patient_for_change(request.user, patient_id, object_type=object_type)
