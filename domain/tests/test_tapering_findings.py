"""Issue 11's findings, each as the plan a GP or a pain nurse was shown and would refuse to sign.

The default pace (settings TAPER_DEFAULT_*: 10 % of the starting OMEQ every 28 days, steps
halved at or below half the start; CDC 2022 / HHS 2019). Strengths from the catalogue; CDC 2022
factors (fentanyl 2.4 per mcg/h, tramadol 0.2, hydromorphone 5, oxycodone 1.5) and the Nordic
table for buprenorphine (2.22 per mcg/h; CDC gives none).
"""

import math
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.catalogue import shipped_catalogue
from domain.omeq import default_thresholds, load_builtin_tables
from domain.tapering import (
    DoseSchedule,
    SlowDown,
    StepKind,
    StrengthGrid,
    TaperLine,
    TaperPlan,
    TaperRequest,
    TaperTarget,
    express_dose,
    generate_taper_plan,
)

D = Decimal
TABLES = load_builtin_tables()
START = date(2026, 1, 5)
INTERVAL = 28
STOP_THRESHOLD = D(30)  # domain/data/taper_settings.toml
CATALOGUE = shipped_catalogue()


def plan(*lines: TaperLine, table: str = "cdc-2022", **options: Any) -> TaperPlan:
    request = TaperRequest(
        lines=lines, target=TaperTarget.stop(), step_percent=D(10), interval_days=INTERVAL,
        start_date=START, table=TABLES[table], thresholds=default_thresholds(),
        slow_down=SlowDown(D("0.5"), D("0.5")),
    )  # fmt: skip
    return generate_taper_plan(replace(request, **options), today=START)


def twice(product_id: str, strength: int, units: int = 1) -> TaperLine:
    return TaperLine(product_id, D(strength), DoseSchedule(morning=D(units), evening=D(units)))


def patch(product_id: str, strength: str) -> TaperLine:
    return TaperLine(product_id, D(strength), DoseSchedule(morning=D(1)))


def assert_the_pace_holds(result: TaperPlan) -> None:
    """Each step that cuts more than its step size lasts interval x cut / limit days."""
    for step in result.steps[:-1]:
        assert step.days is not None
        needed = math.ceil(INTERVAL * step.cut_mg_per_day / step.cut_limit_mg_per_day)
        assert step.days >= needed, (step.number, step.days, needed)


def assert_no_stop_from_a_meaningful_dose(result: TaperPlan) -> None:
    for step in result.steps:
        if step.kind is StepKind.STOP and not step.reduced_is_prn:
            assert step.cut_mg_per_day <= STOP_THRESHOLD, (step.number, step.cut_mg_per_day)


def test_a_fentanyl_50_patch_is_not_stopped_in_84_days() -> None:
    # Found: 50 -> 37 -> 25 -> 12 -> 0 every 28 days, each cut ~30 mg OMEQ against 12, then 6.
    result = plan(patch("fentanyl-patch", "50"))
    assert_the_pace_holds(result)
    assert_no_stop_from_a_meaningful_dose(result)
    assert result.steps[-1].start_date - START > timedelta(days=84)
    final = [s for s in result.steps if s.kind is StepKind.STOP][-1]
    assert final.cut_mg_per_day <= final.cut_limit_mg_per_day  # the end keeps the pace too


def test_a_four_day_buprenorphine_35_patch_is_not_stopped_on_day_1() -> None:
    # Found: 35 mcg/h x 2.22 = 77.7 mg OMEQ removed on the start date.
    result = plan(patch("buprenorphine-patch-4-day", "35"), table="nordic")
    assert result.steps[0].kind is not StepKind.STOP
    assert_no_stop_from_a_meaningful_dose(result)
    assert_the_pace_holds(result)


def test_a_fentanyl_12_patch_alone_is_not_stopped_on_day_1() -> None:
    # Found: 28.8 mg OMEQ stopped at once against a step of 2.88.
    result = plan(patch("fentanyl-patch", "12"))
    assert result.steps[0].kind is not StepKind.STOP
    for step in result.steps:
        if step.kind is StepKind.STOP:
            assert step.cut_mg_per_day <= step.cut_limit_mg_per_day
    assert_the_pace_holds(result)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(twice("morphine-depot-tablet", 30), id="morphine-depot-30-twice"),
        pytest.param(twice("tramadol-depot-tablet", 200), id="tramadol-depot-200-twice"),
        pytest.param(twice("hydromorphone-depot-capsule", 8), id="hydromorphone-depot-8-twice"),
    ],
)
def test_a_coarse_depot_takes_as_long_as_the_pace_says(line: TaperLine) -> None:
    # Found: finished in 3.7-5.5 months. 10 % of the start a month to half the start, then
    # 5 %: at least 5 + 10 months, less one step's rounding at the end.
    result = plan(line)
    assert_the_pace_holds(result)
    assert_no_stop_from_a_meaningful_dose(result)
    assert result.steps[-1].start_date - START >= timedelta(days=365)


def test_the_patch_is_reduced_before_the_oral_depot() -> None:
    # Found: the oxycodone went first, then the patch fell 25 -> 12 -> 0 in two steps.
    result = plan(twice("oxycodone-depot-tablet", 20), patch("fentanyl-patch", "25"))
    assert result.steps[0].reduced_product_id == "fentanyl-patch"
    assert_the_pace_holds(result)
    assert_no_stop_from_a_meaningful_dose(result)


@pytest.mark.parametrize("amount", [70, 75])
def test_an_oxycodone_depot_dose_uses_at_most_two_strengths(amount: int) -> None:
    # Found: 70 mg as 40 + 20 + 10 and 75 mg as 40 + 20 + 10 + 5.
    dose = express_dose(CATALOGUE.by_id("oxycodone-depot-tablet"), D(amount))
    assert len({c.strength for c in dose.counts}) <= 2


def test_no_administration_of_a_plan_uses_more_than_two_strengths() -> None:
    result = plan(twice("oxycodone-depot-tablet", 40, units=2), step_percent=D(5))
    for step in result.steps:
        for dose in step.doses:
            for timed in dose.doses:
                assert len({c.strength for c in timed.dose.counts}) <= 2, (step.number, timed)


def test_morning_and_evening_stay_as_even_as_the_strengths_allow() -> None:
    # Found: 160 + 160 mg oxycodone went to 145 + 160 although 150 + 160 can be made.
    product = CATALOGUE.by_id("oxycodone-depot-tablet")
    result = plan(twice("oxycodone-depot-tablet", 80, units=2), step_percent=D(5))
    before = result.baseline[0].amounts
    for step in result.steps:
        if not step.doses:
            break
        after = step.doses[0].amounts
        grid = StrengthGrid(product, up_to=max(before))
        gap, amount = D(0), max(before)
        while amount > min(a for a in after if a):
            lower = grid.amount_below(amount)
            gap, amount = max(gap, amount - lower), lower
        taken_before = [a for a in before if a]
        taken_after = [a for a in after if a]
        spread_before = max(taken_before) - min(taken_before)
        assert max(taken_after) - min(taken_after) <= max(spread_before, gap), (step.number, after)
        before = after


def test_a_patient_on_10_mg_tablets_is_not_given_halves_of_a_new_30_mg_tablet() -> None:
    # Found: 15 mg as half a 30 mg tablet for a patient who has 10 mg tablets.
    result = plan(twice("morphine-tablet", 10, units=2))
    for step in result.steps:
        for dose in step.doses:
            if dose.product.id == "morphine-tablet":
                strengths = {c.strength.amount for t in dose.doses for c in t.dose.counts}
                assert strengths <= {D(10)}, (step.number, strengths)
