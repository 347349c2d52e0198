"""The API's error shape: every refusal an RFC 9457 problem, in the client's language."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from config.api import api
from smertespor.entry.problems import MEDIA_TYPE, field_errors, schema_errors


def _problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith(MEDIA_TYPE)
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith(("https://", "about:blank"))
    assert body["title"]
    return body


@pytest.mark.django_db
def test_an_anonymous_call_is_a_401_problem():
    _problem(Client().get("/api/omeq/factor-sets"), 401)


@pytest.mark.django_db
def test_an_unknown_api_url_is_a_404_problem(client_for, gp):
    _problem(client_for(gp).get("/api/no-such-thing"), 404)


@pytest.mark.django_db
def test_a_method_not_allowed_is_a_405_problem_that_keeps_allow(client_for, gp):
    response = client_for(gp).delete("/api/omeq/factor-sets")
    body = _problem(response, 405)
    assert "GET" in response["Allow"]
    assert body["type"].endswith("/method-not-allowed")


@pytest.mark.django_db
def test_a_schema_error_names_the_field_in_danish(client_for, gp):
    client = client_for(gp)
    response = client.post(
        "/api/omeq",
        data=json.dumps({"lines": "not a list"}),
        content_type="application/json",
        headers={"accept-language": "da"},
    )
    body = _problem(response, 422)
    assert body["errors"][0]["field"].startswith("lines")
    assert body["title"] == "Data blev ikke accepteret."


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_problem(client_for, gp):
    response = client_for(gp).post("/api/omeq", data="{", content_type="application/json")
    assert response.status_code in {400, 422}
    _problem(response, response.status_code)


def test_a_validation_error_becomes_one_entry_per_message_with_its_code():
    error = ValidationError(
        {
            "dose": [ValidationError("Too high.", code="max_value")],
            "__all__": [ValidationError("Nothing saved.", code="conflict")],
        }
    )
    assert field_errors(error) == [
        {"field": "dose", "code": "max_value", "message": "Too high."},
        {"field": None, "code": "conflict", "message": "Nothing saved."},
    ]


def test_schema_errors_drop_the_location_and_the_payload_name():
    with translation.override("en"):
        errors = schema_errors(
            [
                {
                    "loc": ("body", "payload", "lines", 0, "dose"),
                    "type": "missing",
                    "msg": "Field required",
                }
            ]
        )
    assert errors == [
        {"field": "lines.0.dose", "code": "missing", "message": "This field is required."}
    ]


def test_the_openapi_schema_documents_problems_for_every_operation():
    schema = api.get_openapi_schema()
    assert "Problem" in schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status in ("401", "403", "404", "422"):
                content = operation["responses"][status]["content"]
                assert MEDIA_TYPE in content, f"{method} {path} {status}"


def test_every_operation_with_a_body_documents_400_and_413():
    # Issue 12: a body that is not JSON answered an undocumented 400 (found by make fuzz).
    schema = api.get_openapi_schema()
    with_body = [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if "requestBody" in operation
    ]
    assert len(with_body) > 40
    for method, path, operation in with_body:
        for status in ("400", "413"):
            assert MEDIA_TYPE in operation["responses"][status]["content"], f"{method} {path}"


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_documented_400_problem(client_for, gp):
    response = client_for(gp).post("/api/patients/search", "{not", content_type="application/json")
    body = _problem(response, 400)
    documented = api.get_openapi_schema()["paths"]["/api/patients/search"]["post"]["responses"]
    assert str(body["status"]) in documented


def test_no_two_api_schemas_share_a_component_name():
    # Issue 12: tracks' and tapering's PlanIn were both "PlanIn", so the OpenAPI schema showed
    # the taper plan's body for the hospital track's plan endpoint.
    from collections import defaultdict

    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    owners = defaultdict(set)
    for cls in subclasses(Schema):
        if cls.__module__.startswith(("smertespor.", "config.")) and ".tests" not in cls.__module__:
            owners[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: found for name, found in owners.items() if len(found) > 1} == {}


def test_the_hospital_plan_endpoint_documents_its_own_body():
    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/tracks/patients/{patient_id}/courses/{course_id}/plan"][
        "post"
    ]
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][reference.rpartition("/")[2]]
    assert set(body["properties"]) == {"plan_note"}


@pytest.mark.django_db
def test_a_browser_write_without_its_csrf_token_says_so_not_that_the_role_is_wrong(gp):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(gp, backend="smertespor.accounts.backends.UserBackend")
    body = {"product_id": "morphine-depot-tablet", "strength": "10", "doses_per_day": "2"}
    refused = browser.post("/api/omeq", json.dumps(body), content_type="application/json")
    problem = _problem(refused, 403)
    assert problem["title"] == "Sikkerhedstjekket af forespørgslen fejlede."
    assert "X-CSRFToken" in problem["detail"]
    assert "rolle" not in problem["title"]

    # With the token from the cookie, the same write goes through the CSRF check.
    browser.get("/")  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    answered = browser.post(
        "/api/omeq",
        json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert answered.status_code != 403, answered.content
