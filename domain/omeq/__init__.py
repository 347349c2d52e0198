"""OMEQ: a regimen's daily oral morphine equivalent from versioned conversion tables.

- `compute`: `compute_omeq(lines, table, ...)` and its result, showing the working;
- `tables` and `rules`: conversion tables as data with a cited source, and their rules;
- `settings`: thresholds, plausibility bounds and co-medication classes from data files;
- `warnings`: the warning codes a result carries.
"""

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
    "Indication",
    "LineProblem",
    "LineProblemCode",
    "LineResult",
    "LinearRule",
    "NotCountedReason",
    "OmeqResult",
    "OmeqWarning",
    "RegimenError",
    "RegimenLine",
    "Release",
    "Route",
    "Rule",
    "RuleKind",
    "RuleRow",
    "SettingsError",
    "TableIssue",
    "TableMeta",
    "TableProblem",
    "Thresholds",
    "WarningCode",
    "co_medication_classes",
    "compute_omeq",
    "default_plausibility_limit",
    "default_thresholds",
    "display_mg",
    "load_builtin_tables",
    "long_acting_substances",
    "table_from_toml",
]
