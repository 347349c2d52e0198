"""The authentication backend answers as Django's ModelBackend, in fewer queries (issue 13:
every page paid for loading the organisation and two permission queries)."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smertespor.accounts.backends import UserBackend
from smertespor.accounts.models import User

pytestmark = pytest.mark.django_db

SIGN_OFF = "medication.sign_off_conversion_table"


def _permission(code):
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _fresh(user):
    return User.objects.get(pk=user.pk)


def test_the_user_comes_with_the_organisation_in_one_query(gp):
    with CaptureQueriesContext(connection) as queries:
        user = UserBackend().get_user(gp.pk)
        assert user is not None
        assert user.organisation is not None
        assert user.organisation.name == gp.organisation.name
    assert len(queries) == 1


def test_an_inactive_or_unknown_user_is_not_loaded(gp):
    gp.is_active = False
    gp.save()
    assert UserBackend().get_user(gp.pk) is None
    assert UserBackend().get_user(10**9) is None


@pytest.mark.parametrize("through", ["none", "user", "group", "both"])
def test_permissions_are_the_same_as_modelbackends_in_one_query(clinic_doctor, through):
    sign_off = _permission(SIGN_OFF)
    other = _permission("patients.view_patient")
    if through in {"user", "both"}:
        clinic_doctor.user_permissions.add(sign_off)
    if through in {"group", "both"}:
        group = Group.objects.create(name="Medicinudvalget")
        group.permissions.add(sign_off, other)
        clinic_doctor.groups.add(group)
    expected = ModelBackend().get_all_permissions(_fresh(clinic_doctor))
    user = _fresh(clinic_doctor)
    with CaptureQueriesContext(connection) as queries:
        found = UserBackend().get_all_permissions(user)
        assert UserBackend().has_perm(user, SIGN_OFF) == (through != "none")
    assert found == expected
    assert len(queries) == 1  # and cached on the user for the rest of the request


def test_superusers_have_every_permission_and_inactive_users_none(clinic_doctor):
    clinic_doctor.is_superuser = True
    assert UserBackend().get_all_permissions(_fresh(clinic_doctor)) == set()  # not saved yet
    clinic_doctor.save()
    assert UserBackend().get_all_permissions(
        _fresh(clinic_doctor)
    ) == ModelBackend().get_all_permissions(_fresh(clinic_doctor))
    clinic_doctor.is_active = False
    clinic_doctor.save()
    assert UserBackend().get_all_permissions(_fresh(clinic_doctor)) == set()
