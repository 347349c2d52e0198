"""Conversion tables between the database and the domain core: a stored version in, a
`ConversionTable` out, and a domain table's rows back as `ConversionRule` field values.
Nothing else in the app builds a `ConversionTable` from stored data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.omeq import ConversionTable, RuleRow, TableMeta
from smertespor.medication.models import ConversionRule, ConversionTableVersion
from smertespor.medication.regimens import plain_decimal


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
