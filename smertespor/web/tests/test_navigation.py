import pytest
from django.contrib.auth.models import Permission

from smertespor.web.navigation import nav_items_for


def _labels(user):
    return [item.url_name for item in nav_items_for(user)]


@pytest.mark.django_db
def test_a_clinician_who_may_sign_off_tables_finds_them_in_the_menu(clinic_doctor):
    assert "medication:tables" not in _labels(clinic_doctor)
    clinic_doctor.user_permissions.add(Permission.objects.get(codename="sign_off_conversion_table"))
    clinic_doctor = type(clinic_doctor).objects.get(pk=clinic_doctor.pk)  # fresh perm cache
    assert "medication:tables" in _labels(clinic_doctor)


@pytest.mark.django_db
def test_administrators_find_the_tables_and_planners_do_not(admin_user, planner):
    assert "medication:tables" in _labels(admin_user)
    assert "medication:tables" not in _labels(planner)


@pytest.mark.django_db
def test_administrators_find_role_changes_and_clinicians_do_not(admin_user, gp):
    assert "accounts:role_requests" in _labels(admin_user)
    assert "accounts:role_requests" not in _labels(gp)
