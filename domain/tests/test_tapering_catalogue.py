"""Issue 11, done when: no plan in the catalogue x the default pace stops a patient from a
meaningful dose or goes faster than its settings.

Every opioid of the shipped catalogue that a shipped table converts, in every marketed
strength, at the usual schedules (a patch: one or two worn; a tablet, capsule or solution:
once or twice daily; drops and injections, which a plan does not schedule: as needed), is
tapered to a stop at the default pace (settings TAPER_DEFAULT_*: 10 % of the starting OMEQ
every 28 days, steps halved at or below half the start; stop threshold 30 mg OMEQ from
`domain/data/taper_settings.toml`).
"""

import math
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest

from domain.catalogue import Form, Product, shipped_catalogue
from domain.omeq import DoseBandedRule, LinearRule, Route, default_thresholds, load_builtin_tables
from domain.tapering import (
    DoseSchedule,
    PrnLine,
    SlowDown,
    StepKind,
    TaperLine,
    TaperPlan,
    TaperRequest,
    TaperTarget,
    default_taper_settings,
    generate_taper_plan,
)

D = Decimal
CATALOGUE = shipped_catalogue()
TABLES = load_builtin_tables()
START = date(2026, 1, 5)
INTERVAL = 28
STEP_PERCENT = D(10)
SLOW = SlowDown(D("0.5"), D("0.5"))
THRESHOLD = default_taper_settings().stop_threshold_mg_per_day
NOT_SCHEDULED = {Form.DROPS, Form.INJECTION}


def regimens(product: Product) -> list[TaperLine | PrnLine]:
    found: list[TaperLine | PrnLine] = []
    for strength in product.strengths:
        amount = strength.amount
        if product.form in NOT_SCHEDULED:
            found.append(PrnLine(product.id, amount, D(1), 4))
        elif product.form is Form.PATCH:
            found += [TaperLine(product.id, amount, DoseSchedule(morning=D(units)))
                      for units in (1, 2)]  # fmt: skip
        else:
            units = D(5) if product.form is Form.ORAL_SOLUTION else D(1)
            found += [
                TaperLine(product.id, amount, DoseSchedule(evening=units)),
                TaperLine(product.id, amount, DoseSchedule(morning=units, evening=units)),
            ]
    return found


def cases() -> list[Any]:
    found = []
    for table_id, table in TABLES.items():
        for product in CATALOGUE.opioids():
            rule = table.rule_for(product.substance, Route(product.route))
            if product.is_substitution or not isinstance(rule, LinearRule | DoseBandedRule):
                continue
            for line in regimens(product):
                schedule = (
                    "prn"
                    if isinstance(line, PrnLine)
                    else "-".join(
                        f"{t.value}{line.schedule.units_at(t)}" for t in line.schedule.times()
                    )
                )
                name = f"{table_id}-{product.id}-{line.strength}-{schedule}"
                found.append(pytest.param(table_id, line, id=name))
    return found


def default_plan(table_id: str, line: TaperLine | PrnLine) -> TaperPlan:
    request = TaperRequest(
        lines=(line,), target=TaperTarget.stop(), step_percent=STEP_PERCENT,
        interval_days=INTERVAL, start_date=START, table=TABLES[table_id],
        thresholds=default_thresholds(), slow_down=SLOW,
    )  # fmt: skip
    return generate_taper_plan(request, today=START)


def limit_at(start: Decimal, before: Decimal) -> Decimal:
    limit = STEP_PERCENT / 100 * start
    return limit * SLOW.step_factor if before <= SLOW.below_share * start else limit


def test_the_whole_catalogue_is_covered() -> None:
    assert len(cases()) >= 150


@pytest.mark.parametrize(("table_id", "line"), cases())
def test_no_default_plan_stops_from_a_meaningful_dose_or_outpaces_its_settings(
    table_id: str, line: TaperLine | PrnLine
) -> None:
    plan = default_plan(table_id, line)
    values = [plan.baseline_omeq.max_mg_per_day] + [s.omeq_mg_per_day for s in plan.steps]
    start = values[0]
    assert plan.steps[-1].doses == () and values[-1] == 0  # stopped, in the end
    assert all(after <= before for before, after in pairwise(values))
    for step, before in zip(plan.steps, values, strict=False):
        limit = limit_at(start, before)
        assert step.cut_limit_mg_per_day == limit
        if step.kind is StepKind.STOP and not step.reduced_is_prn:
            assert step.cut_mg_per_day <= THRESHOLD, (step.number, step.cut_mg_per_day)
        if step.days is not None:  # each step lasts as long as its cut needs
            assert step.days >= math.ceil(INTERVAL * step.cut_mg_per_day / limit), step.number
    # Over every window: no faster than the settings, but for the window's last step.
    for i in range(len(plan.steps)):
        fallen, allowed = D(0), D(0)
        for j in range(i, len(plan.steps)):
            cut = values[j] - values[j + 1]
            fallen += cut
            assert fallen <= allowed + cut, (i, j)
            days = plan.steps[j].days or 0
            allowed += limit_at(start, values[j]) * days / INTERVAL
