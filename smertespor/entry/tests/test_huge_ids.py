"""A 30-digit id in a URL is a 404 or a 422, never a 500 (found by `make fuzz` on
GET /api/centres/patients/{patient_id}/courses/{course_id}/discharge-summary: the number
reached the query and overflowed the database's integer).

Pages: every id in a page URL uses the `<id:>` converter (1-18 digits), so a longer number
never matches. API: every integer path parameter is an `Id` (1 to 2^63 - 1), so a longer
number is refused with 422 before any query; every operation is called here to prove it.
And every `$ref` in the OpenAPI document resolves, so the fuzzer tests every body.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from config.api import api
from smertespor.accounts.models import Organisation, Role
from smertespor.entry.converters import IdConverter
from tests.factories import OrganisationFactory, UserFactory

HUGE = "1" * 30
LARGEST_ID = 2**63 - 1


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def test_no_page_url_of_ours_takes_an_unbounded_integer():
    # The admin's own routes are Django's and django-otp's: Django's admin reads an id with
    # the field's own lookup, which answers "none" for an out-of-range number.
    unbounded = [
        route
        for route, entry in _patterns(get_resolver())
        if not route.startswith("admin/")
        for converter in getattr(entry.pattern, "converters", {}).values()
        if isinstance(converter, IntConverter)
    ]
    assert unbounded == []


def test_the_id_converter_matches_up_to_18_digits_only():
    pattern = re.compile(f"^{IdConverter.regex}$")
    assert pattern.match("1")
    assert pattern.match("9" * 18)
    assert int("9" * 18) < LARGEST_ID
    assert not pattern.match("9" * 19)
    assert not pattern.match(HUGE)
    assert not pattern.match("-1")


def _operations():
    schema = api.get_openapi_schema(path_prefix="/api/")
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            params = [p for p in operation.get("parameters", []) if p["in"] == "path"]
            integers = [p for p in params if p["schema"].get("type") == "integer"]
            if integers:
                yield path, method, params, integers


OPERATIONS = list(_operations())


def test_the_api_has_integer_ids_to_check():
    assert len(OPERATIONS) > 50


@pytest.mark.parametrize(
    ("path", "method", "integers"),
    [(path, method, integers) for path, method, _, integers in OPERATIONS],
    ids=[f"{method.upper()} {path}" for path, method, _, _ in OPERATIONS],
)
def test_every_integer_path_parameter_is_a_database_id(path, method, integers):
    for parameter in integers:
        assert parameter["schema"].get("minimum") == 1, parameter
        assert parameter["schema"].get("maximum") == LARGEST_ID, parameter


@pytest.fixture
def users(db, gp, clinic_doctor, hospital_doctor, admin_user, planner):
    centre = OrganisationFactory(kind=Organisation.Kind.PAIN_CENTRE, provider_number="")
    centre_doctor = UserFactory(role=Role.CLINIC_DOCTOR, organisation=centre)
    return [gp, clinic_doctor, hospital_doctor, admin_user, planner, centre_doctor]


@pytest.mark.django_db
def test_a_30_digit_id_never_answers_500_on_any_operation(users, client_for, patient):
    answered = 0
    for user in users:
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "da"
        for path, method, params, _ in OPERATIONS:
            url = path
            for parameter in params:
                is_integer = parameter["schema"].get("type") == "integer"
                value = (
                    HUGE
                    if is_integer
                    else str(patient.pk if "patient" in parameter["name"] else uuid.uuid4())
                )
                url = url.replace("{" + parameter["name"] + "}", value)
            response = (
                getattr(client, method)(url, json.dumps({}), content_type="application/json")
                if method != "get"
                else client.get(url)
            )
            assert response.status_code in {400, 401, 403, 404, 405, 409, 412, 422, 428}, (
                user.role,
                method,
                url,
                response.status_code,
                response.content[:300],
            )
            answered += 1
    assert answered == len(users) * len(OPERATIONS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [f"/admin/accounts/user/{HUGE}/change/", f"/admin/accounts/organisation/{HUGE}/change/"],
)
def test_a_30_digit_id_in_the_admin_is_not_found(client_for, admin_user, url):
    response = client_for(admin_user).get(url)
    assert response.status_code == 302  # back to the index with "does not exist"
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/referrals/{HUGE}/",
        f"/patients/registration-requests/{HUGE}/",
        f"/notifications/{HUGE}/",
    ],
)
def test_a_30_digit_id_in_a_page_url_is_404(client_for, gp, url):
    assert client_for(gp).get(url).status_code == 404


def test_every_reference_in_the_api_schema_resolves():
    """`make fuzz` skipped part of POST /api/referrals: its body pointed at `#/$defs/...`,
    which is not in the OpenAPI document."""
    schema = api.get_openapi_schema(path_prefix="/api/")
    references = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(schema)))
    assert references, "the schema has references to check"
    components = schema["components"]["schemas"]
    unresolved = [
        ref
        for ref in references
        if not (ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in components)
    ]
    assert unresolved == []


def test_the_openapi_document_has_no_duplicate_keys(client_for, gp, db):
    """A "200" beside ninja's 200 made Swagger UI refuse the document ("duplicated mapping
    key"); json.loads would silently keep the last one."""

    def refuse_duplicates(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
        return dict(pairs)

    response = client_for(gp).get("/api/openapi.json")
    assert response.status_code == 200
    json.loads(response.content, object_pairs_hook=refuse_duplicates)
