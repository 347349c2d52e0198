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
