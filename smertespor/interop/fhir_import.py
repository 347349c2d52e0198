"""Reading a FHIR R4 Bundle for import: plain Python, no database.

`parse_bundle` refuses what cannot be read at all (`BundleRefused`: invalid JSON, not a
Bundle, a Bundle type that does not carry a record, no single Patient) and otherwise reads
each entry on its own, so one bad entry never hides the others. Each resource is checked
with fhir.resources' R4B model (the R5 package is never used); elements that exist only in
R5 are named as R5 content.
What Smertespor saves is decided later (`imports`); the wording here is the user's.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from fhir.resources.R4B import get_fhir_model_class

from domain.catalogue import Catalogue, CatalogueError
from smertespor.interop import codes

# A Bundle of a record: a search result, a collection or a transaction (read as a collection).
RECORD_BUNDLE_TYPES = frozenset({"searchset", "collection", "transaction"})
MAX_BUNDLE_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 2000
# Resources an import reads but does not save: Smertespor computes or records these itself.
CONTEXT_TYPES = frozenset(
    {
        "Organization",
        "Practitioner",
        "PractitionerRole",
        "CarePlan",
        "QuestionnaireResponse",
        "ServiceRequest",
        "Task",
        "Communication",
        "Appointment",
    }
)


# Elements R5 added to the resources an import reads (hl7.org/fhir/R5 "changes from R4").
R5_ONLY_ELEMENTS = {
    "Bundle": frozenset({"issues"}),
    "MedicationStatement": frozenset(
        {"medication", "adherence", "reason", "relatedClinicalInformation",
         "renderedDosageInstruction"}
    ),
    "Observation": frozenset(
        {"triggeredBy", "instantiatesCanonical", "instantiatesReference", "bodyStructure"}
    ),
    "Patient": frozenset(),
}  # fmt: skip
R5_ONLY_STATUS = {"MedicationStatement": frozenset({"recorded", "draft"})}


class BundleRefused(ValueError):
    """The Bundle as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class PatientInput:
    cpr: str
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class MedicationInput:
    product_id: str
    strength: Decimal
    units_per_dose: Decimal
    doses_per_day: Decimal | None
    prn: bool
    max_doses_per_day: Decimal | None
    indication: str
    start_date: datetime.date | None
    ended_on: datetime.date | None = None
    end_reason: str = ""
    note: str = ""


@dataclass
class Entry:
    """One entry of the Bundle and what became of it: ``status`` is one of accepted,
    unchanged, refused, unknown_product, skipped (set here or by the import)."""

    index: int
    resource_type: str
    resource_id: str
    status: str = "pending"
    messages: list[str] = field(default_factory=list)
    patient: PatientInput | None = None
    medication: MedicationInput | None = None

    def refuse(self, message: str, status: str = "refused") -> None:
        self.status = status
        self.messages.append(message)


@dataclass
class ParsedBundle:
    entries: list[Entry]

    @property
    def patient_entry(self) -> Entry:
        return next(e for e in self.entries if e.resource_type == "Patient")


def _r5_content(resource: dict[str, Any]) -> bool:
    kind = str(resource.get("resourceType"))
    if set(resource) & R5_ONLY_ELEMENTS.get(kind, frozenset()):
        return True
    return resource.get("status") in R5_ONLY_STATUS.get(kind, frozenset())


def _r4_problem(resource: dict[str, Any]) -> str | None:
    """None when the R4B model accepts ``resource``; else why, R5 content named as such."""
    kind = resource.get("resourceType")
    if _r5_content(resource):
        return _("This is FHIR R5 content; Smertespor reads FHIR R4.")
    try:
        model = get_fhir_model_class(str(kind))
    except (KeyError, ValueError):
        return _("Unknown resource type: %(type)s.") % {"type": kind}
    try:
        model.model_validate(resource)
    except ValueError as error:
        errors = getattr(error, "errors", None)
        first = errors()[0] if callable(errors) and errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())) or str(kind)
        return _("Not valid FHIR R4 (at %(where)s).") % {"where": where}
    return None


def parse_bundle(data: bytes | str, catalogue: Catalogue) -> ParsedBundle:
    """Read a Bundle's entries, each with its input or the reason it is refused."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleRefused(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_BUNDLE_BYTES // (1024 * 1024)}
        )
    try:
        bundle = json.loads(data)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BundleRefused(_("The file is not valid JSON.")) from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise BundleRefused(_("Send a FHIR Bundle (resourceType Bundle)."))
    if _r5_content(bundle):
        raise BundleRefused(_("This is FHIR R5 content; Smertespor reads FHIR R4."))
    if bundle.get("type") not in RECORD_BUNDLE_TYPES:
        raise BundleRefused(
            _("A Bundle of type %(type)s cannot be imported; use collection or searchset.")
            % {"type": bundle.get("type")}
        )
    raw_entries = bundle.get("entry") or []
    if not isinstance(raw_entries, list) or len(raw_entries) > MAX_ENTRIES:
        raise BundleRefused(_("The Bundle's entries cannot be read."))
    entries = [_entry(index, raw, catalogue) for index, raw in enumerate(raw_entries, start=1)]
    patients = [e for e in entries if e.resource_type == "Patient"]
    if len(patients) != 1:
        raise BundleRefused(_("A Bundle for import holds exactly one Patient."))
    return ParsedBundle(entries)


def _entry(index: int, raw: object, catalogue: Catalogue) -> Entry:
    resource = raw.get("resource") if isinstance(raw, dict) else None
    if not isinstance(resource, dict):
        entry = Entry(index, "", "")
        entry.refuse(_("The entry holds no resource."))
        return entry
    kind = str(resource.get("resourceType", ""))
    entry = Entry(index, kind, str(resource.get("id", ""))[:64])
    problem = _r4_problem(resource)
    if problem:
        entry.refuse(problem)
    elif kind == "Patient":
        _read_patient(entry, resource)
    elif kind == "MedicationStatement":
        _read_medication(entry, resource, catalogue)
    elif kind == "Observation":
        entry.status = "skipped"
        entry.messages.append(
            _("Not imported: Smertespor computes OMEQ from the medication list and records "
              "scores at visits.")
        )  # fmt: skip
    elif kind in CONTEXT_TYPES:
        entry.status = "skipped"
        entry.messages.append(_("Not imported: read as context only."))
    else:
        entry.refuse(_("Resources of type %(type)s are not imported.") % {"type": kind})
    return entry


def _read_patient(entry: Entry, resource: dict[str, Any]) -> None:
    cprs = [
        str(i.get("value", ""))
        for i in resource.get("identifier") or []
        if i.get("system") == codes.CPR
    ]
    if len(cprs) != 1:
        entry.refuse(
            _("The Patient needs one CPR number (system %(system)s).") % {"system": codes.CPR}
        )
        return
    names = resource.get("name") or []
    name = ""
    if names:
        first = names[0]
        name = first.get("text") or " ".join([*first.get("given", []), first.get("family", "")])
    telecom = {t.get("system"): t.get("value", "") for t in resource.get("telecom") or []}
    addresses = resource.get("address") or []
    entry.patient = PatientInput(
        cpr=cprs[0].replace("-", "").strip(),
        name=name.strip(),
        address=(addresses[0].get("text") or "") if addresses else "",
        phone=telecom.get("phone") or "",
        email=telecom.get("email") or "",
    )


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    # Finite, below a million and at most four decimals: what a medication line can hold.
    if not number.is_finite() or abs(number) >= 10**6:
        return None
    return number if number == number.quantize(Decimal("0.0001")) else None


def _date(value: object) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _product(
    entry: Entry, concept: dict[str, Any], catalogue: Catalogue
) -> tuple[str, Decimal] | None:
    """The catalogue product and strength a medication's coding names, or None (refused)."""
    codings = concept.get("coding") or []
    systems = {str(c.get("system")) for c in codings}
    known = systems & codes.MEDICATION_SYSTEMS
    if not known:
        entry.refuse(
            _("Unknown code system for the medication: %(systems)s. Use ATC or Smertespor's "
              "product codes.") % {"systems": ", ".join(sorted(systems)) or "-"}
        )  # fmt: skip
        return None
    for coding in codings:
        if coding.get("system") == codes.PRODUCT_STRENGTH:
            product_id, _at, strength_text = str(coding.get("code", "")).partition("@")
            strength = _decimal(strength_text)
            try:
                product = catalogue.by_id(product_id)
                if strength is None:
                    raise CatalogueError("no strength", code="strength_not_marketed")
                product.strength(strength)
            except CatalogueError:
                entry.refuse(
                    _("The product %(code)s is not in the catalogue.")
                    % {"code": coding.get("code")},
                    status="unknown_product",
                )
                return None
            return product.id, strength
    atc = next(str(c.get("code", "")) for c in codings if c.get("system") == codes.ATC)
    matches = [p for p in catalogue.by_atc_prefix(atc) if p.atc == atc]
    if len(matches) == 1 and len(matches[0].strengths) == 1:
        return matches[0].id, matches[0].strengths[0].amount
    entry.refuse(
        _("ATC %(atc)s does not name one product and strength in the catalogue (%(count)s "
          "products); give Smertespor's product code.") % {"atc": atc, "count": len(matches)},
        status="unknown_product",
    )  # fmt: skip
    return None


def _read_medication(entry: Entry, resource: dict[str, Any], catalogue: Catalogue) -> None:
    concept = resource.get("medicationCodeableConcept")
    if not concept:
        entry.refuse(
            _("The medication must be coded in the statement (medicationCodeableConcept).")
        )
        return
    product = _product(entry, concept, catalogue)
    if product is None:
        return
    dosages = resource.get("dosage") or []
    if len(dosages) != 1:
        entry.refuse(_("A statement needs exactly one dosage."))
        return
    dosage = dosages[0]
    quantities = [
        d.get("doseQuantity") for d in dosage.get("doseAndRate") or [] if d.get("doseQuantity")
    ]
    units = _decimal(quantities[0].get("value")) if quantities else None
    if units is None or units <= 0:
        entry.refuse(_("The dosage needs a positive dose quantity (doseAndRate.doseQuantity)."))
        return
    prn = bool(dosage.get("asNeededBoolean", False))
    doses_per_day = max_doses = None
    if prn:
        most = _decimal(
            ((dosage.get("maxDosePerPeriod") or {}).get("numerator") or {}).get("value")
        )
        if most is None:
            entry.refuse(_("An as-needed dosage needs its maximum per day (maxDosePerPeriod)."))
            return
        max_doses = most / units
    else:
        repeat = (dosage.get("timing") or {}).get("repeat") or {}
        if repeat:
            if (
                repeat.get("periodUnit") != "d"
                or not repeat.get("frequency")
                or not repeat.get("period")
            ):
                entry.refuse(_("Give the frequency per day (timing.repeat with periodUnit d)."))
                return
            doses_per_day = Decimal(repeat["frequency"]) / Decimal(str(repeat["period"]))
    indications = {
        str(c.get("code"))
        for reason in resource.get("reasonCode") or []
        for c in reason.get("coding") or []
        if c.get("system") == codes.INDICATION
    }
    period = resource.get("effectivePeriod") or {}
    entry.medication = MedicationInput(
        product_id=product[0],
        strength=product[1],
        units_per_dose=units,
        doses_per_day=doses_per_day,
        prn=prn,
        max_doses_per_day=max_doses,
        indication=indications.pop() if len(indications) == 1 else "pain",
        start_date=_date(period.get("start") or resource.get("effectiveDateTime")),
        ended_on=_date(period.get("end")) if resource.get("status") == "completed" else None,
        end_reason=" ".join(r.get("text", "") for r in resource.get("statusReason") or []).strip(),
        note=" ".join(n.get("text", "") for n in resource.get("note") or []).strip(),
    )
