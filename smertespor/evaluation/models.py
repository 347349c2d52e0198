"""Evaluation: measures per practice and region, screening of dispensing data, forecast."""

from smertespor.evaluation.measures_models import MeasureFigure

__all__ = ["MeasureFigure"]
