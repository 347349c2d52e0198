from django.core.management import call_command

from smertespor.accounts.models import User
from smertespor.advice.models import AdviceRequest
from smertespor.departments.models import HospitalContact
from smertespor.patients.access import visible_patients


def test_the_demo_spine_centre_has_a_patient_in_its_care_and_an_advice_request(db, capsys):
    call_command("load_demo_region")
    call_command("load_demo_region")
    assert "demo-hospital-doctor" in capsys.readouterr().out
    doctor = User.objects.get(username="demo-hospital-doctor")
    contact = HospitalContact.objects.get(department=doctor.organisation)
    assert contact.is_open
    assert list(visible_patients(doctor)) == [contact.patient]
    advice_request = AdviceRequest.objects.get(practice=doctor.organisation)
    assert advice_request.patient == contact.patient
    assert advice_request.first_response_at is not None
