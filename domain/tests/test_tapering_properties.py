"""The guarantees of issue 4, for any regimen of the shipped catalogue a shipped table converts.

A plan never raises the dose, reaches its target, uses only doses the marketed strengths can
make, cuts no more than the step size unless it says why, has strictly increasing dates,
and its OMEQ per step is what `compute_omeq` gives for that step's regimen.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import event, given, reject, settings
from hypothesis import strategies as st

from domain.catalogue import Form, Product, shipped_catalogue
from domain.omeq import (
    ConversionTable,
    DoseBandedRule,
    DoseUnit,
    LinearRule,
    RegimenLine,
    Release,
    Route,
    compute_omeq,
    default_thresholds,
    load_builtin_tables,
)
from domain.tapering import (
    DEFAULT_MAX_PATCHES,
    DEFAULT_MAX_TABLETS,
    DoseSchedule,
    NoteCode,
    PauseAtStep,
    PauseBetween,
    PrnLine,
    ProductDose,
    SlowDown,
    StepBasis,
    TaperError,
    TaperErrorCode,
    TaperLine,
    TaperPlan,
    TaperRequest,
    TaperTarget,
    TargetKind,
    TimeOfDay,
    UnitCount,
    generate_taper_plan,
)
from domain.tests.case_share import share_of_cases

D = Decimal
CATALOGUE = shipped_catalogue()
TABLES = load_builtin_tables()
TODAY = date(2026, 3, 2)
HALF = D("0.5")


def convertible(product: Product, table: ConversionTable) -> bool:
    rule = table.rule_for(product.substance, Route(product.route))
    return isinstance(rule, LinearRule | DoseBandedRule)


def products_for(table: ConversionTable) -> list[Product]:
    return [
        p
        for p in CATALOGUE.opioids()
        if not p.is_substitution and convertible(p, table) and p.form is not Form.INJECTION
    ]


@st.composite
def line_for(draw: st.DrawFn, product: Product) -> TaperLine | PrnLine:
    strength = draw(st.sampled_from(product.strengths)).amount
    is_prn = product.is_measured_in_ml or (
        product.form is not Form.PATCH and draw(st.booleans()) and draw(st.booleans())
    )
    if is_prn:
        per_dose = D(draw(st.integers(1, 10))) if product.is_measured_in_ml else D(1)
        return PrnLine(product.id, strength, per_dose, draw(st.integers(1, 4)))
    if product.form is Form.PATCH:
        time = draw(st.sampled_from(list(TimeOfDay)))
        return TaperLine(
            product.id, strength, DoseSchedule(**{time.value: D(draw(st.integers(1, 2)))})
        )
    choices = [D(0), D(0), D(1), D(2)] + ([HALF, D("1.5")] if product.splittable else [])
    units = {t.value: draw(st.sampled_from(choices)) for t in TimeOfDay}
    if not any(units.values()):
        units[draw(st.sampled_from(list(TimeOfDay))).value] = D(1)
    return TaperLine(product.id, strength, DoseSchedule(**units))


@dataclass(frozen=True)
class Case:
    request: TaperRequest
    target_share: Decimal  # of the start, for OMEQ and dose targets


@st.composite
def cases(draw: st.DrawFn) -> Case:
    table = draw(st.sampled_from([TABLES["cdc-2022"], TABLES["nordic"]]))
    chosen = draw(st.lists(st.sampled_from(products_for(table)), min_size=1, max_size=3,
                           unique_by=lambda p: p.id))  # fmt: skip
    lines = [draw(line_for(p)) for p in chosen]
    kind = draw(st.sampled_from(list(TargetKind)))
    scheduled = [line.product_id for line in lines if isinstance(line, TaperLine)]
    if kind is TargetKind.DOSE and not scheduled:
        kind = TargetKind.STOP
    share = draw(st.decimals(min_value=D("0.05"), max_value=D("0.95"), places=2))
    target = TaperTarget.stop()
    if kind is TargetKind.DOSE:
        target = TaperTarget.dose(draw(st.sampled_from(scheduled)), 0)  # amount set in plan_for
    elif kind is TargetKind.OMEQ:
        target = TaperTarget.omeq(0)
    slow = draw(st.none() | st.builds(
        SlowDown,
        st.decimals(min_value=D("0.1"), max_value=D("0.9"), places=1),
        st.decimals(min_value=D("0.1"), max_value=D("1"), places=1),
    ))  # fmt: skip
    start = TODAY + timedelta(days=draw(st.integers(-30, 30)))
    at_step = st.builds(PauseAtStep, st.integers(1, 4), st.integers(1, 30))
    between = st.integers(0, 120).flatmap(
        lambda offset: st.integers(0, 40).map(
            lambda length: PauseBetween(
                start + timedelta(days=offset), start + timedelta(days=offset + length)
            )
        )
    )
    pauses = draw(st.lists(at_step | between, max_size=2))
    request = TaperRequest(
        lines=tuple(lines),
        target=target,
        step_percent=draw(st.decimals(min_value=D("2.5"), max_value=D(50), places=1)),
        interval_days=draw(st.integers(1, 60)),
        start_date=start,
        table=table,
        thresholds=default_thresholds(),
        step_basis=draw(st.sampled_from(list(StepBasis))),
        slow_down=slow,
        pauses=tuple(pauses),
    )
    return Case(request, share)


def plan_for(case: Case) -> TaperPlan | None:
    """The plan, or None where the target is refused as unreachable in marketed strengths."""
    request = case.request
    if request.target.kind is not TargetKind.STOP:
        stop = replace(request, target=TaperTarget.stop(), pauses=())
        baseline = generate_taper_plan(stop, today=TODAY)
        if request.target.kind is TargetKind.OMEQ:
            target = TaperTarget.omeq(baseline.baseline_omeq.max_mg_per_day * case.target_share)
        else:
            pid = request.target.product_id
            dose = next(d for d in baseline.baseline if d.product.id == pid and not d.is_prn)
            target = TaperTarget.dose(str(pid), dose.daily_amount * case.target_share)
        request = replace(request, target=target)
    try:
        return generate_taper_plan(request, today=TODAY)
    except TaperError as error:
        event(f"refused: {error.code}")
        if error.code == TaperErrorCode.PAUSE_OUTSIDE_PLAN:
            return None  # a pause drawn after the plan's end, or at its open-ended last step
        assert error.code == TaperErrorCode.TARGET_NOT_REPRESENTABLE
        assert D(error.params_dict()["smallest_dose"]) > 0
        return None


def planned(case: Case) -> TaperPlan:
    """The case's plan. A case refused as above is skipped (as `assume(False)` would), and
    hypothesis draws another; `test_most_drawn_cases_produce_a_plan` keeps that rare."""
    plan = plan_for(case)
    if plan is None:
        reject()
    return plan


def test_most_drawn_cases_produce_a_plan() -> None:
    # The properties below would pass, untested, if the drawn cases were mostly refused.
    assert share_of_cases(cases(), lambda case: plan_for(case) is not None) >= 0.6


def omeqs(plan: TaperPlan) -> list[Decimal]:
    return [plan.baseline_omeq.max_mg_per_day] + [s.omeq_mg_per_day for s in plan.steps]


@settings(max_examples=150, deadline=None)
@given(cases())
def test_the_dose_never_rises_from_one_step_to_the_next(case: Case) -> None:
    plan = planned(case)
    values = omeqs(plan)
    assert all(after <= before for before, after in pairwise(values))
    doses = [plan.baseline] + [s.doses for s in plan.steps]
    for before, after in pairwise(doses):
        old = {d.key: d for d in before}
        for dose in after:
            assert dose.key in old  # nothing is added
            assert dose.daily_amount <= old[dose.key].daily_amount
            assert all(a <= b for a, b in zip(dose.amounts, old[dose.key].amounts, strict=True))


@settings(max_examples=150, deadline=None)
@given(cases())
def test_the_plan_reaches_its_target_and_stops_there(case: Case) -> None:
    plan = planned(case)
    last, target = plan.steps[-1], plan.target
    if target.kind is TargetKind.STOP:
        assert last.doses == () and last.omeq_mg_per_day == 0
    elif target.kind is TargetKind.OMEQ:
        assert target.omeq_mg_per_day is not None
        assert last.omeq_mg_per_day <= target.omeq_mg_per_day
        assert all(s.omeq_mg_per_day > target.omeq_mg_per_day for s in plan.steps[:-1])
    else:
        assert target.daily_amount is not None
        assert [d.product.id for d in last.doses] == [target.product_id]
        assert 0 < last.doses[0].daily_amount <= target.daily_amount


@settings(max_examples=150, deadline=None)
@given(cases())
def test_every_dose_is_made_of_marketed_strengths_with_the_splitting_rules(case: Case) -> None:
    plan = planned(case)
    for step in plan.steps:
        for dose in step.doses:
            product = dose.product
            timed = [t.dose for t in dose.doses] + ([dose.prn_dose] if dose.prn_dose else [])
            for expressed in timed:
                assert expressed.counts
                total = D(0)
                for count in expressed.counts:
                    assert count.strength in product.strengths
                    total += product.dose(count.strength.amount, count.units).amount
                assert total == expressed.amount
                if product.form is Form.PATCH:
                    assert all(c.units % 1 == 0 for c in expressed.counts)
                if not dose.is_prn and not product.splittable:
                    assert all(c.units % 1 == 0 for c in expressed.counts)
                halves = sum(1 for c in expressed.counts if c.units % 1)
                assert halves <= 1
                most = DEFAULT_MAX_PATCHES if product.form is Form.PATCH else DEFAULT_MAX_TABLETS
                start = max((t.dose.pieces for b in plan.baseline if b.key == dose.key
                             for t in b.doses), default=0)  # fmt: skip
                assert dose.is_prn or expressed.pieces <= max(most, start)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_no_step_cuts_more_than_the_step_size_unless_its_note_says_why(case: Case) -> None:
    plan = planned(case)
    request, values = case.request, omeqs(plan)
    start = values[0]
    for step, before in zip(plan.steps, values, strict=False):
        reference = start if request.step_basis is StepBasis.STARTING_DOSE else before
        limit = request.step_percent / 100 * reference
        slow = request.slow_down
        if slow is not None and before <= slow.below_share * start:
            limit *= slow.step_factor
        assert step.cut_limit_mg_per_day == limit
        assert step.cut_mg_per_day == before - step.omeq_mg_per_day
        explained = step.has_note(NoteCode.ROUNDING_FORCED_LARGER_CUT) or step.has_note(
            NoteCode.CONVERSION_BAND_CHANGED
        )
        assert step.cut_mg_per_day <= limit or explained
        if step.has_note(NoteCode.ROUNDING_FORCED_LARGER_CUT):
            assert step.cut_mg_per_day > limit


@settings(max_examples=150, deadline=None)
@given(cases())
def test_dates_strictly_increase_and_steps_follow_each_other(case: Case) -> None:
    plan = planned(case)
    steps, request = plan.steps, case.request
    assert steps[0].start_date >= request.start_date
    held = sum(p.extra_days for p in request.pauses if isinstance(p, PauseAtStep))
    for step, following in pairwise(steps):
        assert step.start_date < following.start_date
        assert step.end_date == following.start_date - timedelta(days=1)
        assert step.days == request.interval_days + step.pause_days
        assert step.pause_days >= 0 and (step.pause_days > 0) == step.has_note(NoteCode.PAUSED)
    ranges = [p for p in request.pauses if isinstance(p, PauseBetween)]
    assert not any(p.first_day <= s.start_date <= p.last_day for p in ranges for s in steps)
    if not ranges:
        assert steps[0].start_date == request.start_date
        assert sum(s.pause_days for s in steps) == held
    assert steps[-1].end_date is None
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))


def amount_of(product: Product, counts: tuple[UnitCount, ...]) -> Decimal:
    return sum((product.dose(c.strength.amount, c.units).amount for c in counts), D(0))


def regimen_line(
    product: Product, amount: Decimal, per_day: Decimal, prn_max: int = 0
) -> RegimenLine:
    maximum = D(prn_max) if prn_max else None
    return RegimenLine(
        product.substance, Route(product.route), amount, DoseUnit(product.dose_unit), per_day,
        prn=bool(prn_max), max_doses_per_day=maximum, release=Release(product.release.value),
    )  # fmt: skip


def regimen(doses: tuple[ProductDose, ...]) -> list[RegimenLine]:
    """The step's regimen rebuilt from its tablets and patches, independently of the plan."""
    lines = []
    for dose in doses:
        product = dose.product
        if dose.prn_dose is not None:
            amount = amount_of(product, dose.prn_dose.counts)
            lines.append(regimen_line(product, amount, D(1), dose.prn_max_doses_per_day))
        elif product.form is Form.PATCH:
            worn = sum((amount_of(product, t.dose.counts) for t in dose.doses), D(0))
            lines.append(regimen_line(product, worn, D(1)))
        else:
            per_day = HALF if dose.is_every_other_day else D(1)
            lines += [regimen_line(product, amount_of(product, t.dose.counts), per_day)
                      for t in dose.doses]  # fmt: skip
    return lines


@settings(max_examples=150, deadline=None)
@given(cases())
def test_omeq_per_step_is_compute_omeq_of_that_steps_regimen(case: Case) -> None:
    plan = planned(case)
    table, thresholds = case.request.table, case.request.thresholds
    for step in plan.steps:
        expected = compute_omeq(regimen(step.doses), table, thresholds=thresholds)
        assert step.omeq.max_mg_per_day == expected.max_mg_per_day
        assert step.omeq.scheduled_mg_per_day == expected.scheduled_mg_per_day
        assert step.omeq.table_version == table.version
        start = plan.baseline_omeq.max_mg_per_day
        assert abs(step.percent_of_start - step.omeq_mg_per_day / start * 100) <= D("0.05")
