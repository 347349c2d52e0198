"""The one way to load a referral: scoped to the user's side (the referring practice, or the
organisation it is sent to now), its patient loaded through `patients.access` (which applies
the role rules and writes the audit row). Out of scope is a 404 with no data."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from smertespor.accounts.models import Requester, User
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.rules import require
from smertespor.patients.access import in_scope, patient_for, patient_for_change
from smertespor.patients.models import Patient
from smertespor.referrals.models import Referral, Status
from smertespor.referrals.permissions import (
    can_use_referrals,
    is_recipient_staff,
    is_referring_practice_staff,
)


class ReferralNotFound(Http404):
    pass


def scoped_referrals(user: Requester) -> QuerySet[Referral]:
    """The practice's referrals, or those sent to the user's centre (never its drafts)."""
    if not isinstance(user, User):
        return Referral.objects.none()
    scope = Q(pk__in=[])
    if is_referring_practice_staff(user):
        scope |= Q(practice_id=user.organisation_id)
    if is_recipient_staff(user):
        scope |= Q(recipient_id=user.organisation_id) & ~Q(status=Status.DRAFT)
    return Referral.objects.filter(scope)


def with_patient_visibility(user: Requester, referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Each referral with `.patient_visible`: lists show a name only when it is True."""
    visible = Patient.objects.filter(in_scope(user), pk=OuterRef("patient_id"))
    return referrals.annotate(patient_visible=Exists(visible))


def _to_pk(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def referral_for(user: Requester, referral_id: object, *, change: bool = False) -> Referral:
    """Load one referral for `user`; its patient is checked and the access logged (a read) or
    left for the service to log (`change=True`)."""
    require(user, can_use_referrals, object_type="referral", object_id=str(referral_id)[:64])
    pk = _to_pk(referral_id)
    referral = (
        scoped_referrals(user)
        .filter(pk=pk)
        .select_related("practice", "recipient", "referred_by")
        .first()
        if pk is not None
        else None
    )
    if referral is None:
        target = Referral.objects.filter(pk=pk).only("patient").first() if pk else None
        record_event(
            user=user,
            action=AuditAction.REFUSED,
            object_type="referral",
            object_id=str(referral_id)[:64],
            patient=target.patient if target is not None else None,
        )
        raise ReferralNotFound
    if change:
        referral.patient = patient_for_change(user, referral.patient_id, object_type="referral")
    else:
        referral.patient = patient_for(
            user, referral.patient_id, object_type="referral", detail={"referral": referral.pk}
        )
    return referral
