"""A patient's stored medication lines as the domain core sees them: each line with its
catalogue product, and an OMEQ `RegimenLine` for every opioid. Nothing else in the app
builds a `RegimenLine` from stored data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.catalogue import Catalogue, CatalogueError, Product
from domain.omeq import DoseUnit, Indication, RegimenLine, Release, Route
from smertespor.entry.numbers import as_decimal, for_people, json_number
from smertespor.medication.labels import unit_label
from smertespor.medication.models import MedicationLine


def plain_decimal(value: Decimal) -> Decimal:
    """A stored decimal as the exact number without the column's padding zeros
    (1.500000 -> 1.5, 100.00 -> 100): the value the domain computes with. Text for people
    or JSON goes through `smertespor.entry.numbers`."""
    return Decimal(json_number(value))


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


def pack_strength(product: Product, amount: Decimal) -> str:
    """The strength exactly as on the pack with its unit code ("52.5 mcg/h"), for the API."""
    for strength in product.strengths:
        if strength.amount == amount:
            return f"{strength.label} {product.unit}"
    return f"{json_number(amount)} {product.unit}"


def localised_numbers(label: str) -> str:
    """A pack label's numbers in the user's locale: "500/9.6" reads "500/9,6" in Danish."""
    parts = label.split("/")
    shown = [for_people(part) if as_decimal(part) is not None else part for part in parts]
    return "/".join(shown)


def strength_label(product: Product, amount: Decimal) -> str:
    """The strength as on the pack ("10/5 mg", "52,5 mikrog/t" in Danish), or the amount
    with the unit if withdrawn; numbers and unit in the user's language."""
    unit = unit_label(product.unit)
    for strength in product.strengths:
        if strength.amount == amount:
            return f"{localised_numbers(strength.label)} {unit}"
    return f"{for_people(amount)} {unit}"
