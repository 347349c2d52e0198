"""Personas of the pain centres: the receiving centre's staff, and another centre's."""

import pytest

from smertespor.accounts.models import Organisation, Role
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def centre(db):
    return OrganisationFactory(
        name="Tværfagligt Smertecenter Test", kind=Organisation.Kind.PAIN_CENTRE
    )


@pytest.fixture
def other_centre(db):
    return OrganisationFactory(name="Smertecenter Andetsted", kind=Organisation.Kind.PAIN_CENTRE)


@pytest.fixture
def centre_doctor(centre):
    return UserFactory(username="centre-doctor", role=Role.CLINIC_DOCTOR, organisation=centre)


@pytest.fixture
def centre_nurse(centre):
    return UserFactory(username="centre-nurse", role=Role.CLINIC_NURSE, organisation=centre)


@pytest.fixture
def centre_secretary(centre):
    return UserFactory(username="centre-secretary", role=Role.SECRETARY, organisation=centre)


@pytest.fixture
def centre_psychologist(centre):
    return UserFactory(username="centre-psychologist", role=Role.PSYCHOLOGIST, organisation=centre)


@pytest.fixture
def other_centre_doctor(other_centre):
    return UserFactory(
        username="other-centre-doctor", role=Role.CLINIC_DOCTOR, organisation=other_centre
    )
