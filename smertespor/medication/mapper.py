"""The one seam between the models and the domain core: models in, domain objects out
(and domain tables back into rows for storing). Nothing else in the app builds a
`ConversionTable`, a `Catalogue` or a `RegimenLine` from stored data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.catalogue import (
    COLUMNS,
    Catalogue,
    CatalogueError,
    Product,
    parse_products_csv,
    shipped_catalogue,
)
from domain.omeq import (
    ConversionTable,
    DoseUnit,
    Indication,
    RegimenLine,
    Release,
    Route,
    RuleRow,
    TableMeta,
)
from smertespor.medication.models import (
    CatalogueProduct,
    ConversionRule,
    ConversionTableVersion,
    MedicationLine,
)


def plain_decimal(value: Decimal) -> Decimal:
    """A stored decimal without the column's padding zeros: 1.500000 -> 1.5, 100.00 -> 100."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# --- conversion tables -------------------------------------------------------------------


def table_meta(version: ConversionTableVersion) -> TableMeta:
    return TableMeta(
        id=version.table_id,
        version=version.version,
        title=version.title,
        source=version.source,
        published=version.published,
        note=version.note,
    )


def rule_row(rule: ConversionRule) -> dict[str, Any]:
    """A stored rule as the plain row `ConversionTable.from_rows` reads."""
    return {
        "substance": rule.substance,
        "route": rule.route,
        "kind": rule.kind,
        "factor": None if rule.factor is None else plain_decimal(rule.factor),
        "per_unit": rule.per_unit or None,
        "reason": rule.reason if rule.kind == "excluded" else None,
        "bands": rule.bands,
        "note": rule.note,
    }


def table_from_version(version: ConversionTableVersion) -> ConversionTable:
    """The domain table of a stored version (its rules are read, or taken if prefetched)."""
    rows = [rule_row(rule) for rule in version.rules.all()]
    return ConversionTable.from_rows(table_meta(version), rows)


def rule_fields(rows: Iterable[RuleRow]) -> list[dict[str, Any]]:
    """`ConversionRule` field values for a table's rows (`table.to_rows()[1]`), in order."""
    fields = []
    for position, row in enumerate(rows):
        bands = row["bands"]
        fields.append(
            {
                "position": position,
                "substance": row["substance"],
                "route": row["route"],
                "kind": row["kind"],
                "factor": row["factor"],
                "per_unit": row["per_unit"] or "",
                "reason": row["reason"] or "",
                "bands": None
                if bands is None
                else [
                    {
                        "from_morphine_mg_per_day": str(band["from_morphine_mg_per_day"]),
                        "factor": str(band["factor"]),
                    }
                    for band in bands
                ],
                "note": row["note"],
            }
        )
    return fields


# --- the product catalogue ---------------------------------------------------------------


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
        "strengths": "|".join(format(s.amount, "f") for s in product.strengths),
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


# --- medication lines --------------------------------------------------------------------


@dataclass(frozen=True)
class MappedLine:
    """A stored line with its product: an OMEQ regimen line (opioids) or a co-medication."""

    line: MedicationLine
    product: Product | None  # None: the product is no longer in the catalogue
    regimen_line: RegimenLine | None  # opioids only


@dataclass(frozen=True)
class Regimen:
    lines: tuple[MappedLine, ...]

    @property
    def regimen_lines(self) -> tuple[RegimenLine, ...]:
        return tuple(m.regimen_line for m in self.lines if m.regimen_line is not None)

    @property
    def opioid_lines(self) -> tuple[MappedLine, ...]:
        return tuple(m for m in self.lines if m.regimen_line is not None)

    @property
    def co_medication(self) -> tuple[MappedLine, ...]:
        return tuple(m for m in self.lines if m.product is not None and not m.product.is_opioid)

    @property
    def co_medication_atc(self) -> tuple[str, ...]:
        return tuple(m.product.atc for m in self.co_medication if m.product is not None)

    @property
    def missing_products(self) -> tuple[MappedLine, ...]:
        return tuple(m for m in self.lines if m.product is None)


def regimen_line(
    product: Product,
    *,
    strength: Decimal,
    units_per_dose: Decimal,
    doses_per_day: Decimal | None,
    prn: bool,
    max_doses_per_day: Decimal | None,
    indication: str,
    label: str = "",
) -> RegimenLine:
    """The OMEQ line for `units_per_dose` of an opioid product's `strength`.

    The amount is the product's counted (opioid) ingredient only; a patch's amount is the
    mcg/h worn. `doses_per_day` is unused for patches and PRN lines, so 0 stands in for it.
    """
    amount = plain_decimal(strength * units_per_dose)
    return RegimenLine(
        substance=product.substance,
        route=Route(product.route),
        dose=amount,
        dose_unit=DoseUnit(product.dose_unit),
        doses_per_day=plain_decimal(doses_per_day) if doses_per_day is not None else Decimal(0),
        prn=prn,
        max_doses_per_day=None if max_doses_per_day is None else plain_decimal(max_doses_per_day),
        indication=Indication(indication),
        release=Release(product.release.value),
        label=label or product.name,
    )


def regimen_from_lines(lines: Iterable[MedicationLine], catalogue: Catalogue) -> Regimen:
    """Stored lines as the domain sees them. A line's amount is its stored strength x units:
    it was checked against the catalogue when saved, and a strength withdrawn since then does
    not change what the patient takes."""
    mapped = []
    for line in lines:
        try:
            product = catalogue.by_id(line.product_id)
        except CatalogueError:
            mapped.append(MappedLine(line, None, None))
            continue
        opioid = None
        if product.is_opioid:
            opioid = regimen_line(
                product,
                strength=line.strength,
                units_per_dose=line.units_per_dose,
                doses_per_day=line.doses_per_day,
                prn=line.prn,
                max_doses_per_day=line.max_doses_per_day,
                indication=line.indication,
                label=f"{product.name} {strength_label(product, line.strength)}",
            )
        mapped.append(MappedLine(line, product, opioid))
    return Regimen(tuple(mapped))


def strength_label(product: Product, amount: Decimal) -> str:
    """The strength as on the pack ("10/5 mg"), or the amount with the unit if withdrawn."""
    for strength in product.strengths:
        if strength.amount == amount:
            return f"{strength.label} {product.unit}"
    return f"{plain_decimal(amount)} {product.unit}"
