"""Every URL × every persona. A new URL without a rule here fails the suite."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.api import api
from smertespor.medication.models import ConversionTableVersion, MedicationLine

PERSONAS = ["anonymous", "gp", "other_gp", "practice_nurse", "clinic_nurse", "planner", "admin"]
PATIENT_READERS = {"gp", "practice_nurse"}
CLINICAL = {"gp", "other_gp", "practice_nurse", "clinic_nurse"}
PRACTICE_STAFF = {"gp", "other_gp", "practice_nurse"}
LOGGED_IN = set(PERSONAS) - {"anonymous"}
EVERYONE = set(PERSONAS)

# url name -> (method, body, personas allowed). Patient URLs point at the GP's own patient.
PAGE_RULES: dict[str, tuple[str, dict[str, str] | None, set[str]]] = {
    "home": ("GET", None, LOGGED_IN),
    "overview": ("GET", None, {"planner", "admin"}),
    "login": ("GET", None, EVERYONE),
    "logout": ("POST", {}, EVERYONE),
    "set_language": ("POST", {"language": "en"}, EVERYONE),
    "patients:list": ("GET", None, CLINICAL),
    "patients:search": ("POST", {"query": "Birthe"}, CLINICAL),
    "patients:create": ("GET", None, PRACTICE_STAFF),
    "patients:detail": ("GET", None, PATIENT_READERS),
    "patients:edit": ("GET", None, PATIENT_READERS),
    "patients:history": ("GET", None, PATIENT_READERS),
    "patients:access_log": ("GET", None, PATIENT_READERS),
    "medication:calculator": ("GET", None, CLINICAL),
    "medication:calculator_compare": ("GET", None, CLINICAL),
    "medication:patient": ("GET", None, PATIENT_READERS),
    "medication:add_line": ("GET", None, PATIENT_READERS),
    "medication:change_line": ("GET", None, PATIENT_READERS),
    "medication:end_line": ("POST", {"ended_on": "2000-01-01"}, PATIENT_READERS),
    "medication:line_history": ("GET", None, PATIENT_READERS),
    "medication:patient_compare": ("GET", None, PATIENT_READERS),
    "medication:tables": ("GET", None, {"admin"}),
    "medication:table_detail": ("GET", None, {"admin"}),
    "medication:table_copy": ("POST", {"table_id": "nordic", "version": "matrix-1"}, {"admin"}),
    "medication:table_edit": ("GET", None, {"admin"}),
    "medication:table_sign_off": ("POST", {}, {"admin"}),
    "admin:*": ("GET", None, {"admin"}),
    "api:*docs": ("GET", None, EVERYONE),
}
OMEQ_LINE = {
    "substance": "oxycodone",
    "route": "oral",
    "dose": 10,
    "dose_unit": "mg",
    "doses_per_day": 2,
}
# "METHOD /api/path" (as in the OpenAPI schema) -> (body, personas allowed)
API_RULES: dict[str, tuple[dict[str, object] | None, set[str]]] = {
    "GET /api/patients": (None, CLINICAL),
    "POST /api/patients": ({"cpr": "0101801234", "name": "Ny Patient"}, PRACTICE_STAFF),
    "POST /api/patients/search": ({"query": "Birthe"}, CLINICAL),
    "GET /api/patients/{patient_id}": (None, PATIENT_READERS),
    "PATCH /api/patients/{patient_id}": ({"phone": "12345678"}, PATIENT_READERS),
    "GET /api/patients/{patient_id}/access-log": (None, PATIENT_READERS),
    "GET /api/patients/{patient_id}/history": (None, PATIENT_READERS),
    "POST /api/omeq": ({"factor_set": "cdc-2022", "lines": [OMEQ_LINE]}, CLINICAL),
    "GET /api/omeq/factor-sets": (None, LOGGED_IN),
    "GET /api/omeq/products": (None, LOGGED_IN),
    "GET /api/patients/{patient_id}/medication": (None, PATIENT_READERS),
    "POST /api/patients/{patient_id}/medication": (
        {"product_id": "morphine-depot-tablet", "strength": "30", "doses_per_day": 2},
        PATIENT_READERS,
    ),
    "PATCH /api/patients/{patient_id}/medication/{line_id}": ({"note": "x"}, PATIENT_READERS),
    "POST /api/patients/{patient_id}/medication/{line_id}/end": ({}, PATIENT_READERS),
    "GET /api/patients/{patient_id}/medication/history": (None, PATIENT_READERS),
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _walk(entry.url_patterns, prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


def _rule_key(name: str) -> str | None:
    if name in PAGE_RULES:
        return name
    if name.startswith("admin:"):
        return "admin:*"
    if name.startswith("api:") and name in {"api:openapi-json", "api:openapi-view"}:
        return "api:*docs"
    if name.startswith("api:"):
        return "api"  # covered operation by operation through the OpenAPI schema below
    return None


def test_every_url_has_an_access_rule():
    missing = [name for name in _walk(get_resolver().url_patterns) if _rule_key(name) is None]
    assert missing == [], f"URLs without an access rule in this matrix: {missing}"


def test_every_api_operation_has_an_access_rule():
    schema = api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert operations - set(API_RULES) == set(), "API operations without an access rule"
    assert set(API_RULES) - operations == set(), "rules for API operations that do not exist"


@pytest.fixture
def personas(gp, other_gp, practice_nurse, clinic_nurse, planner, admin_user):
    return {
        "gp": gp,
        "other_gp": other_gp,
        "practice_nurse": practice_nurse,
        "clinic_nurse": clinic_nurse,
        "planner": planner,
        "admin": admin_user,
    }


@pytest.fixture
def medication_ids(patient):
    """Ids for medication URLs: a line of the GP's own patient and a shipped table."""
    line = MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=30,
        units_per_dose=1,
        doses_per_day=2,
        start_date="2000-01-01",
    )
    table = ConversionTableVersion.objects.get(table_id="cdc-2022", origin="builtin")
    return {"line_id": line.pk, "pk": table.pk}


def _medication_kwargs(name, patient, medication_ids):
    if not name.startswith("medication:") or name == "medication:tables":
        return {}
    if name.startswith("medication:table_"):
        return {"pk": medication_ids["pk"]}
    if name.startswith("medication:calculator"):
        return {}
    kwargs = {"patient_id": patient.pk}
    if name in {"medication:change_line", "medication:end_line"}:
        kwargs["line_id"] = medication_ids["line_id"]
    return kwargs


def _client(persona, personas, client_for, client):
    return client if persona == "anonymous" else client_for(personas[persona])


def _assert_refused(response, persona, patient):
    if persona == "anonymous" or response.status_code == 302:
        # Anonymous users, and non-staff in Django's admin, are sent to a login page.
        assert response.status_code in (302, 401), response.status_code
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    else:
        assert response.status_code in (403, 404), response.status_code
    assert patient.name.encode() not in response.content
    assert patient.cpr[:6].encode() not in response.content


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGE_RULES))
def test_page_access_matrix(name, persona, personas, patient, client_for, client, medication_ids):
    method, body, allowed = PAGE_RULES[name]
    url_name = {"admin:*": "admin:index", "api:*docs": "api:openapi-view"}.get(name, name)
    kwargs = (
        {"patient_id": patient.pk}
        if name.startswith("patients:")
        and name
        not in {
            "patients:list",
            "patients:search",
            "patients:create",
        }
        else {}
    )
    kwargs.update(_medication_kwargs(name, patient, medication_ids))
    url = reverse(url_name, kwargs=kwargs)
    http = _client(persona, personas, client_for, client)
    response = http.get(url) if method == "GET" else http.post(url, body or {})
    if persona in allowed:
        assert response.status_code in (200, 302), (name, persona, response.status_code)
        if response.status_code == 302 and persona != "anonymous":
            assert "/login/" not in response["Location"] or name == "logout"
    else:
        _assert_refused(response, persona, patient)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", sorted(API_RULES))
def test_api_access_matrix(
    operation, persona, personas, patient, client_for, client, medication_ids
):
    body, allowed = API_RULES[operation]
    method, path = operation.split(" ", 1)
    url = path.replace("{patient_id}", str(patient.pk))
    url = url.replace("{line_id}", str(medication_ids["line_id"]))
    http = _client(persona, personas, client_for, client)
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    response = getattr(http, method.lower())(url, **kwargs)
    if persona in allowed:
        assert response.status_code in (200, 201), (operation, persona, response.content)
    else:
        _assert_refused(response, persona, patient)
