"""What signing off a draft would change for the region's patients: a read for the sign-off page
and its API twin.

Every patient's current medication list is computed under the region's active table and under
the draft (`domain.omeq.table_impact`). Only counts and sizes leave this module: the patients'
lines are read without names or ids reaching the result, so administrators, who never see a
patient, see how many patients' OMEQ moves and by how much, never whose.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import groupby
from operator import attrgetter

from domain.catalogue import Catalogue
from domain.omeq import (
    ConversionTable,
    ConversionTableError,
    FactorCheck,
    ImpactRegimen,
    RuleChange,
    TableImpact,
    default_bounds,
    factor_checks,
    plausibility_issues,
    table_impact,
)
from smertespor.medication.labels import table_issue_message
from smertespor.medication.models import (
    ConversionTableDraftStep,
    ConversionTableVersion,
    MedicationLine,
)
from smertespor.medication.regimens import regimen_from_lines
from smertespor.medication.selectors import current_catalogue, region_omeq_thresholds
from smertespor.medication.table_selectors import active_table_version, domain_table, draft_steps
from smertespor.medication.table_services import confirmation_text

LARGEST_CHANGES = 10
_LINE_FIELDS = (
    "patient_id",
    "product_id",
    "strength",
    "units_per_dose",
    "doses_per_day",
    "prn",
    "max_doses_per_day",
    "indication",
    "start_date",
)


@dataclass(frozen=True)
class RuleChangeRow:
    """A rule that differs, with the new rule's factors against their published ranges."""

    change: RuleChange
    checks: tuple[FactorCheck, ...]


@dataclass(frozen=True)
class SignOffPreview:
    """`impact` is None when the draft no longer builds a table; `problems` say why a sign-off
    would be refused (the table's own issues, or factors far outside their published range)."""

    version: ConversionTableVersion
    replaces: ConversionTableVersion
    impact: TableImpact | None
    rule_changes: tuple[RuleChangeRow, ...]
    drafted: tuple[ConversionTableDraftStep, ...]
    confirmation: str
    problems: tuple[str, ...] = ()


def _regimens(lines: Iterable[MedicationLine], catalogue: Catalogue) -> Iterator[ImpactRegimen]:
    for _patient, group in groupby(lines, key=attrgetter("patient_id")):
        regimen = regimen_from_lines(group, catalogue)
        if regimen.missing_products:
            yield ImpactRegimen(regimen.regimen_lines, is_readable=False)
        elif regimen.regimen_lines:
            yield ImpactRegimen(regimen.regimen_lines)


def table_change_impact(
    version: ConversionTableVersion,
    *,
    against: ConversionTableVersion | None = None,
    largest: int = LARGEST_CHANGES,
) -> TableImpact:
    """What replacing `against` (default: the active table) by `version` changes for every
    patient with a current opioid line (a patient whose list names a product no longer in the
    catalogue counts as not computable). Raises `ConversionTableError` if `version`'s stored
    rules no longer make a table."""
    return _impact(domain_table(version), against or active_table_version(), largest)


def _impact(after: ConversionTable, against: ConversionTableVersion, largest: int) -> TableImpact:
    lines = (
        MedicationLine.objects.filter(ended_on__isnull=True)
        .only(*_LINE_FIELDS)
        .order_by("patient_id", "start_date", "pk")
    )
    return table_impact(
        _regimens(lines.iterator(chunk_size=2000), current_catalogue()),
        before=domain_table(against),
        after=after,
        thresholds=region_omeq_thresholds(),
        largest=largest,
    )


def sign_off_preview(version: ConversionTableVersion) -> SignOffPreview:
    """Everything the sign-off page and its API twin show: the impact on the region's patients,
    the rules that differ (with the published ranges), who drafted the version and what the
    signer must type to confirm."""
    replaces = active_table_version()
    preview = SignOffPreview(
        version=version,
        replaces=replaces,
        impact=None,
        rule_changes=(),
        drafted=tuple(draft_steps(version)),
        confirmation=confirmation_text(version),
    )
    try:
        table = domain_table(version)
    except ConversionTableError as error:
        return replace(preview, problems=tuple(table_issue_message(i) for i in error.issues))
    bounds = default_bounds()
    impact = _impact(table, replaces, LARGEST_CHANGES)
    rows = tuple(
        RuleChangeRow(change, tuple(factor_checks([change.after], bounds)) if change.after else ())
        for change in impact.rule_changes
    )
    problems = tuple(table_issue_message(i) for i in plausibility_issues(table.rules, bounds))
    return replace(preview, impact=impact, rule_changes=rows, problems=problems)
