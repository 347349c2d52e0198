"""The API docs and the OpenAPI schema: behind login in production, public while developing
(``API_DOCS_PUBLIC``; issue 12: both were public in production)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_production_settings_keep_the_docs_behind_login(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("SMERTESPOR_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.setenv("AUDIT_HMAC_KEYS", "docs-test:" + "QUJD" * 11)
    monkeypatch.delenv("API_DOCS_PUBLIC", raising=False)
    monkeypatch.delenv("DEBUG", raising=False)
    try:
        production = importlib.reload(config.settings)
        assert production.API_DOCS_PUBLIC is False
        monkeypatch.setenv("API_DOCS_PUBLIC", "true")
        assert importlib.reload(config.settings).API_DOCS_PUBLIC is True
    finally:
        monkeypatch.undo()
        importlib.reload(config.settings)


def test_development_settings_publish_the_docs():
    import config.settings

    assert config.settings.IS_PRODUCTION is False
    assert config.settings.API_DOCS_PUBLIC is True


def test_without_public_docs_an_anonymous_schema_request_is_a_401_problem(client, settings):
    settings.API_DOCS_PUBLIC = False
    response = client.get("/api/openapi.json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert "paths" not in response.json()


def test_without_public_docs_an_anonymous_visitor_is_sent_to_login(client, settings):
    settings.API_DOCS_PUBLIC = False
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/api/docs" in response["Location"]


def test_without_public_docs_a_signed_in_user_reads_them(client_for, gp, settings):
    settings.API_DOCS_PUBLIC = False
    client = client_for(gp)
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/patients" in {path[: len("/api/patients")] for path in schema.json()["paths"]}
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "swagger-ui-bundle.js" in page.content.decode()


def test_with_public_docs_anyone_reads_them(client, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200


def test_the_docs_page_runs_no_inline_script(client_for, gp):
    from smertespor.entry.tests.test_headers import inline_code

    response = client_for(gp).get("/api/docs")
    assert inline_code(response.content.decode()) == []
    assert "script-src 'self'" in response["Content-Security-Policy"]
