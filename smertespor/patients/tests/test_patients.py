import json
import logging

import pytest
import time_machine
from django.urls import reverse

from smertespor.audit.models import AuditEvent
from smertespor.patients.models import Patient

CPR = "0101801234"


def _create(client, **overrides):
    data = {"cpr": "010180-1234", "name": "Inger Nyborg", "address": "", "phone": "", "email": ""}
    data.update(overrides)
    return client.post(reverse("patients:create"), data)


def test_a_gp_registers_a_patient_with_birth_date_and_sex_from_the_cpr(client_for, gp):
    response = _create(client_for(gp))
    patient = Patient.objects.get(cpr=CPR)
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert str(patient.birth_date) == "1980-01-01"
    assert patient.sex == "female"
    assert patient.listed_practice == gp.organisation
    assert AuditEvent.objects.filter(action="create", patient=patient, user=gp).count() == 1
    assert patient.history.count() == 1


@pytest.mark.parametrize(
    ("cpr", "message"),
    [
        pytest.param("3102801234", "not a valid birth date", id="31-february"),
        pytest.param("12345", "10 digits", id="too-short"),
        pytest.param("01018012ab", "only digits", id="letters"),
        pytest.param("0101304234", "future", id="future-birth-date"),
    ],
)
def test_an_invalid_cpr_is_refused_with_a_reason_and_nothing_saved(client_for, gp, cpr, message):
    client = client_for(gp)
    client.cookies["django_language"] = "en"
    response = _create(client, cpr=cpr)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Patient.objects.count() == 0


def test_a_duplicate_cpr_on_the_practices_own_list_is_refused(client_for, gp, practice_nurse):
    _create(client_for(gp))
    response = _create(client_for(practice_nurse), name="Someone Else")
    assert response.status_code == 422
    assert Patient.objects.count() == 1
    assert Patient.objects.get().name == "Inger Nyborg"


def test_a_cpr_of_another_practice_is_sent_for_review_and_changes_nothing(client_for, gp, other_gp):
    # Not "already registered": that answer told anyone which CPR numbers exist (issue 12).
    _create(client_for(gp))
    response = _create(client_for(other_gp), name="Someone Else")
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:list")
    assert Patient.objects.count() == 1
    assert Patient.objects.get().name == "Inger Nyborg"
    assert Patient.objects.get().listed_practice == gp.organisation


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"name": ""}, id="missing-name"),
        pytest.param({"name": "x" * 201}, id="over-long-name"),
        pytest.param({"name": "Null\x00Byte"}, id="nul-byte"),
        pytest.param({"email": "not-an-address"}, id="bad-email"),
        pytest.param({"phone": "call me"}, id="bad-phone"),
        pytest.param({"cpr": ""}, id="missing-cpr"),
    ],
)
def test_bad_form_input_is_shown_next_to_the_field_and_nothing_saved(client_for, gp, overrides):
    response = _create(client_for(gp), **overrides)
    assert response.status_code == 422
    assert b'class="errorlist' in response.content
    assert b'aria-invalid="true"' in response.content
    assert Patient.objects.count() == 0


def test_the_form_speaks_danish_by_default(client_for, gp):
    response = _create(client_for(gp), name="")
    assert response.status_code == 422
    assert "Dette felt er påkrævet." in response.content.decode()


def test_a_clinic_nurse_cannot_register_patients(client_for, clinic_nurse):
    response = _create(client_for(clinic_nurse))
    assert response.status_code == 403
    assert Patient.objects.count() == 0


def test_editing_keeps_the_earlier_version_readable(client_for, gp, patient):
    client = client_for(gp)
    url = reverse("patients:edit", args=[patient.pk])
    response = client.post(
        url, {"name": patient.name, "address": "Ny Vej 2", "phone": "", "email": "", "version": 1}
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.address == "Ny Vej 2"
    history = client.get(reverse("patients:history", args=[patient.pk])).content.decode()
    assert "Ny Vej 2" in history
    versions = list(patient.history.order_by("history_date"))
    assert [v.address for v in versions][-2:] == ["", "Ny Vej 2"]
    assert versions[-1].history_user == gp
    update = AuditEvent.objects.filter(action="update", patient=patient).get()
    assert update.detail == {"fields": ["address"]}


def test_a_gp_cannot_edit_a_patient_of_another_practice(client_for, other_gp, patient):
    response = client_for(other_gp).post(
        reverse("patients:edit", args=[patient.pk]),
        {"name": "Hijacked", "address": "", "phone": "", "email": "", "version": 1},
    )
    assert response.status_code == 404
    assert patient.name.encode() not in response.content
    patient.refresh_from_db()
    assert patient.name == "Birthe Testesen"
    assert AuditEvent.objects.filter(action="refused", patient=patient).count() == 1


def test_search_by_name_finds_only_patients_in_scope(client_for, gp, patient, other_patient):
    response = client_for(gp).post(reverse("patients:search"), {"query": "sen"})
    body = response.content.decode()
    assert patient.name in body
    assert other_patient.name not in body
    assert other_patient.cpr[:6] not in body


def test_search_by_cpr_finds_the_patient(client_for, gp, patient):
    response = client_for(gp).post(reverse("patients:search"), {"query": patient.cpr_formatted})
    assert patient.name in response.content.decode()


def test_searching_for_another_practices_patient_by_cpr_finds_nothing(
    client_for, gp, other_patient
):
    response = client_for(gp).post(reverse("patients:search"), {"query": other_patient.cpr})
    assert other_patient.name not in response.content.decode()
    assert "Ingen patienter matcher søgningen." in response.content.decode()


def test_the_patient_list_shows_only_own_patients_and_paginates(client_for, gp, practice):
    from tests.factories import PatientFactory

    PatientFactory.create_batch(30, listed_practice=practice)
    client = client_for(gp)
    first = client.get(reverse("patients:list"))
    second = client.get(reverse("patients:list"), {"page": 2})
    assert first.context["page"].paginator.count == 30
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5


def test_a_patient_with_a_care_relation_is_visible_to_the_clinic(
    client_for, clinic_nurse, patient, clinic
):
    url = reverse("patients:detail", args=[patient.pk])
    assert client_for(clinic_nurse).get(url).status_code == 404
    from smertespor.patients.services import open_care_relation

    open_care_relation(patient=patient, organisation=clinic, reason="referral", by=None)
    assert client_for(clinic_nurse).get(url).status_code == 200


def test_the_access_log_shows_who_looked(client_for, gp, practice_nurse, patient):
    client_for(practice_nurse).get(reverse("patients:detail", args=[patient.pk]))
    body = client_for(gp).get(reverse("patients:access_log", args=[patient.pk])).content.decode()
    assert practice_nurse.username in body
    assert gp.username in body  # the GP's own look at the log is itself logged


def test_no_url_pattern_carries_a_cpr_and_links_use_opaque_ids(client_for, gp, patient):
    body = client_for(gp).get(reverse("patients:list")).content.decode()
    assert f'href="/patients/{patient.pk}/"' in body
    assert f"/{patient.cpr}" not in body


def test_cpr_numbers_never_reach_the_logs(client_for, gp, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(gp)
    _create(client)
    client.post(reverse("patients:search"), {"query": CPR})
    logging.getLogger("smertespor.test").warning("looked up %s and 010180-1234", CPR)
    assert CPR not in caplog.text
    assert "010180-1234" not in caplog.text
    assert "010180-****" in caplog.text


class TestApi:
    def _post(self, client, url, body):
        return client.post(url, json.dumps(body), content_type="application/json")

    def test_it_creates_and_reads_a_patient(self, client_for, gp):
        client = client_for(gp)
        created = self._post(client, "/api/patients", {"cpr": CPR, "name": "Api Patient"})
        assert created.status_code == 201
        body = created.json()
        assert body["birth_date"] == "1980-01-01"
        assert body["listed_practice_id"] == gp.organisation_id
        read = client.get(f"/api/patients/{body['id']}")
        assert read.json()["name"] == "Api Patient"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            pytest.param({"cpr": "3102801234", "name": "X"}, "cpr", id="invalid-cpr"),
            pytest.param({"cpr": CPR, "name": "x" * 201}, "name", id="over-long"),
            pytest.param({"cpr": CPR, "name": "Nul\x00"}, "name", id="nul-byte"),
            pytest.param({"cpr": CPR}, "name", id="missing-name"),
        ],
    )
    def test_bad_input_is_422_and_nothing_saved(self, client_for, gp, body, field):
        response = self._post(client_for(gp), "/api/patients", body)
        assert response.status_code == 422
        assert field in json.dumps(response.json())
        assert Patient.objects.count() == 0

    def test_an_unknown_id_is_404(self, client_for, gp):
        assert client_for(gp).get("/api/patients/not-a-uuid").status_code == 404
        missing = "/api/patients/00000000-0000-0000-0000-000000000000"
        assert client_for(gp).get(missing).status_code == 404

    def test_a_gp_of_another_practice_cannot_patch(self, client_for, other_gp, patient):
        response = client_for(other_gp).patch(
            f"/api/patients/{patient.pk}",
            json.dumps({"name": "Changed"}),
            content_type="application/json",
            headers={"If-Match": '"1"'},
        )
        assert response.status_code == 404
        assert patient.name.encode() not in response.content
        patient.refresh_from_db()
        assert patient.name == "Birthe Testesen"

    def test_search_by_cpr_is_a_post_so_the_cpr_stays_out_of_urls(self, client_for, gp, patient):
        response = self._post(client_for(gp), "/api/patients/search", {"query": patient.cpr})
        assert [item["name"] for item in response.json()["items"]] == [patient.name]

    def test_the_error_speaks_the_users_language(self, client_for, gp):
        response = client_for(gp).post(
            "/api/patients",
            json.dumps({"cpr": "3102801234", "name": "X"}),
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="da",
        )
        assert "fødselsdato" in json.dumps(response.json(), ensure_ascii=False)


def test_a_birth_date_in_the_future_is_judged_by_todays_date(client_for, gp):
    with time_machine.travel("1979-12-31 12:00 +01:00", tick=False):
        response = _create(client_for(gp))
    assert response.status_code == 422
    assert Patient.objects.count() == 0


def test_the_list_never_shows_another_practices_patient(client_for, gp, patient, other_patient):
    body = client_for(gp).get(reverse("patients:list")).content.decode()
    api_body = client_for(gp).get("/api/patients").content.decode()
    for text in (body, api_body):
        assert patient.name in text
        assert other_patient.name not in text
        assert other_patient.cpr not in text
        assert other_patient.cpr_formatted not in text


def test_a_bad_cpr_is_shown_together_with_the_other_errors(client_for, gp):
    response = _create(client_for(gp), cpr="3102801234", name="")
    assert response.status_code == 422
    body = response.content.decode()
    assert "De første seks cifre er ikke en gyldig fødselsdato." in body
    assert "Dette felt er påkrævet." in body
    assert Patient.objects.count() == 0


def test_a_duplicate_cpr_is_shown_at_the_cpr_field(client_for, gp, practice_nurse):
    _create(client_for(gp))
    response = _create(client_for(practice_nurse), name="Someone Else")
    assert response.status_code == 422
    assert response.context["form"].errors["cpr"] == [
        "Patienten står allerede på jeres patientliste."
    ]


def test_an_invalid_phone_on_edit_is_422_at_the_field_and_nothing_saved(client_for, gp, patient):
    response = client_for(gp).post(
        reverse("patients:edit", args=[patient.pk]),
        {"name": "Changed Name", "address": "", "phone": "call me", "email": "", "version": 1},
    )
    assert response.status_code == 422
    assert "phone" in response.context["form"].errors
    patient.refresh_from_db()
    assert patient.name == "Birthe Testesen"


def test_the_edit_form_shows_the_current_details(client_for, gp, patient):
    response = client_for(gp).get(reverse("patients:edit", args=[patient.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["name"] == patient.name


def test_the_sorts_offered_are_the_sorts_known(client_for, gp, patient):
    from typing import get_args

    from smertespor.patients.selectors import SORTS, PatientSort, patient_sort

    assert set(SORTS) == set(get_args(PatientSort))
    assert patient_sort("-birth_date") == "-birth_date"
    assert patient_sort("cpr") == "name"
    assert client_for(gp).get(reverse("patients:list"), {"sort": "cpr"}).status_code == 200


class TestApiRefusals:
    """The API refuses as the pages do, as problem+json, without patient data."""

    def _assert_problem(self, response, status):
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == status
        assert body["type"] and body["title"]
        return body

    def test_a_clinic_nurse_may_not_register_a_patient(self, client_for, clinic_nurse, patient):
        response = client_for(clinic_nurse).post(
            "/api/patients",
            json.dumps({"cpr": CPR, "name": "Api Patient"}),
            content_type="application/json",
        )
        self._assert_problem(response, 403)
        assert patient.name.encode() not in response.content
        assert Patient.objects.count() == 1
        refused = AuditEvent.objects.filter(action="refused", user=clinic_nurse).get()
        assert refused.object_type == "patient"

    def test_a_planner_may_not_list_patients_and_the_attempt_is_audited(
        self, client_for, planner, patient
    ):
        response = client_for(planner).get("/api/patients")
        self._assert_problem(response, 403)
        assert patient.name.encode() not in response.content
        refused = AuditEvent.objects.filter(action="refused", user=planner).get()
        assert refused.object_id == "api:patients_list"

    def test_a_patch_by_another_practice_is_404(self, client_for, other_gp, patient):
        response = client_for(other_gp).patch(
            f"/api/patients/{patient.pk}",
            json.dumps({"name": "Changed"}),
            content_type="application/json",
            headers={"If-Match": '"1"'},
        )
        body = self._assert_problem(response, 404)
        assert patient.name not in json.dumps(body)
        assert patient.cpr[:6] not in json.dumps(body)

    def test_an_invalid_cpr_names_the_field_with_a_code(self, client_for, gp):
        response = client_for(gp).post(
            "/api/patients",
            json.dumps({"cpr": "3102801234", "name": "X"}),
            content_type="application/json",
        )
        body = self._assert_problem(response, 422)
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("cpr", "cpr_birth_date")]

    def test_an_invalid_phone_on_patch_is_422_at_the_field(self, client_for, gp, patient):
        response = client_for(gp).patch(
            f"/api/patients/{patient.pk}",
            json.dumps({"phone": "call me"}),
            content_type="application/json",
            headers={"If-Match": '"1"'},
        )
        body = self._assert_problem(response, 422)
        assert [e["field"] for e in body["errors"]] == ["phone"]
        patient.refresh_from_db()
        assert patient.phone == ""

    def test_an_unknown_sort_is_refused_with_the_allowed_values_in_the_schema(self, client_for, gp):
        response = client_for(gp).get("/api/patients", {"sort": "cpr"})
        body = self._assert_problem(response, 422)
        assert body["errors"][0]["field"] == "sort"
        schema = client_for(gp).get("/api/openapi.json").json()
        search = schema["components"]["schemas"]["SearchIn"]["properties"]["sort"]
        assert set(search["enum"]) == {"name", "-name", "birth_date", "-birth_date"}


def test_the_patient_schema_lists_sex_and_the_access_log_s_codes(client_for, gp):
    schemas = client_for(gp).get("/api/openapi.json").json()["components"]["schemas"]
    assert schemas["Sex"]["enum"] == ["female", "male"]
    assert "view" in schemas["Action"]["enum"]


def test_the_access_log_names_people_and_shows_system_changes_as_system(
    client_for, gp, practice_nurse, patient
):
    from smertespor.audit.services import record_event

    record_event(user=None, action="update", object_type="follow_up", patient=patient)
    client_for(practice_nurse).get(reverse("patients:detail", args=[patient.pk]))
    body = client_for(gp).get(reverse("patients:access_log", args=[patient.pk])).content.decode()
    assert practice_nurse.get_full_name() in body
    assert 'data-testid="system-event">System<' in body
    assert "— — —" not in body
    assert "follow up" not in body and "follow_up" not in body
    assert "opfølgningsbesøg" in body
