"""Administrators add products to the catalogue, one by one or from a CSV file (all or nothing)."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from domain.catalogue import COLUMNS
from smertespor.medication.models import CatalogueProduct, MedicationLine
from smertespor.medication.selectors import current_catalogue

HEADER = ",".join(COLUMNS)
NEW_OXYCODONE = (
    "oxycodone-depot-tablet-15,Oxycodon depottablet 15,Oxycodone Generic,N02AA05,opioid,"
    "depot_tablet,oral,modified,mg,15|30|60,,oxycodone,,false,,false,Generic strengths."
)
BAD_ROW = "bad-product,Bad,,N02AA05,opioid,tablet,oral,modified,mg,10,,oxycodone,,false,,false,"


def upload(client, text):
    file = SimpleUploadedFile("products.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("admin:medication_catalogueproduct_import"), {"file": file})


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


def test_an_administrator_imports_products_that_gps_can_then_record(
    admin_client, client_for, gp, patient
):
    response = upload(admin_client, f"{HEADER}\n{NEW_OXYCODONE}\n")
    assert response.status_code == 302
    added = CatalogueProduct.objects.get()
    assert added.added_by is not None and added.added_by.username == "admin"
    assert current_catalogue().by_id("oxycodone-depot-tablet-15").strengths[0].label == "15"
    body = {"product_id": "oxycodone-depot-tablet-15", "strength": 15, "doses_per_day": 2}
    created = client_for(gp).post(
        f"/api/patients/{patient.pk}/medication",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert created.status_code == 201
    assert Decimal(created.json()["omeq"]["omeq_mg_per_day"]) == 45
    assert MedicationLine.objects.get().product_id == "oxycodone-depot-tablet-15"


def test_one_bad_row_refuses_the_whole_file_naming_its_line(admin_client):
    response = upload(admin_client, f"{HEADER}\n{NEW_OXYCODONE}\n{BAD_ROW}\n")
    assert response.status_code == 422
    assert "3" in str(response.context["form"].errors["file"])  # line 3 of the file
    assert not CatalogueProduct.objects.exists()


def test_a_product_id_already_in_the_catalogue_is_refused(admin_client):
    shipped = NEW_OXYCODONE.replace("oxycodone-depot-tablet-15", "oxycodone-capsule", 1)
    upload(admin_client, f"{HEADER}\n{shipped}\n")
    assert not CatalogueProduct.objects.exists()


def test_an_administrator_adds_one_product_in_the_admin(admin_client):
    fields = dict(zip(COLUMNS, NEW_OXYCODONE.split(","), strict=True))
    data = {**fields, "product_id": fields["id"], "splittable": "", "is_substitution": ""}
    response = admin_client.post(reverse("admin:medication_catalogueproduct_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert CatalogueProduct.objects.get().strengths == "15|30|60"


def test_an_invalid_single_product_is_refused_with_its_reason(admin_client):
    fields = dict(zip(COLUMNS, NEW_OXYCODONE.split(","), strict=True))
    data = {**fields, "product_id": fields["id"], "form": "patch"}  # a patch is not oral
    response = admin_client.post(reverse("admin:medication_catalogueproduct_add"), data)
    assert response.status_code == 200
    assert not CatalogueProduct.objects.exists()


def test_a_gp_cannot_reach_the_import(client_for, gp):
    response = client_for(gp).get(reverse("admin:medication_catalogueproduct_import"))
    assert response.status_code == 302  # to the admin login
    assert not CatalogueProduct.objects.exists()
