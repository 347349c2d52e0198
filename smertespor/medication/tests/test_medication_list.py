"""A patient's medication list: pages, forms and API, who may see and change it, and what
every change leaves behind (history, an OMEQ snapshot, an audit row)."""

import datetime
import json
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from smertespor.accounts.models import Role
from smertespor.audit.models import AuditEvent
from smertespor.medication.models import MedicationLine, OmeqSnapshot
from smertespor.medication.tests.factories import MedicationLineFactory
from smertespor.patients.models import CareRelation
from tests.factories import UserFactory

TODAY = datetime.date(2026, 3, 16)

MORPHINE_DEPOT = {
    "product_strength": "morphine-depot-tablet@30",
    "units_per_dose": "1",
    "doses_per_day": "2",
    "indication": "pain",
    "start_date": "2026-03-01",
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def gp_client(client_for, gp):
    return client_for(gp)


def new_rows(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("sequence")[before:])


# --- adding, changing and ending lines through the pages --------------------------------


def test_a_gp_adds_a_line_and_the_list_shows_omeq_with_its_working(
    gp_client, patient, medication_url
):
    response = gp_client.post(medication_url("add_line", patient.pk), MORPHINE_DEPOT)
    assert response.status_code == 302
    page = gp_client.get(medication_url("patient", patient.pk)).content.decode()
    assert "Morfin depottablet 30 mg" in page
    assert 'data-testid="omeq-scheduled">60 mg' in page
    assert "nordic" in page and "2022.1" in page  # the table and version that produced it
    assert "× 1" in page  # the factor is shown


def test_adding_a_line_keeps_its_history_stores_a_snapshot_and_writes_one_audit_row(
    gp_client, gp, patient, medication_url
):
    before = AuditEvent.objects.count()
    gp_client.post(medication_url("add_line", patient.pk), MORPHINE_DEPOT)
    line = MedicationLine.objects.get(patient=patient)
    assert line.created_by == gp
    assert [v.history_type for v in line.history.all()] == ["+"]
    assert line.history.first().history_user == gp
    snapshot = OmeqSnapshot.objects.get(patient=patient)
    assert (snapshot.scheduled_mg_per_day, snapshot.max_mg_per_day) == (Decimal(60), Decimal(60))
    assert (snapshot.table_id, snapshot.table_version) == ("nordic", "2022.1")
    assert snapshot.conversion_table.table_id == "nordic"
    [row] = new_rows(before)
    assert (row.action, row.object_type, row.patient_id) == (
        "create",
        "medication_line",
        patient.pk,
    )
    assert row.user_id == gp.pk


def test_changing_a_line_keeps_the_earlier_version(gp_client, patient, medication_url):
    gp_client.post(medication_url("add_line", patient.pk), MORPHINE_DEPOT)
    line = MedicationLine.objects.get(patient=patient)
    changed = {**MORPHINE_DEPOT, "strength": "60", "version": 1}
    del changed["product_strength"]
    response = gp_client.post(medication_url("change_line", patient.pk, line.pk), changed)
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.strength == 60
    assert [v.strength for v in line.history.order_by("history_date")] == [30, 60]
    assert [s.max_mg_per_day for s in OmeqSnapshot.objects.order_by("recorded_at", "pk")] == [
        60,
        120,
    ]
    row = AuditEvent.objects.latest("sequence")
    assert (row.action, row.detail["fields"]) == ("update", ["strength"])
    history = gp_client.get(medication_url("line_history", patient.pk)).content.decode()
    assert history.count("Morfin depottablet") == 2


def test_ending_a_line_keeps_it_readable_as_ended(gp_client, patient, medication_url):
    gp_client.post(medication_url("add_line", patient.pk), MORPHINE_DEPOT)
    line = MedicationLine.objects.get(patient=patient)
    response = gp_client.post(
        medication_url("end_line", patient.pk, line.pk),
        {"ended_on": "2026-03-10", "reason": "Nedtrappet", "version": 1},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.ended_on, line.end_reason) == (datetime.date(2026, 3, 10), "Nedtrappet")
    assert OmeqSnapshot.objects.latest("pk").max_mg_per_day == 0
    page = gp_client.get(medication_url("patient", patient.pk)).content.decode()
    assert "Nedtrappet" in page
    assert line.history.count() == 2


def test_an_htmx_form_comes_back_as_a_fragment_and_success_redirects_by_header(
    gp_client, patient, medication_url
):
    url = medication_url("add_line", patient.pk)
    fragment = gp_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'hx-post="' in fragment
    done = gp_client.post(url, MORPHINE_DEPOT, HTTP_HX_REQUEST="true")
    assert done.status_code == 204
    assert done["HX-Redirect"] == medication_url("patient", patient.pk)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"units_per_dose": "-1"}, "units_per_dose", id="negative-units"),
        pytest.param({"units_per_dose": "0"}, "units_per_dose", id="zero-units"),
        pytest.param({"doses_per_day": "0"}, "doses_per_day", id="zero-doses-a-day"),
        pytest.param({"doses_per_day": ""}, "doses_per_day", id="no-doses-a-day"),
        pytest.param({"units_per_dose": "0.5"}, "units_per_dose", id="half-an-unscored-tablet"),
        pytest.param(
            {"units_per_dose": "100", "doses_per_day": "48"}, "units_per_dose", id="absurd"
        ),
        pytest.param(
            {"product_strength": "morphine-depot-tablet@35"}, "product_strength", id="strength"
        ),
        pytest.param({"product_strength": "no-such-product@10"}, "product_strength", id="product"),
        pytest.param({"prn": "on"}, "max_doses_per_day", id="prn-without-maximum"),
        pytest.param({"max_doses_per_day": "3"}, "max_doses_per_day", id="maximum-on-schedule"),
        pytest.param({"start_date": "2026-04-01"}, "start_date", id="future-start"),
        pytest.param({"note": "a\x00b"}, "note", id="nul-byte"),
        pytest.param(
            {"product_strength": "fentanyl-patch@25", "doses_per_day": "1"},
            "doses_per_day",
            id="doses-a-day-on-a-patch",
        ),
        pytest.param(
            {"product_strength": "buprenorphine-substitution-sublingual-tablet@8"},
            "indication",
            id="substitution-product-for-pain",
        ),
    ],
)
def test_bad_input_gets_a_reason_next_to_the_field_and_saves_nothing(
    gp_client, patient, medication_url, change, field
):
    before = AuditEvent.objects.count()
    response = gp_client.post(medication_url("add_line", patient.pk), {**MORPHINE_DEPOT, **change})
    assert response.status_code == 422
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not MedicationLine.objects.exists()
    assert not OmeqSnapshot.objects.exists()
    assert AuditEvent.objects.count() == before


def test_half_a_scored_tablet_is_accepted(gp_client, patient, medication_url):
    half = {**MORPHINE_DEPOT, "product_strength": "morphine-tablet@10", "units_per_dose": "0,5"}
    assert gp_client.post(medication_url("add_line", patient.pk), half).status_code == 302
    assert MedicationLine.objects.get().units_per_dose == Decimal("0.5")


def test_a_line_the_active_table_cannot_convert_is_kept_and_the_reason_shown(
    gp_client, patient, medication_url
):
    injection = {
        **MORPHINE_DEPOT,
        "product_strength": "morphine-injection@10",
        "units_per_dose": "1",
    }
    assert gp_client.post(medication_url("add_line", patient.pk), injection).status_code == 302
    snapshot = OmeqSnapshot.objects.get()
    assert snapshot.is_computable is False
    assert snapshot.problems[0]["code"] == "no_factor_for_route"
    page = gp_client.get(medication_url("patient", patient.pk)).content.decode()
    assert "no factor for" in page.lower() or "ingen faktor" in page.lower()


def test_co_medication_on_the_list_raises_its_warning(gp_client, patient, medication_url):
    gp_client.post(medication_url("add_line", patient.pk), MORPHINE_DEPOT)
    diazepam = {**MORPHINE_DEPOT, "product_strength": "diazepam-tablet@5"}
    gp_client.post(medication_url("add_line", patient.pk), diazepam)
    assert "benzodiazepine" in OmeqSnapshot.objects.latest("pk").warning_codes
    page = gp_client.get(medication_url("patient", patient.pk)).content.decode()
    assert 'data-code="benzodiazepine"' in page


def test_the_patient_page_shows_the_medication_summary(gp_client, patient):
    MedicationLineFactory.create(patient=patient)
    page = gp_client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Morfin depottablet 30 mg" in page
    assert "60 mg" in page


def test_the_chart_is_an_accessible_svg_with_a_table_of_its_values(
    gp_client, patient, medication_url
):
    gp_client.post(medication_url("add_line", patient.pk), MORPHINE_DEPOT)
    page = gp_client.get(medication_url("patient", patient.pk)).content.decode()
    # Named by its title and described by its description, once each (a desc in the name
    # too made a screen reader read it twice).
    assert (
        '<svg viewBox="0 0 640 260" role="img" aria-labelledby="omeq-chart-title" '
        'aria-describedby="omeq-chart-desc"' in page
    )
    # One snapshot on one day draws a line of no length: its dots still show the value.
    assert '<circle class="scheduled"' in page
    assert '<title id="omeq-chart-title">' in page and '<desc id="omeq-chart-desc">' in page
    assert "<polyline points=" in page
    assert "<details>" in page  # the values as a table


def test_the_patient_comparison_shows_every_table(gp_client, patient, medication_url):
    MedicationLineFactory.create(patient=patient, product_id="ketobemidone-tablet", strength=5)
    page = gp_client.get(medication_url("patient_compare", patient.pk)).content.decode()
    assert "cdc-2022" in page and "nordic" in page
    row = AuditEvent.objects.latest("sequence")
    assert (row.object_type, row.patient_id) == ("omeq_comparison", patient.pk)


# --- who may see and change the list ----------------------------------------------------


def test_viewing_the_list_writes_exactly_one_audit_row(gp_client, gp, patient, medication_url):
    before = AuditEvent.objects.count()
    gp_client.get(medication_url("patient", patient.pk))
    [row] = new_rows(before)
    assert (row.action, row.object_type, row.patient_id, row.user_id) == (
        "view",
        "medication_list",
        patient.pk,
        gp.pk,
    )


PATIENT_PAGES = ["patient", "add_line", "line_history", "patient_compare"]


def _assert_no_patient_data(response, patient):
    body = response.content
    assert patient.name.encode() not in body
    assert patient.cpr[:6].encode() not in body


@pytest.mark.parametrize("page", PATIENT_PAGES)
def test_a_gp_from_another_practice_gets_404_without_patient_data(
    client_for, other_gp, patient, medication_url, page
):
    MedicationLineFactory.create(patient=patient)
    response = client_for(other_gp).get(medication_url(page, patient.pk))
    assert response.status_code == 404
    _assert_no_patient_data(response, patient)
    row = AuditEvent.objects.latest("sequence")
    assert (row.action, row.patient_id) == ("refused", patient.pk)


def test_a_gp_from_another_practice_cannot_add_change_or_end_a_line(
    client_for, other_gp, patient, medication_url
):
    line = MedicationLineFactory.create(patient=patient)
    client = client_for(other_gp)
    responses = [
        client.post(medication_url("add_line", patient.pk), MORPHINE_DEPOT),
        client.post(medication_url("change_line", patient.pk, line.pk), {"strength": "60"}),
        client.post(medication_url("end_line", patient.pk, line.pk), {"ended_on": "2026-03-10"}),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    for response in responses:
        _assert_no_patient_data(response, patient)
    line.refresh_from_db()
    assert (line.strength, line.ended_on, MedicationLine.objects.count()) == (Decimal(30), None, 1)


def test_a_line_of_another_patient_is_not_found_through_this_patient(
    gp_client, patient, medication_url, other_patient
):
    foreign = MedicationLineFactory.create(patient=other_patient)
    response = gp_client.get(medication_url("change_line", patient.pk, foreign.pk))
    assert response.status_code == 404
    _assert_no_patient_data(response, other_patient)


@pytest.mark.parametrize("page", PATIENT_PAGES)
def test_a_planner_is_refused(client_for, planner, patient, medication_url, page):
    response = client_for(planner).get(medication_url(page, patient.pk))
    assert response.status_code in (403, 404)
    _assert_no_patient_data(response, patient)


def test_a_clinic_nurse_without_a_care_relation_gets_404(
    client_for, clinic_nurse, patient, medication_url
):
    response = client_for(clinic_nurse).get(medication_url("patient", patient.pk))
    assert response.status_code == 404
    _assert_no_patient_data(response, patient)


def test_a_clinic_nurse_with_an_open_care_relation_sees_and_records(
    client_for, clinic_nurse, clinic, patient, medication_url
):
    CareRelation.objects.create(
        patient=patient, organisation=clinic, reason="referral", opened_at=timezone.now()
    )
    client = client_for(clinic_nurse)
    assert client.get(medication_url("patient", patient.pk)).status_code == 200
    assert client.post(medication_url("add_line", patient.pk), MORPHINE_DEPOT).status_code == 302


def test_a_practice_secretary_may_read_the_list_but_not_change_it(
    client_for, practice, patient, medication_url
):
    secretary = UserFactory(role=Role.SECRETARY, organisation=practice)
    client = client_for(secretary)
    assert client.get(medication_url("patient", patient.pk)).status_code == 200
    refused = client.post(medication_url("add_line", patient.pk), MORPHINE_DEPOT)
    assert refused.status_code == 403
    assert not MedicationLine.objects.exists()


# --- the same through the API -----------------------------------------------------------


def api_post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_api_lists_a_patients_lines_with_omeq(gp_client, patient):
    MedicationLineFactory.create(patient=patient)
    MedicationLineFactory.create(
        patient=patient,
        product_id="oxycodone-capsule",
        strength=5,
        prn=True,
        doses_per_day=None,
        max_doses_per_day=3,
    )
    body = gp_client.get(f"/api/patients/{patient.pk}/medication").json()
    assert [line["product_id"] for line in body["lines"]] == [
        "morphine-depot-tablet",
        "oxycodone-capsule",
    ]
    assert body["factor_set"] == {
        "id": "nordic",
        "version": "2022.1",
        "title": body["factor_set"]["title"],
    }
    assert Decimal(body["omeq"]["omeq_mg_per_day"]) == 60
    assert Decimal(body["omeq"]["omeq_max_mg_per_day"]) == Decimal("82.5")
    assert body["problems"] == []


def test_the_api_adds_changes_and_ends_a_line_with_history(gp_client, patient):
    url = f"/api/patients/{patient.pk}/medication"
    created = api_post(
        gp_client, url, {"product_id": "tramadol-depot-tablet", "strength": 100, "doses_per_day": 2}
    )
    assert created.status_code == 201
    [line] = created.json()["lines"]
    assert line["version"] == 1
    changed = gp_client.patch(
        f"{url}/{line['id']}",
        data=json.dumps({"doses_per_day": 3}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert changed.json()["lines"][0]["doses_per_day"] == "3"
    assert (changed["ETag"], changed.json()["lines"][0]["version"]) == ('"2"', 2)
    ended = gp_client.post(
        f"{url}/{line['id']}/end",
        data=json.dumps({"reason": "Skiftet"}),
        content_type="application/json",
        headers={"If-Match": changed["ETag"]},
    )
    assert ended.json()["lines"] == []
    history = gp_client.get(f"{url}/history").json()
    assert [v["history_type"] for v in history] == ["~", "~", "+"]
    assert OmeqSnapshot.objects.filter(patient=patient).count() == 3


def test_the_api_refuses_bad_input_with_422_and_saves_nothing(gp_client, patient):
    response = api_post(
        gp_client,
        f"/api/patients/{patient.pk}/medication",
        {
            "product_id": "oxycodone-depot-tablet",
            "strength": 10,
            "units_per_dose": "0.5",
            "doses_per_day": 2,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "units_per_dose"
    assert not MedicationLine.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("other_gp", 404), ("clinic_nurse", 404), ("planner", 403)]
)
def test_the_api_refuses_the_wrong_role_without_patient_data(
    request, client_for, patient, persona, status
):
    line = MedicationLineFactory.create(patient=patient)
    client = client_for(request.getfixturevalue(persona))
    url = f"/api/patients/{patient.pk}/medication"
    responses = [
        client.get(url),
        client.get(f"{url}/history"),
        api_post(
            client, url, {"product_id": "morphine-tablet", "strength": 10, "doses_per_day": 1}
        ),
        client.patch(
            f"{url}/{line.pk}", data=json.dumps({"note": "x"}), content_type="application/json"
        ),
        api_post(client, f"{url}/{line.pk}/end", {}),
    ]
    for response in responses:
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["status"] == status
        _assert_no_patient_data(response, patient)
    line.refresh_from_db()
    assert (line.ended_on, line.note, MedicationLine.objects.count()) == (None, "", 1)


def test_the_api_lets_a_practice_secretary_read_the_list_but_not_change_it(
    client_for, practice, patient
):
    line = MedicationLineFactory.create(patient=patient)
    client = client_for(UserFactory(role=Role.SECRETARY, organisation=practice))
    url = f"/api/patients/{patient.pk}/medication"
    assert client.get(url).status_code == 200
    refused = [
        api_post(
            client, url, {"product_id": "morphine-tablet", "strength": 10, "doses_per_day": 1}
        ),
        client.patch(
            f"{url}/{line.pk}", data=json.dumps({"note": "x"}), content_type="application/json"
        ),
        api_post(client, f"{url}/{line.pk}/end", {}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    for response in refused:
        _assert_no_patient_data(response, patient)
    assert AuditEvent.objects.filter(action="refused", object_type="medication_line").count() == 3
    line.refresh_from_db()
    assert (line.ended_on, line.note, MedicationLine.objects.count()) == (None, "", 1)


def test_a_line_of_another_patient_cannot_be_changed_through_this_patient_in_the_api(
    gp_client, patient, other_patient
):
    foreign = MedicationLineFactory.create(patient=other_patient)
    url = f"/api/patients/{patient.pk}/medication/{foreign.pk}"
    changed = gp_client.patch(url, data=json.dumps({"note": "x"}), content_type="application/json")
    ended = api_post(gp_client, f"{url}/end", {})
    assert [changed.status_code, ended.status_code] == [404, 404]
    _assert_no_patient_data(changed, other_patient)
    foreign.refresh_from_db()
    assert (foreign.note, foreign.ended_on) == ("", None)


def test_the_api_refuses_to_change_an_ended_line_with_422(gp_client, patient):
    line = MedicationLineFactory.create(patient=patient, ended_on=datetime.date(2026, 3, 1))
    response = gp_client.patch(
        f"/api/patients/{patient.pk}/medication/{line.pk}",
        data=json.dumps({"note": "x"}),
        content_type="application/json",
        headers={"If-Match": f'"{line.version}"'},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "line_ended"
