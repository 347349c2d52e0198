from typing import get_args

from smertespor.departments.models import HospitalContact
from smertespor.departments.schemas import ContactKindCode


def test_the_api_lists_the_kinds_of_contact_the_model_has():
    assert set(get_args(ContactKindCode)) == set(HospitalContact.Kind.values)


def test_a_stale_end_on_the_page_shows_the_form_again_with_409(
    hospital_doctor, patient, client_for
):
    from django.urls import reverse

    from smertespor.departments.actions import record_hospital_contact

    contact = record_hospital_contact(
        user=hospital_doctor, cpr=patient.cpr, name=patient.name, kind="admission", reason="R"
    )
    assert contact is not None
    url = reverse("departments:contact_end", args=[contact.pk])
    response = client_for(hospital_doctor).post(url, {"version": contact.version + 3})
    assert response.status_code == 409
    contact.refresh_from_db()
    assert contact.is_open
