"""Organisations and users of the pathway's other actors, and an enrolled patient."""

from __future__ import annotations

from django.utils import timezone
from factory.declarations import Sequence

from smertespor.accounts.models import Organisation, Role, User
from smertespor.pathways.models import Enrolment
from smertespor.pathways.services import enrol_patient
from smertespor.patients.models import Patient
from tests.factories import OrganisationFactory, UserFactory

HIGH_RISK = {
    1: "agree",
    2: "agree",
    3: "agree",
    4: "disagree",
    5: "agree",
    6: "agree",
    7: "agree",
    8: "agree",
    9: "very_much",
}
LOW_RISK = {
    1: "agree",
    2: "disagree",
    3: "disagree",
    4: "disagree",
    5: "disagree",
    6: "disagree",
    7: "disagree",
    8: "disagree",
    9: "slightly",
}


class PhysiotherapyFactory(OrganisationFactory):
    name = Sequence(lambda n: f"Fysioterapi {n}")
    kind = Organisation.Kind.PHYSIOTHERAPY
    provider_number = ""


class MunicipalityFactory(OrganisationFactory):
    name = Sequence(lambda n: f"Kommune {n}")
    kind = Organisation.Kind.MUNICIPALITY
    provider_number = ""


def physiotherapist(organisation: Organisation) -> User:
    return UserFactory.create(role=Role.PHYSIOTHERAPIST, organisation=organisation)


def enrolled(patient: Patient, gp: User, answers: dict[int, str] | None = None) -> Enrolment:
    return enrol_patient(
        patient=patient, by=gp, enrolled_on=timezone.localdate(), answers=answers or HIGH_RISK
    )
