"""The demo region's hospital department: the spine centre at Regionshospitalet Silkeborg has
a patient in its care (an outpatient course for low back pain on opioids) and has asked the
pain clinic for advice about them; the clinic has answered.

Made through the services (care relation, audit rows, notifications are real). Idempotent:
nothing is made if the department has a contact already.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from smertespor.accounts.models import Organisation, User
from smertespor.advice.services import ask_for_advice, reply_to_advice_request
from smertespor.departments.models import HospitalContact
from smertespor.departments.services import record_contact
from smertespor.patients.models import Patient


def load_demo_department(
    *, department_name: str, doctor_username: str, clinic_name: str, practice_name: str
) -> int:
    """The department's contact and advice request; returns the contacts made (0 or 1)."""
    department = Organisation.objects.filter(name=department_name).first()
    doctor = User.objects.filter(username=doctor_username).first()
    clinic = Organisation.objects.filter(name=clinic_name).first()
    if department is None or doctor is None or clinic is None:
        return 0
    if HospitalContact.objects.filter(department=department).exists():
        return 0
    # A patient of the demo GP's practice who takes an opioid (the medication list is set).
    patient = (
        Patient.objects.filter(listed_practice__name=practice_name, medication_lines__isnull=False)
        .order_by("cpr")
        .distinct()
        .first()
    )
    if patient is None:
        return 0
    contact = record_contact(
        by=doctor,
        cpr=patient.cpr,
        name=patient.name,
        kind=HospitalContact.Kind.OUTPATIENT,
        reason=(
            "Lænderygsmerter med udstråling, vurderes til operation; langvarig opioidbehandling."
        ),
        started_on=timezone.localdate() - timedelta(days=10),
    )
    if contact is None:
        return 0
    clinician = (
        User.objects.filter(organisation=clinic, role="clinic_doctor", is_active=True)
        .order_by("username")
        .first()
    )
    advice_request = ask_for_advice(
        by=doctor,
        subject="Smertebehandling omkring rygoperation ved langvarig opioidbehandling",
        question=(
            "Patienten skal formentlig opereres for lumbal stenose. Hvordan bør opioiderne "
            "håndteres før og efter operationen, og hvornår kan nedtrapning påbegyndes?"
        ),
        category="taper_strategy",
        patient=patient,
    )
    if clinician is not None:
        reply_to_advice_request(
            advice_request=advice_request,
            by=clinician,
            body=(
                "Fortsæt den faste dosis uændret op til operationen, og dæk de første dage "
                "efter med korttidsvirkende opioid efter behov. Start nedtrapningen 2-4 uger "
                "efter operationen med 10 % af dosis hver 2.-4. uge; egen læge overtager."
            ),
            kind="answer",
        )
    return 1
