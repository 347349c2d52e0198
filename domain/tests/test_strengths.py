"""Doses made of marketed strengths, checked by hand against the catalogue's strengths.

Strengths as in `domain/data/products.csv`: morphine depot tablets 10/30/60/100/200 mg (not
split; Contalgin 5 mg withdrawn), morphine tablets 10/30 mg (may be halved), fentanyl patches
12/25/50/75/100 mcg/h, Targin 5/10/20/40 mg oxycodone, tramadol depot 100/150/200 mg.
"""

from dataclasses import replace
from decimal import Decimal
from itertools import combinations_with_replacement

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.catalogue import Form, Product, shipped_catalogue
from domain.tapering import (
    MAX_GRAINS,
    MAX_STRENGTHS_PER_DOSE,
    ExpressedDose,
    StrengthError,
    StrengthGrid,
    TimeOfDay,
    closest_dose_at_most,
    default_max_units,
    express_dose,
    split_daily_dose,
)

D = Decimal
CATALOGUE = shipped_catalogue()
MORPHINE_DEPOT = CATALOGUE.by_id("morphine-depot-tablet")
MORPHINE_TABLET = CATALOGUE.by_id("morphine-tablet")
FENTANYL = CATALOGUE.by_id("fentanyl-patch")
TARGIN = CATALOGUE.by_id("oxycodone-naloxone-depot-tablet")
TRAMADOL_DEPOT = CATALOGUE.by_id("tramadol-depot-tablet")
MORNING, NOON, EVENING = TimeOfDay.MORNING, TimeOfDay.NOON, TimeOfDay.EVENING


def pieces(dose: ExpressedDose) -> list[tuple[str, str]]:
    return [(format(c.strength.amount, "f"), format(c.units, "f")) for c in dose.counts]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        pytest.param("10", [("10", "1")], id="one-10"),
        pytest.param("40", [("30", "1"), ("10", "1")], id="30+10"),
        pytest.param("50", [("30", "1"), ("10", "2")], id="30+10+10"),
        pytest.param("90", [("60", "1"), ("30", "1")], id="60+30"),
        pytest.param("120", [("60", "2")], id="60+60"),
        pytest.param("150", [("60", "2"), ("30", "1")], id="fewest-pieces-beat-100+30+10+10"),
        pytest.param("300", [("200", "1"), ("100", "1")], id="200+100"),
    ],
)
def test_a_morphine_depot_dose_uses_the_fewest_tablets(
    amount: str, expected: list[tuple[str, str]]
) -> None:
    assert pieces(express_dose(MORPHINE_DEPOT, D(amount))) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        pytest.param("5", [("10", "0.5")], id="half-of-10"),
        pytest.param("15", [("30", "0.5")], id="half-of-30"),
        pytest.param("25", [("30", "0.5"), ("10", "1")], id="half-30+10"),
        pytest.param("45", [("30", "1.5")], id="one-and-a-half-30"),
        pytest.param("20", [("10", "2")], id="two-whole-not-two-halves"),
    ],
)
def test_a_splittable_tablet_may_be_halved_once_per_dose(
    amount: str, expected: list[tuple[str, str]]
) -> None:
    dose = express_dose(MORPHINE_TABLET, D(amount))
    assert pieces(dose) == expected
    assert dose.amount == D(amount)


def test_a_tablet_that_may_not_be_split_is_never_halved() -> None:
    with pytest.raises(StrengthError) as caught:
        express_dose(MORPHINE_DEPOT, D(15))
    assert caught.value.code == "not_representable"
    assert caught.value.params_dict() == {
        "product": "morphine-depot-tablet", "amount": "15", "unit": "mg",
        "closest_below": "10", "closest_above": "20",
    }  # fmt: skip


def test_a_combination_product_is_made_of_its_opioid_strength_with_pack_labels() -> None:
    dose = express_dose(TARGIN, D(15))
    assert [(c.strength.label, c.units) for c in dose.counts] == [("10/5", D(1)), ("5/2.5", D(1))]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        pytest.param("37", [("25", "1"), ("12", "1")], id="25+12"),
        pytest.param("87", [("75", "1"), ("12", "1")], id="75+12"),
        pytest.param("150", [("75", "2")], id="one-strength-beats-100+50"),
    ],
)
def test_patches_are_combined_never_cut(amount: str, expected: list[tuple[str, str]]) -> None:
    assert pieces(express_dose(FENTANYL, D(amount))) == expected


def test_at_most_two_patches_are_worn_unless_the_caller_allows_more() -> None:
    assert default_max_units(FENTANYL) == 2
    assert default_max_units(MORPHINE_DEPOT) == 4
    with pytest.raises(StrengthError):
        express_dose(FENTANYL, D(99))  # 75 + 12 + 12
    assert pieces(express_dose(FENTANYL, D(99), max_units=3)) == [("75", "1"), ("12", "2")]


def test_the_closest_dose_not_above_the_target() -> None:
    assert closest_dose_at_most(MORPHINE_DEPOT, D(45)).amount == 40
    assert closest_dose_at_most(MORPHINE_DEPOT, D("59.9")).amount == 50
    assert closest_dose_at_most(TRAMADOL_DEPOT, D(140)).amount == 100
    assert closest_dose_at_most(MORPHINE_DEPOT, D(0)).is_zero


def test_below_the_smallest_strength_it_says_what_the_smallest_strength_is() -> None:
    with pytest.raises(StrengthError) as caught:
        closest_dose_at_most(MORPHINE_DEPOT, D(5))
    error = caught.value
    assert error.code == "below_smallest_strength"
    assert error.params_dict()["smallest_strength"] == "10"
    assert "the smallest marketed strength of Morfin depottablet, 10 mg" in error.message


def test_below_half_the_smallest_splittable_tablet_it_names_the_half() -> None:
    with pytest.raises(StrengthError) as caught:
        closest_dose_at_most(MORPHINE_TABLET, D(4))
    assert caught.value.params_dict()["smallest_dose"] == "5"
    assert "less than half of the smallest" in caught.value.message


def test_the_next_dose_down_and_up() -> None:
    grid = StrengthGrid(MORPHINE_DEPOT, up_to=D(120))
    assert grid.below(D(40)).amount == 30
    assert grid.below(D(45)).amount == 40
    assert grid.below(D(10)).is_zero
    assert grid.amount_below(D(10)) == 0
    assert grid.above(D(40)) is not None and grid.above(D(40)).amount == 50  # type: ignore[union-attr]
    assert grid.above(D(120)) is None  # beyond the grid
    assert grid.at_least(D(41)).amount == 50  # type: ignore[union-attr]
    assert grid.grain == 10 and grid.smallest_piece == 10


def test_decimal_strengths_are_counted_exactly() -> None:
    hydromorphone = CATALOGUE.by_id("hydromorphone-capsule")  # 1.3 / 2.6 mg
    assert pieces(express_dose(hydromorphone, D("3.9"))) == [("2.6", "1"), ("1.3", "1")]
    codeine = CATALOGUE.by_id("codeine-asa-tablet")  # 9.6 mg
    assert express_dose(codeine, D("19.2")).amount == D("19.2")
    assert StrengthGrid(hydromorphone, up_to=D(10)).grain == D("1.3")


def test_drops_or_a_product_without_strengths_are_refused() -> None:
    with pytest.raises(StrengthError) as caught:
        express_dose(CATALOGUE.by_id("morphine-drops"), D(10))
    assert caught.value.code == "measured_in_ml"
    bare = replace(MORPHINE_DEPOT, strengths=())
    with pytest.raises(StrengthError) as caught:
        express_dose(bare, D(10))
    assert caught.value.code == "no_marketed_strengths"


def test_an_implausibly_large_dose_is_refused_not_searched() -> None:
    with pytest.raises(StrengthError) as caught:
        StrengthGrid(FENTANYL, up_to=D(MAX_GRAINS + 1))
    assert caught.value.code == "dose_too_large"


@pytest.mark.parametrize(
    ("daily", "expected"),
    [
        pytest.param("120", {MORNING: "60", EVENING: "60"}, id="even"),
        pytest.param("50", {MORNING: "20", EVENING: "30"}, id="the-larger-dose-in-the-evening"),
        pytest.param("90", {MORNING: "40", EVENING: "50"}, id="90-as-40+50"),
        pytest.param("10", {MORNING: "0", EVENING: "10"}, id="one-tablet-in-the-evening"),
    ],
)
def test_a_daily_dose_is_split_evenly_with_the_larger_dose_later(
    daily: str, expected: dict[TimeOfDay, str]
) -> None:
    split = split_daily_dose(MORPHINE_DEPOT, D(daily), (MORNING, EVENING))
    assert {t.time: format(t.dose.amount, "f") for t in split.doses} == expected
    assert split.amount == D(daily) and split.is_exact


def test_a_daily_dose_that_cannot_be_made_is_the_closest_below_with_units_per_day() -> None:
    split = split_daily_dose(MORPHINE_DEPOT, D(45), (MORNING, EVENING))
    assert split.amount == 40 and not split.is_exact
    assert [(u.strength.amount, u.units) for u in split.units_per_day] == [(D(10), D(4))]
    three = split_daily_dose(MORPHINE_DEPOT, D(100), (MORNING, NOON, EVENING))
    assert [format(t.dose.amount, "f") for t in three.doses] == ["30", "30", "40"]


def test_a_patch_is_applied_at_one_time_and_times_are_given_once() -> None:
    with pytest.raises(StrengthError) as caught:
        split_daily_dose(FENTANYL, D(50), (MORNING, EVENING))
    assert caught.value.code == "bad_times"
    with pytest.raises(StrengthError):
        split_daily_dose(MORPHINE_DEPOT, D(50), (MORNING, MORNING))
    assert split_daily_dose(FENTANYL, D(62), (MORNING,)).amount == 62


SOLID = [p for p in CATALOGUE.opioids() if not p.is_measured_in_ml]


def brute_force(product: Product) -> dict[Decimal, int]:
    """Every amount `max_units` pieces of at most two strengths can make (a half counting as
    its strength), with its fewest pieces (at most one half)."""
    wholes = [s.amount for s in product.strengths]
    may_halve = product.splittable and product.form is not Form.PATCH
    most = default_max_units(product)
    found: dict[Decimal, int] = {D(0): 0}
    for count in range(1, most + 1):
        for combo in combinations_with_replacement(wholes, count):
            if len(set(combo)) <= 2:
                found.setdefault(sum(combo, D(0)), count)
        for half in wholes if may_halve else []:
            for combo in combinations_with_replacement(wholes, count - 1):
                if len({*combo, half}) <= 2:
                    amount = sum(combo, half / 2)
                    found[amount] = min(found.get(amount, count), count)
    return found


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SOLID), st.integers(0, 400))
def test_the_closest_dose_below_is_what_a_search_of_every_combination_finds(
    product: Product, tenths_of_largest: int
) -> None:
    largest = product.strengths[-1].amount
    amount = largest * 2 * tenths_of_largest / 400
    grid = StrengthGrid(product, up_to=amount)
    assume(not 0 < amount < grid.smallest_piece)  # no dose at all: the test below
    combos = brute_force(product)
    dose = grid.at_most(amount)
    assert dose.amount == max(a for a in combos if a <= amount)
    assert dose.pieces == combos[dose.amount]
    assert dose.amount == sum((c.amount for c in dose.counts), D(0))
    assert sum(1 for c in dose.counts if c.units % 1) <= (1 if product.splittable else 0)
    assert product.form is not Form.PATCH or all(c.units % 1 == 0 for c in dose.counts)
    assert len(dose.counts) <= MAX_STRENGTHS_PER_DOSE


@pytest.mark.parametrize(
    ("amount", "preferred", "expected"),
    [
        pytest.param("15", (), [("30", "0.5")], id="no-own-strength-half-of-30"),
        pytest.param("15", ("10",), [("10", "1.5")], id="own-10-mg-never-half-a-new-30"),
        pytest.param("40", ("10",), [("10", "4")], id="own-10-mg-four-tablets"),
        pytest.param("40", ("60",), [("30", "1"), ("10", "1")], id="no-own-way-fewest-pieces"),
    ],
)
def test_the_patients_own_strengths_are_used_where_they_alone_make_the_dose(
    amount: str, preferred: tuple[str, ...], expected: list[tuple[str, str]]
) -> None:
    grid = StrengthGrid(MORPHINE_TABLET, up_to=D(60), preferred=[D(p) for p in preferred])
    assert pieces(grid.express(D(amount))) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        pytest.param("70", [("60", "1"), ("10", "1")], id="70-as-60+10-not-40+20+10"),
        pytest.param("75", [("60", "1"), ("15", "1")], id="75-as-60+15-not-40+20+10+5"),
    ],
)
def test_one_administration_uses_at_most_two_strengths(
    amount: str, expected: list[tuple[str, str]]
) -> None:
    assert pieces(express_dose(CATALOGUE.by_id("oxycodone-depot-tablet"), D(amount))) == expected


def test_an_oral_solution_is_measured_in_half_millilitres_of_one_concentration() -> None:
    oxynorm = CATALOGUE.by_id("oxycodone-oral-solution")  # 1 and 10 mg/ml
    grid = StrengthGrid(oxynorm, up_to=D(100))
    assert pieces(grid.express(D("7.5"))) == [("1", "7.5")]  # 7.5 ml of 1 mg/ml
    assert pieces(grid.express(D(45))) == [("10", "4.5")]  # over 20 ml of 1 mg/ml
    assert grid.smallest_piece == D("0.5") and grid.express(D(45)).pieces == 1
    with pytest.raises(StrengthError) as caught:
        grid.express(D("7.25"))
    assert caught.value.code == "not_representable"


@given(st.sampled_from(SOLID), st.data())
def test_an_amount_above_zero_but_below_the_smallest_piece_has_no_dose(
    product: Product, data: st.DataObject
) -> None:
    smallest = StrengthGrid(product, up_to=D(0)).smallest_piece
    amount = smallest * data.draw(st.integers(1, 999)) / 1000
    with pytest.raises(StrengthError):
        StrengthGrid(product, up_to=amount).at_most(amount)
