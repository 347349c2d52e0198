"""Objects for the access matrix (smertespor/patients/tests/test_access_matrix.py): the GP's
patient referred to a pain centre, with a discharged course and its summary sent to the GP's
practice, and the ids every centre URL and API path needs."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from smertespor.accounts.models import Organisation, Role
from smertespor.centres import services
from smertespor.centres.tests.helpers import accepted_referral
from smertespor.entry.appointment_times import next_bookable
from smertespor.patients.models import Patient
from tests.factories import OrganisationFactory, UserFactory


def matrix_centre_ids(patient: Patient) -> dict[str, Any]:
    centre = OrganisationFactory.create(
        name="Matrix Smertecenter", kind=Organisation.Kind.PAIN_CENTRE, provider_number=""
    )
    doctor = UserFactory.create(
        username="matrix-centre-doctor", role=Role.CLINIC_DOCTOR, organisation=centre
    )
    accepted_referral(patient, centre, doctor=doctor)
    course = services.plan_course(
        patient=patient, by=doctor, goals="Matrix", planned_start=timezone.localdate()
    )
    member = services.add_team_member(
        course=course, by=doctor, user_id=doctor.pk, discipline="doctor"
    )
    module = services.add_module(course=course, by=doctor, code="medication_review_taper")
    services.start_course(course=course, by=doctor, expected_version=course.version)
    appointment = services.book_appointment(
        course=course,
        by=doctor,
        starts_at=next_bookable(timezone.now(), days=7),
        duration_minutes=60,
        clinician_id=doctor.pk,
    )
    services.send_discharge_summary(
        course=course,
        by=doctor,
        expected_version=course.version,
        course_summary="Matrix",
        plan_after="Matrix",
    )
    return {
        "course_id": course.pk,
        "module_id": module.pk,
        "appointment_id": appointment.pk,
        "member_id": member.pk,
        "doctor_id": doctor.pk,
    }
