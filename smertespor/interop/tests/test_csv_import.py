"""Loading medication lists from a CSV file: the preview saves nothing, the confirmed import
is all or nothing per patient, and only practice staff who record medication may use it."""

import pytest
from django.urls import reverse

from smertespor.audit.models import AuditEvent
from smertespor.interop.csv_medication import COLUMNS
from smertespor.medication.models import MedicationLine
from tests.factories import PatientFactory

HEADER = ";".join(COLUMNS)
PAGE = "interop:medication_csv"


def line(cpr, product="morphine-depot-tablet;30;1;2;nej;", start="05-01-2026"):
    return f"{cpr};{product};smerter;{start};"


@pytest.fixture
def two_patients(practice):
    return (
        PatientFactory.create(cpr="0101701234", listed_practice=practice),
        PatientFactory.create(cpr="0202651230", listed_practice=practice),
    )


def csv_bytes(*rows):
    return "\r\n".join([HEADER, *rows]).encode("cp1252")


def api(client, name, data):
    return client.post(reverse(f"api:{name}"), data=data, content_type="text/csv")


def test_the_preview_reports_per_patient_and_saves_nothing(client_for, gp, two_patients):
    first, second = two_patients
    data = csv_bytes(line(first.cpr), line(second.cpr, start="i går"))
    report = api(client_for(gp), "medication_csv_preview", data).json()
    assert report["encoding"] == "Windows-1252"
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(3, "startdato")]
    assert [p["status"] for p in report["patients"]] == ["ready", "refused"]
    assert not MedicationLine.objects.exists()
    assert AuditEvent.objects.filter(object_type="medication_csv_preview").count() == 2


def test_the_import_saves_sound_patients_whole_and_leaves_the_others(client_for, gp, two_patients):
    first, second = two_patients
    data = csv_bytes(
        line(first.cpr),
        line(first.cpr, "morphine-tablet;10;0,5;;ja;4"),
        line(second.cpr),
        line(second.cpr, "morphine-depot-tablet;25;1;2;nej;"),  # not marketed
    )
    report = api(client_for(gp), "medication_csv_import", data).json()
    assert [p["status"] for p in report["patients"]] == ["imported", "refused"]
    assert first.medication_lines.count() == 2
    assert {line.source for line in first.medication_lines.all()} == {"csv_import"}
    assert not second.medication_lines.exists()  # all or nothing for the patient


def test_a_row_the_medication_service_refuses_rolls_back_that_patients_other_rows(
    client_for, gp, two_patients
):
    first, _second = two_patients
    data = csv_bytes(line(first.cpr), line(first.cpr, start="01-01-2030"))  # future start
    report = api(client_for(gp), "medication_csv_import", data).json()
    assert report["patients"][0]["status"] == "refused"
    assert report["problems"][0]["row"] == 3
    assert not first.medication_lines.exists()


def test_a_patient_of_another_practice_reads_as_not_on_the_list(client_for, gp, other_patient):
    report = api(client_for(gp), "medication_csv_import", csv_bytes(line(other_patient.cpr))).json()
    assert report["problems"][0]["column"] == "cpr"
    assert other_patient.name not in str(report)
    assert not other_patient.medication_lines.exists()


def test_an_unreadable_file_is_a_problem(client_for, gp):
    response = api(client_for(gp), "medication_csv_preview", b"cpr;navn\n1;2\n")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("persona", ["clinic_nurse", "planner", "admin_user", "clinic_secretary"])
def test_roles_that_may_not_import_are_refused_on_the_api_and_the_page(
    request, client_for, persona, two_patients
):
    client = client_for(request.getfixturevalue(persona))
    data = csv_bytes(line(two_patients[0].cpr))
    assert api(client, "medication_csv_import", data).status_code == 403
    assert client.get(reverse(PAGE)).status_code == 403
    assert not MedicationLine.objects.exists()


def test_the_page_previews_then_imports_what_the_user_confirms(client_for, gp, two_patients):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(gp)
    first = two_patients[0]
    upload = SimpleUploadedFile("udtraek.csv", csv_bytes(line(first.cpr)), "text/csv")
    preview = client.post(reverse(PAGE), {"action": "preview", "file": upload})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Windows-1252" in page and "Klar til import" in page
    assert not first.medication_lines.exists()
    data = preview.context["data"]
    done = client.post(reverse(PAGE), {"action": "import", "data": data})
    assert "Importeret" in done.content.decode()
    assert first.medication_lines.count() == 1


def test_the_page_refuses_a_missing_file_in_danish(client_for, gp):
    response = client_for(gp).post(reverse(PAGE), {"action": "preview"})
    assert response.status_code == 422
    assert "Vælg en CSV-fil" in response.content.decode()
