"""Evaluation: measures per practice and region, screening of dispensing data, forecast."""

from smertespor.evaluation.measures_models import MeasureFigure
from smertespor.evaluation.screening_models import (
    DispensingExtract,
    ScreeningFinding,
    ScreeningInvitation,
    ScreeningPracticeCount,
    ScreeningRun,
)

__all__ = [
    "DispensingExtract",
    "MeasureFigure",
    "ScreeningFinding",
    "ScreeningInvitation",
    "ScreeningPracticeCount",
    "ScreeningRun",
]
