"""POST /api/omeq and GET /api/omeq/factor-sets: the shapes the issue promises and the 422s."""

import json
from decimal import Decimal

import pytest

from config.api import api as api_schema
from domain.omeq import DoseUnit, Route, WarningCode
from smertespor.audit.models import AuditEvent
from smertespor.medication.models import MedicationLine

ISSUE_EXAMPLE = {
    "factor_set": "cdc-2022",
    "lines": [
        {
            "substance": "oxycodone",
            "route": "oral",
            "dose": 10,
            "dose_unit": "mg",
            "doses_per_day": 2,
            "prn": False,
        }
    ],
}


def post(client, body):
    return client.post("/api/omeq", data=json.dumps(body), content_type="application/json")


def line(substance="oxycodone", dose=10, per_day=2, **extra):
    return {
        "substance": substance,
        "route": "oral",
        "dose": dose,
        "dose_unit": "mg",
        "doses_per_day": per_day,
        **extra,
    }


@pytest.fixture
def api(client_for, gp):
    return client_for(gp)


def test_the_issue_example_answers_with_the_promised_shape(api):
    response = post(api, ISSUE_EXAMPLE)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {
        "omeq_mg_per_day",
        "omeq_max_mg_per_day",
        "factor_set",
        "lines",
        "warnings",
    }
    assert Decimal(body["omeq_mg_per_day"]) == 30
    assert Decimal(body["omeq_max_mg_per_day"]) == 30
    assert body["factor_set"]["id"] == "cdc-2022"
    assert body["factor_set"]["version"] == "2022.1"
    [only] = body["lines"]
    assert Decimal(only["factor"]) == Decimal("1.5")
    assert Decimal(only["omeq_mg_per_day"]) == 30
    assert only["substance"] == "oxycodone"
    assert body["warnings"] == []


def test_numbers_come_back_as_exact_decimal_strings(api):
    body = post(api, ISSUE_EXAMPLE).json()
    assert isinstance(body["omeq_mg_per_day"], str)
    assert isinstance(body["lines"][0]["factor"], str)


def test_a_json_number_is_read_through_its_decimal_text_so_no_float_noise(api):
    # 0.1 mg x 3 as binary floats is 0.30000000000000004; read as decimals it is 0.3.
    body = post(api, {"lines": [line("morphine", 0.1, 3)]}).json()
    assert body["omeq_mg_per_day"] == "0.3"


def test_doses_may_be_sent_as_decimal_strings(api):
    body = post(api, {"factor_set": "nordic", "lines": [line("morphine", "2.5", "3")]}).json()
    assert Decimal(body["omeq_mg_per_day"]) == Decimal("7.5")


def test_without_a_factor_set_the_regions_active_table_is_used(api):
    body = post(api, {"lines": [line("tramadol", 100, 2)]}).json()
    assert body["factor_set"]["id"] == "nordic"
    assert Decimal(body["omeq_mg_per_day"]) == 30  # 200 mg x 0.15


def test_a_prn_line_counts_its_maximum_or_else_its_doses_per_day_in_the_maximum_only(api):
    lines = [
        line("morphine", 30, 2),
        line("oxycodone", 5, 4, prn=True),  # no maximum given: 4 a day is the maximum
        line("oxycodone", 5, None, prn=True, max_doses_per_day=2),
    ]
    body = post(api, {"factor_set": "nordic", "lines": lines}).json()
    assert Decimal(body["omeq_mg_per_day"]) == 60
    assert Decimal(body["omeq_max_mg_per_day"]) == 60 + 30 + 15


def test_warnings_carry_a_stable_code_and_a_message(api):
    lines = [line("oxycodone", 40, 2), line("morphine", 30, 2)]
    body = post(api, {"factor_set": "cdc-2022", "lines": lines}).json()
    codes = [w["code"] for w in body["warnings"]]
    assert codes[:3] == ["high_dose", "reassess_dose", "several_opioids"]
    assert all(w["message"] for w in body["warnings"])
    several = body["warnings"][2]
    assert several["lines"] == [0, 1]


def test_co_medication_by_atc_code_or_product_adds_its_warning(api):
    lines = [line("morphine", 10, 2), {"product_id": "pregabalin-capsule", "strength": 75}]
    body = post(api, {"lines": lines, "co_medication_atc": ["N05BA01"]}).json()
    codes = {w["code"] for w in body["warnings"]}
    assert {"benzodiazepine", "gabapentinoid"} <= codes
    assert body["lines"][1]["kind"] == "co_medication"
    assert body["lines"][1]["factor"] is None


def test_a_product_line_counts_only_its_opioid_ingredient(api):
    targin = {"product_id": "oxycodone-naloxone-depot-tablet", "strength": 10, "doses_per_day": 2}
    body = post(api, {"factor_set": "nordic", "lines": [targin]}).json()
    assert Decimal(body["omeq_mg_per_day"]) == 30
    assert body["lines"][0]["substance"] == "oxycodone"


def test_a_patch_counts_per_mcg_per_hour_worn(api):
    patch = {"substance": "fentanyl", "route": "transdermal", "dose": 25, "dose_unit": "mcg/h"}
    body = post(api, {"factor_set": "cdc-2022", "lines": [patch]}).json()
    assert Decimal(body["omeq_mg_per_day"]) == 60


def test_substitution_treatment_is_reported_but_not_counted(api):
    subutex = line("buprenorphine", 8, 1, indication="opioid_use_disorder", route="sublingual")
    body = post(api, {"factor_set": "cdc-2022", "lines": [subutex]}).json()
    assert Decimal(body["omeq_mg_per_day"]) == 0
    assert body["lines"][0]["counted"] is False
    assert body["lines"][0]["not_counted_reason"] == "substitution_treatment"
    assert "substitution_excluded" in [w["code"] for w in body["warnings"]]


@pytest.mark.parametrize(
    ("bad_line", "field", "code"),
    [
        pytest.param(line(dose=-5), "dose", "dose_not_positive", id="negative-dose"),
        pytest.param(line(dose=0), "dose", "dose_not_positive", id="zero-dose"),
        pytest.param(
            line(per_day=0), "doses_per_day", "doses_per_day_not_positive", id="zero-a-day"
        ),
        pytest.param(line(dose=5000, per_day=2), "dose", "implausible_dose", id="absurd-dose"),
        pytest.param(line("aspirin"), "substance", "unknown_substance", id="unknown-substance"),
        pytest.param(
            {**line("tramadol"), "route": "transdermal", "dose_unit": "mcg/h"},
            "route",
            "no_factor_for_route",
            id="route-the-substance-lacks",
        ),
        pytest.param(
            {**line(), "dose_unit": "mcg/h"},
            "dose_unit",
            "rate_unit_not_a_patch",
            id="mcg-h-on-tablet",
        ),
        pytest.param(
            {**line(), "route": "intravenous"}, "route", "unknown_route", id="unknown-route"
        ),
        pytest.param({**line(), "dose_unit": "g"}, "dose_unit", "unknown_unit", id="unknown-unit"),
        pytest.param(
            {"product_id": "no-such-product", "strength": 10},
            "product_id",
            "unknown_product",
            id="unknown-product",
        ),
        pytest.param(
            {"product_id": "oxycodone-capsule", "strength": 15},
            "strength",
            "strength_not_marketed",
            id="unknown-strength",
        ),
        pytest.param(
            {"product_id": "oxycodone-depot-tablet", "strength": 10, "units_per_dose": "0.5"},
            "units_per_dose",
            "units_not_whole",
            id="half-an-unscored-tablet",
        ),
        pytest.param(
            {"product_id": "buprenorphine-naloxone-sublingual-tablet", "strength": 8},
            "indication",
            "substitution_product",
            id="suboxone-for-pain",
        ),
    ],
)
def test_an_unconvertible_line_answers_422_naming_the_line_field_and_reason(
    api, bad_line, field, code
):
    response = post(api, {"factor_set": "cdc-2022", "lines": [line("morphine"), bad_line]})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 422
    assert {"field": f"lines.1.{field}", "code": code} in [
        {k: e[k] for k in ("field", "code")} for e in body["errors"]
    ]
    assert all(e["message"] for e in body["errors"])


def test_every_bad_line_is_named_at_once(api):
    lines = [line(dose=-1), line("morphine"), line("ketobemidone")]
    errors = post(api, {"factor_set": "cdc-2022", "lines": lines}).json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("lines.0.dose", "dose_not_positive"),
        ("lines.2.substance", "unknown_substance"),
    ]


@pytest.mark.parametrize(
    ("language", "message"),
    [("da", "Dosis skal være et tal over 0."), ("en", "The dose must be a number above 0.")],
)
def test_a_refused_line_s_reason_is_in_the_users_language(api, language, message):
    response = api.post(
        "/api/omeq",
        data=json.dumps({"factor_set": "cdc-2022", "lines": [line(dose=0)]}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    [error] = response.json()["errors"]
    assert (error["field"], error["code"], error["message"]) == (
        "lines.0.dose",
        "dose_not_positive",
        message,
    )


def test_ketobemidone_has_a_factor_in_the_nordic_table_only(api):
    ketogan = line("ketobemidone", 5, 3)
    assert post(api, {"factor_set": "nordic", "lines": [ketogan]}).status_code == 200
    refused = post(api, {"factor_set": "cdc-2022", "lines": [ketogan]})
    assert refused.json()["errors"][0]["code"] == "unknown_substance"


def test_buprenorphine_for_pain_under_cdc_2022_says_the_table_gives_no_factor(api):
    patch = {"substance": "buprenorphine", "route": "transdermal", "dose": 10, "dose_unit": "mcg/h"}
    [problem] = post(api, {"factor_set": "cdc-2022", "lines": [patch]}).json()["errors"]
    assert problem["code"] == "factor_excluded"
    assert "CDC 2022 gives no MME conversion factor" in problem["message"]


def test_an_unknown_factor_set_answers_422(api):
    response = post(api, {**ISSUE_EXAMPLE, "factor_set": "who-1986"})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("factor_set", "unknown_factor_set")


@pytest.mark.parametrize("dose", [True, "ten", "NaN", "Infinity", None])
def test_a_dose_that_is_not_a_number_is_refused(api, dose):
    response = post(api, {"lines": [line(dose=dose)]})
    assert response.status_code == 422


def test_an_empty_regimen_is_refused(api):
    assert post(api, {"lines": []}).status_code == 422


def test_the_calculation_writes_no_audit_row(api):
    before = AuditEvent.objects.count()
    post(api, ISSUE_EXAMPLE)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("persona", ["planner", "admin_user"])
def test_planners_and_administrators_cannot_use_the_calculation(request, client_for, persona):
    response = post(client_for(request.getfixturevalue(persona)), ISSUE_EXAMPLE)
    assert response.status_code == 403


def test_an_anonymous_request_is_refused(client):
    assert post(client, ISSUE_EXAMPLE).status_code == 401


def test_the_factor_sets_list_names_the_shipped_tables_and_the_active_one(api):
    sets = api.get("/api/omeq/factor-sets").json()
    by_id = {s["id"]: s for s in sets}
    assert {"cdc-2022", "nordic"} <= set(by_id)
    assert by_id["cdc-2022"]["version"] == "2022.1"
    assert by_id["cdc-2022"]["source"].startswith("Dowell")
    assert by_id["nordic"]["origin"] == "builtin"


def test_the_products_list_gives_ids_and_strengths_for_product_lines(api):
    products = {p["id"]: p for p in api.get("/api/omeq/products").json()}
    assert products["oxycodone-naloxone-depot-tablet"]["strength_labels"][1] == "10/5"
    assert products["oxycodone-naloxone-depot-tablet"]["strengths"][1] == "10"


def _not_null(schema):
    """The non-null alternative of an optional field's schema."""
    return next((s for s in schema.get("anyOf", []) if s.get("type") != "null"), schema)


def test_the_openapi_schema_lists_every_coded_fields_allowed_values_and_formats():
    schemas = api_schema.get_openapi_schema()["components"]["schemas"]
    omeq_line = schemas["OmeqLineIn"]["properties"]
    assert _not_null(omeq_line["route"])["enum"] == [r.value for r in Route]
    assert _not_null(omeq_line["dose_unit"])["enum"] == [u.value for u in DoseUnit]
    medication_line = schemas["MedicationLineIn"]["properties"]
    indications = list(MedicationLine.Indication.values)
    assert medication_line["indication"]["enum"] == indications
    assert _not_null(medication_line["start_date"])["format"] == "date"
    listed = schemas["MedicationLineOut"]["properties"]
    assert listed["indication"]["enum"] == indications
    assert schemas["ProductOut"]["properties"]["release"]["enum"] == ["immediate", "modified"]
    assert schemas["WarningOut"]["properties"]["code"]["enum"] == [c.value for c in WarningCode]
    history = schemas["LineVersionOut"]["properties"]
    assert history["history_date"]["format"] == "date-time"
    assert history["history_type"]["enum"] == ["+", "~", "-"]
    assert schemas["FactorSetOut"]["properties"]["published"]["format"] == "date"


def product(product_id, strength, per_day=2):
    return {"product_id": product_id, "strength": strength, "doses_per_day": per_day}


@pytest.mark.parametrize("factor_set", ["nordic", "cdc-2022"])
def test_methadone_tablets_get_the_methadone_warning_not_short_acting(api, factor_set):
    # Issue 11: methadone was flagged "short-acting on a schedule, switch to depot".
    body = {"factor_set": factor_set, "lines": [product("methadone-tablet", "10")]}
    response = post(api, body)
    assert response.status_code == 200, response.content
    codes = [w["code"] for w in response.json()["warnings"]]
    assert WarningCode.METHADONE_PRESENT.value in codes
    assert WarningCode.SHORT_ACTING_SCHEDULED.value not in codes


@pytest.mark.parametrize(
    ("product_id", "strength", "route"),
    [
        pytest.param("morphine-injection", "10", "parenteral", id="no-parenteral-morphine-row"),
        pytest.param("pethidine-injection", "50", "parenteral", id="no-parenteral-pethidine-row"),
        pytest.param("ketobemidone-suppository", "10", "rectal", id="no-rectal-ketobemidone-row"),
    ],
)
def test_a_product_on_a_route_the_source_has_no_row_for_is_refused_with_the_reason(
    api, product_id, strength, route
):
    # Issue 11: no source the shipped tables cite gives these routes a factor, so the line is
    # refused with the reason (never counted as 0, never given a guessed factor).
    response = post(api, {"factor_set": "nordic", "lines": [product(product_id, strength)]})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("lines.0.product_id", "no_factor_for_route")
    route_word = {"parenteral": "parenteral", "rectal": "rektal"}[route]
    assert route_word in error["message"]
