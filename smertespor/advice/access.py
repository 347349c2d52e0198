"""The one way to load an advice request: scoped to the user's side, its patient loaded
through `patients.access` (which applies the role rules and writes the audit row).

A request out of scope is indistinguishable from one that does not exist: 404, no data.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from smertespor.accounts.models import Requester, User
from smertespor.advice.models import AdviceRequest
from smertespor.advice.permissions import can_ask_for_advice, can_use_advice, is_advice_clinician
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.rules import require
from smertespor.patients.access import in_scope, patient_for, patient_for_change
from smertespor.patients.models import Patient


class AdviceRequestNotFound(Http404):
    pass


def scoped_requests(user: Requester) -> QuerySet[AdviceRequest]:
    """The requests `user` takes part in: their practice's, or those sent to their clinic."""
    scope = Q(pk__in=[])
    if not isinstance(user, User):
        return AdviceRequest.objects.none()
    if can_ask_for_advice(user):
        scope |= Q(practice_id=user.organisation_id)
    if is_advice_clinician(user):
        scope |= Q(clinic_id=user.organisation_id)
    return AdviceRequest.objects.filter(scope)


def with_patient_visibility(
    user: Requester, requests: QuerySet[AdviceRequest]
) -> QuerySet[AdviceRequest]:
    """Each request with `.patient_visible`: lists show a patient's name only if it is True."""
    # `in_scope` (a hashed semi-join on the scope's ids), not `visible_patients`, whose id
    # array would be searched once per request.
    visible = Patient.objects.filter(in_scope(user), pk=OuterRef("patient_id"))
    return requests.annotate(patient_visible=Exists(visible))


def _to_pk(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def advice_request_for(
    user: Requester,
    request_id: object,
    *,
    change: bool = False,
    object_type: str = "advice_request",
) -> AdviceRequest:
    """Load one request for `user`; its patient (if any) is checked and the access logged.

    With `change=True` the patient is loaded for a change that the service logs itself.
    """
    require(user, can_use_advice, object_type=object_type, object_id=str(request_id)[:64])
    pk = _to_pk(request_id)
    advice_request = (
        scoped_requests(user)
        .filter(pk=pk)
        .select_related("practice", "clinic", "asked_by", "assigned_to", "closed_by")
        .first()
        if pk is not None
        else None
    )
    if advice_request is None:
        target = AdviceRequest.objects.filter(pk=pk).only("patient").first() if pk else None
        record_event(
            user=user,
            action=AuditAction.REFUSED,
            object_type=object_type,
            object_id=str(request_id)[:64],
            patient=target.patient if target is not None and target.patient_id else None,
        )
        raise AdviceRequestNotFound
    if advice_request.patient_id is not None:
        if change:
            patient = patient_for_change(user, advice_request.patient_id, object_type=object_type)
        else:
            patient = patient_for(
                user,
                advice_request.patient_id,
                object_type=object_type,
                detail={"advice_request": advice_request.pk},
            )
        advice_request.patient = patient
    return advice_request
