"""Taper plans: from the current regimen to a target, in dated steps of real strengths.

    request = TaperRequest(
        lines=(TaperLine("morphine-depot-tablet", Decimal(60), DoseSchedule(1, 0, 1, 0)),),
        target=TaperTarget.stop(), step_percent=Decimal(10), interval_days=28,
        start_date=date(2026, 1, 5), table=tables["cdc-2022"], thresholds=default_thresholds(),
    )
    plan = generate_taper_plan(request, today=date(2026, 1, 2))

The input types and their checks are in `domain.tapering.request` (the medication list's
lines in `domain.tapering.regimen`), the reduction rules (one opioid at a time, the step size,
how the doses of the day are cut, the every-other-day end) in `domain.tapering.steps`, the
step notes in `domain.tapering.notes`, a step's product dose and what to prescribe in
`domain.tapering.doses`, and how a dose is made of marketed strengths in
`domain.tapering.strengths`.
This module dates the steps and assembles the plan:

- Step 1 begins on the start date with the first reduced dose (the baseline is the dose
  before). Each step lasts its own `planned_days`: `interval_days`, or longer where it cuts
  more than its step size or follows a patch's change days (`domain.tapering.steps`: the pace
  holds); the last step has no end (the dose reached, or none after a stop).
  `PauseAtStep(n, days)` holds step n longer; a `PauseBetween` range moves any change that
  would fall inside it to the day after it (and a patch's step to its next change day). Steps
  that hold longer carry the note `paused`. A pause that touches no step of the plan is
  refused, and so is a plan whose last change would fall more than `MAX_PLAN_YEARS` after its
  start.
- A switch to a finer product (a step of kind `switch`) is also listed in `switches`, to be
  shown before the plan: the product and dose before and after, the OMEQ of each from the
  plan's table, and why (its stop would be above the stop threshold, or coarser than the
  pace).
- Each step shows every product still taken (`doses`), its OMEQ (`omeq`, the whole
  `OmeqResult` for the step's regimen, with table version and warnings), the percent of the
  starting OMEQ (maximum including PRN, rounded to 0.1 for display), the cut and the step size
  it was held to, and `supply`: what to prescribe for the step's days per product and
  strength (none for the open-ended last step: use `ProductDose.units_needed(days)`).
- A plan for several opioids, or a short-acting opioid on a schedule, carries the suggestion
  `switch_to_one_depot_opioid` (the sources' "first switch to one long-acting opioid at
  fixed times"); the plan itself still reduces the regimen as it is, one product at a time.
  Methadone is never "short-acting" (`TaperSettings.long_acting_substances`): a regimen with
  methadone carries `methadone_specialist_advice` instead of a switch to a depot opioid.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.catalogue import Product, Release
from domain.omeq import OmeqResult
from domain.tapering.doses import ProductDose
from domain.tapering.notes import (
    NoteCode,
    StepNote,
    paused_note,
    start_after_pause_note,
    target_note,
)
from domain.tapering.regimen import order_problems, parse_regimen
from domain.tapering.request import (
    MAX_PLAN_YEARS,
    DoseSchedule,
    PauseAtStep,
    PauseBetween,
    PrnLine,
    SlowDown,
    StepBasis,
    TaperError,
    TaperErrorCode,
    TaperInputError,
    TaperLine,
    TaperProblem,
    TaperRequest,
    TaperTarget,
    TargetKind,
    pace_problems,
)
from domain.tapering.settings import TaperSettings
from domain.tapering.steps import (
    MAX_STEPS,
    EndRules,
    Pace,
    PlannedDose,
    StepKind,
    Switched,
    SwitchReason,
    omeq_of,
    plan_doses,
    reduction_order,
)
from domain.tapering.strengths import UnitCount, sum_units, tidy

__all__ = [
    "DoseSchedule",
    "NoteCode",
    "PauseAtStep",
    "PauseBetween",
    "PrnLine",
    "ProductDose",
    "SlowDown",
    "StepBasis",
    "StepKind",
    "StepNote",
    "Suggestion",
    "SuggestionCode",
    "SuggestionReason",
    "Supply",
    "SwitchProposal",
    "SwitchReason",
    "TaperError",
    "TaperErrorCode",
    "TaperInputError",
    "TaperLine",
    "TaperPlan",
    "TaperProblem",
    "TaperRequest",
    "TaperStep",
    "TaperTarget",
    "TargetKind",
    "generate_taper_plan",
]


class SuggestionCode(StrEnum):
    SWITCH_TO_ONE_DEPOT_OPIOID = "switch_to_one_depot_opioid"
    METHADONE_SPECIALIST_ADVICE = "methadone_specialist_advice"


class SuggestionReason(StrEnum):
    SEVERAL_OPIOIDS = "several_opioids"
    SHORT_ACTING_SCHEDULED = "short_acting_scheduled"
    METHADONE = "methadone"


@dataclass(frozen=True)
class Suggestion:
    code: SuggestionCode
    reasons: tuple[SuggestionReason, ...]
    message: str
    params: tuple[tuple[str, str], ...] = ()

    def params_dict(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True)
class Supply:
    """Units to prescribe of one product for a step, per strength (largest first)."""

    product: Product
    units: tuple[UnitCount, ...]


@dataclass(frozen=True)
class SwitchProposal:
    """A switch the plan makes (step `step`), to be shown before the plan: from `from_dose`
    to `to_dose` at the OMEQ of the plan's table, because the old product's last step would
    remove `stop_mg_per_day` (above the threshold, or above the step size then)."""

    step: int
    reason: SwitchReason
    from_dose: ProductDose
    to_dose: ProductDose
    from_omeq_mg_per_day: Decimal
    to_omeq_mg_per_day: Decimal
    stop_mg_per_day: Decimal
    limit_mg_per_day: Decimal
    threshold_mg_per_day: Decimal
    table_id: str
    table_version: str


@dataclass(frozen=True)
class TaperStep:
    number: int  # from 1
    kind: StepKind
    start_date: date
    end_date: date | None  # None: the last step, which has no end
    doses: tuple[ProductDose, ...]  # the products still taken
    reduced_product_id: str
    reduced_is_prn: bool
    omeq: OmeqResult
    percent_of_start: Decimal
    cut_mg_per_day: Decimal
    cut_limit_mg_per_day: Decimal
    pause_days: int
    notes: tuple[StepNote, ...]
    supply: tuple[Supply, ...]
    planned_days: int | None = None  # the step's own length before pauses (None: the last)

    @property
    def days(self) -> int | None:
        if self.end_date is None:
            return None
        return (self.end_date - self.start_date).days + 1

    @property
    def omeq_mg_per_day(self) -> Decimal:
        """The step's OMEQ, maximum including PRN (what the step size and target use)."""
        return self.omeq.max_mg_per_day

    def has_note(self, code: NoteCode) -> bool:
        return any(n.code is code for n in self.notes)


@dataclass(frozen=True)
class TaperPlan:
    target: TaperTarget
    start_date: date
    interval_days: int
    baseline: tuple[ProductDose, ...]
    baseline_omeq: OmeqResult
    order: tuple[tuple[str, bool], ...]  # (product id, is PRN) in the order reduced
    steps: tuple[TaperStep, ...]
    suggestions: tuple[Suggestion, ...]
    switches: tuple[SwitchProposal, ...] = ()
    stop_threshold_mg_per_day: Decimal = Decimal(0)

    @property
    def stretched_steps(self) -> tuple[TaperStep, ...]:
        """The steps that last longer than the interval because they cut more."""
        return tuple(s for s in self.steps if s.has_note(NoteCode.STRETCHED))

    @property
    def last_change_date(self) -> date:
        return self.steps[-1].start_date

    @property
    def final_omeq_mg_per_day(self) -> Decimal:
        return self.steps[-1].omeq_mg_per_day


def generate_taper_plan(request: TaperRequest, *, today: date) -> TaperPlan:
    """The plan, or a `TaperInputError` listing every problem of the request, a `TaperError`
    when the target cannot be reached in marketed strengths, or the `RegimenError` of OMEQ."""
    problems = pace_problems(request, today)
    baseline, line_problems = parse_regimen(request)
    problems += line_problems
    if not line_problems:
        problems += order_problems(request, baseline)
    if problems:
        raise TaperInputError(tuple(problems))
    start, owners = omeq_of(baseline, request.table, request.thresholds)
    pace = Pace(request.step_percent, request.step_basis, request.slow_down, request.interval_days)
    first_limit = request.step_percent / 100 * start.max_mg_per_day
    order = reduction_order(baseline, start, owners, order=request.order, target=request.target,
                            first_limit=first_limit)  # fmt: skip
    rules = EndRules(request.stop_threshold, request.settings, request.catalogue)
    planned = plan_doses(
        baseline, start, owners, order, request.target, pace, rules, request.table,
        request.thresholds,
    )  # fmt: skip
    dates = _dates(planned, request)
    steps = tuple(
        _step(number, dose, dates[number - 1], start.max_mg_per_day)
        for number, dose in enumerate(planned, start=1)
    )
    delayed = (steps[0].start_date - request.start_date).days
    if delayed:
        steps = (replace(steps[0], notes=(start_after_pause_note(delayed), *steps[0].notes)),
                 *steps[1:])  # fmt: skip
    steps = (*steps[:-1], _with_target_note(steps[-1], request.target, baseline))
    return TaperPlan(
        target=request.target,
        start_date=request.start_date,
        interval_days=request.interval_days,
        baseline=baseline,
        baseline_omeq=start,
        order=tuple(baseline[i].key for i in order),
        steps=steps,
        suggestions=_suggestions(baseline, request.settings),
        switches=tuple(
            _proposal(number, dose.switch, request)
            for number, dose in enumerate(planned, start=1)
            if dose.switch is not None
        ),
        stop_threshold_mg_per_day=request.stop_threshold,
    )


def _proposal(number: int, switched: Switched, request: TaperRequest) -> SwitchProposal:
    return SwitchProposal(
        step=number,
        reason=switched.reason,
        from_dose=switched.from_dose,
        to_dose=switched.to_dose,
        from_omeq_mg_per_day=switched.from_omeq_mg_per_day,
        to_omeq_mg_per_day=switched.to_omeq_mg_per_day,
        stop_mg_per_day=switched.stop_mg_per_day,
        limit_mg_per_day=switched.limit_mg_per_day,
        threshold_mg_per_day=switched.threshold_mg_per_day,
        table_id=request.table.id,
        table_version=request.table.version,
    )


@dataclass(frozen=True)
class _Dates:
    start: date
    end: date | None
    pause_days: int
    planned_days: int | None


def _dates(planned: list[PlannedDose], request: TaperRequest) -> list[_Dates]:
    count = len(planned)
    ranges = sorted((p for p in request.pauses if isinstance(p, PauseBetween)),
                    key=lambda p: p.first_day)  # fmt: skip
    extra: dict[int, int] = defaultdict(int)
    for pause in request.pauses:
        if isinstance(pause, PauseAtStep):
            if pause.step >= count:
                _refuse_pause(f"step {pause.step}", count)
            extra[pause.step] += pause.extra_days

    def after_pauses(day: date) -> date:
        for pause in ranges:  # sorted, so a chain of pauses is followed in one pass
            if pause.first_day <= day <= pause.last_day:
                day = pause.last_day + timedelta(days=1)
        return day

    latest = request.start_date + timedelta(days=MAX_PLAN_YEARS * 366)

    def too_long() -> TaperError:
        return TaperError(
            TaperErrorCode.PLAN_TOO_LONG,
            f"The plan would last more than {MAX_PLAN_YEARS} years; choose a larger step or"
            " a shorter interval.",
            max_steps=str(MAX_STEPS),
            max_years=str(MAX_PLAN_YEARS),
        )

    starts = [after_pauses(request.start_date)]
    for number in range(1, count):
        step = planned[number - 1]
        if step.days + extra[number] > (latest - starts[-1]).days:
            raise too_long()  # checked before the date is made: no date beyond year 9999
        following = after_pauses(starts[-1] + timedelta(days=step.days + extra[number]))
        while step.change_days > 1 and (following - starts[-1]).days % step.change_days:
            rest = -(following - starts[-1]).days % step.change_days  # to its next change day
            following = after_pauses(following + timedelta(days=rest))
        if following > latest:
            raise too_long()
        starts.append(following)
    for pause in ranges:
        if pause.last_day < request.start_date or pause.first_day > starts[-1]:
            what = f"{pause.first_day.isoformat()} to {pause.last_day.isoformat()}"
            _refuse_pause(what, count, first=request.start_date, last=starts[-1])
    dated = []
    for number, start in enumerate(starts, start=1):
        if number == count:
            dated.append(_Dates(start, None, 0, None))
            continue
        following = starts[number]
        planned_days = planned[number - 1].days
        held = (following - start).days - planned_days
        dated.append(_Dates(start, following - timedelta(days=1), held, planned_days))
    return dated


def _refuse_pause(
    what: str, count: int, *, first: date | None = None, last: date | None = None
) -> None:
    span = f" from {first.isoformat()} to {last.isoformat()}" if first and last else ""
    raise TaperError(
        TaperErrorCode.PAUSE_OUTSIDE_PLAN,
        f"The pause ({what}) touches no step of the plan: its {count} steps change the dose"
        f"{span}, and the last step has no end.",
        pause=what,
        steps=str(count),
        first_change=first.isoformat() if first else "",
        last_change=last.isoformat() if last else "",
    )


def _step(number: int, planned: PlannedDose, dates: _Dates, start: Decimal) -> TaperStep:
    notes = list(planned.notes)
    if dates.pause_days > 0:
        notes.append(paused_note(dates.pause_days))
    taken = tuple(d for d in planned.doses if not d.is_stopped)
    days = None if dates.end is None else (dates.end - dates.start).days + 1
    reduced = planned.reduced
    percent = (planned.omeq.max_mg_per_day / start * 100).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return TaperStep(
        number=number,
        kind=planned.kind,
        start_date=dates.start,
        end_date=dates.end,
        doses=taken,
        reduced_product_id=reduced.product.id,
        reduced_is_prn=reduced.is_prn,
        omeq=planned.omeq,
        percent_of_start=tidy(percent),
        cut_mg_per_day=planned.cut_mg_per_day,
        cut_limit_mg_per_day=planned.cut_limit_mg_per_day,
        pause_days=dates.pause_days,
        notes=tuple(notes),
        supply=() if days is None else _supply(taken, days),
        planned_days=dates.planned_days,
    )


def _supply(doses: tuple[ProductDose, ...], days: int) -> tuple[Supply, ...]:
    by_product: dict[str, list[UnitCount]] = defaultdict(list)
    products: dict[str, Product] = {}
    for dose in doses:
        products[dose.product.id] = dose.product
        by_product[dose.product.id] += dose.units_needed(days)
    return tuple(Supply(products[pid], sum_units(units)) for pid, units in by_product.items())


def _with_target_note(
    step: TaperStep, target: TaperTarget, baseline: tuple[ProductDose, ...]
) -> TaperStep:
    if target.kind is TargetKind.OMEQ and target.omeq_mg_per_day is not None:
        wanted, reached, unit = target.omeq_mg_per_day, step.omeq_mg_per_day, "mg OMEQ/day"
    elif target.kind is TargetKind.DOSE and target.daily_amount is not None:
        wanted = target.daily_amount
        kept = [d for d in step.doses if d.product.id == target.product_id and not d.is_prn]
        reached = sum((d.daily_amount for d in kept), Decimal(0))
        product = next(d.product for d in baseline if d.product.id == target.product_id)
        unit = f"{product.dose_unit}/day"
    else:
        return step
    if reached >= wanted:
        return step
    extra = target_note(wanted, reached, unit)
    return replace(step, notes=(*step.notes, extra))


def _suggestions(
    baseline: tuple[ProductDose, ...], settings: TaperSettings
) -> tuple[Suggestion, ...]:
    substances = sorted({d.product.substance for d in baseline})
    long_acting = settings.long_acting_substances
    methadone = sorted({d.product.id for d in baseline if d.product.substance in long_acting})
    short = sorted({d.product.id for d in baseline if not d.is_prn
                    and d.product.release is Release.IMMEDIATE
                    and d.product.substance not in long_acting})  # fmt: skip
    if methadone:
        return (
            Suggestion(
                SuggestionCode.METHADONE_SPECIALIST_ADVICE,
                (SuggestionReason.METHADONE,),
                "Methadone acts for long and its conversion depends on the dose: reduce it"
                " slowly, one opioid at a time, and ask a specialist before switching it to"
                f" another opioid (the regimen has: {', '.join(substances)}).",
                (
                    ("substances", ", ".join(substances)),
                    ("methadone_products", ", ".join(methadone)),
                ),
            ),
        )
    reasons = []
    if len(substances) > 1:
        reasons.append(SuggestionReason.SEVERAL_OPIOIDS)
    if short:
        reasons.append(SuggestionReason.SHORT_ACTING_SCHEDULED)
    if not reasons:
        return ()
    return (
        Suggestion(
            SuggestionCode.SWITCH_TO_ONE_DEPOT_OPIOID,
            tuple(reasons),
            "Consider first switching to one long-acting (depot) opioid taken at fixed times"
            f" (the regimen has: {', '.join(substances)}"
            + (f"; short-acting on a schedule: {', '.join(short)})." if short else ")."),
            (("substances", ", ".join(substances)), ("short_acting_products", ", ".join(short))),
        ),
    )
