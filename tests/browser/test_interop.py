"""Interoperability in a real browser against the demo region: every demo patient of the
demo GP leaves as a valid FHIR R4 Bundle, and the GP loads a medication list from a Danish
Excel export (Windows-1252, semicolons, decimal commas) through preview and confirmation."""

import re

import pytest
from fhir.resources.R4B.bundle import Bundle
from playwright.sync_api import Page, expect

from smertespor.interop.csv_medication import COLUMNS
from tests.browser.conftest import switch_user

HEADER = ";".join(COLUMNS)


@pytest.mark.browser
def test_every_demo_patient_of_the_gp_exports_as_a_valid_r4_bundle(page: Page) -> None:
    switch_user(page, "demo-gp")
    patients = page.request.get("/api/patients?page=1").json()["items"]
    assert patients
    kinds: set[str] = set()
    for patient in patients:
        response = page.request.get(f"/api/fhir/Patient/{patient['id']}/$everything")
        assert response.ok, response.text()
        bundle = response.json()
        Bundle.model_validate(bundle)
        kinds |= {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "Organization", "MedicationStatement", "Observation"} <= kinds


@pytest.mark.browser
def test_the_demo_gp_previews_and_imports_a_danish_excel_export(page: Page) -> None:
    switch_user(page, "demo-gp")
    patient = page.request.get("/api/patients?page=1").json()["items"][0]
    row = f"{patient['cpr']};morphine-tablet;10;0,5;;ja;4;smerter;02-01-2026;Søvnbesvær"
    data = f"{HEADER}\r\n{row}\r\n".encode("cp1252")
    page.goto("/interop/medication-csv/")
    page.locator("input[type=file][name=file]").set_input_files(
        {"name": "udtraek.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.locator("button[name=action][value=preview]").click()
    expect(page.get_by_test_id("csv-report")).to_contain_text("Windows-1252")
    expect(page.get_by_test_id("patient-status")).to_have_count(1)
    page.get_by_test_id("csv-confirm").locator("button").click()
    expect(page.get_by_test_id("patient-status")).to_contain_text(re.compile("Importeret|Imported"))
    page.goto(f"/medication/patients/{patient['id']}/")
    expect(page.get_by_test_id("line-source").filter(has_text="CSV")).to_have_count(1)
