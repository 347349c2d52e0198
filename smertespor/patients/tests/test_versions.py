"""Two people editing the same patient: the second, stale save is refused, never a silent revert.

The finding (issue 12): two forms opened at version N; the first saves; the second used to
save too and put the old values back (history 2 → 3 → 2, no warning).
"""

import json

import pytest
from django.urls import reverse

from smertespor.audit.models import AuditEvent
from smertespor.patients import services
from smertespor.patients.models import Patient
from smertespor.versions import StaleVersion


def _details(patient, **changes):
    data = {
        "name": patient.name,
        "address": patient.address,
        "phone": patient.phone,
        "email": patient.email,
        "version": patient.version,
    }
    data.update(changes)
    return data


def _opened_form(client, patient):
    """What the user's browser holds after GET of the edit page: the form's initial values."""
    response = client.get(reverse("patients:edit", args=[patient.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    hidden = f'type="hidden" name="version" value="{patient.version}"'
    assert hidden in response.content.decode()
    return {name: form[name].value() for name in form.fields}


def test_a_stale_edit_form_is_refused_with_409_and_shows_the_other_users_change(
    client_for, gp, practice_nurse, patient
):
    first, second = client_for(gp), client_for(practice_nurse)
    url = reverse("patients:edit", args=[patient.pk])
    opened_by_first = _opened_form(first, patient)
    opened_by_second = _opened_form(second, patient)
    assert opened_by_first["version"] == opened_by_second["version"] == 1

    saved = first.post(url, {**opened_by_first, "address": "Ny Vej 2"})
    assert saved.status_code == 302
    history_after_first = Patient.objects.get(pk=patient.pk).history.count()

    refused = second.post(url, {**opened_by_second, "phone": "12345678"})

    assert refused.status_code == 409
    patient.refresh_from_db()
    assert (patient.address, patient.phone, patient.version) == ("Ny Vej 2", "", 2)
    assert patient.history.count() == history_after_first
    body = refused.content.decode()
    assert "ændret" in body  # the message, in Danish
    changes = refused.context["form"].stale_changes
    rows = {change.label: (change.yours, change.current) for change in changes}
    assert rows == {"Adresse": ("—", "Ny Vej 2"), "Telefon": ("12345678", "—")}
    assert "Ny Vej 2" in body and 'data-testid="stale-changes"' in body
    # The form holds the second user's values on the current version: one click re-applies.
    form = refused.context["form"]
    assert form["phone"].value() == "12345678"
    assert form["address"].value() == ""
    assert 'type="hidden" name="version" value="2"' in body


def test_saving_the_refused_form_again_applies_the_users_values_on_the_current_version(
    client_for, gp, practice_nurse, patient
):
    first, second = client_for(gp), client_for(practice_nurse)
    url = reverse("patients:edit", args=[patient.pk])
    opened = _opened_form(second, patient)
    first.post(url, _details(patient, address="Ny Vej 2"))
    refused = second.post(url, {**opened, "phone": "12345678", "address": "Ny Vej 2"})
    assert refused.status_code == 409
    form = refused.context["form"]
    again = {name: form[name].value() for name in form.fields}

    assert second.post(url, again).status_code == 302

    patient.refresh_from_db()
    assert (patient.address, patient.phone, patient.version) == ("Ny Vej 2", "12345678", 3)
    assert [h.version for h in patient.history.order_by("history_date")] == [1, 2, 3]


def test_a_stale_patch_is_409_and_changes_nothing(client_for, gp, practice_nurse, patient):
    first, second = client_for(gp), client_for(practice_nurse)
    path = f"/api/patients/{patient.pk}"
    tag_first = first.get(path)["ETag"]
    tag_second = second.get(path)["ETag"]
    assert tag_first == tag_second == '"1"'

    saved = first.patch(
        path,
        json.dumps({"address": "Ny Vej 2"}),
        "application/json",
        headers={"If-Match": tag_first},
    )
    assert saved.status_code == 200
    assert saved["ETag"] == '"2"'
    assert saved.json()["version"] == 2
    history = patient.history.count()

    refused = second.patch(
        path, json.dumps({"address": ""}), "application/json", headers={"If-Match": tag_second}
    )

    assert refused.status_code == 409
    assert refused["Content-Type"].startswith("application/problem+json")
    assert refused.json()["status"] == 409
    patient.refresh_from_db()
    assert (patient.address, patient.version) == ("Ny Vej 2", 2)
    assert patient.history.count() == history


def test_a_patch_without_if_match_is_428_and_changes_nothing(client_for, gp, patient):
    response = client_for(gp).patch(
        f"/api/patients/{patient.pk}", json.dumps({"address": "X"}), "application/json"
    )
    assert response.status_code == 428
    assert response["Content-Type"].startswith("application/problem+json")
    assert "If-Match" in response.json()["detail"]
    patient.refresh_from_db()
    assert (patient.address, patient.version) == ("", 1)


def test_an_if_match_that_names_no_version_is_412(client_for, gp, patient):
    for header in ('W/"1"', "*", '"1", "2"', "1", '"0"'):
        response = client_for(gp).patch(
            f"/api/patients/{patient.pk}",
            json.dumps({"address": "X"}),
            "application/json",
            headers={"If-Match": header},
        )
        assert response.status_code == 412, header
        assert response["Content-Type"].startswith("application/problem+json")
    patient.refresh_from_db()
    assert (patient.address, patient.version) == ("", 1)


def test_the_etag_round_trips_through_get_and_patch(client_for, gp, patient):
    client = client_for(gp)
    path = f"/api/patients/{patient.pk}"
    for expected, address in ((2, "A"), (3, "B"), (4, "C")):
        got = client.get(path)
        assert got.json()["version"] == expected - 1
        assert got["ETag"] == f'"{expected - 1}"'
        patched = client.patch(
            path,
            json.dumps({"address": address}),
            "application/json",
            headers={"If-Match": got["ETag"]},
        )
        assert patched.status_code == 200, patched.content
        assert patched["ETag"] == f'"{expected}"'
    assert client.get(path).json()["address"] == "C"


def test_every_service_write_raises_the_version_by_one(gp, patient):
    seen = [patient.version]
    for field, value in (
        ("name", "Birthe Nyborg"),
        ("address", "Ny Vej 2"),
        ("phone", "12345678"),
        ("email", "b@example.dk"),
        ("address", ""),
    ):
        updated = services.update_patient(
            by=gp, patient=patient, expected_version=seen[-1], **{field: value}
        )
        stored = Patient.objects.get(pk=patient.pk)
        assert updated.version == stored.version == seen[-1] + 1
        assert getattr(stored, field) == value
        seen.append(stored.version)
    assert seen == [1, 2, 3, 4, 5, 6]
    assert [h.version for h in patient.history.order_by("history_date")] == seen


def test_a_refused_stale_write_is_not_audited_as_an_update(gp, practice_nurse, patient):
    services.update_patient(by=gp, patient=patient, expected_version=1, address="Ny Vej 2")
    with pytest.raises(StaleVersion):
        services.update_patient(by=practice_nurse, patient=patient, expected_version=1, phone="1")
    assert not AuditEvent.objects.filter(action="update", user=practice_nurse).exists()


def test_the_schema_documents_the_etag_if_match_and_the_refusals(client_for, gp):
    schema = client_for(gp).get("/api/openapi.json").json()
    read = schema["paths"]["/api/patients/{patient_id}"]["get"]
    write = schema["paths"]["/api/patients/{patient_id}"]["patch"]
    assert "ETag" in read["responses"]["200"]["headers"]
    assert "ETag" in write["responses"]["200"]["headers"]
    assert "schema" in write["responses"]["200"]["content"]["application/json"]
    [if_match] = [p for p in write["parameters"] if p["in"] == "header"]
    assert (if_match["name"], if_match["required"]) == ("If-Match", True)
    for status in ("409", "412", "428"):
        problem = write["responses"][status]["content"]["application/problem+json"]
        assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert schema["components"]["schemas"]["PatientOut"]["properties"]["version"]


def test_a_412_and_428_are_problems_with_their_own_type(client_for, gp, patient):
    client = client_for(gp)
    path = f"/api/patients/{patient.pk}"
    missing = client.patch(path, json.dumps({"address": "X"}), "application/json")
    weak = client.patch(
        path, json.dumps({"address": "X"}), "application/json", headers={"If-Match": 'W/"1"'}
    )
    assert missing.json()["type"].endswith("/precondition-required")
    assert weak.json()["type"].endswith("/precondition-failed")
    assert missing.json()["title"] == "Angiv den version, du læste, i If-Match."
