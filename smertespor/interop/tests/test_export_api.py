"""GET /api/fhir/Patient/{id}/$everything: the whole record as one valid R4 Bundle, for the
roles and scope that may see it, audited as an export."""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from smertespor.audit.models import AuditEvent
from smertespor.interop import codes


def resources_of(bundle):
    return [entry["resource"] for entry in bundle["entry"]]


def of_type(bundle, kind):
    return [r for r in resources_of(bundle) if r["resourceType"] == kind]


def test_a_gp_exports_the_record_as_a_valid_r4_bundle(client_for, gp, demo_record, everything_url):
    response = client_for(gp).get(everything_url(demo_record.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = json.loads(response.content)
    Bundle.model_validate(bundle)  # the R4B model, every entry included
    [patient] = of_type(bundle, "Patient")
    assert patient["identifier"] == [
        {"use": "official", "system": codes.CPR, "value": demo_record.cpr}
    ]
    statements = of_type(bundle, "MedicationStatement")
    assert len(statements) == 2
    prn = next(s for s in statements if s["dosage"][0]["asNeededBoolean"])
    assert prn["dosage"][0]["maxDosePerPeriod"]["numerator"]["value"] == 4
    atc = {
        c["code"]
        for s in statements
        for c in s["medicationCodeableConcept"]["coding"]
        if c["system"] == codes.ATC
    }
    assert atc == {"N02AA01"}
    omeq = [o for o in of_type(bundle, "Observation") if o["code"]["coding"][0]["code"] == "omeq"]
    assert omeq and omeq[-1]["valueQuantity"]["value"] == 100  # 60 scheduled + 40 PRN
    assert omeq[-1]["method"]["coding"][0]["system"] == codes.CONVERSION_TABLE
    [plan] = of_type(bundle, "CarePlan")
    assert plan["status"] == "active" and plan["activity"]
    [practice] = [
        o for o in of_type(bundle, "Organization") if o["id"] == str(demo_record.listed_practice_id)
    ]
    assert any(i["system"] == codes.SOR for i in practice["identifier"])


def test_the_export_is_one_export_row_in_the_audit_log(client_for, gp, demo_record, everything_url):
    before = AuditEvent.objects.count()
    client_for(gp).get(everything_url(demo_record.pk))
    [row] = AuditEvent.objects.order_by("sequence")[before:]
    assert (row.action, row.object_type, row.patient_id) == (
        "export",
        "fhir_bundle",
        demo_record.pk,
    )


def test_it_refuses_a_gp_from_another_practice_without_patient_data(
    client_for, other_gp, demo_record, everything_url
):
    response = client_for(other_gp).get(everything_url(demo_record.pk))
    assert response.status_code == 404
    assert demo_record.name not in response.content.decode()
    assert demo_record.cpr not in response.content.decode()


@pytest.mark.parametrize("persona", ["planner", "admin_user", "clinic_secretary"])
def test_it_refuses_roles_that_may_not_export(
    request, client_for, persona, demo_record, everything_url
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(everything_url(demo_record.pk))
    assert response.status_code == 403
    assert demo_record.name not in response.content.decode()
    assert AuditEvent.objects.filter(user=user, action="refused").exists()


def test_an_anonymous_request_is_refused(client, demo_record, everything_url):
    assert client.get(everything_url(demo_record.pk)).status_code == 401


def test_the_documented_media_type_is_the_one_sent(client_for, gp, patient):
    """`make fuzz` found the FHIR answers documented as application/json."""
    client = client_for(gp)
    schema = client.get("/api/openapi.json").json()
    documented = schema["paths"]["/api/fhir/Patient/{patient_id}/$everything"]["get"]
    response = client.get(f"/api/fhir/Patient/{patient.pk}/$everything")
    assert response.status_code == 200
    sent = response["Content-Type"].split(";")[0]
    assert sent in documented["responses"]["200"]["content"]
