"""A hospital department's doctor asks the pain clinic about the patients in the
department's care, as a GP does; the clinic's worklist and figures tell the two apart."""

import json

import pytest
from django.urls import reverse

from smertespor.advice.models import AdviceRequest
from smertespor.advice.selectors import advice_counts, advice_requests_for
from smertespor.advice.services import reply_to_advice_request
from smertespor.advice.tests.factories import answered, ask
from smertespor.departments.actions import end_hospital_contact, record_hospital_contact
from smertespor.patients.models import CareRelation

pytestmark = pytest.mark.django_db


def take_into_care(doctor, patient):
    return record_hospital_contact(
        user=doctor, cpr=patient.cpr, name=patient.name, kind="admission", reason="Rygsmerter"
    )


QUESTION = {
    "subject": "Opioid taper after spine surgery",
    "question": "How fast can we taper after the operation?",
    "category": "taper_strategy",
    "urgency": "routine",
}


def test_a_department_asks_about_a_patient_in_its_care(
    hospital_doctor, patient, clinic, clinic_doctor, client_for
):
    take_into_care(hospital_doctor, patient)
    response = client_for(hospital_doctor).post(
        reverse("advice:create_for_patient", args=[patient.pk]), QUESTION
    )
    assert response.status_code == 302, response.content
    advice_request = AdviceRequest.objects.get()
    assert advice_request.practice == hospital_doctor.organisation
    assert advice_request.patient == patient
    assert advice_request.snapshot  # the medication and OMEQ go with the question
    assert CareRelation.objects.filter(
        patient=patient, organisation=clinic, reason="advice_request", closed_at__isnull=True
    ).exists()


def test_a_department_cannot_ask_about_a_patient_outside_its_care(
    hospital_doctor, patient, clinic, client_for
):
    http = client_for(hospital_doctor)
    page = http.get(reverse("advice:create_for_patient", args=[patient.pk]))
    assert page.status_code == 404
    body = {**QUESTION, "patient_id": str(patient.pk)}
    response = http.post("/api/advice/requests", json.dumps(body), "application/json")
    assert response.status_code == 404
    assert AdviceRequest.objects.count() == 0


def test_a_department_cannot_ask_about_another_departments_patient(
    hospital_doctor, other_hospital_doctor, patient, clinic, client_for
):
    take_into_care(other_hospital_doctor, patient)
    response = client_for(hospital_doctor).post(
        reverse("advice:create_for_patient", args=[patient.pk]), QUESTION
    )
    assert response.status_code == 404
    assert AdviceRequest.objects.count() == 0


def test_once_the_contact_ends_the_department_no_longer_asks_about_the_patient(
    hospital_doctor, patient, clinic, client_for
):
    contact = take_into_care(hospital_doctor, patient)
    end_hospital_contact(user=hospital_doctor, contact_id=contact.pk, expected_version=1)
    response = client_for(hospital_doctor).post(
        reverse("advice:create_for_patient", args=[patient.pk]), QUESTION
    )
    assert response.status_code == 404


def test_a_department_asks_a_general_question_and_closes_it_once_answered(
    hospital_doctor, clinic, clinic_doctor, client_for
):
    advice_request = answered(hospital_doctor, clinic_doctor)
    http = client_for(hospital_doctor)
    assert http.get(reverse("advice:detail", args=[advice_request.pk])).status_code == 200
    response = http.post(
        f"/api/advice/requests/{advice_request.pk}/close",
        json.dumps({"outcome": "advice_sufficient"}),
        "application/json",
        headers={"If-Match": f'"{advice_request.version}"'},
    )
    assert response.status_code == 200, response.content
    assert response.json()["source"] == "hospital_department"


def test_departments_see_only_their_own_requests(
    hospital_doctor, other_hospital_doctor, gp, clinic, client_for
):
    own = ask(hospital_doctor)
    ask(gp)
    assert [r.pk for r in advice_requests_for(hospital_doctor, show="all")] == [own.pk]
    assert list(advice_requests_for(other_hospital_doctor, show="all")) == []
    response = client_for(other_hospital_doctor).get(reverse("advice:detail", args=[own.pk]))
    assert response.status_code == 404


def test_the_clinic_worklist_tells_general_practice_and_departments_apart(
    hospital_doctor, gp, clinic, clinic_doctor, client_for
):
    from_department = ask(hospital_doctor, subject="Question from the spine centre")
    from_practice = ask(gp, subject="Question from the practice")
    http = client_for(clinic_doctor)
    page = http.get(reverse("advice:list")).content.decode()
    assert "Question from the spine centre" in page and "Question from the practice" in page
    assert "Hospital department" in page
    only_departments = http.get(reverse("advice:list"), {"source": "hospital_department"})
    text = only_departments.content.decode()
    assert "Question from the spine centre" in text
    assert "Question from the practice" not in text
    api = http.get("/api/advice/requests", {"source": "general_practice"}).json()
    assert [item["id"] for item in api["items"]] == [from_practice.pk]
    assert api["items"][0]["source"] == "general_practice"
    both = http.get("/api/advice/requests").json()["items"]
    sources = {item["id"]: item["source"] for item in both}
    assert sources == {
        from_department.pk: "hospital_department",
        from_practice.pk: "general_practice",
    }


def test_the_figures_count_departments_apart(
    hospital_doctor, gp, clinic, clinic_doctor, planner, client_for
):
    answered(hospital_doctor, clinic_doctor)
    ask(gp)
    ask(gp)
    counts = advice_counts()
    assert {value: n for value, _label, n in counts.by_source} == {
        "general_practice": 2,
        "hospital_department": 1,
    }
    assert advice_counts(source="hospital_department").total == 1
    assert advice_counts(source="hospital_department").answered == 1
    assert advice_counts(source="general_practice").answered == 0
    http = client_for(planner)
    api = http.get("/api/advice/counts", {"source": "hospital_department"}).json()
    assert api["total"] == 1
    assert {row["value"]: row["count"] for row in api["by_source"]} == {
        "general_practice": 2,
        "hospital_department": 1,
    }
    page = http.get(reverse("advice:counts"), {"source": "general_practice"})
    assert page.status_code == 200
    assert 'data-testid="count-total">2<' in page.content.decode()


def test_the_clinic_records_telephone_advice_to_a_department(
    hospital_doctor, clinic, clinic_doctor, client_for
):
    department = hospital_doctor.organisation
    response = client_for(clinic_doctor).post(
        f"/api/advice/practices/{department.pk}/telephone",
        json.dumps(
            {
                "subject": "Called about tapering",
                "question": "How?",
                "advice": "Slowly.",
                "category": "other",
                "asked_by_id": hospital_doctor.pk,
            }
        ),
        "application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "hospital_department"


def test_the_department_writes_again_on_its_request(hospital_doctor, clinic, clinic_doctor):
    advice_request = answered(hospital_doctor, clinic_doctor)
    message = reply_to_advice_request(
        advice_request=advice_request,
        by=hospital_doctor,
        body="And the gabapentin?",
        expected_version=advice_request.version,
    )
    assert message.side == "practice"
