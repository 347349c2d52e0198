"""JSON nested deeper than Python's recursion limit is refused with 400, never a 500 (found
while building the FHIR import: the NUL-byte check parsed the body and did not expect it)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("depth", [950, 100_000])  # parses but too deep to walk; too deep to parse
@pytest.mark.parametrize("path", ["/api/omeq", "/api/patients/search"])
def test_deeply_nested_json_is_a_bad_request(client_for, gp, path, depth):
    client = client_for(gp)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "da"
    response = client.post(path, "[" * depth + "]" * depth, content_type="application/json")
    assert response.status_code in {400, 422}, response.content[:200]
    assert response["Content-Type"].startswith("application/problem+json")
