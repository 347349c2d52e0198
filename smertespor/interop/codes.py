"""The code systems and identifier systems Smertespor's FHIR resources use.

Danish identifiers follow DK Core (CPR, SOR) and the eHealth infrastructure's naming system
(ydernummer). What has no published code system gets one of the project's own, with a
canonical URL under https://smertespor.dk/fhir/CodeSystem/ (docs/interop.md lists them).
"""

CPR = "urn:oid:1.2.208.176.1.2"
SOR = "urn:oid:1.2.208.176.1.1"
PROVIDER_NUMBER = "urn:oid:1.2.208.176.1.4"  # ydernummer

ATC = "http://www.whocc.no/atc"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
SNOMED = "http://snomed.info/sct"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

BASE = "https://smertespor.dk/fhir"
_CODE_SYSTEM = f"{BASE}/CodeSystem"
# A catalogue product at one marketed strength: "morphine-depot-tablet@30".
PRODUCT_STRENGTH = f"{_CODE_SYSTEM}/product-strength"
INDICATION = f"{_CODE_SYSTEM}/indication"
OBSERVATION = f"{_CODE_SYSTEM}/observation"
CONVERSION_TABLE = f"{_CODE_SYSTEM}/conversion-table"
TAPER_STEP = f"{_CODE_SYSTEM}/taper-step"
CARE_PLAN = f"{_CODE_SYSTEM}/care-plan"
LINE_SOURCE = f"{_CODE_SYSTEM}/medication-source"
QUESTIONNAIRE = f"{BASE}/Questionnaire"
# The identifier Smertespor gives its own records (the opaque id, never the CPR number).
RECORD_ID = f"{BASE}/NamingSystem/record-id"

# LOINC: pain severity on a 0-10 numeric rating scale, as the patient reports it.
LOINC_NRS = "72514-3"

# Our own observation codes (no LOINC code is used where one has not been checked).
OMEQ = "omeq"
OMEQ_SCHEDULED = "omeq-scheduled"
OMEQ_MAXIMUM = "omeq-maximum-incl-prn"
PEG = "peg"
PEG_PAIN = "peg-pain"
PEG_ENJOYMENT = "peg-enjoyment"
PEG_ACTIVITY = "peg-activity"
SOWS = "sows"
COWS = "cows"

# Every code system an import understands for a medication; anything else is refused.
MEDICATION_SYSTEMS = frozenset({PRODUCT_STRENGTH, ATC})
