"""Lines OMEQ refuses: every bad line and every reason, with stable codes, never a guess."""

from decimal import Decimal

import pytest

from domain.errors import DomainError
from domain.omeq import (
    DoseUnit,
    LineProblem,
    LineProblemCode,
    RegimenError,
    RegimenLine,
    Route,
    compute_omeq,
    default_thresholds,
    load_builtin_tables,
)

D = Decimal
TABLES = load_builtin_tables()
MG, MCG_H = DoseUnit.MG, DoseUnit.MCG_PER_H
ORAL, PATCH = Route.ORAL, Route.TRANSDERMAL
P = LineProblemCode


def refusal(*lines: RegimenLine, table_id: str = "nordic") -> RegimenError:
    with pytest.raises(RegimenError) as caught:
        compute_omeq(lines, TABLES[table_id], thresholds=default_thresholds())
    return caught.value


def codes(*lines: RegimenLine, table_id: str = "nordic") -> list[LineProblemCode]:
    return [p.code for p in refusal(*lines, table_id=table_id).problems]


@pytest.mark.parametrize(
    ("regimen_line", "expected"),
    [
        pytest.param(RegimenLine("oxycodon", ORAL, D(10), MG, D(2)), [P.UNKNOWN_SUBSTANCE],
                     id="misspelt-substance"),
        pytest.param(RegimenLine("paracetamol", ORAL, D(1000), MG, D(4)), [P.UNKNOWN_SUBSTANCE],
                     id="non-opioid"),
        pytest.param(RegimenLine("oxycodone", Route.PARENTERAL, D(5), MG, D(4)),
                     [P.NO_FACTOR_FOR_ROUTE], id="route-without-factor"),
        pytest.param(RegimenLine("oxycodone", ORAL, D(10), MCG_H, D(2)),
                     [P.RATE_UNIT_NOT_A_PATCH], id="mcg-per-hour-on-a-tablet"),
        pytest.param(RegimenLine("fentanyl", PATCH, D(25), MG, D(1)),
                     [P.PATCH_NEEDS_RATE_UNIT], id="patch-in-mg"),
        pytest.param(RegimenLine("morphine", ORAL, D(0), MG, D(2)), [P.DOSE_NOT_POSITIVE],
                     id="zero-dose"),
        pytest.param(RegimenLine("morphine", ORAL, D(-10), MG, D(2)), [P.DOSE_NOT_POSITIVE],
                     id="negative-dose"),
        pytest.param(RegimenLine("morphine", ORAL, D("NaN"), MG, D(2)), [P.DOSE_NOT_POSITIVE],
                     id="not-a-number-dose"),
        pytest.param(RegimenLine("morphine", ORAL, D("Infinity"), MG, D(2)),
                     [P.DOSE_NOT_POSITIVE], id="infinite-dose"),
        pytest.param(RegimenLine("morphine", ORAL, D(10), MG, D(0)),
                     [P.DOSES_PER_DAY_NOT_POSITIVE], id="zero-doses-per-day"),
        pytest.param(RegimenLine("morphine", ORAL, D(10), MG, D(1), prn=True),
                     [P.PRN_MAXIMUM_MISSING], id="prn-without-maximum"),
        pytest.param(RegimenLine("morphine", ORAL, D(10), MG, D(1), prn=True,
                                 max_doses_per_day=D(0)),
                     [P.PRN_MAXIMUM_NOT_POSITIVE], id="prn-maximum-zero"),
        pytest.param(RegimenLine("morphine", ORAL, D(10), MG, D(2), max_doses_per_day=D(4)),
                     [P.MAXIMUM_ON_SCHEDULED_LINE], id="maximum-on-scheduled-line"),
        pytest.param(RegimenLine("fentanyl", PATCH, D(25), MCG_H, D(1), prn=True),
                     [P.PRN_PATCH], id="prn-patch"),
        pytest.param(RegimenLine("morphine", ORAL, D(5000), MG, D(3)), [P.IMPLAUSIBLE_DOSE],
                     id="15-g-morphine-a-day"),
        pytest.param(RegimenLine("fentanyl", Route.SUBLINGUAL, D(100), MG, D(4)),
                     [P.IMPLAUSIBLE_DOSE], id="fentanyl-mg-typed-for-mcg"),
    ],
)  # fmt: skip
def test_it_refuses_a_line_it_cannot_convert_with_a_stable_code(
    regimen_line: RegimenLine, expected: list[LineProblemCode]
) -> None:
    assert codes(regimen_line) == expected


def test_it_names_every_problem_of_every_bad_line_and_skips_the_good_ones() -> None:
    error = refusal(
        RegimenLine("oxycodone", ORAL, D(10), MG, D(2)),
        RegimenLine("ketobemidone", ORAL, D(-5), MG, D(4)),
        RegimenLine("morphine", ORAL, D(10), MCG_H, D(0)),
        RegimenLine("buprenorphine", PATCH, D(10), MCG_H, D(1)),
        table_id="cdc-2022",
    )
    assert [(p.index, p.substance, p.code) for p in error.problems] == [
        (1, "ketobemidone", P.DOSE_NOT_POSITIVE),
        (1, "ketobemidone", P.UNKNOWN_SUBSTANCE),
        (2, "morphine", P.RATE_UNIT_NOT_A_PATCH),
        (2, "morphine", P.DOSES_PER_DAY_NOT_POSITIVE),
        (3, "buprenorphine", P.FACTOR_EXCLUDED),
    ]


def test_an_implausible_line_is_reported_together_with_other_bad_lines() -> None:
    error = refusal(
        RegimenLine("morphine", ORAL, D(20000), MG, D(1)),
        RegimenLine("heroin", ORAL, D(10), MG, D(1)),
    )
    assert [(p.index, p.code) for p in error.problems] == [
        (0, P.IMPLAUSIBLE_DOSE),
        (1, P.UNKNOWN_SUBSTANCE),
    ]


def test_the_error_is_a_domain_error_with_a_readable_message() -> None:
    error = refusal(RegimenLine("oxycodone", Route.RECTAL, D(10), MG, D(2)))
    assert isinstance(error, DomainError)
    assert error.code == "regimen_not_convertible"
    assert error.message.startswith("The regimen cannot be converted: line 1 (oxycodone):")
    assert error.problems == (
        LineProblem(
            index=0,
            substance="oxycodone",
            code=P.NO_FACTOR_FOR_ROUTE,
            message="table nordic 2022.1 has no factor for oxycodone rectal (it has: oral)",
        ),
    )


def test_the_plausibility_limit_can_be_set_by_the_caller() -> None:
    line = RegimenLine("morphine", ORAL, D(200), MG, D(3))
    table = TABLES["nordic"]
    thresholds = default_thresholds()
    assert compute_omeq([line], table, thresholds=thresholds).max_mg_per_day == 600
    with pytest.raises(RegimenError):
        compute_omeq([line], table, thresholds=thresholds, plausibility_limit_mg_per_day=D(500))


def test_a_dose_exactly_at_the_plausibility_limit_is_accepted() -> None:
    line = RegimenLine("morphine", ORAL, D(5000), MG, D(2))
    result = compute_omeq([line], TABLES["nordic"], thresholds=default_thresholds())
    assert result.max_mg_per_day == D(10000)


def test_a_patch_ignores_doses_per_day_even_when_it_is_zero() -> None:
    line = RegimenLine("fentanyl", PATCH, D(12), MCG_H, D(0))
    result = compute_omeq([line], TABLES["cdc-2022"], thresholds=default_thresholds())
    assert result.scheduled_mg_per_day == D("28.8")


def test_an_absurdly_large_dose_is_refused_with_a_message_not_a_crash() -> None:
    error = refusal(RegimenLine("morphine", ORAL, D("1e70"), MG, D(1)))
    assert [p.code for p in error.problems] == [P.IMPLAUSIBLE_DOSE]
    assert "check the dose and unit" in error.problems[0].message
