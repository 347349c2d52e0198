"""Taper plans: from the current regimen to a target, in dated steps of real strengths.

- `request`: what a plan is asked for (regimen by product, target, pace);
- `regimen`: a medication list as the starting point, or the problems found;
- `strengths`: a dose in marketed strengths (tablets, halves, patches);
- `steps`: which product each step reduces, to what, and why;
- `doses` and `notes`: a step's product doses and the notes it carries;
- `settings`: the stop threshold, the finer products a plan may switch to, how an oral
  solution is measured (`domain/data/taper_settings.toml`);
- `plan`: `generate_taper_plan(request, today=...)`, the dated plan.
"""

from domain.tapering.plan import (
    DoseSchedule,
    NoteCode,
    PauseAtStep,
    PauseBetween,
    PrnLine,
    ProductDose,
    SlowDown,
    StepBasis,
    StepKind,
    SuggestionCode,
    SuggestionReason,
    SwitchProposal,
    SwitchReason,
    TaperError,
    TaperErrorCode,
    TaperInputError,
    TaperLine,
    TaperPlan,
    TaperProblem,
    TaperRequest,
    TaperStep,
    TaperTarget,
    TargetKind,
    generate_taper_plan,
)
from domain.tapering.request import (
    MAX_DAYS_IN_PAST,
    MAX_STEP_PERCENT,
)
from domain.tapering.settings import (
    SwitchTarget,
    TaperSettings,
    TaperSettingsError,
    default_taper_settings,
)
from domain.tapering.strengths import (
    DEFAULT_MAX_PATCHES,
    DEFAULT_MAX_TABLETS,
    MAX_GRAINS,
    MAX_STRENGTHS_PER_DOSE,
    ExpressedDose,
    LiquidMeasure,
    StrengthError,
    StrengthErrorCode,
    StrengthGrid,
    TimeOfDay,
    UnitCount,
    closest_dose_at_most,
    default_max_units,
    express_dose,
    split_daily_dose,
)

__all__ = [
    "DEFAULT_MAX_PATCHES",
    "DEFAULT_MAX_TABLETS",
    "MAX_DAYS_IN_PAST",
    "MAX_GRAINS",
    "MAX_STEP_PERCENT",
    "MAX_STRENGTHS_PER_DOSE",
    "DoseSchedule",
    "ExpressedDose",
    "LiquidMeasure",
    "NoteCode",
    "PauseAtStep",
    "PauseBetween",
    "PrnLine",
    "ProductDose",
    "SlowDown",
    "StepBasis",
    "StepKind",
    "StrengthError",
    "StrengthErrorCode",
    "StrengthGrid",
    "SuggestionCode",
    "SuggestionReason",
    "SwitchProposal",
    "SwitchReason",
    "SwitchTarget",
    "TaperError",
    "TaperErrorCode",
    "TaperInputError",
    "TaperLine",
    "TaperPlan",
    "TaperProblem",
    "TaperRequest",
    "TaperSettings",
    "TaperSettingsError",
    "TaperStep",
    "TaperTarget",
    "TargetKind",
    "TimeOfDay",
    "UnitCount",
    "closest_dose_at_most",
    "default_max_units",
    "default_taper_settings",
    "express_dose",
    "generate_taper_plan",
    "split_daily_dose",
]
