"""Reads about organisations that every app needs: which pain clinics a user can turn to."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, QuerySet, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from smertespor.accounts.models import Organisation, Requester, RoleChangeRequest, User


def pain_clinics_for(user: Requester) -> QuerySet[Organisation]:
    """The pain clinics of the user's region, by name (none for a user without a region)."""
    if not isinstance(user, User) or user.organisation is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=Organisation.Kind.PAIN_CLINIC, region_id=user.organisation.region_id
    ).order_by("name")


def default_pain_clinic(user: Requester) -> Organisation | None:
    """The region's pain clinic when it has exactly one, so forms can preselect it."""
    clinics = list(pain_clinics_for(user)[:2])
    return clinics[0] if len(clinics) == 1 else None


def chosen_pain_clinic(user: Requester, clinic_id: int | None) -> Organisation:
    """The clinic a user chose (or the region's only one): one rule for forms, API and services.

    Raises ValidationError on ``clinic_id`` when there is no choice or it is not a pain clinic
    of the user's region.
    """
    if clinic_id is None:
        clinic = default_pain_clinic(user)
    else:
        clinic = pain_clinics_for(user).filter(pk=clinic_id).first()
    if clinic is None:
        raise ValidationError(
            {"clinic_id": _("Choose a pain clinic in your region.")}, code="invalid_choice"
        )
    return clinic


def role_change_requests() -> QuerySet[RoleChangeRequest]:
    """Every role change request, pending first, newest first (administrators' list)."""
    return RoleChangeRequest.objects.select_related(
        "user", "proposed_by", "decided_by", "from_organisation", "to_organisation"
    ).order_by(
        Case(When(status=RoleChangeRequest.Status.PENDING, then=0), default=1),
        "-proposed_at",
    )


def role_change_request(request_id: object) -> RoleChangeRequest:
    """One request by id, or 404."""
    try:
        pk = int(str(request_id))
    except ValueError:
        raise Http404 from None
    found = role_change_requests().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def user_by_id(user_id: object) -> User:
    try:
        pk = int(str(user_id))
    except ValueError:
        raise Http404 from None
    found = User.objects.select_related("organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def organisation_by_id(organisation_id: object) -> Organisation:
    """An organisation by id; a ValidationError on ``organisation`` for one that is not."""
    try:
        pk = int(str(organisation_id))
    except ValueError:
        pk = None
    found = Organisation.objects.filter(pk=pk).first() if pk else None
    if found is None:
        raise ValidationError({"organisation": _("Choose an organisation.")}, code="invalid_choice")
    return found


# Added for the home page ("I dag"):
def pending_role_change_requests() -> QuerySet[RoleChangeRequest]:
    """The role change requests waiting for a second administrator, oldest first."""
    return (
        RoleChangeRequest.objects.filter(status=RoleChangeRequest.Status.PENDING)
        .select_related("user")
        .order_by("proposed_at", "pk")
    )


def locked_logins() -> QuerySet[AccessAttempt]:
    """User names django-axes has locked at an address (failures at the limit, within the
    cool-off time), newest first. No password or patient data: the name and the count."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time", "-pk")
