"""Administrators add products to the shipped catalogue: one at a time or from a CSV file,
checked row by row by the domain parser, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from domain.catalogue import parse_products_csv
from smertespor.audit.services import AuditAction, record_event
from smertespor.medication.catalogue_rows import product_fields
from smertespor.medication.models import CatalogueProduct
from smertespor.medication.permissions import can_manage_conversion_tables
from smertespor.medication.selectors import current_catalogue


def add_catalogue_products(*, by: Any, csv_text: str) -> list[CatalogueProduct]:
    """Add every product in a products CSV, or none: each bad row is named with its reasons."""
    if not (can_manage_conversion_tables(by) or getattr(by, "is_superuser", False)):
        raise PermissionDenied
    with transaction.atomic():
        existing = {product.id for product in current_catalogue()}
        result = parse_products_csv(csv_text, existing_ids=existing)
        if not result.is_valid:
            raise ValidationError(
                [
                    _("Line %(line)s: %(problems)s")
                    % {"line": error.line, "problems": "; ".join(error.problems)}
                    for error in result.errors
                ],
                code="invalid_products",
            )
        added = [CatalogueProduct(**product_fields(p), added_by=by) for p in result.products]
        for product in added:
            product.full_clean(exclude=["added_by"])
        CatalogueProduct.objects.bulk_create(added)
        record_event(
            user=by,
            action=AuditAction.CREATE,
            object_type="catalogue_product",
            detail={"products": [p.product_id for p in added]},
        )
    return added
