"""Personas for the pain centre tests (on top of smertespor/conftest.py): a pain centre with
its team, another centre, and the GP's patient referred to the centre (an accepted referral,
made through the referrals app's services, with the care relation it opens)."""

import pytest
from django.utils import timezone

from smertespor.accounts.models import Organisation, Role
from smertespor.centres.tests.helpers import accepted_referral
from smertespor.patients.models import CareRelation
from tests.factories import OrganisationFactory, UserFactory


class CentreFactory(OrganisationFactory):
    kind = Organisation.Kind.PAIN_CENTRE
    provider_number = ""


@pytest.fixture
def centre(db):
    return CentreFactory(name="Tværfagligt Smertecenter Test")


@pytest.fixture
def other_centre(db):
    return CentreFactory(name="Tværfagligt Smertecenter Andetsteds")


@pytest.fixture
def centre_doctor(centre):
    return UserFactory(
        username="centre-doctor", first_name="Dorte", role=Role.CLINIC_DOCTOR, organisation=centre
    )


@pytest.fixture
def centre_nurse(centre):
    return UserFactory(username="centre-nurse", role=Role.CLINIC_NURSE, organisation=centre)


@pytest.fixture
def centre_psychologist(centre):
    return UserFactory(username="centre-psychologist", role=Role.PSYCHOLOGIST, organisation=centre)


@pytest.fixture
def centre_physiotherapist(centre):
    return UserFactory(username="centre-physio", role=Role.PHYSIOTHERAPIST, organisation=centre)


@pytest.fixture
def centre_secretary(centre):
    return UserFactory(username="centre-secretary", role=Role.SECRETARY, organisation=centre)


@pytest.fixture
def other_centre_doctor(other_centre):
    return UserFactory(
        username="other-centre-doctor", role=Role.CLINIC_DOCTOR, organisation=other_centre
    )


def refer(patient, organisation):
    """The organisation's open care relation with the patient (a referral's)."""
    return CareRelation.objects.create(
        patient=patient,
        organisation=organisation,
        reason=CareRelation.Reason.REFERRAL,
        opened_at=timezone.now(),
    )


@pytest.fixture
def referred(patient, centre, gp, centre_doctor):
    """The GP's patient, whose referral to the centre the centre has accepted."""
    accepted_referral(patient, centre, gp=gp, doctor=centre_doctor)
    return patient
