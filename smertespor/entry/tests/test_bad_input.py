"""Bad input never answers 500 (issue 12): NUL bytes, huge or non-finite numbers, digits
other than 0-9 — each is refused with 422 (a problem on the API, the form again on a page)
in the user's language, changes nothing, and a refused patient id is still audited.

Every case here was a server error found by hand or by `make fuzz` (schemathesis)."""

import datetime
import json
from decimal import Decimal

import pytest

from smertespor.audit.models import AuditEvent
from smertespor.medication.models import MedicationLine

pytestmark = pytest.mark.django_db

NUL = "\x00"


def post(http, path, body):
    return http.post(path, json.dumps(body), content_type="application/json")


def problem(response, status=422):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    return body


@pytest.fixture
def gp_client(client_for, gp):
    client = client_for(gp)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "da"
    return client


@pytest.fixture
def morphine(patient):
    return MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=Decimal(30),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(2),
        start_date=datetime.date(2025, 6, 1),
    )


# --- NUL bytes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("patch", ""), ("get", "/access-log"), ("get", "/history")],
)
def test_a_nul_byte_in_a_patient_id_is_refused_with_422_and_audited(
    gp_client, gp, patient, method, suffix
):
    path = f"/api/patients/{patient.pk}%00{suffix}"
    if method == "get":
        response = gp_client.get(path)
    else:
        response = gp_client.patch(path, "{}", content_type="application/json")
    body = problem(response)
    assert body["errors"][0]["field"] == "patient_id"
    assert body["errors"][0]["message"] == "Teksten indeholder et ugyldigt tegn (NUL)."
    refused = AuditEvent.objects.get(action="refused")
    assert refused.user == gp
    assert refused.object_id == f"{patient.pk}\N{SYMBOL FOR NULL}"
    assert refused.patient == patient  # shown in "who has seen my record"


def test_a_nul_byte_in_a_search_is_refused_with_422(gp_client, patient):
    body = problem(post(gp_client, "/api/patients/search", {"query": f"Birthe{NUL}"}))
    assert body["errors"][0]["field"] == "query"
    assert not AuditEvent.objects.filter(action="search").exists()


def test_a_nul_byte_in_a_query_filter_is_refused_with_422(gp_client):
    body = problem(gp_client.get(f"/api/patients?sort=name{NUL}"))
    assert body["errors"][0]["field"] == "sort"


@pytest.mark.parametrize(
    "path", ["/patients/?sort=name%00", "/advice/?show=open%00", "/teaching/?topic=x%00"]
)
def test_a_nul_byte_in_a_page_filter_is_refused_with_a_422_page(gp_client, path):
    response = gp_client.get(path)
    assert response.status_code == 422
    assert "Teksten indeholder et ugyldigt tegn (NUL)." in response.content.decode()


def test_a_nul_byte_in_a_posted_form_is_refused_at_its_field(gp_client, patient):
    response = gp_client.post("/patients/search/", {"query": f"Birthe{NUL}"})
    assert response.status_code == 422
    assert response.context["search_form"].errors["query"]
    assert not AuditEvent.objects.filter(action="search").exists()


def test_a_nul_byte_in_an_api_form_is_refused_with_422(client_for, gp):
    response = client_for(gp).post("/api/advice/requests", {"subject": f"Nul{NUL}"})
    assert problem(response)["errors"][0]["field"] == "subject"


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize("dose", [1e308, 10**32, "1e308", "100000000000000000000000000000000"])
def test_a_huge_dose_is_refused_with_422_and_saves_nothing(gp_client, patient, dose):
    body = {"product_id": "morphine-depot-tablet", "strength": dose, "doses_per_day": 2}
    response = post(gp_client, f"/api/patients/{patient.pk}/medication", body)
    [error] = problem(response)["errors"]
    assert error["field"] == "strength"
    assert error["message"] == "Tallet er for stort."
    assert not MedicationLine.objects.exists()


def test_a_huge_dose_in_the_omeq_calculator_is_refused_with_422(gp_client):
    line = {"substance": "morphine", "route": "oral", "dose": 10**32, "dose_unit": "mg"}
    response = post(gp_client, "/api/omeq", {"lines": [{**line, "doses_per_day": 2}]})
    assert problem(response)["errors"][0]["field"] == "lines.0.dose"


@pytest.mark.parametrize("field", ["step", "extra_days"])
def test_a_huge_pause_is_refused_with_422(gp_client, patient, morphine, field):
    pause = {"step": 2, "extra_days": 7, field: 10**400}
    path = f"/api/tapering/patients/{patient.pk}/preview"
    response = post(gp_client, path, {"pauses": [pause]})
    assert problem(response)["errors"][0]["field"] == f"pauses.0.{field}"


@pytest.mark.parametrize("digits", ["١٠", "１０", "१०"])
def test_digits_other_than_0_to_9_are_refused_by_the_api(gp_client, patient, digits):
    body = {"product_id": "morphine-depot-tablet", "strength": digits, "doses_per_day": 2}
    response = post(gp_client, f"/api/patients/{patient.pk}/medication", body)
    assert problem(response)["errors"][0]["field"] == "strength"
    assert not MedicationLine.objects.exists()


@pytest.mark.parametrize("digits", ["١٠", "１０", "१०"])
def test_digits_other_than_0_to_9_are_refused_by_the_forms(gp_client, patient, digits):
    data = {
        "product_strength": "morphine-depot-tablet@30",
        "units_per_dose": digits,
        "doses_per_day": "2",
        "start_date": "2025-06-01",
        "indication": "pain",
    }
    response = gp_client.post(f"/medication/patients/{patient.pk}/lines/new/", data)
    assert response.status_code == 422
    assert response.context["form"].errors["units_per_dose"] == ["Angiv et tal."]
    assert not MedicationLine.objects.exists()


# --- request size ------------------------------------------------------------------------

TWO_HUNDRED_MB = str(200 * 1024 * 1024)


class _Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/teaching/sessions/1/materials", "application/problem+json"),
        ("/teaching/1/materials/", "text/html"),
    ],
)
def test_a_body_over_the_limit_is_refused_by_its_declared_length_before_it_is_read(
    rf, gp, path, content_type
):
    from smertespor.entry.bad_input import RequestSizeMiddleware

    request = rf.post(path, content_type="multipart/form-data; boundary=x")
    request.META.update({"CONTENT_LENGTH": TWO_HUNDRED_MB, "wsgi.input": _Unreadable()})
    request._stream = _Unreadable()
    request.user = gp
    request.LANGUAGE_CODE = "da"

    def view(request):
        request.POST  # noqa: B018 (a view reads the body)
        raise AssertionError("the view was reached")

    response = RequestSizeMiddleware(view)(request)
    assert response.status_code == 413
    assert response["Content-Type"].startswith(content_type)
    text = response.content.decode().replace("\xa0", " ")
    assert "Forespørgslen er for stor (200,0 MB); grænsen er 51,0 MB." in text


def test_the_request_limit_is_a_setting(gp_client, settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = gp_client.post(
        "/api/patients/search", json.dumps({"query": "x" * 2000}), content_type="application/json"
    )
    assert problem(response, 413)["detail"].startswith("Forespørgslen er for stor")
