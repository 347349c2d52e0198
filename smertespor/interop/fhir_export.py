"""FHIR R4 resources from Smertespor's records: plain functions from records to JSON dicts.

Each resource is checked by `validated` against fhir.resources' R4B models (R4-compatible;
the package's default is R5, which is never imported here). The checks are structural: the
Danish profiles (DK Core) are followed by hand, not validated (docs/interop.md).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from smertespor.interop import codes
from smertespor.interop.records import (
    MedicationRecord,
    OmeqRecord,
    OrganisationRecord,
    PatientRecord,
    PatientRecordSet,
    PractitionerRecord,
    ScoresRecord,
    TaperPlanRecord,
)

Resource = dict[str, Any]


class InvalidResource(ValueError):
    """A resource Smertespor built does not validate: a bug, never the user's input."""


def validated(resource: Resource) -> Resource:
    """``resource`` unchanged, once the R4B model of its type accepts it."""
    model = get_fhir_model_class(resource["resourceType"])
    try:
        model.model_validate(resource)
    except ValueError as error:
        raise InvalidResource(f"{resource['resourceType']}: {error}") from error
    return resource


def decimal_text(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 30.0000 -> "30", 0.50 -> "0.5"."""
    return format(value.normalize(), "f")


def _da(value: Decimal, places: str = "") -> str:
    """A decimal as Danish text reads it (decimal comma), rounded to ``places`` if given."""
    if places:
        value = value.quantize(Decimal(places))
    return decimal_text(value).replace(".", ",")


def _number(value: Decimal) -> int | float:
    """A JSON number for a FHIR decimal; exact for the few digits doses have."""
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(decimal_text(normal))


def reference(kind: str, id_: str) -> dict[str, str]:
    return {"reference": f"{kind}/{id_}"}


def _coding(system: str, code: str, display: str = "") -> dict[str, str]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _date(value: datetime.date) -> str:
    return value.isoformat()


# --- who ------------------------------------------------------------------------------


def patient_resource(record: PatientRecord) -> Resource:
    resource: Resource = {
        "resourceType": "Patient",
        "id": record.id,
        "identifier": [{"use": "official", "system": codes.CPR, "value": record.cpr}],
        "name": [{"use": "official", "text": record.name}],
        "gender": record.sex,
        "birthDate": _date(record.birth_date),
        "generalPractitioner": [reference("Organization", record.practice_id)],
        "managingOrganization": reference("Organization", record.practice_id),
    }
    telecom = []
    if record.phone:
        telecom.append({"system": "phone", "value": record.phone})
    if record.email:
        telecom.append({"system": "email", "value": record.email})
    if telecom:
        resource["telecom"] = telecom
    if record.address:
        resource["address"] = [{"text": record.address}]
    return validated(resource)


def organization_resource(record: OrganisationRecord) -> Resource:
    identifiers = []
    if record.sor_code:
        identifiers.append({"use": "official", "system": codes.SOR, "value": record.sor_code})
    if record.provider_number:
        identifiers.append({"system": codes.PROVIDER_NUMBER, "value": record.provider_number})
    resource: Resource = {
        "resourceType": "Organization",
        "id": record.id,
        "active": True,
        "type": [{"text": record.kind_label}],
        "name": record.name,
    }
    if identifiers:
        resource["identifier"] = identifiers
    if record.phone:
        resource["telecom"] = [{"system": "phone", "value": record.phone}]
    if record.address:
        resource["address"] = [{"text": record.address}]
    return validated(resource)


def practitioner_resources(record: PractitionerRecord) -> list[Resource]:
    """The Practitioner and, when they belong to an organisation, their PractitionerRole."""
    practitioner = validated(
        {"resourceType": "Practitioner", "id": record.id, "name": [{"text": record.name}]}
    )
    if record.organisation_id is None:
        return [practitioner]
    role = validated(
        {
            "resourceType": "PractitionerRole",
            "id": record.id,
            "practitioner": reference("Practitioner", record.id),
            "organization": reference("Organization", record.organisation_id),
            "code": [{"text": record.role_label}],
        }
    )
    return [practitioner, role]


# --- medication -------------------------------------------------------------------------


def product_strength_code(product_id: str, strength: Decimal) -> str:
    return f"{product_id}@{decimal_text(strength)}"


def _dose_quantity(record: MedicationRecord, units: Decimal) -> dict[str, Any]:
    if record.is_measured_in_ml:
        return {"value": _number(units), "unit": "ml", "system": codes.UCUM, "code": "mL"}
    return {"value": _number(units), "unit": "stk"}


def _dosage(record: MedicationRecord) -> dict[str, Any]:
    dosage: dict[str, Any] = {
        "asNeededBoolean": record.prn,
        "doseAndRate": [{"doseQuantity": _dose_quantity(record, record.units_per_dose)}],
    }
    if record.prn and record.max_doses_per_day is not None:
        # The most a day, as an amount of units per one day.
        most = record.max_doses_per_day * record.units_per_dose
        dosage["maxDosePerPeriod"] = {
            "numerator": _dose_quantity(record, most),
            "denominator": {"value": 1, "unit": "d", "system": codes.UCUM, "code": "d"},
        }
        units, count = _da(record.units_per_dose), _da(record.max_doses_per_day)
        dosage["text"] = f"{units} efter behov, højst {count} gange i døgnet"
    elif record.doses_per_day is not None:
        # 1.5 a day is 3 every 2 days: FHIR's frequency is a whole number.
        share = Fraction(record.doses_per_day)
        dosage["timing"] = {
            "repeat": {
                "frequency": share.numerator,
                "period": share.denominator,
                "periodUnit": "d",
            }
        }
        units, count = _da(record.units_per_dose), _da(record.doses_per_day)
        dosage["text"] = f"{units} × {count} dagligt"
    else:
        dosage["text"] = f"{_da(record.units_per_dose)} bæres (plaster)"
    return dosage


def medication_statement_resource(record: MedicationRecord, patient_id: str) -> Resource:
    label = f"{record.product_name} {decimal_text(record.strength)} {record.unit}"
    coding = [
        _coding(codes.PRODUCT_STRENGTH, product_strength_code(record.product_id, record.strength))
    ]
    if record.atc:
        coding.append(_coding(codes.ATC, record.atc, record.substance))
    period = {"start": _date(record.start_date)}
    if record.ended_on:
        period["end"] = _date(record.ended_on)
    resource: Resource = {
        "resourceType": "MedicationStatement",
        "id": record.id,
        "meta": {"tag": [_coding(codes.LINE_SOURCE, record.source)]},
        "status": "completed" if record.ended_on else "active",
        "medicationCodeableConcept": {"coding": coding, "text": label},
        "subject": reference("Patient", patient_id),
        "effectivePeriod": period,
        "reasonCode": [
            {"coding": [_coding(codes.INDICATION, record.indication, record.indication_label)]}
        ],
        "dosage": [_dosage(record)],
    }
    if record.note:
        resource["note"] = [{"text": record.note}]
    if record.end_reason:
        resource["statusReason"] = [{"text": record.end_reason}]
    return validated(resource)


# --- observations ---------------------------------------------------------------------


def _mg_per_day(value: Decimal) -> dict[str, Any]:
    rounded = value.quantize(Decimal("0.1"))
    return {"value": _number(rounded), "unit": "mg/døgn", "system": codes.UCUM, "code": "mg/d"}


def omeq_observation(record: OmeqRecord, patient_id: str) -> Resource:
    """The patient's OMEQ, naming the conversion table and version that produced it."""
    table = f"{record.table_id}@{record.table_version}"
    resource: Resource = {
        "resourceType": "Observation",
        "id": record.id,
        "status": "final",
        "category": [{"coding": [_coding(codes.OBSERVATION_CATEGORY, "therapy")]}],
        "code": {
            "coding": [_coding(codes.OBSERVATION, codes.OMEQ, "Orale morfinækvivalenter")],
            "text": "OMEQ (mg/døgn)",
        },
        "subject": reference("Patient", patient_id),
        "effectiveDateTime": record.recorded_at.isoformat(),
        "method": {
            "coding": [_coding(codes.CONVERSION_TABLE, table)],
            "text": f"Omregningstabel {record.table_id} version {record.table_version}",
        },
    }
    if record.is_computable and record.max_mg_per_day is not None:
        resource["valueQuantity"] = _mg_per_day(record.max_mg_per_day)
        components = [(codes.OMEQ_MAXIMUM, record.max_mg_per_day)]
        if record.scheduled_mg_per_day is not None:
            components.insert(0, (codes.OMEQ_SCHEDULED, record.scheduled_mg_per_day))
        resource["component"] = [
            {
                "code": {"coding": [_coding(codes.OBSERVATION, code)]},
                "valueQuantity": _mg_per_day(v),
            }
            for code, v in components
        ]
    else:
        resource["dataAbsentReason"] = {
            "coding": [
                _coding("http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown")
            ],
            "text": "OMEQ kunne ikke beregnes for medicinlisten",
        }
    return validated(resource)


def score_observations(record: ScoresRecord, patient_id: str) -> list[Resource]:
    """PEG (the project's code; its three items as components) and NRS (LOINC 72514-3)."""
    base: Resource = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [_coding(codes.OBSERVATION_CATEGORY, "survey")]}],
        "subject": reference("Patient", patient_id),
        "effectiveDateTime": _date(record.on),
    }
    resources = []
    items = (record.peg_pain, record.peg_enjoyment, record.peg_activity)
    if all(item is not None for item in items):
        peg_items = [int(item) for item in items if item is not None]
        mean = (Decimal(sum(peg_items)) / 3).quantize(Decimal("0.1"))
        component_codes = (codes.PEG_PAIN, codes.PEG_ENJOYMENT, codes.PEG_ACTIVITY)
        resources.append(
            {
                **base,
                "id": f"{record.id}-peg",
                "code": {"coding": [_coding(codes.OBSERVATION, codes.PEG, "PEG")]},
                "valueQuantity": {"value": _number(mean), "unit": "{score}"},
                "component": [
                    {"code": {"coding": [_coding(codes.OBSERVATION, code)]}, "valueInteger": item}
                    for code, item in zip(component_codes, peg_items, strict=True)
                ],
            }
        )
    if record.nrs is not None:
        resources.append(
            {
                **base,
                "id": f"{record.id}-nrs",
                "code": {
                    "coding": [_coding(codes.LOINC, codes.LOINC_NRS, "Pain severity 0-10 NRS")]
                },
                "valueInteger": record.nrs,
            }
        )
    return [validated(resource) for resource in resources]


def withdrawal_questionnaire_responses(record: ScoresRecord, patient_id: str) -> list[Resource]:
    """SOWS and COWS as QuestionnaireResponses: each item's score, then the total."""
    resources = []
    for name, total, items in (
        (codes.SOWS, record.sows_total, record.sows_items),
        (codes.COWS, record.cows_total, record.cows_items),
    ):
        if total is None:
            continue
        answers = [
            {"linkId": str(number), "answer": [{"valueInteger": score}]}
            for number, score in enumerate(items, start=1)
        ]
        answers.append({"linkId": "total", "answer": [{"valueInteger": total}]})
        resources.append(
            validated(
                {
                    "resourceType": "QuestionnaireResponse",
                    "id": f"{record.id}-{name}",
                    "questionnaire": f"{codes.QUESTIONNAIRE}/{name}",
                    "status": "completed",
                    "subject": reference("Patient", patient_id),
                    "authored": _date(record.on),
                    "item": answers,
                }
            )
        )
    return resources


# --- plans ----------------------------------------------------------------------------

_CARE_PLAN_STATUS = {
    "draft": "draft",
    "active": "active",
    "paused": "on-hold",
    "completed": "completed",
    "abandoned": "revoked",
    "superseded": "revoked",
}


def _step_status(
    start: datetime.date, end: datetime.date | None, today: datetime.date, plan_status: str
) -> str:
    if plan_status in ("abandoned", "superseded"):
        return "cancelled"
    if start > today:
        return "scheduled" if plan_status == "active" else "not-started"
    if end is not None and end < today:
        return "completed"
    return "on-hold" if plan_status == "paused" else "in-progress"


def taper_plan_care_plan(
    record: TaperPlanRecord, patient_id: str, today: datetime.date
) -> Resource:
    """A taper plan as a CarePlan: each dated step an activity with its target OMEQ."""
    period = {"start": _date(record.start_date), "end": _date(record.last_change_date)}
    activities = []
    for step in record.steps:
        scheduled: dict[str, str] = {"start": _date(step.start_date)}
        if step.end_date:
            scheduled["end"] = _date(step.end_date)
        activities.append(
            {
                "detail": {
                    "kind": "MedicationRequest",
                    "code": {
                        "coding": [_coding(codes.TAPER_STEP, step.kind, step.kind_label)],
                        "text": f"Trin {step.number}",
                    },
                    "status": _step_status(step.start_date, step.end_date, today, record.status),
                    "scheduledPeriod": scheduled,
                    "productCodeableConcept": {"text": "Opioid efter nedtrapningsplanen"},
                    "description": (
                        f"Trin {step.number}: {_da(step.omeq_mg_per_day, '0.1')} mg OMEQ/døgn "
                        f"({_da(step.percent_of_start)} % af start)"
                    ),
                }
            }
        )
    resource: Resource = {
        "resourceType": "CarePlan",
        "id": record.id,
        "status": _CARE_PLAN_STATUS.get(record.status, "unknown"),
        "intent": "plan",
        "category": [{"coding": [_coding(codes.CARE_PLAN, "taper-plan", "Nedtrapningsplan")]}],
        "title": "Nedtrapningsplan for opioider",
        "description": (
            f"Fra {_da(record.baseline_omeq_mg_per_day, '0.1')} til "
            f"{_da(record.final_omeq_mg_per_day, '0.1')} mg OMEQ/døgn "
            f"(omregningstabel {record.table_id} {record.table_version})"
        ),
        "subject": reference("Patient", patient_id),
        "period": period,
        "author": reference("Organization", record.practice_id),
    }
    if activities:
        resource["activity"] = activities
    return validated(resource)


# --- the whole record -----------------------------------------------------------------


def patient_resources(records: PatientRecordSet, today: datetime.date) -> list[Resource]:
    """Every resource of one patient's record, the Patient first."""
    patient_id = records.patient.id
    resources = [patient_resource(records.patient)]
    resources += [organization_resource(o) for o in records.organisations]
    for practitioner in records.practitioners:
        resources += practitioner_resources(practitioner)
    resources += [medication_statement_resource(m, patient_id) for m in records.medication]
    resources += [omeq_observation(o, patient_id) for o in records.omeq]
    for scores in records.scores:
        resources += score_observations(scores, patient_id)
        resources += withdrawal_questionnaire_responses(scores, patient_id)
    resources += [taper_plan_care_plan(p, patient_id, today) for p in records.taper_plans]
    return resources


def searchset_bundle(resources: list[Resource], timestamp: datetime.datetime) -> Resource:
    """The resources as one searchset Bundle ($everything): the Patient matched, the rest
    included."""
    entries = [
        {
            "fullUrl": f"{codes.BASE}/{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {"mode": "match" if resource["resourceType"] == "Patient" else "include"},
        }
        for resource in resources
    ]
    return validated(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "timestamp": timestamp.isoformat(),
            "total": 1,
            "entry": entries,
        }
    )
