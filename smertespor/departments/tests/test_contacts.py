"""A hospital department takes a patient into its care by recording a contact, and lets go
of them by ending it. The contact is no CPR oracle: the answer is the same for every number."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from smertespor.audit.models import AuditEvent
from smertespor.departments import actions
from smertespor.departments.models import HospitalContact
from smertespor.departments.services import RECORDED
from smertespor.notifications.models import Notification
from smertespor.patients.access import visible_patients
from smertespor.patients.models import CareRelation
from smertespor.patients.services import RegistrationLimitReached
from tests.factories import next_cpr

API = "/api/departments/contacts"


def record(user, patient, **fields):
    values = {
        "cpr": patient.cpr,
        "name": patient.name,
        "kind": "admission",
        "reason": "Lændesmerter med iskias; opioidbehandling",
    }
    values.update(fields)
    return actions.record_hospital_contact(user=user, **values)


def test_a_contact_takes_the_patient_into_the_departments_care(hospital_doctor, patient):
    assert not visible_patients(hospital_doctor).filter(pk=patient.pk).exists()
    contact = record(hospital_doctor, patient)
    assert contact is not None and contact.is_open
    assert visible_patients(hospital_doctor).filter(pk=patient.pk).exists()
    relation = CareRelation.objects.get(patient=patient, organisation=hospital_doctor.organisation)
    assert relation.reason == CareRelation.Reason.HOSPITAL_CONTACT and relation.is_open


def test_the_name_is_matched_as_people_write_it(hospital_doctor, patient):
    assert record(hospital_doctor, patient, name="  birthe   TESTESEN ") is not None


def test_a_wrong_name_opens_nothing_and_is_logged_against_the_patient(hospital_doctor, patient):
    assert record(hospital_doctor, patient, name="Birthe Andersen") is None
    assert not visible_patients(hospital_doctor).filter(pk=patient.pk).exists()
    assert AuditEvent.objects.filter(
        patient=patient, user=hospital_doctor, action="refused", object_type="hospital_contact"
    ).exists()


def test_an_unknown_number_opens_nothing(hospital_doctor, patient):
    assert record(hospital_doctor, patient, cpr=next_cpr()) is None
    assert HospitalContact.objects.count() == 0


def test_the_patients_practice_is_told_without_name_or_cpr(hospital_doctor, gp, patient):
    record(hospital_doctor, patient)
    notification = Notification.objects.get(recipient=gp, kind="hospital_contact_recorded")
    assert hospital_doctor.organisation.name in notification.message
    assert patient.name not in notification.message
    assert patient.cpr[:6] not in notification.message


@pytest.mark.parametrize(
    "matches",
    [pytest.param("known", id="known"), pytest.param("wrong-name", id="wrong-name"), "fresh"],
)
def test_the_api_answers_the_same_whatever_the_number(
    matches, hospital_doctor, patient, client_for
):
    body = {"cpr": patient.cpr, "name": patient.name, "kind": "outpatient", "reason": "Rygsmerter"}
    if matches == "wrong-name":
        body["name"] = "Ukendt Navnesen"
    elif matches == "fresh":
        body["cpr"] = next_cpr()
    response = client_for(hospital_doctor).post(API, json.dumps(body), "application/json")
    assert response.status_code == 202
    assert response.json() == {"status": "recorded", "message": str(RECORDED)}
    assert patient.name.encode() not in response.content


def test_the_page_answers_the_same_whatever_the_number(hospital_doctor, patient, client_for):
    http = client_for(hospital_doctor)
    url = reverse("departments:contact_create")
    base = {"kind": "admission", "reason": "Rygsmerter"}
    answers = []
    for cpr, name in [(next_cpr(), "Ny Navnesen"), (patient.cpr, "Forkert Navn")]:
        response = http.post(url, {**base, "cpr": cpr, "name": name})
        assert response.status_code == 302
        answers.append(response["Location"])
    assert answers[0] == answers[1] == reverse("departments:contacts")


def test_invalid_input_answers_the_same_for_a_known_and_a_fresh_number(
    hospital_doctor, patient, client_for
):
    http = client_for(hospital_doctor)
    known = http.post(
        API,
        json.dumps({"cpr": patient.cpr, "name": patient.name, "kind": "admission", "reason": " "}),
        "application/json",
    )
    fresh = http.post(
        API,
        json.dumps({"cpr": next_cpr(), "name": patient.name, "kind": "admission", "reason": " "}),
        "application/json",
    )
    assert known.status_code == fresh.status_code == 422
    assert known.json()["errors"] == fresh.json()["errors"]
    assert HospitalContact.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cpr", "3213991234"),
        ("cpr", "12345"),
        ("name", ""),
        ("kind", "visit"),
        ("reason", ""),
        ("reason", "x" * 301),
        ("reason", "nul\x00byte"),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(field, value, hospital_doctor, patient):
    with pytest.raises(ValidationError) as error:
        record(hospital_doctor, patient, **{field: value})
    assert field in error.value.message_dict
    assert HospitalContact.objects.count() == 0
    assert CareRelation.objects.count() == 0


def test_a_contact_cannot_start_in_the_future(hospital_doctor, patient):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        record(hospital_doctor, patient, started_on=tomorrow)
    assert "started_on" in error.value.message_dict


def test_a_patient_already_in_care_is_said_to_be(hospital_doctor, patient):
    record(hospital_doctor, patient)
    with pytest.raises(ValidationError) as error:
        record(hospital_doctor, patient)
    assert error.value.message_dict["cpr"]
    assert HospitalContact.objects.count() == 1


def test_contacts_are_limited_per_hour_with_the_registration_setting(
    hospital_doctor, patient, settings, client_for
):
    settings.PATIENT_REGISTRATIONS_PER_HOUR = 2
    for _ in range(2):
        record(hospital_doctor, patient, cpr=next_cpr())
    with pytest.raises(RegistrationLimitReached):
        record(hospital_doctor, patient)
    body = {"cpr": patient.cpr, "name": patient.name, "kind": "admission", "reason": "R"}
    response = client_for(hospital_doctor).post(API, json.dumps(body), "application/json")
    assert response.status_code == 429
    assert HospitalContact.objects.count() == 0


@pytest.mark.parametrize("persona", ["gp", "clinic_doctor", "planner", "admin_user"])
def test_only_a_hospital_department_records_contacts(persona, request, patient):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        record(user, patient)
    assert HospitalContact.objects.count() == 0


def test_ending_the_contact_closes_the_care_relation(hospital_doctor, patient):
    contact = record(hospital_doctor, patient)
    ended = actions.end_hospital_contact(
        user=hospital_doctor, contact_id=contact.pk, expected_version=contact.version
    )
    assert not ended.is_open and ended.ended_on == timezone.localdate()
    assert not visible_patients(hospital_doctor).filter(pk=patient.pk).exists()
    assert not CareRelation.objects.get(pk=contact.care_relation_id).is_open
    assert AuditEvent.objects.filter(
        patient=patient, action="update", object_type="hospital_contact"
    ).exists()


def test_a_stale_end_is_refused_and_changes_nothing(hospital_doctor, patient, client_for):
    contact = record(hospital_doctor, patient)
    url = f"{API}/{contact.pk}/end"
    http = client_for(hospital_doctor)
    stale = http.post(url, "{}", "application/json", headers={"If-Match": '"7"'})
    assert stale.status_code == 409
    missing = http.post(url, "{}", "application/json")
    assert missing.status_code == 428
    contact.refresh_from_db()
    assert contact.is_open
    etag = http.get(f"{API}/{contact.pk}")["ETag"]
    ended = http.post(url, "{}", "application/json", headers={"If-Match": etag})
    assert ended.status_code == 200, ended.content
    assert ended.json()["ended_on"] == timezone.localdate().isoformat()
    again = http.post(url, "{}", "application/json", headers={"If-Match": ended["ETag"]})
    assert again.status_code == 404  # no longer the department's


def test_a_contact_cannot_end_before_it_started(hospital_doctor, patient):
    contact = record(hospital_doctor, patient)
    with pytest.raises(ValidationError):
        actions.end_hospital_contact(
            user=hospital_doctor,
            contact_id=contact.pk,
            expected_version=contact.version,
            ended_on=contact.started_on - timedelta(days=1),
        )
    contact.refresh_from_db()
    assert contact.is_open


def test_another_department_cannot_see_or_end_the_contact(
    hospital_doctor, other_hospital_doctor, patient, client_for
):
    contact = record(hospital_doctor, patient)
    assert not visible_patients(other_hospital_doctor).filter(pk=patient.pk).exists()
    http = client_for(other_hospital_doctor)
    assert http.get(f"{API}/{contact.pk}").status_code == 404
    response = http.post(
        reverse("departments:contact_end", args=[contact.pk]), {"version": contact.version}
    )
    assert response.status_code == 404
    assert http.get(reverse("patients:detail", args=[patient.pk])).status_code == 404
    assert http.get(API).json() == []
    contact.refresh_from_db()
    assert contact.is_open


def test_the_department_lists_its_patients_and_the_list_is_logged(
    hospital_doctor, patient, client_for
):
    record(hospital_doctor, patient)
    http = client_for(hospital_doctor)
    page = http.get(reverse("departments:contacts"))
    assert page.status_code == 200
    assert patient.name in page.content.decode()
    assert [item["patient_name"] for item in http.get(API).json()] == [patient.name]
    assert AuditEvent.objects.filter(
        patient=patient, user=hospital_doctor, action="listed"
    ).exists()
    patients_page = http.get(reverse("patients:list"))
    assert patient.name in patients_page.content.decode()


def test_the_end_page_ends_the_contact(hospital_doctor, patient, client_for):
    contact = record(hospital_doctor, patient)
    http = client_for(hospital_doctor)
    url = reverse("departments:contact_end", args=[contact.pk])
    assert http.get(url).status_code == 200
    response = http.post(url, {"version": contact.version, "ended_on": ""})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert not contact.is_open
    stale = http.post(url, {"version": contact.version})
    assert stale.status_code == 404


def test_the_patient_page_shows_the_departments_contact_to_the_department_only(
    hospital_doctor, gp, patient, client_for
):
    contact = record(hospital_doctor, patient)
    url = reverse("patients:detail", args=[patient.pk])
    page = client_for(hospital_doctor).get(url).content.decode()
    assert 'data-testid="contact-panel"' in page
    assert reverse("departments:contact_end", args=[contact.pk]) in page
    assert 'data-testid="contact-panel"' not in client_for(gp).get(url).content.decode()


def test_the_departments_contacts_are_on_the_patients_thread_for_it_alone(
    hospital_doctor, other_hospital_doctor, gp, patient, client_for
):
    from django.utils import translation

    from smertespor.departments.services import end_contact
    from smertespor.patients.timeline import EntryKind, patient_timeline

    admission = record(hospital_doctor, patient)
    end_contact(by=hospital_doctor, contact=admission, expected_version=admission.version)
    record(hospital_doctor, patient, kind="outpatient")  # back as an outpatient
    record(other_hospital_doctor, patient)  # another department's admission
    department = hospital_doctor.organisation.name

    with translation.override("da"):
        titles = [
            entry.title
            for entry in patient_timeline(hospital_doctor, patient, kind=EntryKind.COURSE)
        ]
        assert f"Indlagt på {department}" in titles
        assert f"Udskrevet fra {department}" in titles
        assert f"Ambulant forløb på {department}" in titles
        assert not any(other_hospital_doctor.organisation.name in title for title in titles)
        gp_titles = [entry.title for entry in patient_timeline(gp, patient)]
        assert not any(department in title for title in gp_titles)

    page = client_for(hospital_doctor).get(reverse("patients:detail", args=[patient.pk]))
    assert f"Ambulant forløb på {department}".encode() in page.content
    assert reverse("departments:contacts").encode() in page.content
