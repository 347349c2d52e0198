"""The pace of a plan: slowing down near the end, a step of the current dose, pauses, and the
notes that explain a larger cut. Schedules worked out by hand (morphine depot 10/30/60/100/200
mg, tramadol depot 100/150/200 mg; CDC 2022 factors: morphine 1, tramadol 0.2)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.omeq import default_thresholds, load_builtin_tables
from domain.tapering import (
    DoseSchedule,
    NoteCode,
    PauseAtStep,
    PauseBetween,
    PrnLine,
    SlowDown,
    StepBasis,
    TaperError,
    TaperLine,
    TaperPlan,
    TaperRequest,
    TaperTarget,
    generate_taper_plan,
)
from domain.tapering import steps as tapering_steps

D = Decimal
START = date(2026, 1, 5)
TODAY = date(2026, 1, 2)
MORPHINE_60_TWICE = TaperLine(
    "morphine-depot-tablet", D(60), DoseSchedule(morning=D(1), evening=D(1))
)


def plan(*lines: TaperLine | PrnLine, percent: str = "10", **options: Any) -> TaperPlan:
    request = TaperRequest(
        lines=lines or (MORPHINE_60_TWICE,), target=TaperTarget.stop(), step_percent=D(percent),
        interval_days=28, start_date=START, table=load_builtin_tables()["cdc-2022"],
        thresholds=default_thresholds(),
    )  # fmt: skip
    return generate_taper_plan(replace(request, **options), today=TODAY)


def omeq(result: TaperPlan) -> list[Decimal]:
    return [s.omeq_mg_per_day for s in result.steps]


def test_slowing_down_halves_the_step_once_at_or_below_half_the_start() -> None:
    # 20 % of 120 is 24 mg a step: two 10 mg cuts. At 60 mg (half the start) it becomes 12.
    result = plan(percent="20", slow_down=SlowDown(D("0.5"), D("0.5")))
    assert omeq(result) == [100, 80, 60, 50, 40, 30, 20, 10, 5, 0]
    limits = [s.cut_limit_mg_per_day for s in result.steps]
    assert limits == [24, 24, 24] + [12] * 7
    slowed = [s.number for s in result.steps if s.has_note(NoteCode.SLOWER_PACE)]
    assert slowed == [4]
    assert result.steps[3].notes[0].params_dict() == {
        "below_share_percent": "50",
        "step_factor_percent": "50",
    }


def test_a_step_of_the_current_dose_shrinks_until_the_strengths_force_a_larger_cut() -> None:
    # 10 % of the dose before: 12, 11, 10, then 9 mg - but depot tablets go down by 10 mg.
    result = plan(step_basis=StepBasis.CURRENT_DOSE)
    assert omeq(result)[:4] == [110, 100, 90, 80]
    assert [s.cut_limit_mg_per_day for s in result.steps[:4]] == [12, 11, 10, 9]
    assert [s.has_note(NoteCode.ROUNDING_FORCED_LARGER_CUT) for s in result.steps[:4]] == [
        False, False, False, True,
    ]  # fmt: skip
    forced = result.steps[3].notes[0]
    assert forced.params_dict() == {
        "product": "morphine-depot-tablet", "cut": "10", "cut_limit": "9", "smallest_dose": "10",
        "smallest_strength": "10", "unit": "mg",
    }  # fmt: skip
    assert "the smallest dose is 10 mg" in forced.message
    assert omeq(result)[-1] == 0


def test_strengths_far_apart_force_a_larger_cut_and_the_step_says_so() -> None:
    # Tramadol depot 150 mg twice daily = 60 mg OMEQ; 10 % is 6 mg OMEQ (30 mg tramadol), but
    # the next dose down from 150 mg is 100 mg: a 50 mg (10 mg OMEQ) cut.
    line = TaperLine("tramadol-depot-tablet", D(150), DoseSchedule(morning=D(1), evening=D(1)))
    first = plan(line).steps[0]
    assert [t.dose.amount for t in first.doses[0].doses] == [100, 150]
    assert first.cut_mg_per_day == 10 and first.cut_limit_mg_per_day == 6
    assert first.notes[0].code is NoteCode.ROUNDING_FORCED_LARGER_CUT


def test_a_pause_at_a_step_holds_that_dose_longer() -> None:
    result = plan(pauses=(PauseAtStep(step=2, extra_days=14),))
    second = result.steps[1]
    assert (second.start_date, second.end_date, second.days) == (
        date(2026, 2, 2), date(2026, 3, 15), 42,
    )  # fmt: skip
    assert second.pause_days == 14
    assert second.notes[0].code is NoteCode.PAUSED and second.notes[0].params_dict() == {
        "days": "14"
    }
    assert result.steps[2].start_date == date(2026, 3, 16)
    assert [(u.strength.amount, u.units) for u in second.supply[0].units] == [
        (D(30), D(84)), (D(10), D(168)),
    ]  # fmt: skip


def test_no_dose_changes_during_a_date_range_pause() -> None:
    # Step 3 would end on 12 April and step 4 start on 13 April, inside 1-20 April.
    pause = PauseBetween(date(2026, 4, 1), date(2026, 4, 20))
    result = plan(pauses=(PauseAtStep(2, 14), pause))
    third, fourth = result.steps[2], result.steps[3]
    assert (third.start_date, third.end_date, third.pause_days) == (
        date(2026, 3, 16), date(2026, 4, 20), 8,
    )  # fmt: skip
    assert fourth.start_date == date(2026, 4, 21)
    assert fourth.start_date - result.steps[4].start_date == START - date(2026, 2, 2)


def test_a_plan_that_starts_inside_a_pause_waits_and_says_so() -> None:
    result = plan(pauses=(PauseBetween(date(2026, 1, 1), date(2026, 1, 11)),))
    first = result.steps[0]
    assert first.start_date == date(2026, 1, 12)
    assert first.notes[0].code is NoteCode.START_AFTER_PAUSE
    assert first.notes[0].params_dict() == {"days": "7"}


@pytest.mark.parametrize(
    "pause",
    [
        pytest.param(PauseAtStep(13, 7), id="the-last-step-has-no-end"),
        pytest.param(PauseBetween(date(2028, 1, 1), date(2028, 2, 1)), id="after-the-last-change"),
        pytest.param(PauseBetween(date(2025, 12, 1), date(2025, 12, 31)), id="before-the-start"),
    ],
)
def test_a_pause_that_touches_no_step_is_refused(pause: PauseAtStep | PauseBetween) -> None:
    with pytest.raises(TaperError) as caught:
        plan(pauses=(pause,))
    assert caught.value.code == "pause_outside_plan"


def test_a_prn_liquid_keeps_its_dose_and_is_prescribed_in_ml_at_the_maximum() -> None:
    # Oramorph 2 mg/ml, 5 ml (10 mg) up to 3 times a day, next to morphine depot 60 mg x 2:
    # 150 mg OMEQ; 10 % is 15 mg, one 10 mg dose a step.
    oramorph = PrnLine("morphine-oral-solution", D(2), D(5), 3)
    result = plan(MORPHINE_60_TWICE, oramorph)
    first = result.steps[0]
    (prn,) = [d for d in first.doses if d.is_prn]
    assert prn.prn_max_doses_per_day == 2 and prn.prn_dose is not None
    assert prn.prn_dose.amount == 10
    oramorph_supply = [s for s in first.supply if s.product.id == "morphine-oral-solution"]
    assert [(u.strength.amount, u.units) for u in oramorph_supply[0].units] == [(D(2), D(280))]
    assert omeq(result)[:3] == [140, 130, 120]


def test_a_plan_that_would_never_end_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tapering_steps, "MAX_STEPS", 5)
    with pytest.raises(TaperError) as caught:
        plan()
    assert caught.value.code == "plan_too_long"


def test_a_plan_that_would_outlast_its_years_is_refused_before_any_date_overflows() -> None:
    # A tiny step and a year between steps: the fentanyl steps would be stretched for ever.
    line = TaperLine("fentanyl-patch", D(100), DoseSchedule(morning=D(1)))
    with pytest.raises(TaperError) as caught:
        plan(line, percent="0.01", interval_days=365)
    assert caught.value.code == "plan_too_long"
    assert caught.value.params_dict()["max_years"] == "20"
