"""The FHIR mappings, record by record, without a database: each resource validates with
fhir.resources' R4B models and says what the record says."""

import datetime
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smertespor.interop import codes
from smertespor.interop import fhir_export as fx
from smertespor.interop.records import (
    MedicationRecord,
    OmeqRecord,
    OrganisationRecord,
    PatientRecord,
    ScoresRecord,
    TaperPlanRecord,
    TaperStepRecord,
)

PATIENT = PatientRecord(
    id="p1",
    cpr="0101701234",
    name="Birthe Testesen",
    birth_date=datetime.date(1970, 1, 1),
    sex="female",
    practice_id="3",
    phone="12345678",
)


def line(**changes: Any) -> MedicationRecord:
    values: dict[str, Any] = {
        "id": "medicationline-1",
        "product_id": "morphine-depot-tablet",
        "product_name": "Morfin depottablet",
        "atc": "N02AA01",
        "substance": "morphine",
        "unit": "mg",
        "is_measured_in_ml": False,
        "strength": D("30.0000"),
        "units_per_dose": D("1.00"),
        "doses_per_day": D("2.00"),
        "prn": False,
        "max_doses_per_day": None,
        "indication": "pain",
        "indication_label": "Smerter",
        "start_date": datetime.date(2026, 1, 1),
    }
    values.update(changes)
    return MedicationRecord(**values)


def test_the_patient_carries_the_cpr_number_under_the_danish_oid():
    resource = fx.patient_resource(PATIENT)
    assert resource["identifier"][0] == {
        "use": "official",
        "system": "urn:oid:1.2.208.176.1.2",
        "value": "0101701234",
    }
    assert resource["generalPractitioner"] == [{"reference": "Organization/3"}]


def test_an_organisation_carries_its_sor_code_and_provider_number():
    record = OrganisationRecord(
        id="3",
        name="Lægerne",
        kind="gp_practice",
        kind_label="Almen praksis",
        sor_code="123456789012",
        provider_number="012345",
    )
    identifiers = fx.organization_resource(record)["identifier"]
    assert {(i["system"], i["value"]) for i in identifiers} == {
        (codes.SOR, "123456789012"),
        (codes.PROVIDER_NUMBER, "012345"),
    }


def test_a_scheduled_line_has_its_atc_code_product_strength_and_frequency():
    resource = fx.medication_statement_resource(line(), "p1")
    coding = {c["system"]: c["code"] for c in resource["medicationCodeableConcept"]["coding"]}
    assert coding == {codes.PRODUCT_STRENGTH: "morphine-depot-tablet@30", codes.ATC: "N02AA01"}
    [dosage] = resource["dosage"]
    assert dosage["asNeededBoolean"] is False
    assert dosage["timing"]["repeat"] == {"frequency": 2, "period": 1, "periodUnit": "d"}
    assert resource["reasonCode"][0]["coding"][0]["code"] == "pain"
    assert resource["status"] == "active"


def test_one_and_a_half_doses_a_day_is_three_every_two_days():
    resource = fx.medication_statement_resource(line(doses_per_day=D("1.5")), "p1")
    assert resource["dosage"][0]["timing"]["repeat"]["frequency"] == 3
    assert resource["dosage"][0]["timing"]["repeat"]["period"] == 2
    assert resource["dosage"][0]["text"] == "1 × 1,5 dagligt"


def test_an_as_needed_line_has_its_maximum_per_day():
    record = line(prn=True, doses_per_day=None, max_doses_per_day=D(4), units_per_dose=D(2))
    [dosage] = fx.medication_statement_resource(record, "p1")["dosage"]
    assert dosage["asNeededBoolean"] is True
    assert dosage["maxDosePerPeriod"]["numerator"]["value"] == 8  # 4 doses of 2 tablets
    assert dosage["maxDosePerPeriod"]["denominator"]["code"] == "d"
    assert "timing" not in dosage


def test_an_ended_line_is_completed_with_its_end_date_and_reason():
    record = line(ended_on=datetime.date(2026, 2, 1), end_reason="Nedtrappet")
    resource = fx.medication_statement_resource(record, "p1")
    assert resource["status"] == "completed"
    assert resource["effectivePeriod"] == {"start": "2026-01-01", "end": "2026-02-01"}
    assert resource["statusReason"] == [{"text": "Nedtrappet"}]


@given(st.decimals(min_value=D("0.01"), max_value=D(48), places=2))
def test_any_doses_per_day_survives_as_frequency_over_period(doses):
    resource = fx.medication_statement_resource(line(doses_per_day=doses), "p1")
    repeat = resource["dosage"][0]["timing"]["repeat"]
    assert D(repeat["frequency"]) / D(repeat["period"]) == doses


def test_omeq_names_the_conversion_table_and_version():
    record = OmeqRecord(
        id="omeq-1",
        recorded_at=datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC),
        table_id="nordic",
        table_version="2022.1",
        is_computable=True,
        scheduled_mg_per_day=D(60),
        max_mg_per_day=D(100),
    )
    resource = fx.omeq_observation(record, "p1")
    assert resource["valueQuantity"] == {
        "value": 100,
        "unit": "mg/døgn",
        "system": codes.UCUM,
        "code": "mg/d",
    }
    assert resource["method"]["coding"][0]["code"] == "nordic@2022.1"
    assert [c["valueQuantity"]["value"] for c in resource["component"]] == [60, 100]


def test_an_omeq_that_could_not_be_computed_says_so_without_a_value():
    record = OmeqRecord(
        id="omeq-2",
        recorded_at=datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC),
        table_id="cdc-2022",
        table_version="1",
        is_computable=False,
        scheduled_mg_per_day=None,
        max_mg_per_day=None,
    )
    resource = fx.omeq_observation(record, "p1")
    assert "valueQuantity" not in resource
    assert resource["dataAbsentReason"]["coding"][0]["code"] == "unknown"


def test_peg_is_the_mean_of_its_three_items_and_nrs_uses_loinc():
    scores = ScoresRecord(
        id="fu-1", on=datetime.date(2026, 1, 2), peg_pain=5, peg_enjoyment=6, peg_activity=8, nrs=4
    )
    peg, nrs = fx.score_observations(scores, "p1")
    assert peg["valueQuantity"]["value"] == 6.3  # (5 + 6 + 8) / 3
    assert [c["valueInteger"] for c in peg["component"]] == [5, 6, 8]
    assert nrs["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "72514-3",
        "display": "Pain severity 0-10 NRS",
    }


def test_sows_is_a_questionnaire_response_with_its_items_and_total():
    scores = ScoresRecord(id="fu-1", on=datetime.date(2026, 1, 2), sows_total=3, sows_items=(1, 2))
    [response] = fx.withdrawal_questionnaire_responses(scores, "p1")
    assert response["questionnaire"].endswith("/Questionnaire/sows")
    assert [i["linkId"] for i in response["item"]] == ["1", "2", "total"]


@pytest.mark.parametrize(
    ("plan_status", "step_start", "expected"),
    [
        ("active", datetime.date(2026, 4, 1), "scheduled"),
        ("active", datetime.date(2026, 2, 20), "in-progress"),
        ("active", datetime.date(2026, 1, 1), "completed"),
        ("abandoned", datetime.date(2026, 4, 1), "cancelled"),
    ],
)
def test_a_taper_plans_steps_are_activities_with_a_status_from_their_dates(
    plan_status, step_start, expected
):
    step = TaperStepRecord(
        number=1,
        kind="reduce",
        kind_label="Reducer",
        start_date=step_start,
        end_date=step_start + datetime.timedelta(13),
        omeq_mg_per_day=D("90"),
        percent_of_start=D("90.0"),
    )
    plan = TaperPlanRecord(
        id="taperplan-1",
        status=plan_status,
        start_date=datetime.date(2026, 1, 1),
        last_change_date=datetime.date(2026, 6, 1),
        table_id="nordic",
        table_version="2022.1",
        baseline_omeq_mg_per_day=D(100),
        final_omeq_mg_per_day=D(0),
        practice_id="3",
        steps=(step,),
    )
    resource = fx.taper_plan_care_plan(plan, "p1", today=datetime.date(2026, 3, 2))
    [activity] = resource["activity"]
    assert activity["detail"]["status"] == expected
    assert activity["detail"]["description"].startswith("Trin 1: 90 mg OMEQ/døgn")


def test_a_resource_that_does_not_validate_is_refused_as_a_bug():
    with pytest.raises(fx.InvalidResource):
        fx.validated({"resourceType": "Patient", "birthDate": "1. januar"})
