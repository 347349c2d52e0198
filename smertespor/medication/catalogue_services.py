"""Administrators add products to the shipped catalogue: one at a time or from a CSV file,
checked row by row by the domain parser, all or nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from domain.catalogue import Product, parse_products_csv
from smertespor.accounts.models import User
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.rules import require
from smertespor.medication.catalogue_rows import product_fields
from smertespor.medication.models import CatalogueProduct
from smertespor.medication.permissions import can_manage_catalogue
from smertespor.medication.selectors import current_catalogue


def checked_products(csv_text: str) -> list[Product]:
    """The products of a products CSV, checked against each other and the catalogue.

    Refuses the whole file (ValidationError on ``csv_text``), naming each bad row's line.
    """
    existing = {product.id for product in current_catalogue()}
    result = parse_products_csv(csv_text, existing_ids=existing)
    if not result.is_valid:
        raise ValidationError(
            {
                "csv_text": [
                    ValidationError(
                        _("Line %(line)s: %(problems)s")
                        % {"line": error.line, "problems": "; ".join(error.problems)},
                        code="invalid_products",
                    )
                    for error in result.errors
                ]
            }
        )
    return list(result.products)


def add_catalogue_products(*, by: User, csv_text: str) -> list[CatalogueProduct]:
    """Add every product in a products CSV, or none: each bad row is named with its reasons."""
    require(by, can_manage_catalogue, object_type="catalogue_product")
    with transaction.atomic():
        added = [
            CatalogueProduct(**product_fields(p), added_by=by) for p in checked_products(csv_text)
        ]
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
