"""Building pain centre courses for the tests, through the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from smertespor.accounts.models import Organisation, Role, User
from smertespor.centres import services
from smertespor.centres.models import CentreCourse
from smertespor.patients.models import Patient
from smertespor.referrals import services as referral_services
from smertespor.referrals.models import Referral
from smertespor.referrals.tests.factories import sent
from tests.factories import UserFactory


def accepted_referral(
    patient: Patient,
    centre: Organisation,
    *,
    gp: User | None = None,
    doctor: User | None = None,
) -> Referral:
    """The patient's referral to the centre, sent by a GP of the patient's practice and
    accepted by a doctor of the centre (through the services: the care relation opens as
    in real use). Users are made when the practice or the centre has none."""
    practice = patient.listed_practice
    gp = gp or practice.users.filter(role=Role.GP, is_active=True).first()
    if gp is None:
        gp = UserFactory.create(role=Role.GP, organisation=practice)
    doctor = doctor or centre.users.filter(role=Role.CLINIC_DOCTOR, is_active=True).first()
    if doctor is None:
        doctor = UserFactory.create(role=Role.CLINIC_DOCTOR, organisation=centre)
    return referral_services.accept_referral(
        referral=sent(gp, patient, centre),
        by=doctor,
        priority="routine",
        expected_wait_weeks=8,
    )


def planned_course(patient, doctor) -> CentreCourse:
    return services.plan_course(
        patient=patient,
        by=doctor,
        goals="Bedre funktion i hverdagen",
        planned_start=timezone.localdate(),
    )


def active_course(patient, doctor, *, psychologist=None) -> CentreCourse:
    course = planned_course(patient, doctor)
    services.add_team_member(course=course, by=doctor, user_id=doctor.pk, discipline="doctor")
    if psychologist is not None:
        services.add_team_member(
            course=course, by=doctor, user_id=psychologist.pk, discipline="psychologist"
        )
    services.add_module(course=course, by=doctor, code="cbt_group")
    services.add_module(course=course, by=doctor, code="medication_review_taper")
    services.record_outcome(
        course=course,
        by=doctor,
        instrument_code="peg",
        timepoint="start",
        answers={"pain": 8, "enjoyment": 7, "activity": 7},
        measured_on=timezone.localdate(),
    )
    services.start_course(course=course, by=doctor, expected_version=course.version)
    return course


def discharged_course(patient, doctor) -> CentreCourse:
    course = active_course(patient, doctor)
    services.record_outcome(
        course=course,
        by=doctor,
        instrument_code="peg",
        timepoint="end",
        answers={"pain": 5, "enjoyment": 4, "activity": 4},
        measured_on=timezone.localdate(),
    )
    services.send_discharge_summary(
        course=course,
        by=doctor,
        expected_version=course.version,
        course_summary="Gruppeforløb gennemført.",
        plan_after="Egen læge følger op hver 4. uge.",
        municipality_continues="Træning i kommunen.",
    )
    return course


def an_hour_ago():
    """A past time inside the opening hours: 10:00 on the last working day before today
    (the service refuses appointments outside them)."""
    from smertespor.entry.appointment_times import bookable_on

    return bookable_on(
        timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        - timedelta(days=1),
        earlier=True,
    )
