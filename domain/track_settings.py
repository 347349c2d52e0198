"""The 3-month rule's settings (re-exported by `domain.tracks`), defaults from
`domain/data/track_rule.toml`, where each value names its source.

    RuleSettings(period_months=3, success_definition=SuccessDefinition.STOPPED_OR_TARGET,
                 approaching_days=14)  # the other fields take the file's defaults

A region may change every value; the constructor refuses nonsense with `RuleSettingsError`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from domain.errors import DomainError

_MAX_PERIOD_MONTHS = 24  # a guard against typing days for months, not a clinical limit


class RuleSettingsError(DomainError):
    code = "invalid_rule_settings"


class SuccessDefinition(StrEnum):
    STOPPED_OR_TARGET = "stopped_or_target"
    STOPPED_ONLY = "stopped_only"


@cache
def _data() -> dict[str, Any]:
    text = (resources.files("domain") / "data" / "track_rule.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _default_review_months() -> int:
    months = _data()["review"]["period_months"]
    assert isinstance(months, int)  # noqa: S101 - checked again by RuleSettings
    return months


def _default_tolerance() -> Decimal:
    try:
        return Decimal(str(_data()["progress"]["on_plan_tolerance_percent"]))
    except InvalidOperation as error:
        raise RuleSettingsError("The on-plan tolerance must be a number.") from error


def _default_on_plan_keeps() -> bool:
    keeps = _data()["progress"]["on_plan_keeps_course"]
    assert isinstance(keeps, bool)  # noqa: S101 - checked again by RuleSettings
    return keeps


@dataclass(frozen=True)
class RuleSettings:
    """A region's rule: the period in calendar months, what counts as success, the worklist
    window; how a course without success is judged against its plan (the tolerance in % of
    the plan's starting OMEQ, whether being on plan keeps it in the practice track) and when a
    course kept in the practice track is reviewed again (calendar months)."""

    period_months: int
    success_definition: SuccessDefinition
    approaching_days: int
    review_months: int = field(default_factory=_default_review_months)
    on_plan_tolerance_percent: Decimal = field(default_factory=_default_tolerance)
    on_plan_keeps_course: bool = field(default_factory=_default_on_plan_keeps)

    def __post_init__(self) -> None:
        months, days = self.period_months, self.approaching_days
        if not _is_int(months) or not 1 <= months <= _MAX_PERIOD_MONTHS:
            raise RuleSettingsError(
                f"The period must be 1 to {_MAX_PERIOD_MONTHS} whole months, not {months!r}."
            )
        if not _is_int(days) or not 0 <= days <= 366:
            raise RuleSettingsError(f"The worklist window must be 0 to 366 days, not {days!r}.")
        if not isinstance(self.success_definition, SuccessDefinition):
            raise RuleSettingsError(f"Unknown success definition {self.success_definition!r}.")
        review = self.review_months
        if not _is_int(review) or not 1 <= review <= _MAX_PERIOD_MONTHS:
            raise RuleSettingsError(
                f"The review period must be 1 to {_MAX_PERIOD_MONTHS} whole months, not {review!r}."
            )
        tolerance = self.on_plan_tolerance_percent
        if not (isinstance(tolerance, Decimal) and tolerance.is_finite() and 0 <= tolerance <= 100):
            raise RuleSettingsError(
                f"The on-plan tolerance must be 0 to 100 % of the plan's start, not {tolerance!r}."
            )
        if not isinstance(self.on_plan_keeps_course, bool):
            raise RuleSettingsError("Whether being on plan keeps a course must be true or false.")


@cache
def default_rule_settings() -> RuleSettings:
    """The seed's defaults from `domain/data/track_rule.toml` (3 months, stopped or target,
    14 days; 10 % tolerance, on plan keeps the course, reviewed again after 1 month)."""
    data = _data()
    try:
        definition = SuccessDefinition(data["rule"]["success_definition"])
    except ValueError as error:
        raise RuleSettingsError(str(error)) from error
    return RuleSettings(
        period_months=data["rule"]["period_months"],
        success_definition=definition,
        approaching_days=data["worklist"]["approaching_days"],
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
