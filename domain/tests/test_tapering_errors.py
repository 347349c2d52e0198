"""Bad input for a taper plan: a clear refusal with a stable code and params, nothing guessed.

Issue 4: a target above the current dose, a step of 0 % or over 50 %, an interval under 1 day,
a start date far in the past, a product with no marketed strengths; impossible combinations
explained (the smallest marketed strength named as a number).
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.catalogue import shipped_catalogue
from domain.errors import DomainError
from domain.omeq import RegimenError, default_thresholds, load_builtin_tables
from domain.tapering import (
    DoseSchedule,
    PauseAtStep,
    PauseBetween,
    PrnLine,
    SlowDown,
    TaperError,
    TaperInputError,
    TaperLine,
    TaperRequest,
    TaperTarget,
    generate_taper_plan,
)

D = Decimal
TODAY = date(2026, 3, 2)
MORPHINE = TaperLine("morphine-depot-tablet", D(60), DoseSchedule(morning=D(1), evening=D(1)))


def request(*lines: TaperLine | PrnLine, **options: Any) -> TaperRequest:
    base = TaperRequest(
        lines=lines or (MORPHINE,), target=TaperTarget.stop(), step_percent=D(10),
        interval_days=28, start_date=TODAY, table=load_builtin_tables()["cdc-2022"],
        thresholds=default_thresholds(),
    )  # fmt: skip
    return replace(base, **options)


def refusal(bad: TaperRequest) -> TaperError:
    with pytest.raises(TaperError) as caught:
        generate_taper_plan(bad, today=TODAY)
    assert isinstance(caught.value, DomainError)
    return caught.value


@pytest.mark.parametrize(
    ("options", "code", "params"),
    [
        pytest.param({"step_percent": D(0)}, "step_size_out_of_range",
                     {"percent": "0", "maximum": "50"}, id="step-0-percent"),
        pytest.param({"step_percent": D("50.1")}, "step_size_out_of_range",
                     {"percent": "50.1", "maximum": "50"}, id="step-over-50-percent"),
        pytest.param({"interval_days": 0}, "interval_too_short", {"days": "0"}, id="interval-0"),
        pytest.param({"start_date": TODAY - timedelta(days=31)}, "start_date_too_far_in_past",
                     {"start_date": "2026-01-30", "today": "2026-03-02", "max_days": "30"},
                     id="start-31-days-back"),
        pytest.param({"slow_down": SlowDown(D(1), D("0.5"))}, "slow_down_out_of_range",
                     {"below_share": "1", "step_factor": "0.5"}, id="slow-down-share-1"),
        pytest.param({"pauses": (PauseAtStep(0, 7),)}, "pause_not_valid",
                     {"step": "0", "extra_days": "7"}, id="pause-at-step-0"),
        pytest.param({"pauses": (PauseBetween(TODAY, TODAY - timedelta(days=1)),)},
                     "pause_not_valid", {"first_day": "2026-03-02", "last_day": "2026-03-01"},
                     id="pause-ending-before-it-begins"),
        pytest.param({"target": TaperTarget.omeq(-1)}, "target_not_valid", {"kind": "omeq"},
                     id="negative-target"),
        pytest.param({"order": ("oxycodone-capsule",)}, "order_names_unknown_product",
                     {"product": "oxycodone-capsule"}, id="order-names-another-product"),
        pytest.param({"target": TaperTarget.dose("oxycodone-capsule", 10)},
                     "target_product_not_scheduled", {"product": "oxycodone-capsule"},
                     id="target-product-not-in-the-regimen"),
        pytest.param({"stop_threshold_mg_per_day": D(0)}, "stop_threshold_not_valid",
                     {"threshold": "0"}, id="stop-threshold-0"),
    ],
)  # fmt: skip
def test_a_bad_pace_or_target_is_refused_with_its_code_and_params(
    options: dict[str, Any], code: str, params: dict[str, str]
) -> None:
    error = refusal(request(**options))
    assert isinstance(error, TaperInputError)
    assert error.code == code and error.params_dict() == params


def test_a_start_date_30_days_back_is_still_accepted() -> None:
    plan = generate_taper_plan(request(start_date=TODAY - timedelta(days=30)), today=TODAY)
    assert plan.steps[0].start_date == date(2026, 1, 31)


def test_every_problem_of_the_request_is_listed_at_once() -> None:
    error = refusal(request(step_percent=D(60), interval_days=0))
    assert isinstance(error, TaperInputError)
    assert error.codes == ("step_size_out_of_range", "interval_too_short")
    assert "at most 50 %" in error.message and "at least 1 day" in error.message


@pytest.mark.parametrize(
    ("line", "code"),
    [
        pytest.param(TaperLine("no-such-product", D(10), DoseSchedule(D(1))), "unknown_product",
                     id="unknown-product"),
        pytest.param(TaperLine("diazepam-tablet", D(5), DoseSchedule(D(1))), "not_an_opioid",
                     id="benzodiazepine"),
        pytest.param(TaperLine("buprenorphine-naloxone-sublingual-tablet", D(2),
                               DoseSchedule(D(1))), "substitution_product", id="substitution"),
        pytest.param(TaperLine("morphine-depot-tablet", D(15), DoseSchedule(D(1))),
                     "strength_not_marketed", id="15-mg-depot"),
        pytest.param(TaperLine("morphine-depot-tablet", D(10), DoseSchedule(D("0.5"))),
                     "units_not_valid", id="half-a-depot-tablet"),
        pytest.param(TaperLine("morphine-tablet", D(10), DoseSchedule(D("0.25"))),
                     "units_not_valid", id="a-quarter-tablet"),
        pytest.param(TaperLine("morphine-tablet", D(10), DoseSchedule(D(-1))),
                     "units_not_valid", id="negative-units"),
        pytest.param(TaperLine("morphine-drops", D(20), DoseSchedule(D(1))),
                     "measured_in_ml", id="scheduled-drops"),
        pytest.param(TaperLine("morphine-tablet", D(10), DoseSchedule()), "empty_schedule",
                     id="no-dose-at-any-time"),
        pytest.param(TaperLine("fentanyl-patch", D(25), DoseSchedule(D(1), D(0), D(1))),
                     "patch_at_several_times", id="patch-at-two-times"),
        pytest.param(PrnLine("fentanyl-patch", D(25), D(1), 1), "prn_patch", id="prn-patch"),
        pytest.param(PrnLine("oxycodone-capsule", D(5), D(1), 0), "prn_maximum_not_valid",
                     id="prn-maximum-0"),
        pytest.param(PrnLine("oxycodone-capsule", D(5), D(0), 2), "units_not_valid",
                     id="prn-dose-0"),
    ],
)  # fmt: skip
def test_a_line_that_cannot_be_used_is_refused_with_its_line_number(
    line: TaperLine | PrnLine, code: str
) -> None:
    error = refusal(request(MORPHINE, line))
    assert isinstance(error, TaperInputError)
    (problem,) = error.problems
    assert (problem.code, problem.line) == (code, 2)
    assert problem.message.startswith("Line 2: ")


def test_a_strength_that_is_not_marketed_names_the_marketed_ones() -> None:
    error = refusal(request(TaperLine("morphine-depot-tablet", D(5), DoseSchedule(D(1)))))
    assert error.params_dict()["marketed"] == "10, 30, 60, 100, 200"
    assert "not marketed as 5 mg" in error.message


def test_patches_of_one_product_are_changed_at_one_time() -> None:
    lines = (TaperLine("fentanyl-patch", D(25), DoseSchedule(morning=D(1))),
             TaperLine("fentanyl-patch", D(12), DoseSchedule(evening=D(1))))  # fmt: skip
    assert refusal(request(*lines)).code == "patch_at_several_times"


def test_a_product_with_no_marketed_strengths_is_refused() -> None:
    catalogue = shipped_catalogue()
    bare = replace(catalogue.by_id("morphine-depot-tablet"), id="bare-depot", strengths=())
    catalogue = catalogue.with_products([bare])
    error = refusal(
        request(TaperLine("bare-depot", D(10), DoseSchedule(D(1))), catalogue=catalogue)
    )
    assert error.code == "no_marketed_strengths" and error.params_dict() == {
        "product": "bare-depot"
    }


def test_an_empty_regimen_is_refused() -> None:
    assert refusal(replace(request(), lines=())).code == "empty_regimen"


@pytest.mark.parametrize(
    "target",
    [pytest.param(TaperTarget.omeq(120), id="omeq-equal"),
     pytest.param(TaperTarget.omeq(200), id="omeq-above"),
     pytest.param(TaperTarget.dose("morphine-depot-tablet", 150), id="dose-above")],
)  # fmt: skip
def test_a_target_at_or_above_the_current_dose_is_refused(target: TaperTarget) -> None:
    error = refusal(request(target=target))
    assert error.code == "target_not_below_current"
    assert error.params_dict()["current"] in {"120"}


def test_a_target_below_the_smallest_strength_names_the_smallest_strength() -> None:
    error = refusal(request(target=TaperTarget.dose("morphine-depot-tablet", 5)))
    assert error.code == "target_not_representable"
    params = error.params_dict()
    assert (params["smallest_strength"], params["smallest_dose"], params["unit"]) == (
        "10",
        "10",
        "mg",
    )
    assert "the smallest dose is 10 mg" in error.message
    omeq = refusal(request(target=TaperTarget.omeq(5)))
    assert (
        omeq.code == "target_not_representable"
        and omeq.params_dict()["target_unit"] == "mg OMEQ/day"
    )


def test_a_regimen_the_table_cannot_convert_is_refused_by_omeq_naming_the_line() -> None:
    buprenorphine = TaperLine("buprenorphine-patch-7-day", D(10), DoseSchedule(D(1)))
    with pytest.raises(RegimenError) as caught:
        generate_taper_plan(request(buprenorphine), today=TODAY)  # CDC 2022 gives no factor
    assert caught.value.problems[0].code == "factor_excluded"


def test_a_float_is_refused_as_inexact() -> None:
    with pytest.raises(TypeError):
        DoseSchedule(morning=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        request(step_percent=10.0)
