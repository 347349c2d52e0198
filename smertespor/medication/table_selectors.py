"""Reads of conversion tables: the region's active table, the usable versions, one version,
who drafted it, and who hears of a new table."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from domain.omeq import ConversionTable
from smertespor.accounts.models import User
from smertespor.medication.models import (
    DEFAULT_TABLE_ID,
    ConversionTableDraftStep,
    ConversionTableVersion,
)
from smertespor.medication.permissions import MEDICATION_RECORDING_ROLES
from smertespor.medication.table_rows import table_from_version

Origin = ConversionTableVersion.Origin


def all_table_versions() -> QuerySet[ConversionTableVersion]:
    """Every version, drafts and old versions included (administrators' list)."""
    return ConversionTableVersion.objects.select_related(
        "signed_off_by", "created_by", "copied_from"
    ).order_by("table_id", "created_at", "pk")


def table_version(pk: int) -> ConversionTableVersion:
    """Any stored version by its database id (drafts included), or 404."""
    return get_object_or_404(all_table_versions(), pk=pk)


def table_version_named(table_id: str, version: str) -> ConversionTableVersion:
    """Any stored version by table id and version (drafts included).

    Raises `ConversionTableVersion.DoesNotExist` when there is none.
    """
    return all_table_versions().get(table_id=table_id, version=version)


def usable_table_versions() -> QuerySet[ConversionTableVersion]:
    """Versions a calculation may use: shipped ones and signed-off copies (old ones too),
    the active one first. Drafts are for their editor's preview only."""
    return (
        ConversionTableVersion.objects.filter(
            Q(origin=Origin.BUILTIN) | Q(signed_off_at__isnull=False)
        )
        .prefetch_related("rules")
        .annotate(
            _active_first=Case(
                When(is_active_for_region=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("_active_first", "table_id", "-published", "-created_at")
    )


def active_table_version() -> ConversionTableVersion:
    """The region's signed-off table, or the shipped default (`nordic`) if none is. One
    query: the active version (there is at most one) sorts before the shipped defaults."""
    version = (
        ConversionTableVersion.objects.filter(
            Q(is_active_for_region=True) | Q(table_id=DEFAULT_TABLE_ID, origin=Origin.BUILTIN)
        )
        .order_by("-is_active_for_region", "-published", "-created_at")
        .first()
    )
    if version is None:
        raise ImproperlyConfigured(
            "The shipped conversion tables are not installed: run `manage.py migrate` "
            "or `manage.py load_conversion_tables`."
        )
    return version


def usable_table_version(table_id: str, version: str | None = None) -> ConversionTableVersion:
    """A usable version by id (and version). Without a version: the active table if it has
    this id, else the shipped version, else the most recently signed-off copy.

    Raises `ConversionTableVersion.DoesNotExist` when there is none.
    """
    candidates = usable_table_versions().filter(table_id=table_id)
    if version:
        return candidates.get(version=version)
    chosen = candidates.order_by(
        "_active_first", "origin", "-signed_off_at", "-created_at"
    ).first()  # "builtin" sorts before "regional_copy"
    if chosen is None:
        raise ConversionTableVersion.DoesNotExist(table_id)
    return chosen


def usable_tables_active_first() -> list[ConversionTableVersion]:
    """The usable versions with the one in use (signed off, or the default) first."""
    active = active_table_version()
    versions = list(usable_table_versions())
    return sorted(versions, key=lambda version: version.pk != active.pk)  # stable sort


def domain_table(version: ConversionTableVersion) -> ConversionTable:
    return table_from_version(version)


def draft_steps(version: ConversionTableVersion) -> QuerySet[ConversionTableDraftStep]:
    """Who drafted the version and when (the copy, then each saved edit), oldest first."""
    return version.draft_steps.select_related("by").order_by("at", "pk")


def clinicians_notified_of_new_tables() -> QuerySet[User]:
    """The clinicians told in the app when a new table takes effect: the practices' and the
    clinics' doctors and nurses, who record medication and read its OMEQ."""
    return User.objects.filter(
        is_active=True, role__in=MEDICATION_RECORDING_ROLES, organisation__isnull=False
    ).order_by("pk")


# Added for the home page ("I dag"):
def tables_awaiting_sign_off() -> QuerySet[ConversionTableVersion]:
    """The regional copies not signed off yet (drafts waiting for a second person)."""
    return ConversionTableVersion.objects.filter(
        origin=ConversionTableVersion.Origin.REGIONAL_COPY, signed_off_at__isnull=True
    ).order_by("created_at", "pk")
