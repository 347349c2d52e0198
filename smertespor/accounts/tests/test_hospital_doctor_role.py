"""The hospital department doctor's role: given like any other, by two administrators, and
only in a hospital department."""

import pytest
from django.core.exceptions import ValidationError

from smertespor.accounts import actions
from smertespor.accounts.models import Role
from smertespor.accounts.permissions import can_see_patient_data, is_hospital_department_staff
from tests.factories import UserFactory


def _propose(by, whom, organisation):
    return actions.propose_role_change(
        user=by,
        target_id=whom.pk,
        role=Role.HOSPITAL_DOCTOR,
        organisation_id=organisation.pk,
        reason="Ansat på rygcentret",
    )


def test_a_gp_becomes_a_hospital_doctor_when_a_second_administrator_approves(
    admin_user, region_office, gp, department
):
    second = UserFactory.create(username="admin-2", role=Role.ADMIN, organisation=region_office)
    request = _propose(admin_user, gp, department)
    actions.approve_role_change(user=second, request_id=request.pk)
    gp.refresh_from_db()
    assert (gp.role, gp.organisation) == (Role.HOSPITAL_DOCTOR, department)
    assert is_hospital_department_staff(gp) and can_see_patient_data(gp)


@pytest.mark.parametrize("where", ["practice", "clinic", "region_office"])
def test_the_role_works_only_in_a_hospital_department(where, request, admin_user, gp):
    with pytest.raises(ValidationError) as raised:
        _propose(admin_user, gp, request.getfixturevalue(where))
    assert "organisation" in raised.value.message_dict


def test_a_hospital_doctor_outside_a_department_is_no_department_staff(clinic):
    misplaced = UserFactory.create(role=Role.HOSPITAL_DOCTOR, organisation=clinic)
    assert not is_hospital_department_staff(misplaced)
