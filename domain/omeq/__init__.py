"""OMEQ: a regimen's daily oral morphine equivalent from versioned conversion tables.

- `compute`: `compute_omeq(lines, table, ...)` and its result, showing the working;
- `tables` and `rules`: conversion tables as data with a cited source, and their rules;
- `settings`: thresholds, the per-line plausibility limit and co-medication classes;
- `bounds`: the published range of each substance's factor, which a region's table is
  checked against (a factor far outside it is refused);
- `impact`: what a new table changes for a set of regimens (counts and sizes, no identities);
- `warnings`: the warning codes a result carries.
"""

from domain.omeq.bounds import (
    FactorCheck,
    PlausibilityBounds,
    PublishedRange,
    Standing,
    default_bounds,
    factor_checks,
    plausibility_issues,
    plausible_table_from_rows,
)
from domain.omeq.compute import (
    CoMedicationError,
    Indication,
    LineProblem,
    LineProblemCode,
    LineResult,
    NotCountedReason,
    OmeqResult,
    OmeqWarning,
    RegimenError,
    RegimenLine,
    Release,
    WarningCode,
    compute_omeq,
    display_mg,
)
from domain.omeq.impact import (
    ImpactRegimen,
    OmeqChange,
    Outcome,
    RuleChange,
    TableImpact,
    ThresholdCrossing,
    table_impact,
)
from domain.omeq.rules import (
    ConversionTableError,
    DoseBand,
    DoseBandedRule,
    DoseUnit,
    ExcludedRule,
    LinearRule,
    Route,
    Rule,
    RuleKind,
    TableIssue,
    TableProblem,
)
from domain.omeq.settings import (
    SettingsError,
    Thresholds,
    co_medication_classes,
    default_plausibility_limit,
    default_thresholds,
    long_acting_substances,
)
from domain.omeq.tables import (
    ConversionTable,
    RuleRow,
    TableMeta,
    load_builtin_tables,
    rule_to_row,
    table_from_toml,
)

__all__ = [
    "CoMedicationError",
    "ConversionTable",
    "ConversionTableError",
    "DoseBand",
    "DoseBandedRule",
    "DoseUnit",
    "ExcludedRule",
    "FactorCheck",
    "ImpactRegimen",
    "Indication",
    "LineProblem",
    "LineProblemCode",
    "LineResult",
    "LinearRule",
    "NotCountedReason",
    "OmeqChange",
    "OmeqResult",
    "OmeqWarning",
    "Outcome",
    "PlausibilityBounds",
    "PublishedRange",
    "RegimenError",
    "RegimenLine",
    "Release",
    "Route",
    "Rule",
    "RuleChange",
    "RuleKind",
    "RuleRow",
    "SettingsError",
    "Standing",
    "TableImpact",
    "TableIssue",
    "TableMeta",
    "TableProblem",
    "ThresholdCrossing",
    "Thresholds",
    "WarningCode",
    "co_medication_classes",
    "compute_omeq",
    "default_bounds",
    "default_plausibility_limit",
    "default_thresholds",
    "display_mg",
    "factor_checks",
    "load_builtin_tables",
    "long_acting_substances",
    "plausibility_issues",
    "plausible_table_from_rows",
    "rule_to_row",
    "table_from_toml",
    "table_impact",
]
