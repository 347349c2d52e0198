"""Personas and courses for the tracks tests (on top of smertespor/conftest.py)."""

import pytest

from smertespor.accounts.models import Role
from smertespor.patients.models import CareRelation
from smertespor.tracks.tests.factories import CourseFactory
from tests.factories import UserFactory


@pytest.fixture
def clinic_doctor(clinic):
    return UserFactory(username="clinic-doctor", role=Role.CLINIC_DOCTOR, organisation=clinic)


@pytest.fixture
def psychologist(clinic):
    return UserFactory(username="psychologist", role=Role.PSYCHOLOGIST, organisation=clinic)


@pytest.fixture
def course(patient, clinic):
    """An active practice-track course of the GP's patient, supported by the clinic."""
    return CourseFactory(patient=patient, clinic=clinic)


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def open_clinic_relation(course):
    CareRelation.objects.create(
        patient=course.patient,
        organisation=course.clinic,
        reason=CareRelation.Reason.COURSE,
        opened_at=course.created_at,
    )
