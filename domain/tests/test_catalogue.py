from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.catalogue import (
    COLUMNS,
    FORM_RULES,
    OPIOID_ATC_PREFIXES,
    ROUTES,
    SPLITTABLE_FORMS,
    UNITS,
    Catalogue,
    CatalogueError,
    Category,
    Form,
    IngredientDose,
    Product,
    Strength,
    load_catalogue,
    parse_products_csv,
    shipped_catalogue,
    write_products_csv,
)
from domain.omeq import DoseBandedRule, LinearRule, Route, load_builtin_tables

CATALOGUE = load_catalogue()
D = Decimal


GOOD = {
    "id": "morphine-test-tablet", "name": "Morfin testtablet", "brands": "Test", "atc": "N02AA01",
    "category": "opioid", "form": "tablet", "route": "oral", "release": "immediate", "unit": "mg",
    "strengths": "10|30", "strength_labels": "", "substance": "morphine",
    "other_ingredients": "", "splittable": "true", "patch_change_hours": "",
    "is_substitution": "false", "note": "",
}  # fmt: skip


def test_the_shipped_catalogue_loads_with_its_date_sources_and_caveat() -> None:
    assert len(CATALOGUE) >= 40
    assert CATALOGUE.info.date == date(2026, 12, 6)
    assert CATALOGUE.info.sources
    assert "Verify against pro.medicin.dk" in CATALOGUE.info.caveat
    assert "not checked by a pharmacist" in CATALOGUE.info.caveat
    assert shipped_catalogue() == CATALOGUE


def test_every_row_names_its_source_and_the_date_it_was_compiled() -> None:
    for product in CATALOGUE:
        assert product.source.strip(), product.id
        assert product.checked_on == date(2026, 12, 6), product.id
    unconfirmed = {p.id for p in CATALOGUE if p.needs_pharmacist_check}
    assert {"oxycodone-depot-tablet", "tramadol-paracetamol-tablet", "buprenorphine-patch-4-day",
            "tapentadol-depot-tablet"} <= unconfirmed  # fmt: skip
    assert "morphine-oral-solution" not in unconfirmed  # seen on pro.medicin.dk (Oramorph)


def test_a_product_no_shipped_table_converts_says_why() -> None:
    # Convertibility is the table's answer (a factor, where a published one exists, converts
    # the product); where no shipped table has one, the row says why for the clinician.
    tables = load_builtin_tables().values()
    for product in CATALOGUE.opioids():
        rules = [t.rule_for(product.substance, Route(product.route)) for t in tables]
        if product.is_substitution or any(
            isinstance(r, LinearRule | DoseBandedRule) for r in rules
        ):
            continue
        assert product.not_convertible_reason.startswith("No "), product.id
    assert "parenteral" in CATALOGUE.by_id("morphine-injection").not_convertible_reason
    assert "rectal" in CATALOGUE.by_id("ketobemidone-suppository").not_convertible_reason


@pytest.mark.parametrize(
    ("product_id", "strengths", "brand"),
    [
        pytest.param("tramadol-capsule", "50", "Tadol", id="tramadol-capsule-brands"),
        pytest.param("tramadol-depot-tablet", "100|150|200", "Mandolgin Retard",
                     id="tramadol-depot-brands"),
        pytest.param("tramadol-depot-capsule", "100|150|200", "Dolol Retard UNO",
                     id="tramadol-once-daily"),
        pytest.param("codeine-tablet", "25", "Kodein DAK", id="plain-codeine"),
        pytest.param("tramadol-paracetamol-tablet", "37.5", "Zaldiar", id="tramadol-paracetamol"),
        pytest.param("oxycodone-depot-tablet", "5|10|15|20|30|40|60|80", "OxyContin",
                     id="oxycodone-depot-15-30-60"),
        pytest.param("tapentadol-depot-tablet", "25|50|100|150|200|250", "Palexia Depot",
                     id="tapentadol-25"),
        pytest.param("morphine-oral-solution", "2", "Oramorph", id="morphine-solution"),
        pytest.param("oxycodone-oral-solution", "1|10", "OxyNorm", id="oxycodone-solution"),
        pytest.param("methadone-oral-solution", "1|5", "Metadon DAK", id="methadone-solution"),
        pytest.param("buprenorphine-patch-7-day", "5|10|15|20|40", "Norspan", id="norspan"),
        pytest.param("buprenorphine-patch-4-day", "35|52.5|70", "Transtec", id="transtec"),
    ],
)  # fmt: skip
def test_the_danish_market_recheck_of_issue_11(product_id: str, strengths: str, brand: str) -> None:
    product = CATALOGUE.by_id(product_id)
    assert "|".join(format(s.amount, "f") for s in product.strengths) == strengths
    assert brand in product.brands


def test_morphine_depot_5_mg_is_not_listed_and_the_row_says_why() -> None:
    depot = CATALOGUE.by_id("morphine-depot-tablet")
    assert depot.smallest_strength.amount == 10
    assert "Contalgin 5 mg is withdrawn" in depot.note


def test_every_opioid_has_an_opioid_atc_code() -> None:
    assert CATALOGUE.opioids()
    for product in CATALOGUE.opioids():
        assert product.atc.startswith(OPIOID_ATC_PREFIXES), product.id
    assert CATALOGUE.by_id("codeine-tablet").atc == "R05DA04"  # plain codeine: a cough drug


def test_every_product_uses_an_allowed_route_and_unit_for_its_form() -> None:
    for product in CATALOGUE:
        assert product.route in ROUTES, product.id
        assert product.unit in UNITS, product.id
        assert product.route in FORM_RULES[product.form].routes, product.id
        assert product.strengths == tuple(sorted(product.strengths, key=lambda s: s.amount))


@pytest.mark.parametrize(
    ("product_id", "strength", "substance", "amount"),
    [
        pytest.param("ketobemidone-tablet", "5", "ketobemidone", "5", id="ketogan-tablet"),
        pytest.param("ketobemidone-suppository", "10", "ketobemidone", "10", id="ketogan-supp"),
        pytest.param("oxycodone-naloxone-depot-tablet", "10", "oxycodone", "10", id="targin-10-5"),
        pytest.param("codeine-paracetamol-tablet", "30", "codeine", "30", id="pinex-comp"),
        pytest.param("codeine-asa-tablet", "9.6", "codeine", "9.6", id="kodimagnyl"),
        pytest.param(
            "buprenorphine-naloxone-sublingual-tablet", "8", "buprenorphine", "8", id="suboxone"
        ),
    ],
)
def test_a_combination_product_exposes_only_its_opioid(
    product_id: str, strength: str, substance: str, amount: str
) -> None:
    product = CATALOGUE.by_id(product_id)
    dose = product.dose(D(strength), D(1))
    assert (dose.substance, dose.amount, dose.unit) == (substance, D(amount), "mg")
    assert product.substance == substance
    assert substance not in product.other_ingredients


def test_targin_keeps_its_pack_labels_but_counts_oxycodone() -> None:
    targin = CATALOGUE.by_id("oxycodone-naloxone-depot-tablet")
    assert [s.label for s in targin.strengths] == ["5/2.5", "10/5", "20/10", "40/20"]
    assert targin.other_ingredients == ("naloxone",)
    assert targin.dose(D(20), D(2)).amount == D(40)


@pytest.mark.parametrize(
    ("product_id", "hours"),
    [
        pytest.param("fentanyl-patch", 72, id="fentanyl-72h"),
        pytest.param("buprenorphine-patch-7-day", 168, id="norspan-7-days"),
        pytest.param("buprenorphine-patch-4-day", 96, id="transtec-96h"),
    ],
)
def test_patches_are_in_mcg_per_hour_with_a_change_interval(product_id: str, hours: int) -> None:
    patch = CATALOGUE.by_id(product_id)
    assert (patch.form, patch.unit, patch.route) == (Form.PATCH, "mcg/h", "transdermal")
    assert patch.patch_change_hours == hours
    assert not patch.splittable
    smallest = patch.smallest_strength.amount
    worn = IngredientDose(patch.substance, smallest * 2, "mcg/h", "transdermal")
    assert patch.dose(smallest, D(2)) == worn


def test_only_patches_have_a_change_interval() -> None:
    for product in CATALOGUE:
        assert (product.patch_change_hours is not None) == (product.form is Form.PATCH)


def test_fentanyl_patch_strengths_follow_the_taper_steps() -> None:
    amounts = [s.amount for s in CATALOGUE.by_id("fentanyl-patch").strengths]
    assert amounts == [D(12), D(25), D(50), D(75), D(100)]


def test_substitution_products_are_flagged_and_pain_products_are_not() -> None:
    flagged = {p.id for p in CATALOGUE if p.is_substitution}
    assert flagged == {
        "buprenorphine-substitution-sublingual-tablet",
        "buprenorphine-naloxone-sublingual-tablet",
    }
    assert all(CATALOGUE.by_id(i).atc.startswith("N07BC") for i in flagged)
    assert not CATALOGUE.by_id("buprenorphine-sublingual-tablet").is_substitution


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        pytest.param("N05BA", {"diazepam", "oxazepam", "lorazepam", "alprazolam"}, id="N05BA"),
        pytest.param("N05CD", {"nitrazepam", "triazolam"}, id="N05CD"),
        pytest.param("N05CF", {"zopiclone", "zolpidem"}, id="N05CF"),
        pytest.param("N03AX12", {"gabapentin"}, id="N03AX12"),
        pytest.param("n03ax16", {"pregabalin"}, id="N03AX16-lower-case"),
    ],
)
def test_co_medications_are_found_by_atc_prefix(prefix: str, expected: set[str]) -> None:
    found = CATALOGUE.by_atc_prefix(prefix)
    assert {p.substance for p in found} == expected
    assert all(not p.is_opioid for p in found)


def test_clonazepam_keeps_its_true_atc_and_is_a_benzodiazepine_by_category() -> None:
    clonazepam = CATALOGUE.by_id("clonazepam-tablet")
    assert clonazepam.atc == "N03AE01"
    assert clonazepam.category is Category.BENZODIAZEPINE
    assert clonazepam in CATALOGUE.co_medications()


def test_depot_forms_and_patches_are_never_splittable() -> None:
    for product in CATALOGUE:
        if product.splittable:
            assert product.form in SPLITTABLE_FORMS
            assert product.release.value == "immediate", product.id


def test_a_half_tablet_is_allowed_only_where_the_product_may_be_split() -> None:
    assert CATALOGUE.by_id("morphine-tablet").dose(D(10), D("0.5")).amount == D(5)
    with pytest.raises(CatalogueError) as refused:
        CATALOGUE.by_id("methadone-tablet").dose(D(10), D("0.5"))
    assert refused.value.code == "units_not_whole"
    with pytest.raises(CatalogueError):
        CATALOGUE.by_id("morphine-tablet").dose(D(10), D("0.25"))


def test_a_liquid_is_dosed_in_ml_and_counted_in_mg() -> None:
    dose = CATALOGUE.by_id("morphine-oral-solution").dose(D(2), D("2.5"))
    assert (dose.amount, dose.unit, dose.route) == (D(5), "mg", "oral")


def test_a_strength_that_is_not_marketed_is_refused_with_the_marketed_ones() -> None:
    with pytest.raises(CatalogueError) as refused:
        CATALOGUE.by_id("morphine-depot-tablet").dose(D(5), D(1))
    assert refused.value.code == "strength_not_marketed"
    assert "10, 30, 60, 100, 200" in refused.value.message


def test_the_smallest_strength_is_exposed_for_tapering() -> None:
    assert CATALOGUE.by_id("morphine-depot-tablet").smallest_strength == Strength(D(10), "10")
    assert CATALOGUE.by_id("oxycodone-depot-tablet").smallest_strength.amount == D(5)


def test_an_unknown_product_id_is_an_error() -> None:
    with pytest.raises(CatalogueError) as refused:
        CATALOGUE.by_id("no-such-product")
    assert refused.value.code == "unknown_product"


def test_search_matches_danish_names_brands_and_substances() -> None:
    assert "morphine-depot-tablet" in {p.id for p in CATALOGUE.search("Contalgin")}
    assert {p.id for p in CATALOGUE.search("morfin depot")} == {"morphine-depot-tablet"}
    assert {p.substance for p in CATALOGUE.search("OXYCODON")} == {"oxycodone"}
    assert CATALOGUE.search("no such drug") == ()


def test_a_catalogue_refuses_a_duplicate_product_id() -> None:
    with pytest.raises(CatalogueError) as refused:
        CATALOGUE.with_products([CATALOGUE.by_id("fentanyl-patch")])
    assert refused.value.code == "duplicate_id"


def test_the_shipped_file_round_trips_through_the_csv_writer() -> None:
    result = parse_products_csv(write_products_csv(CATALOGUE))
    assert result.errors == ()
    assert result.products == CATALOGUE.products


def _upload(*rows: dict[str, str]) -> str:
    lines = [",".join(COLUMNS)]
    lines += [",".join(_quote(row[c]) for c in COLUMNS) for row in rows]
    return "\n".join(lines) + "\n"


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def test_an_upload_of_good_rows_is_accepted() -> None:
    patch = GOOD | {
        "id": "fentanyl-test-patch", "form": "patch", "route": "transdermal",
        "release": "modified", "unit": "mcg/h", "strengths": "12|25", "substance": "fentanyl",
        "atc": "N02AB03", "splittable": "false", "patch_change_hours": "72",
    }  # fmt: skip
    result = parse_products_csv(_upload(GOOD, patch))
    assert result.is_valid
    assert [p.id for p in result.products] == ["morphine-test-tablet", "fentanyl-test-patch"]
    assert result.products[1].patch_change_hours == 72


def test_an_upload_with_semicolons_and_a_byte_order_mark_is_read() -> None:
    text = "\ufeff" + _upload(GOOD).replace(",", ";")
    assert parse_products_csv(text).is_valid


BAD_ROWS = [
    pytest.param({"route": "orla"}, "unknown route", id="unknown-route"),
    pytest.param({"form": "lozenge"}, "unknown form", id="unknown-form"),
    pytest.param({"unit": "g"}, "unknown unit", id="unknown-unit"),
    pytest.param({"unit": "mcg/h"}, "not measured in mcg/h", id="mcg-per-hour-on-a-tablet"),
    pytest.param({"strengths": "0|10"}, "positive number", id="zero-strength"),
    pytest.param({"strengths": "-5"}, "positive number", id="negative-strength"),
    pytest.param({"strengths": "52,5"}, "with a point", id="decimal-comma"),
    pytest.param({"strengths": "10|10"}, "listed twice", id="repeated-strength"),
    pytest.param({"strength_labels": "10"}, "one label per strength", id="label-count"),
    pytest.param({"atc": "N2AA01"}, "ATC code", id="malformed-atc"),
    pytest.param({"atc": "N05BA01"}, "an opioid's ATC", id="opioid-with-benzo-atc"),
    pytest.param({"is_substitution": "true"}, "substitution", id="substitution-not-n07bc"),
    pytest.param({"splittable": "yes"}, "true or false", id="not-a-boolean"),
    pytest.param({"patch_change_hours": "72"}, "only for a patch", id="hours-on-a-tablet"),
    pytest.param({"release": "modified"}, "immediate release", id="release-mismatch"),
    pytest.param({"id": "Morfin 10"}, "lower-case letters", id="bad-id"),
    pytest.param({"name": ""}, "name is required", id="no-name"),
]


@pytest.mark.parametrize(("change", "problem"), BAD_ROWS)
def test_an_upload_names_the_bad_row_and_its_problem(change: dict[str, str], problem: str) -> None:
    result = parse_products_csv(_upload(GOOD | {"id": "first-good"}, GOOD | change))
    assert result.products == ()
    assert [e.line for e in result.errors] == [3]
    assert problem in str(result.errors[0])


def test_an_upload_reports_every_bad_row_and_accepts_none() -> None:
    rows = [GOOD | {"id": f"row-{i}", "route": "orla"} for i in range(3)]
    rows.insert(1, GOOD)
    result = parse_products_csv(_upload(*rows))
    assert result.products == ()
    assert [(e.line, e.product_id) for e in result.errors] == [
        (2, "row-0"),
        (4, "row-1"),
        (5, "row-2"),
    ]


def test_an_upload_refuses_duplicate_and_existing_ids() -> None:
    result = parse_products_csv(_upload(GOOD, GOOD), existing_ids={"fentanyl-patch"})
    assert [e.line for e in result.errors] == [3]
    clash = parse_products_csv(
        _upload(GOOD | {"id": "fentanyl-patch"}), existing_ids={p.id for p in CATALOGUE}
    )
    assert "already in use" in str(clash.errors[0])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("", "empty", id="empty-file"),
        pytest.param("id,name\nx,y\n", "missing column 'atc'", id="missing-columns"),
        pytest.param(",".join((*COLUMNS, "price")) + "\n", "unknown column 'price'", id="extra"),
        pytest.param(_upload(GOOD).rstrip("\n") + ",extra\n", "expected 17 cells", id="cells"),
    ],
)
def test_an_upload_with_a_broken_layout_is_refused(text: str, problem: str) -> None:
    result = parse_products_csv(text)
    assert not result.is_valid
    assert problem in str(result.errors[0])


def test_loading_a_broken_catalogue_file_names_each_bad_row(tmp_path: Path) -> None:
    csv_path = tmp_path / "products.csv"
    csv_path.write_text(_upload(GOOD | {"unit": "g"}, GOOD | {"id": "x2", "form": "pill"}))
    with pytest.raises(CatalogueError) as refused:
        load_catalogue(csv_path)
    assert refused.value.code == "catalogue_invalid"
    assert [e.line for e in refused.value.errors] == [2, 3]
    assert "line 3 (x2)" in refused.value.message


# --- properties -------------------------------------------------------------------------------

_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå ÆØÅ0123456789/.,()'\"-", min_size=1,
                 max_size=40).map(str.strip).filter(bool)  # fmt: skip
_amounts = st.integers(min_value=1, max_value=1_000_000).map(lambda n: D(n) / 1000)


@st.composite
def products(draw: st.DrawFn) -> Product:
    form = draw(st.sampled_from(list(Form)))
    rule = FORM_RULES[form]
    amounts = sorted(set(draw(st.lists(_amounts, min_size=1, max_size=6))))
    category = draw(st.sampled_from(list(Category)))
    substitution = category is Category.OPIOID and draw(st.booleans())
    atc = "N07BC01" if substitution else ("N02AA01" if category is Category.OPIOID else "N05BA01")
    return Product(
        id=draw(st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}", fullmatch=True)),
        name=draw(_words),
        brands=tuple(draw(st.lists(_words, max_size=3))),
        atc=atc, category=category, form=form,
        route=draw(st.sampled_from(sorted(rule.routes))),
        release=rule.release, unit=draw(st.sampled_from(sorted(rule.units))),
        strengths=tuple(Strength(a, format(a, "f")) for a in amounts),
        substance=draw(st.from_regex(r"[a-z]{2,12}( [a-z]{2,12})?", fullmatch=True)),
        other_ingredients=(), splittable=form in SPLITTABLE_FORMS and draw(st.booleans()),
        patch_change_hours=draw(st.integers(1, 336)) if form is Form.PATCH else None,
        is_substitution=substitution, note=draw(st.just("") | _words),
        source=draw(st.just("") | _words),
        checked_on=draw(st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1))),
        needs_pharmacist_check=draw(st.booleans()),
        not_convertible_reason=draw(st.just("") | _words),
    )  # fmt: skip


@given(st.lists(products(), max_size=5, unique_by=lambda p: p.id))
def test_any_valid_product_round_trips_through_the_csv_writer_and_parser(
    drawn: list[Product],
) -> None:
    result = parse_products_csv(write_products_csv(drawn))
    assert result.errors == ()
    assert list(result.products) == drawn


@given(products(), st.integers(min_value=1, max_value=20))
def test_whole_units_scale_the_counted_amount(product: Product, units: int) -> None:
    strength = product.smallest_strength.amount
    assert product.dose(strength, D(units)).amount == strength * units
    assert product.dose(strength, D(units)).unit in ("mg", "mcg", "mcg/h")


def test_a_catalogue_built_from_parsed_products_answers_lookups() -> None:
    parsed = parse_products_csv(_upload(GOOD)).products
    catalogue = Catalogue(CATALOGUE.info, parsed)
    assert catalogue.by_id("morphine-test-tablet").smallest_strength.amount == D(10)
