"""What a taper plan is asked for: the current regimen by product, the target, the pace.

A regimen is product-based, as a medication list is:
- `TaperLine(product_id, strength, DoseSchedule(morning=1, evening=1))`: units of one marketed
  strength at each fixed time of day (0.5 is a half tablet, allowed only where the product may
  be split). Several lines of one product (30 mg + 10 mg in the morning) are added up. A patch
  line has its patches at one time of day, the time it is changed (every
  `product.patch_change_hours`); its units are the patches worn.
- `PrnLine(product_id, strength, units_per_dose, max_doses_per_day)`: as needed, up to a
  whole number of doses a day. A liquid may be PRN (units are ml). On a schedule, an oral
  solution's units are ml (measured with an oral syringe); drops and injections are refused,
  since a taper needs doses that tablets, patches or a measured solution can make.
`domain.tapering.regimen` checks the lines against the catalogue.

The pace: `step_percent` (above 0, at most 50) of the starting OMEQ or of the current one
(`StepBasis`), every `interval_days` (1 or more), optionally slower near the end (`SlowDown`),
with `pauses`, from `start_date` (at most `MAX_DAYS_IN_PAST` days before `today`). OMEQ comes
from `table` and `thresholds`, as in `domain.omeq`; `order` names products to reduce first.
`stop_threshold_mg_per_day` (above 0; None: the default of `settings`, 30 mg OMEQ): no product
is stopped from more than this a day (`domain.tapering.steps`: switch to a finer product
first, or refuse).

The target is `TaperTarget.stop()`, `TaperTarget.omeq(mg_per_day)` (the total including PRN
at or below it) or `TaperTarget.dose(product_id, daily_amount)` (that product's scheduled
dose at or below the amount a day; every other opioid, and its PRN, is stopped first).

Every refusal is a `TaperError` with a stable `code` and text `params`; `TaperInputError`
lists every problem of the request at once (`problems`), its `code` being the first's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.catalogue import Catalogue, shipped_catalogue
from domain.errors import DomainError
from domain.omeq import ConversionTable, Thresholds
from domain.tapering.settings import TaperSettings, default_taper_settings
from domain.tapering.strengths import TimeOfDay

__all__ = [
    "MAX_DAYS_IN_PAST",
    "MAX_PLAN_YEARS",
    "MAX_STEP_PERCENT",
    "DoseSchedule",
    "PauseAtStep",
    "PauseBetween",
    "PrnLine",
    "SlowDown",
    "StepBasis",
    "TaperError",
    "TaperErrorCode",
    "TaperInputError",
    "TaperLine",
    "TaperProblem",
    "TaperRequest",
    "TaperTarget",
    "TargetKind",
    "pace_problems",
    "problem",
    "text",
]

MAX_STEP_PERCENT = Decimal(50)  # issue 4: a step over 50 % is refused
MAX_DAYS_IN_PAST = 30  # a plan may start up to this many days before today
MAX_PLAN_YEARS = 20  # a plan whose last change is further away is refused (a sanity bound)


class TaperErrorCode(StrEnum):
    EMPTY_REGIMEN = "empty_regimen"
    UNKNOWN_PRODUCT = "unknown_product"
    NOT_AN_OPIOID = "not_an_opioid"
    SUBSTITUTION_PRODUCT = "substitution_product"
    NO_MARKETED_STRENGTHS = "no_marketed_strengths"
    STRENGTH_NOT_MARKETED = "strength_not_marketed"
    MEASURED_IN_ML = "measured_in_ml"
    UNITS_NOT_VALID = "units_not_valid"
    EMPTY_SCHEDULE = "empty_schedule"
    PATCH_AT_SEVERAL_TIMES = "patch_at_several_times"
    PRN_MAXIMUM_NOT_VALID = "prn_maximum_not_valid"
    PRN_PATCH = "prn_patch"
    STEP_SIZE_OUT_OF_RANGE = "step_size_out_of_range"
    INTERVAL_TOO_SHORT = "interval_too_short"
    START_DATE_TOO_FAR_IN_PAST = "start_date_too_far_in_past"
    SLOW_DOWN_OUT_OF_RANGE = "slow_down_out_of_range"
    PAUSE_NOT_VALID = "pause_not_valid"
    PAUSE_OUTSIDE_PLAN = "pause_outside_plan"
    ORDER_NAMES_UNKNOWN_PRODUCT = "order_names_unknown_product"
    TARGET_NOT_VALID = "target_not_valid"
    TARGET_PRODUCT_NOT_SCHEDULED = "target_product_not_scheduled"
    TARGET_NOT_BELOW_CURRENT = "target_not_below_current"
    TARGET_NOT_REPRESENTABLE = "target_not_representable"
    PLAN_TOO_LONG = "plan_too_long"
    STOP_THRESHOLD_NOT_VALID = "stop_threshold_not_valid"
    STOP_ABOVE_THRESHOLD = "stop_above_threshold"


@dataclass(frozen=True)
class TaperProblem:
    code: TaperErrorCode
    message: str
    params: tuple[tuple[str, str], ...] = ()
    line: int | None = None  # 1-based line of the regimen, where the problem is a line's

    def params_dict(self) -> dict[str, str]:
        return dict(self.params)


class TaperError(DomainError):
    """A plan that cannot be made, with a stable `code` and text `params` for translation."""

    code = "taper_error"

    def __init__(self, code: TaperErrorCode, message: str, **params: str) -> None:
        super().__init__(message, code=code.value)
        self.params = tuple(params.items())

    def params_dict(self) -> dict[str, str]:
        return dict(self.params)


class TaperInputError(TaperError):
    """The request is refused; `problems` names every problem found, not just the first."""

    def __init__(self, problems: tuple[TaperProblem, ...]) -> None:
        first = problems[0]
        super().__init__(first.code, " ".join(p.message for p in problems), **dict(first.params))
        self.problems = problems

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code.value for p in self.problems)


def text(value: Decimal | int) -> str:
    """A number as an exact plain decimal string for `params` (no exponent)."""
    plain = Decimal(value).normalize()
    return format(plain, "f")


def _exact(value: object, name: str) -> Decimal:
    # As in domain.omeq: a float already carries binary noise, so only Decimal or int.
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"{name} must be a Decimal or an int, not {type(value).__name__}")


@dataclass(frozen=True)
class DoseSchedule:
    """Units taken at each fixed time of day (tablets, capsules, patches; 0.5 = a half)."""

    morning: Decimal = Decimal(0)
    noon: Decimal = Decimal(0)
    evening: Decimal = Decimal(0)
    night: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for time in TimeOfDay:
            object.__setattr__(self, time.value, _exact(getattr(self, time.value), time.value))

    def units_at(self, time: TimeOfDay) -> Decimal:
        value: Decimal = getattr(self, time.value)
        return value

    def times(self) -> tuple[TimeOfDay, ...]:
        """The times of day with a dose, in order through the day."""
        return tuple(t for t in TimeOfDay if self.units_at(t) != 0)


@dataclass(frozen=True)
class TaperLine:
    product_id: str
    strength: Decimal  # the counted substance per unit, as in the catalogue (Targin 10/5: 10)
    schedule: DoseSchedule

    def __post_init__(self) -> None:
        object.__setattr__(self, "strength", _exact(self.strength, "strength"))


@dataclass(frozen=True)
class PrnLine:
    product_id: str
    strength: Decimal
    units_per_dose: Decimal  # tablets, or ml of a liquid
    max_doses_per_day: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "strength", _exact(self.strength, "strength"))
        object.__setattr__(self, "units_per_dose", _exact(self.units_per_dose, "units_per_dose"))


class TargetKind(StrEnum):
    STOP = "stop"
    OMEQ = "omeq"
    DOSE = "dose"


@dataclass(frozen=True)
class TaperTarget:
    kind: TargetKind
    omeq_mg_per_day: Decimal | None = None
    product_id: str | None = None
    daily_amount: Decimal | None = None  # in the product's unit (mg, mcg, mcg/h worn)

    @classmethod
    def stop(cls) -> TaperTarget:
        return cls(TargetKind.STOP)

    @classmethod
    def omeq(cls, mg_per_day: Decimal | int) -> TaperTarget:
        return cls(TargetKind.OMEQ, omeq_mg_per_day=_exact(mg_per_day, "mg_per_day"))

    @classmethod
    def dose(cls, product_id: str, daily_amount: Decimal | int) -> TaperTarget:
        amount = _exact(daily_amount, "daily_amount")
        return cls(TargetKind.DOSE, product_id=product_id, daily_amount=amount)


class StepBasis(StrEnum):
    STARTING_DOSE = "starting_dose"  # each step cuts up to a share of the starting OMEQ
    CURRENT_DOSE = "current_dose"  # ... of the OMEQ of the step before


@dataclass(frozen=True)
class SlowDown:
    """Once the OMEQ is at or below `below_share` of the start, steps are `step_factor` as
    large (the sources' "slow down near the end": e.g. half the step below half the dose)."""

    below_share: Decimal = Decimal("0.5")
    step_factor: Decimal = Decimal("0.5")

    def __post_init__(self) -> None:
        object.__setattr__(self, "below_share", _exact(self.below_share, "below_share"))
        object.__setattr__(self, "step_factor", _exact(self.step_factor, "step_factor"))


@dataclass(frozen=True)
class PauseAtStep:
    """The dose of step `step` (1-based) holds for `extra_days` more days."""

    step: int
    extra_days: int


@dataclass(frozen=True)
class PauseBetween:
    """No dose change from `first_day` to `last_day` (both included): a change that would
    fall inside waits until the day after, and the dose before it holds."""

    first_day: date
    last_day: date


Pause = PauseAtStep | PauseBetween


@dataclass(frozen=True)
class TaperRequest:
    lines: tuple[TaperLine | PrnLine, ...]
    target: TaperTarget
    step_percent: Decimal
    interval_days: int
    start_date: date
    table: ConversionTable
    thresholds: Thresholds
    step_basis: StepBasis = StepBasis.STARTING_DOSE
    slow_down: SlowDown | None = None
    pauses: tuple[Pause, ...] = ()
    order: tuple[str, ...] = ()  # product ids to reduce first, in this order
    stop_threshold_mg_per_day: Decimal | None = None  # None: the settings' default
    catalogue: Catalogue = field(default_factory=shipped_catalogue, repr=False)
    settings: TaperSettings = field(default_factory=default_taper_settings, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "pauses", tuple(self.pauses))
        object.__setattr__(self, "order", tuple(self.order))
        object.__setattr__(self, "step_percent", _exact(self.step_percent, "step_percent"))
        if self.stop_threshold_mg_per_day is not None:
            value = _exact(self.stop_threshold_mg_per_day, "stop_threshold_mg_per_day")
            object.__setattr__(self, "stop_threshold_mg_per_day", value)

    @property
    def stop_threshold(self) -> Decimal:
        """The most OMEQ a day a product may be stopped from."""
        if self.stop_threshold_mg_per_day is None:
            return self.settings.stop_threshold_mg_per_day
        return self.stop_threshold_mg_per_day


def pace_problems(request: TaperRequest, today: date) -> list[TaperProblem]:
    """Problems with the rate, interval, start date, slow-down, pauses and target values."""
    found: list[TaperProblem] = []
    code = TaperErrorCode
    pct = request.step_percent
    if not (pct.is_finite() and 0 < pct <= MAX_STEP_PERCENT):
        message = f"The step must be above 0 % and at most {MAX_STEP_PERCENT} % (got {pct} %)."
        found.append(
            problem(
                code.STEP_SIZE_OUT_OF_RANGE,
                message,
                percent=text(pct) if pct.is_finite() else str(pct),
                maximum=text(MAX_STEP_PERCENT),
            )
        )
    if request.interval_days < 1:
        message = (
            f"The interval between steps must be at least 1 day (got {request.interval_days})."
        )
        found.append(problem(code.INTERVAL_TOO_SHORT, message, days=str(request.interval_days)))
    days_back = (today - request.start_date).days
    if days_back > MAX_DAYS_IN_PAST:
        message = (
            f"The start date {request.start_date.isoformat()} is {days_back} days ago; a plan may"
            f" start at most {MAX_DAYS_IN_PAST} days back."
        )
        found.append(problem(code.START_DATE_TOO_FAR_IN_PAST, message,
                              start_date=request.start_date.isoformat(), today=today.isoformat(),
                              max_days=str(MAX_DAYS_IN_PAST)))  # fmt: skip
    slow = request.slow_down
    if slow is not None and not (0 < slow.below_share < 1 and 0 < slow.step_factor <= 1):
        message = "Slowing down needs a share of the start between 0 and 1 and a factor in (0, 1]."
        found.append(problem(code.SLOW_DOWN_OUT_OF_RANGE, message,
                              below_share=text(slow.below_share),
                              step_factor=text(slow.step_factor)))  # fmt: skip
    for pause in request.pauses:
        if isinstance(pause, PauseAtStep) and (pause.step < 1 or pause.extra_days < 1):
            message = "A pause at a step needs a step number from 1 and at least 1 extra day."
            found.append(problem(code.PAUSE_NOT_VALID, message, step=str(pause.step),
                                  extra_days=str(pause.extra_days)))  # fmt: skip
        if isinstance(pause, PauseBetween) and pause.last_day < pause.first_day:
            message = "A pause cannot end before it begins."
            found.append(problem(code.PAUSE_NOT_VALID, message,
                                  first_day=pause.first_day.isoformat(),
                                  last_day=pause.last_day.isoformat()))  # fmt: skip
    threshold = request.stop_threshold
    if not (threshold.is_finite() and threshold > 0):
        message = f"The stop threshold must be above 0 mg OMEQ/day (got {threshold})."
        shown = text(threshold) if threshold.is_finite() else str(threshold)
        found.append(problem(code.STOP_THRESHOLD_NOT_VALID, message, threshold=shown))
    found += _target_problems(request.target)
    return found


def _target_problems(target: TaperTarget) -> list[TaperProblem]:
    value = target.omeq_mg_per_day if target.kind is TargetKind.OMEQ else target.daily_amount
    is_stop = target.kind is TargetKind.STOP
    has_product = target.kind is not TargetKind.DOSE or bool(target.product_id)
    if not is_stop and (value is None or not value.is_finite() or value < 0 or not has_product):
        message = "A target needs a dose of 0 or more (and, for a dose target, a product)."
        return [problem(TaperErrorCode.TARGET_NOT_VALID, message, kind=target.kind.value)]
    return []


def problem(
    code: TaperErrorCode, message: str, line: int | None = None, **params: str
) -> TaperProblem:
    return TaperProblem(code, message, tuple(params.items()), line)
