"""Adding products to the catalogue from a CSV file: the preview reports each problem by row
and column and saves nothing; the confirmed import adds every product or none, through the
catalogue's own import (history and audit); administrators only."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smertespor.audit.models import AuditEvent
from smertespor.medication.models import CatalogueProduct
from smertespor.medication.selectors import current_catalogue

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "catalogue-import-sample.csv"
PAGE = "interop:catalogue_csv"
HEADER = (
    "id;name;brands;atc;category;form;route;release;unit;strengths;strength_labels;substance;"
    "other_ingredients;splittable;patch_change_hours;is_substitution;note"
)
GOOD = (
    "eksempel-oxycodon;Oxycodon depottablet (eksempel);;N02AA05;opioid;depot_tablet;oral;"
    "modified;mg;15|22,5;;oxycodone;;false;;false;"
)


def csv_bytes(*rows, header=HEADER, encoding="cp1252"):
    return "\r\n".join([header, *rows]).encode(encoding)


def api(client, name, data):
    return client.post(reverse(f"api:{name}"), data=data, content_type="text/csv")


def test_the_sample_file_previews_as_windows_1252_with_decimal_commas_and_saves_nothing(
    client_for, admin_user
):
    report = api(client_for(admin_user), "catalogue_csv_preview", SAMPLE.read_bytes()).json()
    assert (report["encoding"], report["separator"]) == ("Windows-1252", ";")
    assert report["status"] == "ready"
    assert report["problems"] == []
    assert [(p["row"], p["id"]) for p in report["products"]] == [
        (2, "eksempel-morfin-depotkapsel"),
        (3, "eksempel-buprenorfin-plaster"),
    ]
    assert report["products"][1]["name"] == "Buprenorfin plaster, 4 døgn (eksempel)"
    assert not CatalogueProduct.objects.exists()


def test_the_import_adds_every_product_through_the_catalogue_import_with_its_audit_row(
    client_for, admin_user
):
    report = api(client_for(admin_user), "catalogue_csv_import", SAMPLE.read_bytes()).json()
    assert report["status"] == "imported"
    patch = CatalogueProduct.objects.get(product_id="eksempel-buprenorfin-plaster")
    assert patch.added_by == admin_user
    assert patch.strengths == "35|52.5|70"
    product = next(p for p in current_catalogue() if p.id == "eksempel-buprenorfin-plaster")
    assert [s.amount for s in product.strengths] == [35, Decimal("52.5"), 70]
    event = AuditEvent.objects.get(object_type="catalogue_product", action="create")
    assert event.detail["products"] == [
        "eksempel-morfin-depotkapsel",
        "eksempel-buprenorfin-plaster",
    ]


def test_a_utf8_file_with_commas_is_read_and_said_to_be_utf8(client_for, admin_user):
    rows = [
        row.split(";") for row in SAMPLE.read_bytes().decode("cp1252").splitlines()
    ]  # the same products, written as a UTF-8 system would: BOM, commas, quoted cells
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = ("\ufeff" + out.getvalue()).encode("utf-8")
    assert b'"35|52,5|70"' in data
    report = api(client_for(admin_user), "catalogue_csv_preview", data).json()
    assert (report["encoding"], report["separator"], report["status"]) == ("UTF-8", ",", "ready")
    assert report["products"][1]["name"] == "Buprenorfin plaster, 4 døgn (eksempel)"


@pytest.mark.parametrize(
    ("row", "column", "danish"),
    [
        pytest.param(GOOD.replace("N02AA05", "N02AA5"), "atc", "ikke på formen N02AA01", id="atc"),
        pytest.param(
            GOOD.replace("15|22,5", "15|mange"), "strengths", "mange er ikke", id="strength"
        ),
        pytest.param(
            GOOD.replace("eksempel-oxycodon", "morphine-tablet"),
            "id",
            "findes allerede",
            id="existing",
        ),
        pytest.param(
            GOOD.replace("depot_tablet", "pille"), "form", "Ukendt værdi pille", id="form"
        ),
    ],
)
def test_a_bad_row_is_reported_by_row_and_column_in_danish_and_nothing_is_added(
    client_for, admin_user, row, column, danish
):
    other = GOOD.replace("eksempel-oxycodon", "eksempel-anden")
    data = csv_bytes(other, row)
    report = api(client_for(admin_user), "catalogue_csv_import", data).json()
    assert report["status"] == "refused"
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(3, column)]
    assert danish in report["problems"][0]["message"]
    assert not CatalogueProduct.objects.exists()  # the sound row is not added either


def test_a_product_twice_in_the_file_is_named_on_its_second_row(client_for, admin_user):
    report = api(client_for(admin_user), "catalogue_csv_preview", csv_bytes(GOOD, "", GOOD)).json()
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(4, "id")]
    assert "står to gange i filen" in report["problems"][0]["message"]


def test_a_rule_between_columns_is_reported_with_the_catalogue_s_reason(client_for, admin_user):
    row = GOOD.replace("modified", "immediate")  # a depot tablet is modified release
    report = api(client_for(admin_user), "catalogue_csv_preview", csv_bytes(row)).json()
    assert report["problems"][0]["row"] == 2
    assert report["problems"][0]["message"].startswith("Bryder en regel for kataloget")


@pytest.mark.parametrize(
    ("data", "danish"),
    [
        pytest.param(b"id;name\xff\x81;x\r\n", "hverken UTF-8", id="encoding"),
        pytest.param(
            csv_bytes(GOOD.rsplit(";", 1)[0], header=HEADER.rsplit(";", 1)[0]),
            "Kolonner mangler i første linje: note",
            id="missing-column",
        ),
        pytest.param(b"", "Filen er tom", id="empty"),
        pytest.param(csv_bytes(), "ingen rækker under overskriften", id="header-only"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_danish_problem_and_changes_nothing(
    client_for, admin_user, data, danish
):
    for name in ("catalogue_csv_preview", "catalogue_csv_import"):
        response = api(client_for(admin_user), name, data)
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        assert danish in response.json()["detail"]
    assert not CatalogueProduct.objects.exists()


@pytest.mark.parametrize("persona", ["gp", "clinic_doctor", "planner", "clinic_secretary"])
def test_roles_other_than_administrators_are_refused_on_the_api_and_the_page(
    request, client_for, persona
):
    client = client_for(request.getfixturevalue(persona))
    data = SAMPLE.read_bytes()
    for name in ("catalogue_csv_preview", "catalogue_csv_import"):
        response = api(client, name, data)
        assert response.status_code == 403
        assert "eksempel" not in response.content.decode()
    assert client.get(reverse(PAGE)).status_code == 403
    upload = SimpleUploadedFile("katalog.csv", data, "text/csv")
    assert client.post(reverse(PAGE), {"action": "preview", "file": upload}).status_code == 403
    assert not CatalogueProduct.objects.exists()


def test_the_page_previews_then_adds_what_the_administrator_confirms(client_for, admin_user):
    client = client_for(admin_user)
    upload = SimpleUploadedFile("katalog.csv", SAMPLE.read_bytes(), "text/csv")
    preview = client.post(reverse(PAGE), {"action": "preview", "file": upload})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Windows-1252" in page and "eksempel-buprenorfin-plaster" in page
    assert not CatalogueProduct.objects.exists()
    done = client.post(reverse(PAGE), {"action": "import", "data": preview.context["data"]})
    assert done.status_code == 200
    assert CatalogueProduct.objects.count() == 2


def test_the_page_shows_a_bad_row_and_offers_no_confirmation(client_for, admin_user):
    upload = SimpleUploadedFile("katalog.csv", csv_bytes(GOOD.replace("N02AA05", "X")), "text/csv")
    response = client_for(admin_user).post(reverse(PAGE), {"action": "preview", "file": upload})
    assert response.status_code == 422
    assert "ATC-koden X" in response.content.decode()
    assert 'data-testid="csv-confirm"' not in response.content.decode()
