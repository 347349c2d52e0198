"""factory_boy factories for the apps' tests."""

import itertools
from datetime import date

from factory.declarations import (
    LazyAttribute,
    LazyFunction,
    PostGenerationMethodCall,
    Sequence,
    SubFactory,
)
from factory.django import DjangoModelFactory
from factory.helpers import post_generation

from domain.cpr import parse_cpr
from smertespor.accounts.models import Organisation, Region, Role, User
from smertespor.patients.models import Patient

PASSWORD = "correct-horse-battery-staple"
_cpr_serials = itertools.count(1)


class RegionFactory(DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    name = "Region Midtjylland"
    code = "1082"


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    region = SubFactory(RegionFactory)
    # Typed as object: the kinds below replace these sequences with fixed values.
    name: object = Sequence(lambda n: f"Lægehus {n}")
    kind = Organisation.Kind.GP_PRACTICE
    sor_code = Sequence(lambda n: f"{800000000000000 + n}")
    provider_number: object = Sequence(lambda n: f"{200000 + n}")


class ClinicFactory(OrganisationFactory):
    name = Sequence(lambda n: f"Smerteklinik {n}")
    kind = Organisation.Kind.PAIN_CLINIC
    provider_number = ""


class HospitalDepartmentFactory(OrganisationFactory):
    name = Sequence(lambda n: f"Rygcenter {n}")
    kind = Organisation.Kind.HOSPITAL_DEPARTMENT
    provider_number = ""


class RegionOfficeFactory(OrganisationFactory):
    name = "Regionshuset"
    kind = Organisation.Kind.REGIONAL_ADMINISTRATION
    provider_number = ""


def _save_user(user: User, create: bool, extracted: object, **kwargs: object) -> None:
    # After set_password (skip_postgeneration_save leaves saving to us).
    if create:
        user.save()


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = Sequence(lambda n: f"Bruger {n}")
    role = Role.GP
    organisation = SubFactory(OrganisationFactory)
    password = PostGenerationMethodCall("set_password", PASSWORD)
    _save = post_generation(_save_user)


def next_cpr(sex: str = "female") -> str:
    """A fresh, valid CPR number (7th digit 0-3: born in the 1900s), a new birth date each."""
    serial = next(_cpr_serials)
    birth = date(1930 + serial % 60, 1 + serial % 12, 1 + serial % 28)
    last = (serial * 2 + (1 if sex == "male" else 0)) % 10
    return birth.strftime("%d%m%y") + f"{serial % 4}{(serial // 4) % 100:02d}{last}"


class PatientFactory(DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    cpr = LazyFunction(next_cpr)
    name = Sequence(lambda n: f"Patient Nummer{n}")
    birth_date = LazyAttribute(lambda p: parse_cpr(p.cpr, today=date(2100, 1, 1)).birth_date)
    sex = "female"
    listed_practice = SubFactory(OrganisationFactory)
