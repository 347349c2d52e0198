"""Evaluation: measures per practice and region, screening of dispensing data, forecast."""
