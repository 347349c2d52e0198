"""Adding products to the catalogue from a CSV file: a preview that saves nothing, then the
import the administrator confirms, all or nothing, through the catalogue's own import
(`medication.actions.import_catalogue_products`: the same checks, history and audit row).

The page and the API call these two with the file's bytes; both re-read the file, so what
is imported is exactly what the preview showed for the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from smertespor.accounts.models import Requester
from smertespor.entry.rules import require
from smertespor.interop.csv_catalogue import CatalogueCsvReport, parse_catalogue_csv
from smertespor.interop.csv_medication import RowProblem
from smertespor.medication import actions
from smertespor.medication.permissions import can_manage_catalogue
from smertespor.medication.selectors import current_catalogue


@dataclass
class CatalogueImportResult:
    report: CatalogueCsvReport
    status: str  # ready / refused / imported

    @property
    def problems(self) -> list[RowProblem]:
        return self.report.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "encoding": self.report.encoding,
            "separator": self.report.separator,
            "status": self.status,
            "problems": [
                {"row": p.row, "column": p.column, "message": p.message} for p in self.problems
            ],
            "products": [
                {"row": row, "id": product.id, "name": product.name}
                for row, product in self.report.products
            ],
        }


def _read(user: Requester, data: bytes) -> CatalogueCsvReport:
    require(user, can_manage_catalogue, object_type="catalogue_product")
    return parse_catalogue_csv(data, existing_ids={p.id for p in current_catalogue()})


def preview_catalogue_csv(*, user: Requester, data: bytes) -> CatalogueImportResult:
    """What the import would add, row by row. Saves nothing."""
    report = _read(user, data)
    return CatalogueImportResult(report, "refused" if report.problems else "ready")


def import_catalogue_csv(*, user: Requester, data: bytes) -> CatalogueImportResult:
    """Add every product of the file, or none if any row has a problem."""
    report = _read(user, data)
    if report.problems:
        return CatalogueImportResult(report, "refused")
    try:
        actions.import_catalogue_products(user=user, csv_text=report.csv_text)
    except ValidationError as error:  # the catalogue changed since the file was read
        report.problems.extend(RowProblem(0, "", str(m)) for m in error.messages)
        return CatalogueImportResult(report, "refused")
    return CatalogueImportResult(report, "imported")
