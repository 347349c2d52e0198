"""Reads about organisations that every app needs: which pain clinics a user can turn to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from smertespor.accounts.models import Organisation, Requester, User


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
