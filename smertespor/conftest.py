"""Persona fixtures shared by every app's tests: who is asking, and about whom."""

import pytest
from django.test import Client

from smertespor.accounts.models import Role
from tests.factories import (
    ClinicFactory,
    HospitalDepartmentFactory,
    OrganisationFactory,
    PatientFactory,
    RegionOfficeFactory,
    UserFactory,
)


@pytest.fixture
def practice(db):
    return OrganisationFactory(name="Lægerne i Testby")


@pytest.fixture
def other_practice(db):
    return OrganisationFactory(name="Lægerne i Andenby")


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Smerteklinikken Test")


@pytest.fixture
def department(db):
    """A hospital department (a spine centre) that treats these patients."""
    return HospitalDepartmentFactory(name="Rygcenter Test")


@pytest.fixture
def other_department(db):
    return HospitalDepartmentFactory(name="Medicinsk afdeling Test")


@pytest.fixture
def hospital_doctor(department):
    return UserFactory(
        username="hospital-doctor", role=Role.HOSPITAL_DOCTOR, organisation=department
    )


@pytest.fixture
def other_hospital_doctor(other_department):
    return UserFactory(
        username="other-hospital-doctor", role=Role.HOSPITAL_DOCTOR, organisation=other_department
    )


@pytest.fixture
def region_office(db):
    return RegionOfficeFactory()


@pytest.fixture
def gp(practice):
    return UserFactory(username="gp", role=Role.GP, organisation=practice)


@pytest.fixture
def other_gp(other_practice):
    return UserFactory(username="other-gp", role=Role.GP, organisation=other_practice)


@pytest.fixture
def practice_nurse(practice):
    return UserFactory(username="nurse", role=Role.PRACTICE_NURSE, organisation=practice)


@pytest.fixture
def clinic_nurse(clinic):
    return UserFactory(username="clinic-nurse", role=Role.CLINIC_NURSE, organisation=clinic)


@pytest.fixture
def clinic_doctor(clinic):
    return UserFactory(username="clinic-doctor", role=Role.CLINIC_DOCTOR, organisation=clinic)


@pytest.fixture
def clinic_secretary(clinic):
    """Clinic staff who works beside the clinicians but takes no clinical decision."""
    return UserFactory(username="clinic-secretary", role=Role.SECRETARY, organisation=clinic)


@pytest.fixture
def planner(region_office):
    return UserFactory(username="planner", role=Role.PLANNER, organisation=region_office)


@pytest.fixture
def admin_user(region_office):
    return UserFactory(
        username="admin",
        role=Role.ADMIN,
        organisation=region_office,
        is_staff=True,
    )


@pytest.fixture
def patient(practice):
    """A patient listed at ``practice`` (the GP's own)."""
    return PatientFactory(name="Birthe Testesen", listed_practice=practice)


@pytest.fixture
def other_patient(other_practice):
    """A patient listed at ``other_practice``."""
    return PatientFactory(name="Ole Andenbysen", listed_practice=other_practice)


@pytest.fixture
def client_for():
    """A logged-in test client for a user: ``client_for(gp)``."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user, backend="smertespor.accounts.backends.UserBackend")
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects real passwords; tests only need a hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # Every test starts in the default (Danish) language, whatever an earlier test activated.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
