"""What a hospital department's doctor may do with a patient in the department's care: read
the record and ask the clinic for advice; none of the practice track's work, which stays with
the GP (taper plans, courses, the medication list, registrations)."""

import json

import pytest

from smertespor.departments.actions import record_hospital_contact
from smertespor.patients.access import visible_patients

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_care(hospital_doctor, patient):
    record_hospital_contact(
        user=hospital_doctor, cpr=patient.cpr, name=patient.name, kind="outpatient", reason="R"
    )
    return patient


@pytest.mark.parametrize(
    "path",
    [
        "/api/patients/{id}",
        "/api/patients/{id}/medication",
        "/api/tapering/patients/{id}/plans",
        "/api/tracks/patients/{id}/courses",
        "/api/patients/{id}/access-log",
    ],
)
def test_the_department_reads_the_record_of_a_patient_in_its_care(
    path, in_care, hospital_doctor, client_for
):
    response = client_for(hospital_doctor).get(path.format(id=in_care.pk))
    assert response.status_code == 200, response.content


# Practice-track work on the patient: the GP's (DESIGN.md, the two tracks).
GP_ONLY = [
    ("/api/tapering/patients/{id}/plans", {}),
    ("/api/tapering/patients/{id}/preview", {}),
    (
        "/api/tracks/patients/{id}/courses",
        {
            "baseline_peg": [6, 6, 6],
            "baseline_nrs": 6,
            "goal_kind": "stop",
            "follow_up_interval_days": 28,
        },
    ),
    (
        "/api/patients/{id}/medication",
        {"product_id": "morphine-depot-tablet", "strength": "30", "doses_per_day": 2},
    ),
    ("/api/patients", {"cpr": "0101801234", "name": "Ny Patient"}),
]


@pytest.mark.parametrize(("path", "body"), GP_ONLY)
def test_the_department_does_no_practice_track_work(
    path, body, in_care, hospital_doctor, client_for
):
    response = client_for(hospital_doctor).post(
        path.format(id=in_care.pk), json.dumps(body), "application/json"
    )
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "path",
    [
        "/api/tracks/worklists/practice",
        "/api/tracks/worklists/clinic",
        "/api/patients/registration-requests",
        "/api/advice/counts",
    ],
)
def test_the_department_has_no_practice_or_clinic_worklist(path, hospital_doctor, client_for):
    assert client_for(hospital_doctor).get(path).status_code == 403


@pytest.mark.parametrize("persona", ["planner", "admin_user"])
def test_planners_and_administrators_still_see_no_patient(persona, request, in_care, client_for):
    user = request.getfixturevalue(persona)
    assert not visible_patients(user).exists()
    http = client_for(user)
    assert http.get(f"/api/patients/{in_care.pk}").status_code in (403, 404)
    assert http.get("/api/departments/contacts").status_code == 403


def test_the_patients_gp_keeps_seeing_the_patient_and_sees_the_contact_in_the_log(
    in_care, gp, hospital_doctor, client_for
):
    log = client_for(gp).get(f"/api/patients/{in_care.pk}/access-log").json()
    assert any(row.get("object_type") == "hospital_contact" for row in log)
