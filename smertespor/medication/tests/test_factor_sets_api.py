"""Conversion tables and products through the API: the same actions as the administrators'
pages and the Django admin (copy, edit a draft, sign off, import products), the same rules."""

import json
from decimal import Decimal

import pytest

from domain.catalogue import COLUMNS
from smertespor.audit.models import AuditEvent
from smertespor.medication.models import CatalogueProduct, ConversionRule, ConversionTableVersion
from smertespor.medication.table_selectors import active_table_version

PROBLEM = "application/problem+json"
HEADER = ",".join(COLUMNS)
NEW_OXYCODONE = (
    "oxycodone-depot-tablet-15,Oxycodon depottablet 15,Oxycodone Generic,N02AA05,opioid,"
    "depot_tablet,oral,modified,mg,15|30|60,,oxycodone,,false,,false,Generic strengths."
)
BAD_ROW = "bad-product,Bad,,N02AA05,opioid,tablet,oral,modified,mg,10,,oxycodone,,false,,false,"


def send(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def copy_body(version="2022.1-r1"):
    return {
        "source": {"id": "cdc-2022", "version": "2022.1"},
        "table_id": "cdc-2022",
        "version": version,
    }


@pytest.fixture
def admin_api(client_for, admin_user):
    return client_for(admin_user)


@pytest.fixture
def draft(admin_api):
    response = send(admin_api, "post", "/api/omeq/factor-sets", copy_body())
    assert response.status_code == 201, response.content
    return response.json()


def draft_url(draft):
    return f"/api/omeq/factor-sets/{draft['id']}/{draft['version']}"


def edited(draft, **changes):
    """The draft as a PUT body, with the tramadol rule changed."""
    rules = [dict(rule) for rule in draft["rules"]]
    for rule in rules:
        if rule["substance"] == "tramadol":
            rule.update(changes)
    return {
        "title": draft["title"],
        "source": draft["source"],
        "published": draft["published"],
        "note": draft["note"],
        "rules": rules,
    }


def test_an_administrator_copies_a_table_into_a_draft_with_its_rules(draft, admin_user):
    assert (draft["id"], draft["version"], draft["origin"]) == (
        "cdc-2022",
        "2022.1-r1",
        "regional_copy",
    )
    assert draft["copied_from"] == "cdc-2022@2022.1"
    assert draft["signed_off_at"] is None and draft["is_active"] is False
    tramadol = next(rule for rule in draft["rules"] if rule["substance"] == "tramadol")
    assert (tramadol["kind"], tramadol["factor"], tramadol["per_unit"]) == ("linear", "0.2", "mg")
    row = AuditEvent.objects.latest("sequence")
    assert (row.action, row.object_type, row.object_id, row.user_id) == (
        "create",
        "conversion_table",
        "cdc-2022@2022.1-r1",
        admin_user.pk,
    )


def test_a_copy_of_an_unknown_table_is_refused_at_the_source(admin_api):
    body = {**copy_body(), "source": {"id": "who-1986", "version": "1"}}
    response = send(admin_api, "post", "/api/omeq/factor-sets", body)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("source", "unknown_factor_set")


def test_a_copy_needs_a_new_version(admin_api, draft):
    response = send(admin_api, "post", "/api/omeq/factor-sets", copy_body(draft["version"]))
    assert response.status_code == 422
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["errors"]
    assert ConversionTableVersion.objects.filter(version=draft["version"]).count() == 1


def test_an_administrator_edits_a_drafts_factor(admin_api, draft):
    response = send(admin_api, "put", draft_url(draft), edited(draft, factor="0.15"))
    assert response.status_code == 200, response.content
    tramadol = next(rule for rule in response.json()["rules"] if rule["substance"] == "tramadol")
    assert tramadol["factor"] == "0.15"
    stored = ConversionRule.objects.get(table__version=draft["version"], substance="tramadol")
    assert stored.factor == Decimal("0.15")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        pytest.param({"factor": "-1"}, "factor_not_positive", id="negative"),
        pytest.param({"per_unit": "mcg/h"}, "unit_does_not_fit_route", id="patch-unit-on-a-tablet"),
        pytest.param({"route": "transdermal", "factor": "0"}, "factor_not_positive", id="zero"),
    ],
)
def test_an_invalid_rule_is_refused_at_its_row_and_nothing_is_saved(
    admin_api, draft, changes, code
):
    row = [rule["substance"] for rule in draft["rules"]].index("tramadol")
    response = send(admin_api, "put", draft_url(draft), edited(draft, **changes))
    assert response.status_code == 422
    assert {"field": f"rules.{row}", "code": code} in [
        {k: e[k] for k in ("field", "code")} for e in response.json()["errors"]
    ]
    stored = ConversionRule.objects.get(table__version=draft["version"], substance="tramadol")
    assert (stored.factor, stored.per_unit, stored.route) == (Decimal("0.2"), "mg", "oral")


def test_a_shipped_table_cannot_be_edited(admin_api, draft):
    response = send(admin_api, "put", "/api/omeq/factor-sets/cdc-2022/2022.1", edited(draft))
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "table_not_editable"


def test_editing_a_draft_that_does_not_exist_is_404(admin_api, draft):
    response = send(admin_api, "put", "/api/omeq/factor-sets/cdc-2022/no-such", edited(draft))
    assert response.status_code == 404
    assert response["Content-Type"].startswith(PROBLEM)


def sign_off_body(draft, **changes):
    name = f"{draft['id']} {draft['version']}"
    return {
        "id": draft["id"],
        "version": draft["version"],
        "revision": 0,
        "confirm": name,
        **changes,
    }


def test_signing_off_makes_the_version_the_regions_active_table(client_for, draft, other_admin):
    admin_api = client_for(other_admin)
    response = send(admin_api, "put", "/api/omeq/active-factor-set", sign_off_body(draft))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["is_active"] is True and body["signed_off_by"] == other_admin.username
    active = active_table_version()
    assert (active.table_id, active.version) == ("cdc-2022", "2022.1-r1")
    sets = {s["version"]: s for s in admin_api.get("/api/omeq/factor-sets").json()}
    assert sets["2022.1-r1"]["is_active"] is True


def test_a_table_that_no_longer_checks_out_is_not_signed_off(client_for, other_admin, draft):
    ConversionRule.objects.filter(table__version=draft["version"], substance="tramadol").update(
        factor=Decimal(-1)
    )
    body = sign_off_body(draft)
    response = send(client_for(other_admin), "put", "/api/omeq/active-factor-set", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid_conversion_table"
    assert not ConversionTableVersion.objects.filter(is_active_for_region=True).exists()


def test_signing_off_an_unknown_table_is_refused_at_its_id(admin_api):
    body = {"id": "x", "version": "1", "revision": 0, "confirm": "x 1"}
    response = send(admin_api, "put", "/api/omeq/active-factor-set", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "id"


@pytest.mark.parametrize("persona", ["gp", "clinic_nurse", "planner"])
def test_only_an_administrator_may_change_tables(request, client_for, draft, persona):
    client = client_for(request.getfixturevalue(persona))
    before = AuditEvent.objects.filter(action="refused").count()
    responses = [
        send(client, "post", "/api/omeq/factor-sets", copy_body("2022.1-r2")),
        send(client, "put", draft_url(draft), edited(draft, factor="0.15")),
        send(client, "put", "/api/omeq/active-factor-set", sign_off_body(draft)),
        client.get(f"{draft_url(draft)}/impact"),
        send(client, "post", "/api/omeq/products", {"csv_text": f"{HEADER}\n{NEW_OXYCODONE}\n"}),
    ]
    for response in responses:
        assert response.status_code == 403
        assert response["Content-Type"].startswith(PROBLEM)
        assert response.json()["status"] == 403
    assert AuditEvent.objects.filter(action="refused").count() == before + len(responses)
    assert not ConversionTableVersion.objects.filter(version="2022.1-r2").exists()
    assert not ConversionTableVersion.objects.filter(is_active_for_region=True).exists()
    stored = ConversionRule.objects.get(table__version=draft["version"], substance="tramadol")
    assert stored.factor == Decimal("0.2")
    assert not CatalogueProduct.objects.exists()


def test_an_administrator_imports_products_through_the_api(admin_api, admin_user):
    response = send(
        admin_api, "post", "/api/omeq/products", {"csv_text": f"{HEADER}\n{NEW_OXYCODONE}\n"}
    )
    assert response.status_code == 201, response.content
    [product] = response.json()
    assert (product["id"], product["strengths"]) == (
        "oxycodone-depot-tablet-15",
        ["15", "30", "60"],
    )
    assert CatalogueProduct.objects.get().added_by == admin_user
    listed = {p["id"] for p in admin_api.get("/api/omeq/products").json()}
    assert "oxycodone-depot-tablet-15" in listed


def test_one_bad_product_row_refuses_the_whole_file_naming_its_line(admin_api):
    text = f"{HEADER}\n{NEW_OXYCODONE}\n{BAD_ROW}\n"
    response = send(admin_api, "post", "/api/omeq/products", {"csv_text": text})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("csv_text", "invalid_products")
    assert "3" in error["message"]  # line 3 of the file
    assert not CatalogueProduct.objects.exists()
