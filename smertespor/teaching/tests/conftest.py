"""Teaching fixtures: a session the clinic organises, in the future and in the past."""

import pytest

from smertespor.accounts.models import Role
from smertespor.teaching.tests.factories import (
    TeachingSessionFactory,
    past_session_with_attendance,
)
from tests.factories import ClinicFactory, OrganisationFactory, UserFactory


@pytest.fixture
def upcoming_session(clinic):
    return TeachingSessionFactory.create(organiser=clinic, title="Opioidnedtrapning for praksis")


@pytest.fixture
def past_session(clinic, gp):
    return past_session_with_attendance(organiser=clinic, attendees=[gp], title="Abstinenser")


@pytest.fixture
def practice_secretary(practice):
    return UserFactory(username="practice-secretary", role=Role.SECRETARY, organisation=practice)


@pytest.fixture
def clinic_secretary(clinic):
    return UserFactory(username="clinic-secretary", role=Role.SECRETARY, organisation=clinic)


@pytest.fixture
def centre_doctor(db):
    centre = ClinicFactory(name="Smertecenter Test", kind="pain_centre")
    return UserFactory(username="centre-doctor", role=Role.CLINIC_DOCTOR, organisation=centre)


@pytest.fixture
def gps(practice):
    """Five more GPs, each in a practice of their own."""
    return [
        UserFactory(role=Role.GP, organisation=OrganisationFactory(name=f"Praksis {n}"))
        for n in range(5)
    ]
