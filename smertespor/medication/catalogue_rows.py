"""The product catalogue between the database and the domain core: administrators' products
in, the checked domain `Catalogue` out (and a domain product back as model field values).
Stored products go through the same CSV parser as an import, so both are checked alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from domain.catalogue import (
    COLUMNS,
    Catalogue,
    CatalogueError,
    Product,
    parse_products_csv,
    shipped_catalogue,
)
from smertespor.entry.numbers import json_number
from smertespor.medication.models import CatalogueProduct


def product_csv_row(product: CatalogueProduct) -> dict[str, str]:
    return {
        "id": product.product_id,
        "name": product.name,
        "brands": product.brands,
        "atc": product.atc,
        "category": product.category,
        "form": product.form,
        "route": product.route,
        "release": product.release,
        "unit": product.unit,
        "strengths": product.strengths,
        "strength_labels": product.strength_labels,
        "substance": product.substance,
        "other_ingredients": product.other_ingredients,
        "splittable": "true" if product.splittable else "false",
        "patch_change_hours": ""
        if product.patch_change_hours is None
        else str(product.patch_change_hours),
        "is_substitution": "true" if product.is_substitution else "false",
        "note": product.note,
    }


def product_fields(product: Product) -> dict[str, Any]:
    """A checked domain product as `CatalogueProduct` field values."""
    return {
        "product_id": product.id,
        "name": product.name,
        "brands": "|".join(product.brands),
        "atc": product.atc,
        "category": product.category.value,
        "form": product.form.value,
        "route": product.route,
        "release": product.release.value,
        "unit": product.unit,
        "strengths": "|".join(json_number(s.amount) for s in product.strengths),
        "strength_labels": "|".join(s.label for s in product.strengths),
        "substance": product.substance,
        "other_ingredients": "|".join(product.other_ingredients),
        "splittable": product.splittable,
        "patch_change_hours": product.patch_change_hours,
        "is_substitution": product.is_substitution,
        "note": product.note,
    }


def catalogue_from_products(added: Sequence[CatalogueProduct]) -> Catalogue:
    """The shipped catalogue plus the administrator's products, checked by the domain parser."""
    shipped = shipped_catalogue()
    if not added:
        return shipped
    text = products_csv_text([product_csv_row(p) for p in added])
    result = parse_products_csv(text, existing_ids={p.id for p in shipped})
    if not result.is_valid:
        listing = "; ".join(str(error) for error in result.errors)
        raise CatalogueError(f"Stored products are invalid: {listing}", code="catalogue_invalid")
    return shipped.with_products(result.products)


def products_csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
